// png.js — PNG bytes of an RGBA grid (from toGrid), for Node: the CLI and tests. Pages use
// canvas.toBlob instead, so this is the only module that needs the npm package fast-png.
//
//   fs.writeFileSync('grid.png', encodePng(toGrid(model.sample(64))));

import { encode } from 'fast-png';

/** PNG bytes of an RGBA grid. */
export function encodePng({ width, height, data }) {
  return encode({ width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), channels: 4, depth: 8 });
}
