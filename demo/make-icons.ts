/** Draw the PWA's and the extension's icons (topic-coloured dots around a query star): `npx tsx demo/make-icons.ts`. */

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodePng } from '../test/fixtures/png.js';

const BACKGROUND = [0x1f, 0x3a, 0x5f];
const DOTS: Array<[number, number, string]> = [
  [0.28, 0.32, '#4e79a7'], [0.36, 0.26, '#76b7b2'], [0.24, 0.44, '#4e79a7'], [0.7, 0.3, '#f28e2b'],
  [0.64, 0.22, '#edc948'], [0.76, 0.4, '#f28e2b'], [0.3, 0.7, '#59a14f'], [0.4, 0.78, '#59a14f'],
  [0.22, 0.62, '#76b7b2'], [0.72, 0.7, '#e15759'], [0.62, 0.78, '#ff9da7'], [0.8, 0.62, '#e15759'],
];

const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

function icon(size: number): Buffer {
  const rgb = new Uint8Array(size * size * 3);
  const put = (x: number, y: number, c: number[]) => rgb.set(c, (y * size + x) * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) put(x, y, BACKGROUND);
  const disc = (cx: number, cy: number, r: number, c: number[]) => {
    for (let y = Math.floor(cy - r); y <= cy + r; y++) {
      for (let x = Math.floor(cx - r); x <= cx + r; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) put(x, y, c);
    }
  };
  for (const [x, y, c] of DOTS) disc(x * size, y * size, size * 0.045, hex(c));
  // The query: a white five-pointed star in the middle, filled by testing each pixel against its outline.
  const cx = size / 2, cy = size / 2, outer = size * 0.16, inner = outer * 0.45;
  const points = Array.from({ length: 10 }, (_, k) => {
    const r = k % 2 ? inner : outer, a = -Math.PI / 2 + (k * Math.PI) / 5;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
  for (let y = Math.floor(cy - outer); y <= cy + outer; y++) {
    for (let x = Math.floor(cx - outer); x <= cx + outer; x++) {
      let inside = false;
      for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
        const [xi, yi] = points[i], [xj, yj] = points[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      if (inside) put(x, y, [255, 255, 255]);
    }
  }
  return encodePng(size, size, rgb);
}

for (const size of [192, 512]) writeFileSync(resolve(import.meta.dirname, `public/icons/icon-${size}.png`), icon(size));
for (const size of [16, 48, 128]) writeFileSync(resolve(import.meta.dirname, `extension/public/icons/icon-${size}.png`), icon(size));
