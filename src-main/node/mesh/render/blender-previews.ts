// Previews of EXR frames (docs/BLENDER.md, "EXR frames"): the app's mosaic shows PNGs, so each
// verified EXR frame gets an 8-bit PNG of it, the pixels its check mapped (core/blender/exr.ts),
// encoded in the PNG thread (png-thread.ts) as the node's other frames are. The latest
// MAX_PREVIEWS are kept in memory; an older one (or one from before a restart) is made again from
// the verified EXR, decoded by Blender in the sandbox (node/blender/exr.ts). A composited job's
// frames, composited as their renders were checked (node/blender/unit.ts readRaw), wait here by the
// render's CID for their verdict (node/kinds/blender/frames.ts), so that no second Blender makes them.
import type { Rgba } from '../../../core/blender/tiles.js';
import { PngThread } from './png-thread.js';

/** Previews kept, the latest last: a mosaic's frames are fetched once, as they are verified. */
const MAX_PREVIEWS = 64;

export class FramePreviews {
  /** The PNG of each unit's verified EXR frame, by unit id. */
  readonly #kept = new Map<string, Uint8Array>();
  /** Frames composited from renders that passed their check, by the render's CID, until their verdict takes them. */
  readonly #composites = new Map<string, Uint8Array>();
  #png: PngThread | undefined;
  #closed = false;

  /** The unit's verified frame, as the 8-bit pixels its check compared (its buffer is handed to the thread). */
  async keep(unitId: string, image: Rgba): Promise<Uint8Array> {
    if (this.#closed) throw new Error('the node is stopping: no preview is made');
    this.#png ??= new PngThread();
    const png = await this.#png.encode(image.width, image.height, image.data);
    latest(this.#kept, unitId, png);
    return png;
  }

  /** A frame composited from the render of CID `rawCid`, which passed its check. */
  keepComposite(rawCid: string, png: Uint8Array): void {
    latest(this.#composites, rawCid, png);
  }

  /** The frame composited from the render of CID `rawCid`, taken (undefined: none kept). */
  takeComposite(rawCid: string): Uint8Array | undefined {
    const png = this.#composites.get(rawCid);
    this.#composites.delete(rawCid);
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

/** `value` kept under `key` as the latest, the oldest dropped past MAX_PREVIEWS. */
function latest(kept: Map<string, Uint8Array>, key: string, value: Uint8Array): void {
  kept.delete(key);
  kept.set(key, value);
  for (const oldest of kept.keys()) {
    if (kept.size <= MAX_PREVIEWS) break;
    kept.delete(oldest);
  }
}
