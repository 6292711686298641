// What a WASI descriptor is (files.ts keeps them by number), and what fd_fdstat_get says of one.
import { ALL_RIGHTS, FdFlags, FileType, RIGHT_FD_READ, RIGHT_FD_READDIR, RIGHT_FD_WRITE, Size } from './constants.js';
import type { CappedStream, Guest } from './guest.js';
import type { DirNode, FileNode } from './memory-fs.js';

export type Fd =
  | { kind: 'stdin' }
  | { kind: 'stdout' | 'stderr'; stream: CappedStream }
  | { kind: 'dir'; node: DirNode; preopen?: string }
  | { kind: 'file'; node: FileNode; pos: number; read: boolean; write: boolean; append: boolean };

/**
 * What a descriptor may do, as fd_fdstat_get says it (wasi-libc's fcntl(F_GETFL) reads its access
 * mode from them): every right but reading where it does not read, writing where it does not
 * write, and listing but on a folder (a folder neither reads nor writes bytes). A stream keeps the
 * seek and tell rights, which it refuses (ESPIPE), so isatty() says no: it is not a terminal.
 */
function rightsOf(fd: Fd): bigint {
  const read = fd.kind === 'stdin' || (fd.kind === 'file' && fd.read);
  const write = fd.kind === 'stdout' || fd.kind === 'stderr' || (fd.kind === 'file' && fd.write);
  let rights = ALL_RIGHTS & ~(fd.kind === 'dir' ? 0n : RIGHT_FD_READDIR);
  if (!read) rights &= ~RIGHT_FD_READ;
  if (!write) rights &= ~RIGHT_FD_WRITE;
  return rights;
}

/** fd_fdstat_get's fdstat of `fd` at `out`: its file type, its flags (append, and `other`), its rights; every right inherited. */
export function writeFdstat(g: Guest, out: number, fd: Fd, other: number): void {
  g.bytes(out, Size.fdstat).fill(0);
  const type =
    fd.kind === 'dir' ? FileType.directory : fd.kind === 'file' ? FileType.regularFile : FileType.characterDevice;
  g.setU8(out, type);
  g.setU16(out + 2, (fd.kind === 'file' && fd.append ? FdFlags.append : 0) | other);
  g.setU64(out + 8, rightsOf(fd));
  g.setU64(out + 16, ALL_RIGHTS);
}
