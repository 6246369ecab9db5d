// Regenerates the icon set from build/icon.svg:
//   build/icons/NxN.png (16…1024; electron-builder's Linux icon set), build/icon.png (1024),
//   build/icon.ico (Windows: PNG-compressed entries 16…256) and build/icon.icns (macOS: PNG chunks).
// PNG rendering needs `rsvg-convert` (Debian: apt-get install librsvg2-bin); ICO and ICNS are packed
// here because both are plain containers of PNG images.
// Run: node build/make-icons.mjs
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const png = (size) => path.join(here, 'icons', `${size}x${size}.png`);

/** ICO with PNG entries (supported since Windows Vista). Width/height 0 means 256. */
export function packIco(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, data }, index) => {
    const entry = 6 + index * 16;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(data.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.data)]);
}

/** ICNS with PNG chunks: ic11/ic12 are 16/32 @2x, ic07…ic10 are 128…512@2x (Apple's icns types). */
export const ICNS_TYPES = [
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
];

export function packIcns(chunks) {
  const parts = chunks.map(({ type, data }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const total = 8 + parts.reduce((sum, part) => sum + part.length, 0);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(total, 4);
  return Buffer.concat([head, ...parts]);
}

function render() {
  mkdirSync(path.join(here, 'icons'), { recursive: true });
  for (const size of SIZES) {
    const result = spawnSync('rsvg-convert', [
      '-w',
      String(size),
      '-h',
      String(size),
      path.join(here, 'icon.svg'),
      '-o',
      png(size),
    ]);
    if (result.error || result.status !== 0) {
      throw new Error(`rsvg-convert failed (apt-get install librsvg2-bin): ${result.error?.message ?? result.stderr}`);
    }
  }
  copyFileSync(png(1024), path.join(here, 'icon.png'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.argv.includes('--pack-only')) render();
  const ico = packIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, data: readFileSync(png(size)) })));
  writeFileSync(path.join(here, 'icon.ico'), ico);
  writeFileSync(
    path.join(here, 'icon.icns'),
    packIcns(ICNS_TYPES.map(([type, size]) => ({ type, data: readFileSync(png(size)) }))),
  );
  console.log('icons written to build/');
}
