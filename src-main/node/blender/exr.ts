// An EXR frame from another peer decoded to 8-bit pixels: the file is hostile input, so it is never
// parsed here but by Blender's own OpenEXR in the sandbox (no network, nothing of the user's, its
// memory, file size and time limited, run.ts), in a fresh folder holding only it; Blender writes
// its float pixels, which core/blender/exr.ts maps to 8-bit. No OpenEXR decoder on npm is kept as
// Blender's is (docs/BLENDER.md, "EXR frames"). What is not an RGBA EXR of the frame's size, or
// what Blender cannot read, is refused, saying why.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeExrArgs, EXR_INPUT, PIXELS_OUTPUT, type SandboxLimits } from '../../core/blender/args.js';
import { exrFrameCap, exrTo8Bit, isExr } from '../../core/blender/exr.js';
import type { Rgba } from '../../core/blender/tiles.js';
import { runSandboxed, type RunLimits } from './run.js';

/** A decode's limits: Blender's own start and one frame's pixels, in a minute. */
const DECODE_LIMITS: SandboxLimits & Omit<RunLimits, 'signal'> = {
  memoryBytes: 8 * 2 ** 30,
  fileBytes: 256 * 2 ** 20,
  wallMs: 60_000,
  stallMs: 30_000,
};

export type Decoded = { ok: true; image: Rgba } | { ok: false; reason: string };

/** The float pixels Blender wrote, as a Float32Array (the file's bytes copied: its offset may not be aligned). */
export function floatPixels(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/**
 * `exr`, a frame of width × height, decoded by the sandboxed Blender and mapped to 8-bit
 * (exrTo8Bit); `raw`: a render before the compositor (full float, its values past 1 kept apart).
 */
export async function decodeExrInSandbox(
  blender: string,
  exr: Uint8Array,
  size: { width: number; height: number; raw?: boolean },
  signal?: AbortSignal,
): Promise<Decoded> {
  const { width, height } = size;
  const refused = exrRefused(exr, size);
  if (refused) return { ok: false, reason: refused };
  const unitDir = await mkdtemp(join(tmpdir(), 'mesh-blender-exr-'));
  try {
    await writeFile(join(unitDir, EXR_INPUT), exr);
    const run = await runSandboxed({ blender, unitDir, limits: DECODE_LIMITS }, decodeExrArgs(width, height), {
      ...DECODE_LIMITS,
      ...(signal ? { signal } : {}),
    });
    let pixels: Uint8Array;
    try {
      pixels = await readFile(join(unitDir, PIXELS_OUTPUT));
    } catch {
      const how = run.killed ?? run.signal ?? `exit ${run.code}`;
      return { ok: false, reason: `Blender read no RGBA image of ${width}×${height} from it (${how})` };
    }
    return pixelsRead(pixels, size);
  } finally {
    await rm(unitDir, { recursive: true, force: true });
  }
}

/** Why `exr` is not read at all (not an EXR, or heavier than one of its size may be); undefined: it is. */
export function exrRefused(
  exr: Uint8Array,
  size: { width: number; height: number; raw?: boolean },
): string | undefined {
  const { width, height, raw = false } = size;
  if (!isExr(exr)) return 'not an OpenEXR file (its first bytes are not 0x762f3101)';
  if (exr.byteLength > exrFrameCap(width, height, raw ? 4 : 2))
    return `${exr.byteLength} bytes, more than an EXR of ${width}×${height} may weigh`;
  return undefined;
}

/** The float pixels Blender wrote of an EXR of the size, as 8-bit (exrTo8Bit); refused when they are not its RGBA. */
export function pixelsRead(pixels: Uint8Array, size: { width: number; height: number; raw?: boolean }): Decoded {
  const { width, height, raw = false } = size;
  if (pixels.byteLength !== width * height * 16)
    return { ok: false, reason: `Blender read ${pixels.byteLength} bytes of pixels, not ${width}×${height} RGBA` };
  return { ok: true, image: exrTo8Bit(floatPixels(pixels), width, height, raw ? 'hdr' : 'display') };
}
