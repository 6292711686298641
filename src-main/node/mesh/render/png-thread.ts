// Encodes frames as PNGs in a thread of its own (png-worker.ts), started with the first frame and
// ended after PNG_IDLE_MS without one: an idle node holds no isolate for it.
import { oneThread } from '../basics/one-thread.js';
import type { PngTask } from './png-worker.js';

const PNG_IDLE_MS = 10_000;

export class PngThread {
  readonly #pool = oneThread<PngTask, Uint8Array>('src-main/node/mesh/render/png-worker.js', PNG_IDLE_MS);

  /**
   * The PNG of a `width` × `height` RGBA frame. Its buffer is moved to the thread, not copied
   * (unusable here after) when `rgba` is all of it, as a frame just stitched is.
   */
  encode(width: number, height: number, rgba: Uint8Array): Promise<Uint8Array> {
    const whole =
      rgba.buffer instanceof ArrayBuffer && rgba.byteOffset === 0 && rgba.byteLength === rgba.buffer.byteLength;
    const pixels = whole ? rgba : rgba.slice();
    return this.#pool.run({ width, height, rgba: pixels }, { transferList: [pixels.buffer as ArrayBuffer] });
  }

  async close(): Promise<void> {
    await this.#pool.close({ force: true });
  }
}
