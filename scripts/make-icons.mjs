#!/usr/bin/env node
// Draws the app's icons into assets/ (committed; rerun this to change them): icon.png at 512×512
// for the window and the installers (electron-builder makes .ico and .icns from it), and the tray
// icon at 16×16 with its 32×32 @2x twin for high-density screens. Deterministic: the same bytes on
// every run.
import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';

const assets = new URL('../assets/', import.meta.url);
// The web UI's mark (src-renderer/index.html's favicon), drawn in pixels: three peers joined, white on violet.
const VIOLET = [0x5b, 0x5b, 0xd6];
const WHITE = [255, 255, 255];
const SUBSAMPLES = 4; // per axis: 16 samples a pixel smooth the edges

const peers = [
  [9 / 32, 10 / 32],
  [23 / 32, 10 / 32],
  [16 / 32, 23 / 32],
];
const links = peers.map((p, i) => [p, peers[(i + 1) % peers.length]]);

function distanceToSegment([px, py], [[ax, ay], [bx, by]]) {
  const [dx, dy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function insideRoundedSquare([x, y], inset, radius) {
  const [qx, qy] = [Math.abs(x - 0.5) - (0.5 - inset - radius), Math.abs(y - 0.5) - (0.5 - inset - radius)];
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) <= radius;
}

/** What colour a point of the unit square is, or undefined outside the icon. Small icons get bolder strokes. */
function colourAt(point, small) {
  if (!insideRoundedSquare(point, small ? 0 : 0.04, small ? 0.2 : 0.21)) return undefined;
  const line = small ? 0.05 : 0.035;
  const node = small ? 0.1 : 0.075;
  const onNode = peers.some((p) => Math.hypot(point[0] - p[0], point[1] - p[1]) <= node);
  const onLink = links.some((segment) => distanceToSegment(point, segment) <= line);
  return onNode || onLink ? WHITE : VIOLET;
}

function draw(size) {
  const small = size <= 32;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          const colour = colourAt([(x + (sx + 0.5) / SUBSAMPLES) / size, (y + (sy + 0.5) / SUBSAMPLES) / size], small);
          if (colour === undefined) continue;
          for (let c = 0; c < 3; c++) sum[c] += colour[c];
          sum[3] += 1;
        }
      }
      const i = (y * size + x) * 4;
      // Colour averaged over the covered samples, alpha is the coverage: no dark fringe on the edges.
      for (let c = 0; c < 3; c++) data[i + c] = sum[3] === 0 ? 0 : Math.round(sum[c] / sum[3]);
      data[i + 3] = Math.round((255 * sum[3]) / (SUBSAMPLES * SUBSAMPLES));
    }
  }
  return encode({ width: size, height: size, data, channels: 4, depth: 8 });
}

for (const [name, size] of [
  ['icon.png', 512],
  ['tray.png', 16],
  ['tray@2x.png', 32],
]) {
  writeFileSync(new URL(name, assets), draw(size));
  console.log(`assets/${name}: ${size}×${size}`);
}
