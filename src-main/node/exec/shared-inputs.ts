// Shared memory for big unit inputs, handed to the workers without a clone and used again: a fresh
// 16 MiB buffer costs its page faults on first touch (~9 ms here, a tenth of a crypto unit's run),
// a reused one only the copy (~1.5 ms). A job's units come one after another at the same size, so
// a few free buffers serve them; the free ones are let go once no unit has asked for a while, so an
// idle node holds none.

/** Free buffers kept beside those in use: about one per worker's next unit. */
const MAX_FREE = 4;
/** How long free buffers are kept after the last unit asked for one. */
const KEEP_FREE_MS = 2_000;

export class SharedInputs {
  readonly #free: SharedArrayBuffer[] = [];
  /** The buffers made here: only those come back to the free list. */
  readonly #mine = new WeakSet<SharedArrayBuffer>();
  #letGo: NodeJS.Timeout | undefined;

  /** `bytes` copied into shared memory: a free buffer that fits (at most twice their size), or a new one. */
  take(bytes: Uint8Array): Uint8Array {
    const size = bytes.byteLength;
    const fits = this.#free.findIndex((b) => b.byteLength >= size && b.byteLength <= 2 * size);
    const buffer = fits >= 0 ? this.#free.splice(fits, 1)[0]! : new SharedArrayBuffer(size);
    this.#mine.add(buffer);
    const view = new Uint8Array(buffer, 0, size);
    view.set(bytes);
    this.#keepAWhile();
    return view;
  }

  /** An input no worker reads any more: its buffer may serve the next. */
  give(view: Uint8Array): void {
    const buffer = view.buffer;
    if (!(buffer instanceof SharedArrayBuffer) || !this.#mine.has(buffer) || this.#free.includes(buffer)) return;
    this.#free.push(buffer);
    if (this.#free.length > MAX_FREE) this.#free.shift();
    this.#keepAWhile();
  }

  #keepAWhile(): void {
    clearTimeout(this.#letGo);
    this.#letGo = setTimeout(() => this.#free.splice(0), KEEP_FREE_MS);
    this.#letGo.unref();
  }
}
