// Random numbers: PCG's RXS-M-XS output over a 32-bit LCG state (the "PCG hash"). A pixel's
// stream is seeded from hash(seed, frame, x, y) alone, so a pixel renders the same whatever tile
// it is in; bench/native/render.c uses the same constants. The state is a local passed along
// (`rng = nextState(rng); u = toUnit(rng)`), not a global: V8 keeps locals in registers but
// reloads and stores a global at every use.

@inline
export function pcgHash(input: u32): u32 {
  const s = input * 747796405 + 2891336453;
  const word = ((s >>> ((s >>> 28) + 4)) ^ s) * 277803737;
  return (word >>> 22) ^ word;
}

/** The first state of pixel (x, y)'s stream in `frame` of the job seeded `seed`. */
export function pixelState(seed: u32, frame: u32, x: u32, y: u32): u32 {
  return pcgHash(pcgHash(pcgHash(pcgHash(seed) ^ frame) ^ x) ^ y);
}

/** The state after `state` (one LCG step). */
@inline
export function nextState(state: u32): u32 {
  return state * 747796405 + 2891336453;
}

/** The number a state stands for, uniform in [0, 1): its 32-bit output divided by 2^32. */
@inline
export function toUnit(state: u32): f64 {
  const word = ((state >>> ((state >>> 28) + 4)) ^ state) * 277803737;
  return <f64>((word >>> 22) ^ word) * 2.3283064365386963e-10;
}

/** The point the last `diskPoint` drew (a function returns one value cheaply, not two). */
export let diskX: f64 = 0, diskY: f64 = 0;

/**
 * A uniform point of the unit disk, by rejection (no trigonometry), into diskX/diskY; draws from
 * the random stream at `state` and returns the state after.
 */
@inline
export function diskPoint(state: u32): u32 {
  let rng = state;
  let x: f64, y: f64;
  do {
    rng = nextState(rng);
    x = 2.0 * toUnit(rng) - 1.0;
    rng = nextState(rng);
    y = 2.0 * toUnit(rng) - 1.0;
  } while (x * x + y * y >= 1.0);
  diskX = x;
  diskY = y;
  return rng;
}
