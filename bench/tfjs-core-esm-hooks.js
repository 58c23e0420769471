// Node module hooks that let Node load @tensorflow/tfjs-core's unbundled ES
// module build (dist/**/*.js). That build is the only place the gradient
// definitions (dist/register_all_gradients.js) ship; the Node bundle
// tf-core.node.js has none. The package lacks "type":"module" and its imports
// omit ".js", so without these hooks Node rejects the files.

const TFJS_CORE_DIST = '/node_modules/@tensorflow/tfjs-core/dist/';

const isTfjsCoreEsmFile = (url) =>
  url.startsWith('file:') && url.includes(TFJS_CORE_DIST) && !url.endsWith('/tf-core.node.js');

export async function resolve(specifier, context, nextResolve) {
  const fromTfjsCore = context.parentURL && isTfjsCoreEsmFile(context.parentURL);
  if (fromTfjsCore && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    try {
      return await nextResolve(`${specifier}.js`, context);
    } catch {
      return nextResolve(`${specifier}/index.js`, context);
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (isTfjsCoreEsmFile(url)) return nextLoad(url, { ...context, format: 'module' });
  return nextLoad(url, context);
}
