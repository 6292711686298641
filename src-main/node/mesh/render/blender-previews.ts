// Previews of EXR frames (docs/BLENDER.md, "EXR frames"): the app's mosaic shows PNGs, so each
// verified EXR frame gets an 8-bit PNG of it, the pixels its check mapped (core/blender/exr.ts),
// encoded in the PNG thread (png-thread.ts) as the node's other frames are. The latest
// MAX_PREVIEWS are kept in memory; an older one (or one from before a restart) is made again from
// the verified EXR, decoded by Blender in the sandbox (node/blender/exr.ts).
import type { Rgba } from '../../../core/blender/tiles.js';
import { PngThread } from './png-thread.js';

/** Previews kept, the latest last: a mosaic's frames are fetched once, as they are verified. */
const MAX_PREVIEWS = 64;

export class FramePreviews {
  /** The PNG of each unit's verified EXR frame, by unit id. */
  readonly #kept = new Map<string, Uint8Array>();
  #png: PngThread | undefined;
  #closed = false;

  /** The unit's verified frame, as the 8-bit pixels its check compared (its buffer is handed to the thread). */
  async keep(unitId: string, image: Rgba): Promise<Uint8Array> {
    if (this.#closed) throw new Error('the node is stopping: no preview is made');
    this.#png ??= new PngThread();
    const png = await this.#png.encode(image.width, image.height, image.data);
    this.#kept.delete(unitId);
    this.#kept.set(unitId, png);
    for (const oldest of this.#kept.keys()) {
      if (this.#kept.size <= MAX_PREVIEWS) break;
      this.#kept.delete(oldest);
    }
    return png;
  }

  /** The unit's preview: kept, or made from its frame's pixels by `decode`. */
  async of(unitId: string, decode: () => Promise<Rgba>): Promise<Uint8Array> {
    return this.#kept.get(unitId) ?? this.keep(unitId, await decode());
  }

  /** The node stops: the thread ends, and no preview is made after. */
  close(): void {
    this.#closed = true;
    this.#png?.close().catch(() => {});
  }
}
