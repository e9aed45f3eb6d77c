/**
 * Makes the PWA icons (public/icons/icon-192.png, icon-512.png) from public/favicon.svg: the loupe glyph
 * on the app's background colour, inside the central 60 % so that the same file also works as a
 * maskable icon (launchers crop up to a circle of 80 % of the side).
 *
 *   npx tsx scripts/make-icons.ts
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';

const root = resolve(import.meta.dirname, '..');
const BACKGROUND = '#141518'; // --bg in src/ui/app.css, also the manifest's background_color
const favicon = readFileSync(resolve(root, 'public/favicon.svg'), 'utf8');
const viewBox = /viewBox="([^"]+)"/.exec(favicon)?.[1]?.split(/\s+/).map(Number);
const inner = /<svg[^>]*>([\s\S]*)<\/svg>/.exec(favicon)?.[1];
if (!viewBox || viewBox.length !== 4 || inner === undefined) throw new Error('public/favicon.svg: no viewBox or content');

const SIDE = 512;
const glyph = SIDE * 0.6;
const scale = glyph / Math.max(viewBox[2], viewBox[3]);
const offset = (SIDE - glyph) / 2;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIDE}" height="${SIDE}" viewBox="0 0 ${SIDE} ${SIDE}">
<rect width="${SIDE}" height="${SIDE}" fill="${BACKGROUND}"/>
<g transform="translate(${offset} ${offset}) scale(${scale}) translate(${-viewBox[0]} ${-viewBox[1]})">${inner}</g>
</svg>`;

for (const size of [192, 512]) {
  const out = resolve(root, `public/icons/icon-${size}.png`);
  await sharp(Buffer.from(svg), { density: (72 * size) / SIDE }).resize(size, size).png({ compressionLevel: 9 }).toFile(out);
  console.log(`${out}: ${size}×${size}`);
}
