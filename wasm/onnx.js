// onnx.js — a model's image-making net as an ONNX file (opset 13), written by hand: a tiny protobuf
// writer for the handful of ONNX messages needed, no dependencies. Which nets export is read from
// model.description: the generator / decoder of a model that samples (`generator`), and each
// direction's generator of a model that translates (`translators`: G_AB for A to B, G_BA back).
//
//   import { exportOnnx } from 'wasmgen';
//   fs.writeFileSync('gen.onnx', exportOnnx(model));
//   fs.writeFileSync('b-to-a.onnx', exportOnnx(cyclegan, { role: 'G_BA' }));   // default G_AB
//
// A generator / decoder: input `z` float32 [N, latent] -> output `image` float32 [N, C, H, W] with
// values in [0, 1], the same numbers as model.decode(z).data. A GAN generator ends in tanh
// ([-1, 1]); decode() maps that to [0, 1] as 0.5 * (y + 1), and so does the exported graph (a Sub
// and a Div after the generator's last layer). A VAE decoder ends in a sigmoid and is exported as is.
// A translator: input `source` float32 [N, C, H, W] in [0, 1] -> output `image` in [0, 1], the same
// numbers as model.translate(source, { direction }).data: the input is mapped to the net's range
// (a Mul and an Add, as the core does) and the output back.
// Inference semantics: batchnorm uses its running statistics, dropout is left out.
//
// Weights come from model.save() (safetensors) and keep their checkpoint names as initializer
// names (`G.0.weight`, `decoder.3.bias`, `G_AB.1.weight`, ...); the architecture from model.config.

import { WasmgenError } from './core.js';

const OPSET = 13;
const IR_VERSION = 7;   // the IR version that goes with opset 13 (ONNX 1.8)
const FLOAT = 1, INT64 = 7;   // TensorProto.DataType
const ATTR = { float: 1, int: 2, string: 3, floats: 6, ints: 7 };   // AttributeProto.AttributeType

const SUPPORTED = ['dense', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'batchnorm', 'dropout', 'conv2d',
  'conv_transpose2d', 'instancenorm', 'upsample', 'avgpool', 'reshape', 'flatten', 'add', 'pad'];
/** The layer's pad mode -> ONNX Pad's mode (PyTorch's ReflectionPad2d, ReplicationPad2d, ZeroPad2d). */
const PAD_MODES = { reflect: 'reflect', replicate: 'edge', zero: 'constant' };

const utf8 = new TextEncoder();
const fail = (message, status = 1) => new WasmgenError(`exportOnnx: ${message}`, status);

// ---- protobuf writer ---------------------------------------------------------------------------

/** A message under construction: a list of byte chunks (nested messages splice in their chunks). */
class Pb {
  parts = [];
  length = 0;

  #push(bytes) { this.parts.push(bytes); this.length += bytes.length; }

  #varint(value) {
    const out = [];
    if (typeof value === 'bigint' || value < 0) {   // int64 as 64-bit two's complement (10 bytes if negative)
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) { out.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
      out.push(Number(v));
    } else {
      if (!Number.isSafeInteger(value)) throw fail(`internal: ${value} is not an integer`);
      while (value >= 0x80) { out.push((value % 0x80) | 0x80); value = Math.floor(value / 0x80); }
      out.push(value);
    }
    this.#push(Uint8Array.from(out));
  }

  #key(field, wire) { this.#varint(field * 8 + wire); }

  int(field, value) { this.#key(field, 0); this.#varint(value); return this; }
  float(field, value) {
    this.#key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.#push(b);
    return this;
  }
  bytes(field, bytes) { this.#key(field, 2); this.#varint(bytes.length); this.#push(bytes); return this; }
  string(field, s) { return this.bytes(field, utf8.encode(s)); }
  message(field, msg) {
    this.#key(field, 2);
    this.#varint(msg.length);
    for (const p of msg.parts) this.#push(p);
    return this;
  }

  finish() {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

// ---- ONNX messages (field numbers from onnx.proto) ---------------------------------------------

function attribute(name, type, value) {
  const a = new Pb().string(1, name).int(20, ATTR[type]);
  if (type === 'float') a.float(2, value);
  else if (type === 'int') a.int(3, value);
  else if (type === 'string') a.bytes(4, utf8.encode(value));
  else if (type === 'floats') for (const v of value) a.float(7, v);
  else if (type === 'ints') for (const v of value) a.int(8, v);
  return a;
}

function node(opType, inputs, outputs, name, attrs = []) {
  const n = new Pb();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, name).string(4, opType);
  for (const [attrName, type, value] of attrs) n.message(5, attribute(attrName, type, value));
  return n;
}

function tensor(name, dataType, dims, raw) {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  return t.int(2, dataType).string(8, name).bytes(9, raw);
}

/** dims: numbers, or strings for symbolic (dynamic) dimensions. */
function valueInfo(name, dims) {
  const shape = new Pb();
  for (const d of dims) shape.message(1, typeof d === 'string' ? new Pb().string(2, d) : new Pb().int(1, d));
  const tensorType = new Pb().int(1, FLOAT).message(2, shape);
  return new Pb().string(1, name).message(2, new Pb().message(1, tensorType));
}

// ---- safetensors reader ------------------------------------------------------------------------

function readSafetensors(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) throw fail('the checkpoint is not safetensors bytes', 2);
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLen > bytes.length) throw fail('the checkpoint header is truncated', 2);
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw fail(`the checkpoint header is not JSON (${e.message})`, 2);
  }
  const base = 8 + headerLen;
  return (name, shape) => {
    const t = header[name];
    if (!t) throw fail(`the checkpoint has no tensor "${name}"`, 5);
    if (t.dtype !== 'F32') throw fail(`tensor "${name}" is ${t.dtype}, expected F32`, 5);
    if (JSON.stringify(t.shape) !== JSON.stringify(shape)) {
      throw fail(`tensor "${name}" has shape [${t.shape}], the config implies [${shape}]`, 5);
    }
    const [a, b] = t.data_offsets;
    if (b - a !== 4 * shape.reduce((x, y) => x * y, 1) || base + b > bytes.length) {
      throw fail(`tensor "${name}" has bad data offsets [${a}, ${b}]`, 2);
    }
    return bytes.subarray(base + a, base + b);   // float32 little-endian, as ONNX raw_data wants
  };
}

// ---- the graph ---------------------------------------------------------------------------------

/** A size given as a number or [h, w]. */
function pair(value, fallback) {
  const v = value ?? fallback;
  return Array.isArray(v) ? [v[0], v[1]] : [v, v];
}

const f32Bytes = (values) => new Uint8Array(Float32Array.from(values).buffer);
const i64Bytes = (values) => new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);

/** The nets of a model that export: [{ role, kind: 'generate' | 'translate', direction }]. */
export function onnxRoles(description) {
  const d = description, roles = [];
  if (d?.capabilities?.sample && d.generator) roles.push({ role: d.generator, kind: 'generate' });
  if (d?.capabilities?.translate && d.translators) {
    for (const direction of ['ab', 'ba']) roles.push({ role: d.translators[direction], kind: 'translate', direction });
  }
  return roles;
}

/**
 * A net of the model as ONNX bytes: by default the generator / decoder (input `z` float32 [N,
 * latent], N dynamic, output `image` float32 [N, C, H, W] in [0, 1], equal to model.decode(z).data),
 * or for a model that translates its A-to-B generator; `role` picks another exportable net (e.g.
 * 'G_BA': input `source` [N, C, H, W] in [0, 1], output equal to translate(source, { direction: 'ba' })),
 * and `direction` ('ab' | 'ba') names a translator as translate() does.
 */
export function exportOnnx(model, { role, direction } = {}) {
  if (!model || typeof model.save !== 'function' || !model.config) {
    throw fail('expected a wasmgen Model (from createModel or loadModel)');
  }
  const d = model.description;
  const exportable = onnxRoles(d);
  if (!exportable.length) throw fail(`a ${d?.preset ?? 'model'} model neither generates nor translates images; only a generator, decoder or translator exports to ONNX`, 4);
  if (direction !== undefined) {   // translate()'s name for a translator: 'ab' (G_AB) or 'ba'
    const byDirection = exportable.find((r) => r.direction === direction);
    if (!byDirection) throw fail(`direction ${JSON.stringify(direction)} does not export: ${d.capabilities.translate ? "it is 'ab' or 'ba'" : `a ${d.preset} model does not translate`}`, 1);
    if (role !== undefined && role !== byDirection.role) throw fail(`role ${role} is not direction ${direction} (${byDirection.role})`, 1);
    role = byDirection.role;
  }
  const target = role === undefined ? exportable[0] : exportable.find((r) => r.role === role);
  if (!target) {
    throw fail(`role ${JSON.stringify(role)} does not export: a ${d.preset} model exports ${exportable.map((r) => r.role + (r.direction ? ` (${r.direction === 'ab' ? 'A to B' : 'B to A'})` : '')).join(', ')}`, 1);
  }
  const translating = target.kind === 'translate';
  const net = d.nets.find((n) => n.role === target.role);
  const netName = net.key, prefix = net.role;
  const conditional = !translating && d.capabilities.classes;
  const [low, high] = d.image_range;
  const layers = model.config[netName];
  if (!Array.isArray(layers) || layers.length === 0) throw fail(`config.${netName} is not a list of layers`);
  layers.forEach((L, i) => {
    if (!SUPPORTED.includes(L?.type)) {
      throw fail(`${netName} layer ${i} has type "${L?.type}", which has no ONNX export (supported: ${SUPPORTED.join(', ')})`);
    }
  });
  const { latent, channels, height, width, classes } = model;

  let checkpoint;
  try {
    checkpoint = model.save();
  } catch (e) {
    throw fail(`cannot read the weights: ${e.message}`, e.status ?? 4);
  }
  const weight = readSafetensors(checkpoint);

  const nodes = [], inits = [];
  const initNames = new Set();
  const init = (name, dataType, dims, raw) => {
    if (!initNames.has(name)) { inits.push(tensor(name, dataType, dims, raw)); initNames.add(name); }
    return name;
  };
  const param = (name, shape) => init(name, FLOAT, shape, weight(name, shape));
  const floats = (name, dims, values) => init(name, FLOAT, dims, f32Bytes(values));
  const ints = (name, values) => init(name, INT64, [values.length], i64Bytes(values));

  // The current value and its shape: rank 2 [N, c] (then h = w = 1) or rank 4 [N, c, h, w],
  // tracked exactly as the C core does (dense and flatten give (features, 1, 1)).
  const input = translating ? 'source' : 'z';
  let cur = input;
  let s = translating ? { rank: 4, c: channels, h: height, w: width } : { rank: 2, c: latent, h: 1, w: 1 };
  const emit = (op, inputs, name, attrs) => {
    cur = `${name}.out`;
    nodes.push({ op, inputs, outputs: [cur], name, attrs });
  };
  if (translating && (low !== 0 || high !== 1)) {   // translate(): x * (high - low) + low, the core's float operations
    emit('Mul', [cur, floats('wasmgen.span', [], [high - low])], 'from_unit_range.mul');
    emit('Add', [cur, floats('wasmgen.low', [], [low])], 'from_unit_range.add');
  }
  if (conditional) {   // the core joins the one-hot class to z: [z, label]
    emit('Concat', ['z', 'label'], 'join_label', [['axis', 'int', 1]]);
    s = { rank: 2, c: latent + classes, h: 1, w: 1 };
  }
  const to4d = (name) => {
    if (s.rank === 4) return;
    emit('Reshape', [cur, ints(`${name}.shape4d`, [0, s.c, s.h, s.w])], `${name}.to4d`);
    s = { ...s, rank: 4 };
  };
  const to2d = (name) => {
    if (s.rank === 2) return;
    emit('Flatten', [cur], `${name}.flatten`, [['axis', 'int', 1]]);
    s = { rank: 2, c: s.c * s.h * s.w, h: 1, w: 1 };
  };

  const outputs = [];   // each layer's output value and shape, for residual adds
  layers.forEach((L, i) => {
    const name = `${prefix}.${i}`;
    const where = `${netName} layer ${i} (${L.type})`;
    switch (L.type) {
      case 'dense': {
        to2d(name);
        const inputs = [cur, param(`${name}.weight`, [L.units, s.c])];
        if (L.bias !== false) inputs.push(param(`${name}.bias`, [L.units]));
        emit('Gemm', inputs, name, [['transB', 'int', 1]]);
        s = { rank: 2, c: L.units, h: 1, w: 1 };
        break;
      }
      case 'relu': emit('Relu', [cur], name); break;
      case 'leaky_relu': emit('LeakyRelu', [cur], name, [['alpha', 'float', L.slope ?? 0.2]]); break;
      case 'tanh': emit('Tanh', [cur], name); break;
      case 'sigmoid': emit('Sigmoid', [cur], name); break;
      case 'dropout': break;   // identity at inference
      case 'batchnorm': {   // per feature on [N, F], per channel on [N, C, H, W]: the input decides
        const shape = [s.c];
        emit('BatchNormalization', [cur, param(`${name}.weight`, shape), param(`${name}.bias`, shape),
          param(`${name}.running_mean`, shape), param(`${name}.running_var`, shape)], name,
        [['epsilon', 'float', L.eps ?? 1e-5]]);
        break;
      }
      case 'instancenorm': {
        to4d(name);
        const shape = [s.c];
        const scale = L.affine ? param(`${name}.weight`, shape) : floats(`${name}.ones`, shape, new Array(s.c).fill(1));
        const bias = L.affine ? param(`${name}.bias`, shape) : floats(`${name}.zeros`, shape, new Array(s.c).fill(0));
        emit('InstanceNormalization', [cur, scale, bias], name, [['epsilon', 'float', L.eps ?? 1e-5]]);
        break;
      }
      case 'conv2d':
      case 'conv_transpose2d': {
        to4d(name);
        const transpose = L.type === 'conv_transpose2d';
        const [kh, kw] = pair(L.kernel), [sh, sw] = pair(L.stride, 1), [ph, pw] = pair(L.padding, 0);
        const oc = L.out_channels;
        const attrs = [['kernel_shape', 'ints', [kh, kw]], ['strides', 'ints', [sh, sw]], ['pads', 'ints', [ph, pw, ph, pw]]];
        let oh, ow;
        if (transpose) {
          const [oph, opw] = pair(L.output_padding, 0);
          attrs.push(['output_padding', 'ints', [oph, opw]]);
          oh = (s.h - 1) * sh - 2 * ph + kh + oph;
          ow = (s.w - 1) * sw - 2 * pw + kw + opw;
        } else {
          oh = Math.floor((s.h + 2 * ph - kh) / sh) + 1;
          ow = Math.floor((s.w + 2 * pw - kw) / sw) + 1;
        }
        if (!(oh >= 1 && ow >= 1)) throw fail(`${where}: no output for a ${s.h}x${s.w} input`);
        const inputs = [cur, param(`${name}.weight`, transpose ? [s.c, oc, kh, kw] : [oc, s.c, kh, kw])];
        if (L.bias !== false) inputs.push(param(`${name}.bias`, [oc]));
        emit(transpose ? 'ConvTranspose' : 'Conv', inputs, name, attrs);
        s = { rank: 4, c: oc, h: oh, w: ow };
        break;
      }
      case 'upsample': {
        to4d(name);
        if ((L.scale ?? 2) !== 2) throw fail(`${where}: only scale 2 is supported`);
        const bilinear = L.mode === 'bilinear';
        if (!bilinear && (L.mode ?? 'nearest') !== 'nearest') throw fail(`${where}: unknown mode "${L.mode}"`);
        // nearest: out[i] = in[floor(i / 2)]; bilinear: PyTorch align_corners=False (half pixel,
        // source coordinates clamped to the edges).
        const attrs = bilinear
          ? [['mode', 'string', 'linear'], ['coordinate_transformation_mode', 'string', 'half_pixel']]
          : [['mode', 'string', 'nearest'], ['coordinate_transformation_mode', 'string', 'asymmetric'], ['nearest_mode', 'string', 'floor']];
        emit('Resize', [cur, '', floats('upsample.scales', [4], [1, 1, 2, 2])], name, attrs);
        s = { ...s, h: 2 * s.h, w: 2 * s.w };
        break;
      }
      case 'avgpool': {
        to4d(name);
        const [kh, kw] = pair(L.kernel), [sh, sw] = pair(L.stride, L.kernel), [ph, pw] = pair(L.padding, 0);
        emit('AveragePool', [cur], name, [['kernel_shape', 'ints', [kh, kw]], ['strides', 'ints', [sh, sw]],
          ['pads', 'ints', [ph, pw, ph, pw]], ['count_include_pad', 'int', 1]]);
        s = { rank: 4, c: s.c, h: Math.floor((s.h + 2 * ph - kh) / sh) + 1, w: Math.floor((s.w + 2 * pw - kw) / sw) + 1 };
        break;
      }
      case 'reshape': {
        const [c, h, w] = L.shape ?? [];
        if (c * h * w !== s.c * s.h * s.w) throw fail(`${where}: cannot reshape ${s.c * s.h * s.w} values to [${L.shape}]`);
        emit('Reshape', [cur, ints(`${name}.shape`, [0, c, h, w])], name);
        s = { rank: 4, c, h, w };
        break;
      }
      case 'flatten': to2d(name); break;
      case 'pad': {   // the core's pad layer: (ph, pw) on both sides of each spatial axis
        to4d(name);
        const [ph, pw] = pair(L.padding);
        const mode = PAD_MODES[L.mode ?? 'zero'];
        if (!mode) throw fail(`${where}: unknown mode "${L.mode}"`);
        emit('Pad', [cur, ints(`${name}.pads`, [0, 0, ph, pw, 0, 0, ph, pw])], name, [['mode', 'string', mode]]);
        s = { ...s, h: s.h + 2 * ph, w: s.w + 2 * pw };
        break;
      }
      case 'add': {   // residual: this value + layer `from`'s output, equal (c, h, w) as in the core
        const src = outputs[L.from];
        if (!src || src.s.c !== s.c || src.s.h !== s.h || src.s.w !== s.w) {
          throw fail(`${where}: cannot add layer ${L.from}'s output to [${s.c}, ${s.h}, ${s.w}]`);
        }
        let other = src.value;
        if (src.s.rank !== s.rank) {   // same values, other layout: [N, c] <-> [N, c, 1, 1]
          const layout = `${name}.from${L.from}`;
          other = `${layout}.out`;
          nodes.push(s.rank === 4
            ? { op: 'Reshape', inputs: [src.value, ints(`${layout}.shape4d`, [0, s.c, s.h, s.w])], outputs: [other], name: layout }
            : { op: 'Flatten', inputs: [src.value], outputs: [other], name: layout, attrs: [['axis', 'int', 1]] });
        }
        emit('Add', [cur, other], name);
        break;
      }
    }
    outputs.push({ value: cur, s });
  });

  if (s.c * s.h * s.w !== channels * height * width) {
    throw fail(`the ${netName} outputs ${s.c * s.h * s.w} values per image, not ${channels}x${height}x${width}`, 5);
  }
  if (s.rank !== 4 || s.c !== channels || s.h !== height || s.w !== width) {
    emit('Reshape', [cur, ints('image.shape', [0, channels, height, width])], 'to_image');
  }
  if (low !== 0 || high !== 1) {   // decode(): (y - low) / (high - low), the same float operations as the C core
    emit('Sub', [cur, floats('wasmgen.low', [], [low])], 'to_unit_range.sub');
    emit('Div', [cur, floats('wasmgen.span', [], [high - low])], 'to_unit_range.div');
  } else if (cur === input) {
    emit('Identity', [cur], 'identity');
  }
  nodes.at(-1).outputs = ['image'];   // the last node writes the graph output

  const doc = translating
    ? `wasmgen ${model.config.model} ${netName} (${prefix}, domain ${target.direction === 'ab' ? 'A to B' : 'B to A'}): source float32 [N, ${channels}, ${height}, ${width}] in [0, 1]` +
      ` -> image float32 [N, ${channels}, ${height}, ${width}] in [0, 1], equal to model.translate(source, { direction: '${target.direction}' }).data` +
      (low !== 0 || high !== 1 ? ` (the source mapped to [${low}, ${high}] by x * ${high - low} + ${low}, the output y back by (y - ${low}) / ${high - low})` : '') + '.'
    : `wasmgen ${model.config.model} ${netName}: z float32 [N, ${latent}] (standard normal latents)` +
      (conditional ? ` and label float32 [N, ${classes}] (one-hot class)` : '') +
      ` -> image float32 [N, ${channels}, ${height}, ${width}] in [0, 1], equal to model.decode(z${conditional ? ', { labels }' : ''}).data` +
      (low !== 0 || high !== 1 ? ` (the ${netName} output y in [${low}, ${high}], mapped by (y - ${low}) / ${high - low})` : ` (the ${netName}'s output)`) +
      '. Batchnorm uses its running statistics; dropout is left out.';
  const graph = new Pb();
  for (const n of nodes) graph.message(1, node(n.op, n.inputs, n.outputs, n.name, n.attrs));
  graph.string(2, `wasmgen_${netName}`);
  for (const t of inits) graph.message(5, t);
  graph.string(10, doc);
  graph.message(11, translating ? valueInfo('source', ['N', channels, height, width]) : valueInfo('z', ['N', latent]));
  if (conditional) graph.message(11, valueInfo('label', ['N', classes]));
  graph.message(12, valueInfo('image', ['N', channels, height, width]));

  const meta = (key, value) => new Pb().string(1, key).string(2, value);
  const onnx = new Pb()
    .int(1, IR_VERSION)
    .string(2, 'wasmgen')
    .string(6, doc)
    .message(7, graph)
    .message(8, new Pb().string(1, '').int(2, OPSET))
    .message(14, meta('wasmgen.kind', d.family))
    .message(14, meta('wasmgen.role', prefix))
    .message(14, meta('wasmgen.output_range', '[0, 1]'))
    .message(14, meta('wasmgen.config', JSON.stringify(model.config)));
  return onnx.finish();
}
