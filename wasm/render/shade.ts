// One light path: bounce from surface to surface, sampling each material, until the path leaves
// for the sky, meets an emitter, dies by Russian roulette or reaches the scene's max depth. The
// radiance it carries back is left in pathR/G/B.
import { constant, materials, maxDepth, MATERIAL_STRIDE, KIND_DIFFUSE, KIND_METAL, KIND_EMISSIVE } from "./blob";
import { closestHit, hitT, hitNx, hitNy, hitNz, hitMaterial } from "./intersect";
import { diskPoint, diskX, diskY, nextState, toUnit } from "./rng";

export let pathR: f64 = 0, pathG: f64 = 0, pathB: f64 = 0;

/** Bounces before Russian roulette may end a path. */
const ROULETTE_AFTER = 3;

/** Follows the path from o along d, drawing from the random stream at `state`; returns the state after. */
export function tracePath(ox: f64, oy: f64, oz: f64, dx: f64, dy: f64, dz: f64, state: u32): u32 {
  let rng = state;
  let tr: f64 = 1, tg: f64 = 1, tb: f64 = 1;
  let r: f64 = 0, g: f64 = 0, b: f64 = 0;
  for (let depth = 0; depth < maxDepth; depth++) {
    if (!closestHit(ox, oy, oz, dx, dy, dz)) {
      // Sky: horizon colour blended towards the zenith with the ray's height, plus the sun disc.
      const up = dy > 0 ? dy : 0.0;
      let sr = constant(112) + (constant(136) - constant(112)) * up;
      let sg = constant(120) + (constant(144) - constant(120)) * up;
      let sb = constant(128) + (constant(152) - constant(128)) * up;
      if (dx * constant(160) + dy * constant(168) + dz * constant(176) >= constant(208)) {
        sr += constant(184); sg += constant(192); sb += constant(200);
      }
      r += tr * sr; g += tg * sg; b += tb * sb;
      break;
    }
    const m = materials + <usize>hitMaterial * MATERIAL_STRIDE;
    const kind = <i32>load<f64>(m);
    const mr = load<f64>(m, 8), mg = load<f64>(m, 16), mb = load<f64>(m, 24);
    if (kind == KIND_EMISSIVE) {
      r += tr * mr; g += tg * mg; b += tb * mb;
      break;
    }
    ox += hitT * dx; oy += hitT * dy; oz += hitT * dz;
    // Face the normal against the incoming ray; `entering` tells glass which side it is on.
    let nx = hitNx, ny = hitNy, nz = hitNz;
    let cosIn = -(dx * nx + dy * ny + dz * nz);
    const entering = cosIn > 0;
    if (!entering) { nx = -nx; ny = -ny; nz = -nz; cosIn = -cosIn; }

    if (kind == KIND_DIFFUSE) {
      // Cosine-weighted direction around n: a uniform point of the unit disk lifted onto the
      // hemisphere, in the branchless basis of Duff et al. 2017.
      rng = diskPoint(rng);
      const lx = diskX, ly = diskY;
      const lz = Math.sqrt(1.0 - (lx * lx + ly * ly));
      const sign = nz >= 0 ? 1.0 : -1.0;
      const a = -1.0 / (sign + nz);
      const bb = nx * ny * a;
      dx = lx * (1.0 + sign * nx * nx * a) + ly * bb + lz * nx;
      dy = lx * (sign * bb) + ly * (sign + ny * ny * a) + lz * ny;
      dz = lx * (-sign * nx) + ly * (-ny) + lz * nz;
    } else if (kind == KIND_METAL) {
      // Mirror direction, blurred by a point of the unit ball (by rejection) scaled by the roughness.
      const roughness = load<f64>(m, 32);
      let bx: f64, by: f64, bz: f64;
      do {
        rng = nextState(rng);
        bx = 2.0 * toUnit(rng) - 1.0;
        rng = nextState(rng);
        by = 2.0 * toUnit(rng) - 1.0;
        rng = nextState(rng);
        bz = 2.0 * toUnit(rng) - 1.0;
      } while (bx * bx + by * by + bz * bz >= 1.0);
      dx += 2.0 * cosIn * nx + roughness * bx;
      dy += 2.0 * cosIn * ny + roughness * by;
      dz += 2.0 * cosIn * nz + roughness * bz;
      if (dx * nx + dy * ny + dz * nz <= 0) break; // blurred below the surface: absorbed
    } else {
      // Glass: refract, or reflect with Schlick's Fresnel probability (always under total internal reflection).
      const eta = entering ? 1.0 / load<f64>(m, 32) : load<f64>(m, 32);
      const cos = cosIn < 1.0 ? cosIn : 1.0;
      const sin2 = 1.0 - cos * cos;
      const r0 = (1.0 - eta) / (1.0 + eta);
      const c5 = (1.0 - cos) * (1.0 - cos) * (1.0 - cos) * (1.0 - cos) * (1.0 - cos);
      const reflectance = r0 * r0 + (1.0 - r0 * r0) * c5;
      rng = nextState(rng);
      if (eta * eta * sin2 > 1.0 || reflectance > toUnit(rng)) {
        dx += 2.0 * cosIn * nx; dy += 2.0 * cosIn * ny; dz += 2.0 * cosIn * nz;
      } else {
        const px = eta * (dx + cos * nx), py = eta * (dy + cos * ny), pz = eta * (dz + cos * nz);
        const along = -Math.sqrt(Math.abs(1.0 - (px * px + py * py + pz * pz)));
        dx = px + along * nx; dy = py + along * ny; dz = pz + along * nz;
      }
    }
    const inv = 1.0 / Math.sqrt(dx * dx + dy * dy + dz * dz);
    dx *= inv; dy *= inv; dz *= inv;
    tr *= mr; tg *= mg; tb *= mb;
    if (depth >= ROULETTE_AFTER) {
      // Keep the path with probability = its strongest channel (at most 0.95), and reweight it.
      let keep = tr > tg ? tr : tg;
      keep = keep > tb ? keep : tb;
      keep = keep < 0.95 ? keep : 0.95;
      rng = nextState(rng);
      if (toUnit(rng) >= keep) break;
      tr /= keep; tg /= keep; tb /= keep;
    }
  }
  pathR = r; pathG = g; pathB = b;
  return rng;
}
