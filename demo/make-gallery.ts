/**
 * Draw the demo's image gallery (simple, distinct scenes a CLIP model can tell apart by text) into
 * demo/public/gallery/, with its manifest: `npx tsx demo/make-gallery.ts`. Deterministic: the same code
 * writes the same bytes, so the committed files can be checked by running it again.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodePng } from '../test/fixtures/png.js';
import type { GalleryManifest } from './gallery.js';

type Rgb = readonly [number, number, number];
/** A scene: the colour at (x, y), both in [0, 1), y downwards. */
type Scene = (x: number, y: number) => Rgb;

const SIZE = 192;
/** Samples per pixel side: edges are antialiased by averaging SS × SS samples. */
const SS = 3;
const OUT = resolve(import.meta.dirname, 'public/gallery');

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * t) as unknown as Rgb;
const inDisc = (x: number, y: number, cx: number, cy: number, r: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
/** Inside the triangle (a, b, c)? Same-sign test on the three edge functions. */
function inTriangle(x: number, y: number, [ax, ay]: number[], [bx, by]: number[], [cx, cy]: number[]): boolean {
  const e1 = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
  const e2 = (cx - bx) * (y - by) - (cy - by) * (x - bx);
  const e3 = (ax - cx) * (y - cy) - (ay - cy) * (x - cx);
  return (e1 >= 0 && e2 >= 0 && e3 >= 0) || (e1 <= 0 && e2 <= 0 && e3 <= 0);
}
/** Inside a five-pointed star centred at (cx, cy) (even-odd test on its outline). */
function inStar(x: number, y: number, cx: number, cy: number, outer: number): boolean {
  const points = Array.from({ length: 10 }, (_, k) => {
    const r = k % 2 ? outer * 0.42 : outer, a = -Math.PI / 2 + (k * Math.PI) / 5;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i], [xj, yj] = points[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
/** A fixed pseudo-random value in [0, 1) per integer pair: stars, snowflakes. */
const hash = (i: number, j: number) => {
  let h = Math.imul(i * 374761393 + j * 668265263, 1274126177) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 1103515245) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
};

const WHITE: Rgb = [250, 250, 248];
const SKY: Rgb = [120, 180, 235];
const GRASS: Rgb = [70, 150, 60];

/** The gallery: file stem, caption (also the `<img>` alt text) and scene. */
const SCENES: Array<[string, string, Scene]> = [
  ['red-circle', 'A red circle on a white background', (x, y) => (inDisc(x, y, 0.5, 0.5, 0.32) ? [215, 30, 35] : WHITE)],
  ['blue-square', 'A blue square on a yellow background', (x, y) =>
    (Math.abs(x - 0.5) < 0.28 && Math.abs(y - 0.5) < 0.28 ? [30, 70, 190] : [250, 215, 60])],
  ['green-triangle', 'A green triangle on a light grey background', (x, y) =>
    (inTriangle(x, y, [0.5, 0.16], [0.86, 0.82], [0.14, 0.82]) ? [40, 160, 70] : [225, 225, 225])],
  ['yellow-star', 'A yellow star on a dark blue background', (x, y) => (inStar(x, y, 0.5, 0.53, 0.4) ? [250, 205, 40] : [20, 35, 90])],
  ['sunset', 'A sunset over the sea: an orange sun sinking below the horizon', (x, y) => {
    if (y < 0.62) return inDisc(x, y, 0.5, 0.62, 0.17) ? [255, 200, 80] : mix([90, 50, 130], [250, 120, 50], y / 0.62);
    const glint = Math.abs(x - 0.5) < 0.12 * (1 - (y - 0.62) * 1.5) && Math.floor(y * 60) % 2 === 0;
    return glint ? [240, 150, 70] : mix([60, 50, 100], [20, 25, 60], (y - 0.62) / 0.38);
  }],
  ['night-sky', 'A night sky with a crescent moon and stars', (x, y) => {
    if (inDisc(x, y, 0.64, 0.34, 0.17) && !inDisc(x, y, 0.71, 0.29, 0.15)) return [245, 240, 200];
    const i = Math.floor(x * 48), j = Math.floor(y * 48);
    const star = hash(i, j) < 0.05 && inDisc(x, y, (i + 0.5) / 48, (j + 0.5) / 48, 0.006 + hash(j, i) * 0.006);
    return star ? [255, 255, 235] : mix([10, 15, 45], [30, 40, 90], y);
  }],
  ['checkerboard', 'A black and white checkerboard', (x, y) => ((Math.floor(x * 8) + Math.floor(y * 8)) % 2 ? [20, 20, 20] : WHITE)],
  ['rainbow-stripes', 'Rainbow stripes: red, orange, yellow, green, blue and violet bands', (x, y) =>
    ([[220, 40, 40], [245, 140, 30], [245, 220, 50], [60, 170, 70], [40, 100, 210], [130, 60, 170]] as Rgb[])[Math.min(5, Math.floor(y * 6))]],
  ['tree', 'A tree with a green crown and a brown trunk on a meadow', (x, y) => {
    if (inDisc(x, y, 0.5, 0.36, 0.24) || inDisc(x, y, 0.34, 0.46, 0.14) || inDisc(x, y, 0.66, 0.46, 0.14)) return [40, 120, 45];
    if (Math.abs(x - 0.5) < 0.06 && y > 0.5 && y < 0.82) return [110, 70, 35];
    return y > 0.78 ? GRASS : SKY;
  }],
  ['house', 'A house with a red roof, a door and a window', (x, y) => {
    if (inTriangle(x, y, [0.5, 0.16], [0.84, 0.44], [0.16, 0.44])) return [190, 40, 35];
    if (x > 0.24 && x < 0.76 && y >= 0.44 && y < 0.82) {
      if (x > 0.44 && x < 0.56 && y > 0.6) return [100, 60, 30];
      if (x > 0.3 && x < 0.4 && y > 0.52 && y < 0.62) return [170, 215, 245];
      return [240, 220, 170];
    }
    return y > 0.82 ? GRASS : SKY;
  }],
  ['waves', 'Blue ocean waves with white foam', (x, y) => {
    const band = y * 6 + 0.35 * Math.sin(x * Math.PI * 4);
    const crest = band - Math.floor(band) < 0.12;
    return crest ? [235, 245, 250] : mix([60, 150, 210], [15, 50, 120], y);
  }],
  ['mountains', 'Snow-capped mountains under a blue sky', (x, y) => {
    const peaks: Array<[number, number, number]> = [[0.32, 0.22, 0.34], [0.7, 0.3, 0.3]];
    for (const [px, py, half] of peaks) {
      const top = py + (Math.abs(x - px) / half) * (0.85 - py);
      if (y >= top && y < 0.85) return y < py + 0.16 ? WHITE : [110, 110, 125];
    }
    return y >= 0.85 ? [80, 130, 70] : SKY;
  }],
  ['sunny-field', 'A yellow sun in a clear blue sky over a green field', (x, y) => {
    if (inDisc(x, y, 0.72, 0.26, 0.13)) return [255, 215, 40];
    return y > 0.62 ? mix([110, 190, 70], [50, 130, 40], (y - 0.62) / 0.38) : SKY;
  }],
  ['snowman', 'A snowman with a carrot nose in falling snow', (x, y) => {
    if (inTriangle(x, y, [0.5, 0.33], [0.5, 0.37], [0.64, 0.35])) return [245, 130, 30];
    if (inDisc(x, y, 0.45, 0.31, 0.02) || inDisc(x, y, 0.55, 0.31, 0.02)) return [20, 20, 20];
    if (inDisc(x, y, 0.5, 0.34, 0.12) || inDisc(x, y, 0.5, 0.6, 0.18)) return WHITE;
    const i = Math.floor(x * 24), j = Math.floor(y * 24);
    if (hash(i + 100, j) < 0.25 && inDisc(x, y, (i + 0.5) / 24, (j + 0.5) / 24, 0.01)) return [230, 240, 255];
    return y > 0.76 ? [235, 240, 245] : [90, 120, 170];
  }],
  ['traffic-light', 'A traffic light with red, yellow and green lights', (x, y) => {
    if (inDisc(x, y, 0.5, 0.24, 0.1)) return [230, 40, 30];
    if (inDisc(x, y, 0.5, 0.5, 0.1)) return [250, 200, 30];
    if (inDisc(x, y, 0.5, 0.76, 0.1)) return [40, 200, 70];
    return Math.abs(x - 0.5) < 0.16 && y > 0.08 && y < 0.92 ? [40, 40, 45] : [200, 215, 225];
  }],
  ['red-heart', 'A red heart on a pink background', (x, y) => {
    const u = (x - 0.5) * 3.2, v = (0.54 - y) * 3.2;
    return (u * u + v * v - 1) ** 3 - u * u * v ** 3 <= 0 ? [210, 20, 50] : [250, 205, 215];
  }],
];

/** Render a scene at SIZE × SIZE, each pixel the mean of SS × SS samples. */
function render(scene: Scene): Uint8Array {
  const rgb = new Uint8Array(SIZE * SIZE * 3);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      const sum = [0, 0, 0];
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const c = scene((px + (sx + 0.5) / SS) / SIZE, (py + (sy + 0.5) / SS) / SIZE);
          for (let i = 0; i < 3; i++) sum[i] += c[i];
        }
      }
      for (let i = 0; i < 3; i++) rgb[(py * SIZE + px) * 3 + i] = Math.round(sum[i] / (SS * SS));
    }
  }
  return rgb;
}

mkdirSync(OUT, { recursive: true });
const manifest: GalleryManifest = {
  about: `${SCENES.length} pictures drawn by demo/make-gallery.ts for this demo (MIT, like the project).`,
  images: SCENES.map(([stem, caption, scene]) => {
    const png = encodePng(SIZE, SIZE, render(scene));
    writeFileSync(resolve(OUT, `${stem}.png`), png);
    console.log(`${stem}.png  ${png.length} bytes`);
    return { file: `${stem}.png`, caption, width: SIZE, height: SIZE };
  }),
};
writeFileSync(resolve(OUT, 'gallery.json'), `${JSON.stringify(manifest, null, 2)}\n`);
