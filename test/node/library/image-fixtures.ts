// What the image library's tests share: ImageMagick as the reference, a seeded photo-like source,
// and the library's method run on it as a node runs a unit.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Executor } from '../../../src-main/node/exec/index.js';
import { runUnit } from './run-unit.js';

export const im = (args: string[], input?: Uint8Array) =>
  execFileSync('/usr/bin/convert', args, { input, maxBuffer: 1 << 28 });
export const rgba = (image: Uint8Array) => im(['-', '-depth', '8', 'rgba:-'], image);
/** A photo-like 97 × 61 RGB image (IM's plasma fractal, seeded). */
export const source = im(['-seed', '7', '-size', '97x61', 'plasma:', 'png24:-']);

/** The image method run on `input` (the source by default): its output, which must be an exit 0. */
export function imageMethod(executor: Executor) {
  return async (method: string, params: Record<string, unknown>, input: Uint8Array = source): Promise<Buffer> => {
    const result = await runUnit(executor, 'image', method, params, input);
    assert.equal(result.exit, 0, result.stdout.toString());
    return result.stdout;
  };
}
