// Builds and runs bench/native/render.c, the C twin of the render kernel: shared by the
// wasm_vs_native_ratio benchmark and the kernel test that compares the two images.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TileParams } from '../../src-main/core/render/index.js';

/** render.c in the source tree; this file runs from the build folder (dist/bench/native/). */
const SOURCE = fileURLToPath(new URL('../../../bench/native/render.c', import.meta.url));

export interface NativeRenderer {
  /** Renders a tile `repetitions` times; the median time of the render loop and the tile's RGBA8 bytes. */
  render(blob: Uint8Array, params: TileParams, repetitions: number): { medianMs: number; rgba: Uint8Array };
  dispose(): void;
}

/** Compiles render.c with `gcc -O2`, or says why it could not (gcc missing or failing). */
export function buildNativeRenderer(): { renderer: NativeRenderer } | { missing: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-render-native-'));
  const binary = join(dir, 'render');
  const gcc = spawnSync('gcc', ['-O2', '-o', binary, SOURCE, '-lm'], { encoding: 'utf8' });
  if (gcc.error || gcc.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { missing: gcc.error ? `gcc is not available (${gcc.error.message})` : `gcc failed: ${gcc.stderr}` };
  }
  const render = (blob: Uint8Array, p: TileParams, repetitions: number) => {
    const blobPath = join(dir, 'scene.blob');
    const outPath = join(dir, 'tile.rgba');
    writeFileSync(blobPath, blob);
    const args = [blobPath, p.frame, p.width, p.height, p.x, p.y, p.w, p.h, p.spp, p.seed, repetitions, outPath].map(
      String,
    );
    const run = spawnSync(binary, args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`native renderer failed: ${run.stderr}`);
    const { median_ms } = JSON.parse(run.stdout) as { median_ms: number };
    return { medianMs: median_ms, rgba: new Uint8Array(readFileSync(outPath)) };
  };
  return { renderer: { render, dispose: () => rmSync(dir, { recursive: true, force: true }) } };
}

/** Peak signal-to-noise ratio of two RGBA8 images in dB (Infinity when identical). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error('images differ in size');
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / a.length));
}
