// Metered modules kept on disk by the SHA-256 of the module as a unit names it, so a module is
// metered once, not at every start: binaryen (tens of MB, half a second to load, in the metering
// thread) loads only for a module never seen before. Two stores are read, in order: the build's
// (dist/wasm/metered/: the shipped kernels, metered by `npm run build`, so even a first start's
// calibration needs no binaryen) and the data dir's (written as other modules are metered, within
// a budget of bytes, the least recently used removed first).
//
// An entry is one file, <sha256>.metered: a JSON line (what metering learned of the module, the
// metering's version, the metered bytes' SHA-256), then the metered bytes. The version is a hash
// of the metering thread's code and binaryen's version: an entry metered by other code, or one
// whose bytes do not match their hash, is a miss, metered again and written over.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from '../../core/schemas/zod.js';
import { builtFile } from '../../core/build-layout.js';
import type { MeteredModule } from './metering.js';

const SUFFIX = '.metered';
const HASH = /^[0-9a-f]{64}$/;

const HeaderSchema = z.object({
  version: z.string(),
  kind: z.enum(['abi', 'wasi']),
  sha256: z.string().check(z.regex(HASH)),
  memory: z.nullable(z.object({ initial: z.int(), maximum: z.optional(z.int()) })),
  tableElements: z.int(),
  hasStart: z.boolean(),
  preparedMs: z.optional(z.int()),
});

let version: string | undefined;

/** What metered a module: the metering thread's bundled code and the binaryen it loads. */
export function meteringVersion(): string {
  version ??= createHash('sha256')
    .update(readFileSync(new URL(builtFile(import.meta.url, 'src-main/node/exec/metering-worker.js'))))
    .update(`binaryen@${createRequire(import.meta.url)('binaryen/package.json').version as string}`)
    .digest('hex')
    .slice(0, 16);
  return version;
}

/** The build's store of the shipped kernels, metered (scripts/build-node.mjs writes it). */
export function shippedMeteredDir(): string {
  return fileURLToPath(builtFile(import.meta.url, 'wasm/metered'));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export function encodeEntry(metered: MeteredModule): Uint8Array {
  const header = HeaderSchema.parse({ ...metered, version: meteringVersion(), sha256: sha256(metered.bytes) });
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), metered.bytes]);
}

/** The entry's module with its bytes in a SharedArrayBuffer (as the pool takes them), or undefined if it is stale or damaged. */
function decodeEntry(file: Buffer): MeteredModule | undefined {
  const end = file.indexOf(10);
  if (end < 0) return undefined;
  let header: z.infer<typeof HeaderSchema>;
  try {
    header = HeaderSchema.parse(JSON.parse(file.subarray(0, end).toString()));
  } catch {
    return undefined;
  }
  const body = file.subarray(end + 1);
  if (header.version !== meteringVersion() || sha256(body) !== header.sha256) return undefined;
  const bytes = new Uint8Array(new SharedArrayBuffer(body.length));
  bytes.set(body);
  const { kind, memory, tableElements, hasStart, preparedMs } = header;
  return {
    kind,
    bytes,
    memory: memory && { initial: memory.initial, maximum: memory.maximum },
    tableElements,
    hasStart,
    ...(preparedMs !== undefined ? { preparedMs } : {}),
  };
}

export class MeteredStore {
  constructor(
    readonly dir: string,
    /** Written to (the data dir's) within this many bytes; 0: read only (the build's). */
    private readonly maxBytes = 0,
  ) {}

  /** The stored module metered from the one whose SHA-256 is `hash`, if there is a current one. */
  async get(hash: string): Promise<MeteredModule | undefined> {
    if (!HASH.test(hash)) return undefined;
    const path = join(this.dir, hash + SUFFIX);
    const file = await readFile(path).catch(() => undefined);
    const metered = file && decodeEntry(file);
    if (metered && this.maxBytes > 0) {
      const now = new Date();
      await utimes(path, now, now).catch(() => {}); // its age is its last use: the budget keeps the recent ones
    }
    return metered;
  }

  /** Keeps `metered` under `hash`, written aside and renamed, then trims the store to its budget. */
  async put(hash: string, metered: MeteredModule): Promise<void> {
    if (this.maxBytes <= 0 || !HASH.test(hash)) return;
    // Not recursive: a data dir removed meanwhile (a node stopped and deleted) is not made again.
    await mkdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const path = join(this.dir, hash + SUFFIX);
    await writeFile(`${path}.partial`, encodeEntry(metered));
    await rename(`${path}.partial`, path);
    await this.#trim();
  }

  async #trim(): Promise<void> {
    const entries = await Promise.all(
      (await readdir(this.dir))
        .filter((name) => name.endsWith(SUFFIX))
        .map(async (name) => {
          const { size, mtimeMs } = await stat(join(this.dir, name));
          return { path: join(this.dir, name), size, mtimeMs };
        }),
    );
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    for (const entry of entries.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      if (total <= this.maxBytes) break;
      await unlink(entry.path);
      total -= entry.size;
    }
  }
}
