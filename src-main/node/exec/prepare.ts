// Turns the module a unit names into one the pool may run: size-checked, validated by V8, checked
// against the ABI, metered, and its memory and tables checked against the unit's limits — all
// before any of its code runs. The validation and metering happen in a thread of their own
// (metering-worker.ts), started when a module is not cached and ended once idle. Metered modules
// are cached by the original's SHA-256, in shared memory, so a worker is handed the bytes without
// a copy, within a budget of bytes; and on disk (metered-store.ts), so a later start, or the
// shipped kernels on any start, skips the metering thread.
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { builtFile } from '../../core/build-layout.js';
import { ExecError, toExecError } from './errors.js';
import type { UnitLimits } from './limits.js';
import type { MeteredModule, ModuleKind } from './metering.js';
import type { MeteringLoaded, MeteringReply, MeteringRequest } from './metering-worker.js';
import { MeteredStore, shippedMeteredDir } from './metered-store.js';

// Every module the pool compiles was validated in full by V8 when it was metered (metering.ts
// validates what it makes; metering-worker.ts, what it is given), and one read back from the store is checked
// against its checksum: compiling it again need not validate each function before its first call.
// That is most of a big program's compile (a 20 MB one's: 84 ms → 26 here). The flag is the
// process's; the one other compile of outside bytes, the metering thread's, first asks
// WebAssembly.validate, which lazy validation leaves whole.
setFlagsFromString('--wasm-lazy-validation');

export interface PreparedModule extends Omit<MeteredModule, 'bytes'> {
  /**
   * SHA-256 (hex) of the module as the unit named it, before metering; for a WASI program, of that
   * and "/wasi", since one module's checks and metering differ by what it is run as.
   */
  hash: string;
  /** The metered module, in a SharedArrayBuffer. */
  bytes: Uint8Array;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Metered modules held in memory: two of the biggest a unit may name (limits.ts), metered. */
const MEMORY_BYTES = 160 << 20;
/** Metered modules kept on disk across starts: a few jobs' programs of real size. */
const DISK_BYTES = 512 << 20;

/** The shipped kernels, metered by the build: read only. */
const SHIPPED = new MeteredStore(shippedMeteredDir());

/**
 * A module at least this big is compiled once here, off the main thread (V8's background
 * compile), while the pool's worker starts, and handed to the workers compiled: a 20 MB program's
 * compile (~22 ms) then leaves its first unit's path, and the workers share one copy of its code
 * instead of one each. A smaller one compiles in each worker in under a millisecond.
 */
const SHARED_COMPILE_BYTES = 1 << 20;
/**
 * How long a compiled module is kept here after its last unit: as long as an idle worker lives
 * (executor.ts), so neither holds a big program's code once its job is done.
 */
const COMPILED_LINGER_MS = 10_000;

/** How long the metering thread outlives its last module: a job's modules come together. */
const METERING_LINGER_MS = 5_000;
/** How long closing waits for a thread still loading binaryen before it is terminated all the same. */
const LOAD_WAIT_MS = 10_000;

export class ModuleCache {
  private readonly entries = new Map<string, PreparedModule>();
  /** Modules being metered now, so a burst of units of one module meters it once. */
  private readonly loading = new Map<string, Promise<PreparedModule>>();
  private readonly metering = new MeteringThread();
  private readonly memoryBytes: number;
  /** The data dir's store of metered modules, written to as modules are metered. */
  private readonly disk: MeteredStore | undefined;
  /** Disk writes not yet done: closing waits for them. */
  private readonly writing = new Set<Promise<void>>();
  private bytesHeld = 0;
  /**
   * The hash of module bytes already hashed, by the array itself: a provider hands the same bytes
   * for each unit of a job (mesh/provider/execution-queue.ts keeps them), so a unit does not hash
   * its module again. Nothing writes to module bytes once read.
   */
  private readonly hashes = new WeakMap<Uint8Array, string>();
  /** Big modules' compiles here, by hash, while their units come (SHARED_COMPILE_BYTES, COMPILED_LINGER_MS). */
  private readonly compiledModules = new Map<
    string,
    { compiling: Promise<WebAssembly.Module | undefined>; drop: NodeJS.Timeout }
  >();

  /** `memoryBytes` bounds the metered modules held in memory, `diskBytes` those kept in `diskDir` (if given). */
  constructor(options: { memoryBytes?: number; diskBytes?: number; diskDir?: string } = {}) {
    this.memoryBytes = options.memoryBytes ?? MEMORY_BYTES;
    this.disk =
      options.diskDir === undefined ? undefined : new MeteredStore(options.diskDir, options.diskBytes ?? DISK_BYTES);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The prepared module, or an ExecError saying why it may not run under `limits`. */
  async prepare(original: Uint8Array, limits: UnitLimits, kind: ModuleKind = 'abi'): Promise<PreparedModule> {
    if (original.length > limits.maxModuleBytes) {
      throw new ExecError(
        'BadModule',
        `module is ${original.length} bytes, over the limit of ${limits.maxModuleBytes}`,
      );
    }
    const hash = this.hashOf(original, kind);
    const prepared = this.cached(hash) ?? (await this.load(original, hash, kind));
    checkAgainstLimits(prepared, limits);
    return prepared;
  }

  /** The module at once if it is cached (checked against `limits`), else undefined. */
  preparedNow(original: Uint8Array, limits: UnitLimits, kind: ModuleKind = 'abi'): PreparedModule | undefined {
    if (original.length > limits.maxModuleBytes) return undefined; // prepare() says why
    const prepared = this.cached(this.hashOf(original, kind));
    if (prepared) checkAgainstLimits(prepared, limits);
    return prepared;
  }

  /** Whether these very bytes were hashed here before (a unit of their job came already). */
  hashed(original: Uint8Array): boolean {
    return this.hashes.has(original);
  }

  private hashOf(original: Uint8Array, kind: ModuleKind): string {
    let hash = this.hashes.get(original);
    if (hash === undefined) this.hashes.set(original, (hash = sha256Hex(original)));
    return kind === 'wasi' ? sha256Hex(Buffer.from(`${hash}/wasi`)) : hash;
  }

  /**
   * The module compiled, if it is big and prepared (undefined otherwise, or if its compile failed):
   * the workers take it as it is. A first unit's compile started as its module was prepared, before
   * a worker could take the unit.
   */
  compiled(hash: string): Promise<WebAssembly.Module | undefined> | undefined {
    return this.holdCompiled(hash)?.compiling;
  }

  /** A big prepared module's compile, started if it is not held, and held COMPILED_LINGER_MS more. */
  private holdCompiled(hash: string): { compiling: Promise<WebAssembly.Module | undefined> } | undefined {
    const prepared = this.entries.get(hash);
    if (!prepared || prepared.bytes.length < SHARED_COMPILE_BYTES) return undefined;
    const held = this.compiledModules.get(hash);
    clearTimeout(held?.drop);
    // Validated when metered (or checksummed from disk): a failure here only leaves each worker to compile it.
    const compiling =
      held?.compiling ?? WebAssembly.compile(prepared.bytes as Uint8Array<ArrayBuffer>).catch(() => undefined);
    const drop = setTimeout(() => this.compiledModules.delete(hash), COMPILED_LINGER_MS).unref();
    this.compiledModules.set(hash, { compiling, drop });
    return { compiling };
  }

  private cached(hash: string): PreparedModule | undefined {
    const prepared = this.entries.get(hash);
    if (prepared) {
      this.entries.delete(hash); // re-insert: the Map's order is the LRU order
      this.entries.set(hash, prepared);
    }
    return prepared;
  }

  async close(): Promise<void> {
    for (const { drop } of this.compiledModules.values()) clearTimeout(drop);
    this.compiledModules.clear();
    await this.metering.close();
    await Promise.all(this.writing);
  }

  private load(original: Uint8Array, hash: string, kind: ModuleKind): Promise<PreparedModule> {
    let loading = this.loading.get(hash);
    if (!loading) {
      // A refused module is not cached: it is refused again, at the same cost, next time.
      loading = this.fromDisk(hash).then(async (stored) => {
        const prepared = { ...(stored ?? (await this.meter(original, hash, kind))), hash };
        this.remember(prepared);
        return prepared;
      });
      const forget = () => this.loading.delete(hash);
      loading.then(forget, forget);
      this.loading.set(hash, loading);
    }
    return loading;
  }

  /** The build's metered kernels first, then the data dir's store. */
  private async fromDisk(hash: string): Promise<MeteredModule | undefined> {
    return (await SHIPPED.get(hash)) ?? (await this.disk?.get(hash));
  }

  /** Meters `original` in the metering thread and keeps the result on disk, not waiting for the write. */
  private async meter(original: Uint8Array, hash: string, kind: ModuleKind): Promise<MeteredModule> {
    const metered = await this.metering.meter(original, kind);
    if (this.disk) {
      // A failed write only means metering again after a restart.
      const write: Promise<void> = this.disk
        .put(hash, metered)
        .catch(() => {})
        .then(() => void this.writing.delete(write));
      this.writing.add(write);
    }
    return metered;
  }

  /** Keeps `prepared`, the least recently used others going first: itself always, even alone over the budget (its units are coming). */
  private remember(prepared: PreparedModule): void {
    this.entries.set(prepared.hash, prepared);
    this.bytesHeld += prepared.bytes.length;
    for (const [hash, entry] of this.entries) {
      if (this.bytesHeld <= this.memoryBytes || hash === prepared.hash) break;
      this.entries.delete(hash);
      clearTimeout(this.compiledModules.get(hash)?.drop);
      this.compiledModules.delete(hash);
      this.bytesHeld -= entry.bytes.length;
    }
    this.holdCompiled(prepared.hash); // its compile started now, while a worker starts
  }
}

interface Waiter {
  resolve: (m: MeteredModule) => void;
  reject: (e: Error) => void;
}

/** The metering thread, started on demand and ended METERING_LINGER_MS after its last reply. */
class MeteringThread {
  private worker: Worker | undefined;
  /**
   * Each thread's units waiting on it: a thread ending (closed when idle, while a unit may already
   * wait on its successor) fails its own waiters only.
   */
  private readonly waiting = new WeakMap<Worker, Map<number, Waiter>>();
  private nextId = 0;
  private linger: NodeJS.Timeout | undefined;
  /** Each thread's modules evaluated (or the thread gone). */
  private readonly loaded = new WeakMap<Worker, Promise<void>>();

  meter(original: Uint8Array, kind: ModuleKind): Promise<MeteredModule> {
    clearTimeout(this.linger);
    const worker = (this.worker ??= this.spawn());
    worker.ref(); // a unit waits on it
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.get(worker)!.set(id, { resolve, reject });
      // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread, not a window
      worker.postMessage({ id, original, kind } satisfies MeteringRequest);
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.linger);
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    // Terminating a thread while its ES modules still evaluate (binaryen awaits at its top level)
    // crashes V8 ("Check failed: (location_) != nullptr", nodejs/node#53238): wait for it to load.
    await Promise.race([this.loaded.get(worker), new Promise((resolve) => setTimeout(resolve, LOAD_WAIT_MS).unref())]);
    await worker.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(new URL(builtFile(import.meta.url, 'src-main/node/exec/metering-worker.js')));
    const waiting = new Map<number, Waiter>();
    this.waiting.set(worker, waiting);
    let loaded!: () => void;
    this.loaded.set(worker, new Promise<void>((resolve) => (loaded = resolve)));
    worker.once('exit', () => loaded());
    worker.on('message', (reply: MeteringReply | MeteringLoaded) => {
      if ('loaded' in reply) return loaded();
      const waiter = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.metered);
      else waiter?.reject(toExecError(reply));
      if (waiting.size === 0) this.idle(worker, waiting);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of waiting.values()) waiter.reject(err);
      waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the metering thread exited (${code})`)));
    return worker;
  }

  private idle(worker: Worker, waiting: Map<number, Waiter>): void {
    worker.unref(); // an idle metering thread never keeps the process alive
    this.linger = setTimeout(() => {
      if (this.worker === worker && waiting.size === 0) this.close().catch(() => {}); // ending it cannot fail a unit
    }, METERING_LINGER_MS);
    this.linger.unref();
  }
}

function checkAgainstLimits(prepared: PreparedModule, limits: UnitLimits): void {
  const { memory } = prepared;
  if (!memory) throw new ExecError('BadModule', 'module has no memory');
  if (memory.maximum === undefined) {
    throw new ExecError(
      'MemoryLimit',
      `module's memory declares no maximum; the unit allows at most ${limits.memoryPages} pages`,
    );
  }
  if (memory.maximum > limits.memoryPages || memory.initial > limits.memoryPages) {
    throw new ExecError(
      'MemoryLimit',
      `module's memory (initial ${memory.initial}, maximum ${memory.maximum} pages) is over the unit's ${limits.memoryPages} pages`,
    );
  }
  if (prepared.tableElements > limits.maxTableElements) {
    throw new ExecError(
      'BadModule',
      `module's table of ${prepared.tableElements} elements (its maximum, where table.grow grows it) is over the limit of ${limits.maxTableElements}`,
    );
  }
}
