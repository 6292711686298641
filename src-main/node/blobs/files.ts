// The file-system steps of the blob store (store.ts) that need nothing of it: reading a file as
// chunks, reading one that may be missing, and making a rename durable.
import { readFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';

/** The size of the chunks `open()` yields. */
export const OPEN_CHUNK_BYTES = 256 * 1024;

/** A row as `open` yields a file: one chunk (a row is smaller than a chunk), none when empty. */
export async function* chunksOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.byteLength > 0) yield bytes;
}

export async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const file = await openFile(path, 'r');
  try {
    for (;;) {
      // A fresh buffer per chunk: the consumer may keep chunks while we read the next.
      const chunk = new Uint8Array(OPEN_CHUNK_BYTES);
      const { bytesRead } = await file.read(chunk, 0, OPEN_CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      yield bytesRead === OPEN_CHUNK_BYTES ? chunk : chunk.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

export function readMissingAsUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Makes a rename durable. Best effort: some platforms (Windows) cannot open a directory. */
export async function syncDirectory(path: string): Promise<void> {
  try {
    const dir = await openFile(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // the blob is complete under its name either way; only its durability across a power cut is weaker
  }
}
