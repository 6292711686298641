// Metered modules kept on disk by the SHA-256 of the module as a unit names it, so a module is
// metered once, not at every start: binaryen (tens of MB, half a second to load, in the metering
// thread) loads only for a module never seen before. Two stores are read, in order: the build's
// (dist/wasm/metered/: the shipped kernels, metered by `npm run build`, so even a first start's
// calibration needs no binaryen) and the data dir's (written as other modules are metered, within
// a budget of bytes, the least recently used removed first).
//
// An entry is one file, <sha256>.metered: a JSON line (what metering learned of the module, the
// metering's version, the metered bytes' length and CRC-32), then the metered bytes. The version is
// a hash of the metering thread's code and binaryen's version: an entry metered by other code, or
// one whose bytes do not match their length and checksum, is a miss, metered again and written
// over. A checksum, not a hash: it finds a damaged file, and whoever could forge one could as well
// write the node's own code (a 25 MB entry's check: 5 ms against SHA-256's 14). The bytes are read
// straight into the shared memory the pool takes them in: no copy.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import * as z from '../../core/schemas/zod.js';
import { builtFile } from '../../core/build-layout.js';
import type { MeteredModule } from './metering.js';

const SUFFIX = '.metered';
const HASH = /^[0-9a-f]{64}$/;

const HeaderSchema = z.object({
  version: z.string(),
  kind: z.enum(['abi', 'wasi']),
  bytes: z.int().check(z.nonnegative()),
  crc32: z.int(),
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

/** The most a header line may be: a longer first line is no entry of ours. */
const MAX_HEADER_BYTES = 1024;

export function encodeEntry(metered: MeteredModule): Uint8Array {
  const header = HeaderSchema.parse({
    ...metered,
    version: meteringVersion(),
    bytes: metered.bytes.byteLength,
    crc32: crc32(metered.bytes),
  });
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), metered.bytes]);
}

/** The entry's module with its bytes in a SharedArrayBuffer (as the pool takes them), or undefined if it is stale or damaged. */
async function readEntry(file: FileHandle): Promise<MeteredModule | undefined> {
  const head = Buffer.alloc(MAX_HEADER_BYTES);
  const { bytesRead } = await file.read(head, 0, MAX_HEADER_BYTES, 0);
  const end = head.subarray(0, bytesRead).indexOf(10);
  if (end < 0) return undefined;
  let header: z.infer<typeof HeaderSchema>;
  try {
    header = HeaderSchema.parse(JSON.parse(head.subarray(0, end).toString()));
  } catch {
    return undefined;
  }
  if (header.version !== meteringVersion() || (await file.stat()).size !== end + 1 + header.bytes) return undefined;
  const bytes = new Uint8Array(new SharedArrayBuffer(header.bytes));
  for (let at = 0; at < bytes.byteLength;) {
    const { bytesRead: read } = await file.read(bytes, at, bytes.byteLength - at, end + 1 + at);
    if (read === 0) return undefined; // cut short meanwhile
    at += read;
  }
  if (crc32(bytes) !== header.crc32) return undefined;
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
    const file = await open(path).catch(() => undefined);
    if (!file) return undefined;
    let metered: MeteredModule | undefined;
    try {
      metered = await readEntry(file);
    } finally {
      await file.close();
    }
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
