#!/usr/bin/env node
// Writes assets/scenes/models/knot.obj, the OBJ mesh of the sample scene model.json: a (2, 3)
// torus knot swept by a round tube, 512 segments along the knot × 32 around the tube, written as
// quads (OBJ readers split them into 32,768 triangles). Generated, not downloaded, so the repo
// can say where every byte of it comes from; the output is deterministic and committed.
//   node scripts/make-sample-obj.mjs [out.obj]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const ALONG = 512;
const AROUND = 32;
const P = 2;
const Q = 3;
/** The knot winds on a torus of this radius (about 3 units across in all) ... */
const KNOT_RADIUS = 1;
/** ... and the tube around it is this thick. */
const TUBE_RADIUS = 0.16;

const out = process.argv[2] ?? new URL('../assets/scenes/models/knot.obj', import.meta.url).pathname;

/** A point of the (P, Q) torus knot at parameter u in [0, 2π). */
function knot(u) {
  const r = KNOT_RADIUS * (2 + Math.cos((Q / P) * u)) * 0.5;
  return [r * Math.cos(u), r * Math.sin(u), KNOT_RADIUS * Math.sin((Q / P) * u) * 0.5];
}

const sub = (a, b) => a.map((c, i) => c - b[i]);
const add = (a, b) => a.map((c, i) => c + b[i]);
const scale = (a, s) => a.map((c) => c * s);
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (a) => scale(a, 1 / Math.hypot(...a));

const lines = [
  `# (${P}, ${Q}) torus knot, ${ALONG} x ${AROUND} quads (${ALONG * AROUND * 2} triangles): scripts/make-sample-obj.mjs`,
  'o knot',
];
for (let i = 0; i < ALONG; i++) {
  // The curve makes P turns around the torus axis per Q passes through its hole: u runs to 2πP.
  const u = (i / ALONG) * 2 * Math.PI * P;
  const here = knot(u);
  const ahead = knot(u + 0.01);
  // A frame around the curve (as three.js builds it): tangent, then two normals across the tube.
  const tangent = sub(ahead, here);
  const normal = unit(cross(cross(tangent, add(ahead, here)), tangent));
  const binormal = unit(cross(tangent, normal));
  for (let j = 0; j < AROUND; j++) {
    const v = (j / AROUND) * 2 * Math.PI;
    const offset = add(scale(normal, TUBE_RADIUS * Math.cos(v)), scale(binormal, TUBE_RADIUS * Math.sin(v)));
    // Y up in the scene: the knot's axis (z here) becomes y.
    const [x, y, z] = add(here, offset);
    lines.push(`v ${x.toFixed(5)} ${z.toFixed(5)} ${y.toFixed(5)}`);
  }
}
const vertex = (i, j) => (i % ALONG) * AROUND + (j % AROUND) + 1; // OBJ indices count from 1
for (let i = 0; i < ALONG; i++) {
  for (let j = 0; j < AROUND; j++) {
    lines.push(`f ${vertex(i, j)} ${vertex(i + 1, j)} ${vertex(i + 1, j + 1)} ${vertex(i, j + 1)}`);
  }
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`${out}: ${ALONG * AROUND} vertices, ${ALONG * AROUND * 2} triangles`);
