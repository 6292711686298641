// One node per data dir. Two would share an identity and a journal: each would journal offers,
// escrows and payments the other does not know of, and peers would see one peer contradict itself.
// The lock is a file, `node.lock`, created exclusively with the holder's pid; one whose process is
// gone (a crash, a SIGKILL) is stale and taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'node.lock';

/** Lock files this process holds: its own pid in one it does not hold is stale (a node that was not stopped). */
const held = new Set<string>();

/** Whether process `pid` exists (EPERM: it does, as another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a node that holds `dataDir` now, other than a lock of this process's that it no longer holds. */
function runningNodeOf(dataDir: string): number | undefined {
  const path = join(dataDir, LOCK_FILE);
  let pid: number;
  try {
    pid = Number(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined; // no lock
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined; // no pid: a crash between creating and writing it
  if (pid === process.pid) return held.has(path) ? pid : undefined;
  return alive(pid) ? pid : undefined;
}

/** The error for a data dir another node holds: what to do about it, and where the lock is. */
function heldError(dataDir: string, pid: number): Error {
  return new Error(
    `another node (pid ${pid}) is running on data dir ${dataDir}: stop it first, or give this one its own --data-dir ` +
      `(if no such node runs, remove ${join(dataDir, LOCK_FILE)})`,
  );
}

/** Throws when another node holds `dataDir`: the check before anything is started. */
export function assertDataDirFree(dataDir: string): void {
  const pid = runningNodeOf(dataDir);
  if (pid !== undefined) throw heldError(dataDir, pid);
}

/** Removes a lock file; one already gone (another start took a stale one first) is fine: the next create decides. */
function removeLock(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Takes `dataDir` for this process (a stale lock is taken over); returns the release. Throws when another node holds it. */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      assertDataDirFree(dataDir);
      // Created again since, and not yet holding a pid: another start is taking it this instant.
      if (attempt > 0) throw new Error(`another node is starting on data dir ${dataDir}`, { cause: err });
      removeLock(path); // stale
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    held.add(path);
    return () => {
      if (held.delete(path)) removeLock(path);
    };
  }
}
