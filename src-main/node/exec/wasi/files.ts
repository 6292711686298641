// The descriptor and path calls of WASI preview 1 (fd_*, path_*) over the in-memory filesystem.
// Descriptors 0–2 are stdin (the unit's input), stdout and stderr; 3, 4 and 5 are the preopened
// /input, /tmp and /out. A new descriptor takes the lowest free number, so a program sees the same
// numbers on every node. A descriptor's rights are all but reading or writing where it does not
// (what fcntl(F_GETFL) reads); what a mount allows is enforced instead (EROFS).
import {
  Errno,
  FdFlags,
  FileType,
  FstFlags,
  LookupFlags,
  OFlags,
  RIGHT_FD_READ,
  RIGHT_FD_WRITE,
  Size,
  WasiErrno,
  Whence,
} from './constants.js';
import { writeFdstat, type Fd } from './descriptors.js';
import type { CappedStream, Guest } from './guest.js';
import { fileTypeOf, type DirNode, type FileNode, type MemoryFs, type Node } from './memory-fs.js';

const MAX_FDS = 1024;
/** fd_advise's advice runs from normal (0) to noreuse (5). */
const MAX_ADVICE = 5;
const encoder = new TextEncoder();
const fail = (errno: number): never => {
  throw new WasiErrno(errno);
};

export interface FilesContext {
  fs: MemoryFs;
  guest: Guest;
  stdin: Uint8Array;
  stdout: CappedStream;
  stderr: CappedStream;
  preopens: Array<[string, DirNode]>;
  /** Charges fuel for bytes a call moves. */
  charge: (bytes: number) => void;
}

export class WasiFiles {
  private readonly fds = new Map<number, Fd>();
  /** A descriptor's fdflags besides append (nonblock, sync...): kept to be reported, nothing blocks or syncs here. */
  private readonly otherFlags = new WeakMap<Fd, number>();
  private stdinPos = 0;

  constructor(private readonly c: FilesContext) {
    this.fds.set(0, { kind: 'stdin' });
    this.fds.set(1, { kind: 'stdout', stream: c.stdout });
    this.fds.set(2, { kind: 'stderr', stream: c.stderr });
    c.preopens.forEach(([name, node], i) => this.fds.set(3 + i, { kind: 'dir', node, preopen: name }));
  }

  private fd(n: number): Fd {
    return this.fds.get(n) ?? fail(Errno.badf);
  }

  private dirFd(n: number): DirNode {
    const fd = this.fd(n);
    return fd.kind === 'dir' ? fd.node : fail(Errno.notdir);
  }

  private fileFd(n: number): Extract<Fd, { kind: 'file' }> {
    const fd = this.fd(n);
    if (fd.kind === 'dir') fail(Errno.isdir);
    return fd.kind === 'file' ? fd : fail(Errno.spipe);
  }

  private open(fd: Fd): number {
    for (let n = 0; n < MAX_FDS; n++) {
      if (!this.fds.has(n)) {
        this.fds.set(n, fd);
        return n;
      }
    }
    return fail(Errno.mfile);
  }

  private path(ptr: number, len: number): string {
    this.c.charge(len >>> 0);
    return this.c.guest.string(ptr, len);
  }

  /** Bytes the program asks for from `fd` at `at` (or its position), at most `max`. */
  private readFrom(fd: Fd, max: number, at: number | undefined): Uint8Array {
    if (fd.kind === 'stdin') {
      if (at !== undefined) fail(Errno.spipe);
      const chunk = this.c.stdin.subarray(this.stdinPos, this.stdinPos + max);
      this.stdinPos += chunk.length;
      return chunk;
    }
    if (fd.kind === 'dir') return fail(Errno.isdir);
    if (fd.kind !== 'file' || !fd.read) return fail(Errno.badf);
    const from = at ?? fd.pos;
    const chunk = fd.node.data.subarray(Math.min(from, fd.node.size), Math.min(from + max, fd.node.size));
    if (at === undefined) fd.pos += chunk.length;
    return chunk;
  }

  private writeTo(fd: Fd, bytes: Uint8Array, at: number | undefined): void {
    if (fd.kind === 'stdout' || fd.kind === 'stderr') {
      if (at !== undefined) fail(Errno.spipe);
      return fd.stream.write(bytes);
    }
    if (fd.kind !== 'file' || !fd.write) fail(Errno.badf);
    const file = fd as Extract<Fd, { kind: 'file' }>;
    const offset = at ?? (file.append ? file.node.size : file.pos);
    this.c.fs.write(file.node, offset, bytes);
    if (at === undefined) file.pos = offset + bytes.length;
  }

  private readv(n: number, iovs: number, count: number, at: number | undefined, nread: number): void {
    const fd = this.fd(n);
    let total = 0;
    for (const [ptr, len] of this.c.guest.iovecs(iovs, count)) {
      const target = this.c.guest.bytes(ptr, len);
      const chunk = this.readFrom(fd, len, at === undefined ? undefined : at + total);
      this.c.charge(chunk.length);
      target.set(chunk);
      total += chunk.length;
      if (chunk.length < len) break;
    }
    this.c.guest.setU32(nread, total);
  }

  private writev(n: number, iovs: number, count: number, at: number | undefined, nwritten: number): void {
    const fd = this.fd(n);
    let total = 0;
    for (const [ptr, len] of this.c.guest.iovecs(iovs, count)) {
      this.c.charge(len);
      this.writeTo(fd, this.c.guest.bytes(ptr, len), at === undefined ? undefined : at + total);
      total += len;
    }
    this.c.guest.setU32(nwritten, total);
  }

  private writeFilestat(ptr: number, node: Node | undefined, dev = 0): void {
    const g = this.c.guest;
    g.bytes(ptr, Size.filestat).fill(0);
    if (!node) {
      g.setU8(ptr + 16, FileType.characterDevice);
      g.setU64(ptr + 24, 1);
      return;
    }
    g.setU64(ptr, node.mount.dev || dev);
    g.setU64(ptr + 8, node.ino);
    g.setU8(ptr + 16, fileTypeOf(node));
    g.setU64(ptr + 24, node.kind === 'file' ? node.links : 1);
    const size = node.kind === 'file' ? node.size : node.kind === 'link' ? encoder.encode(node.target).length : 0;
    g.setU64(ptr + 32, size);
    g.setU64(ptr + 40, node.atim);
    g.setU64(ptr + 48, node.mtim);
    g.setU64(ptr + 56, node.mtim);
  }

  private setTimes(node: Node, atim: bigint, mtim: bigint, flags: number, now: () => bigint): void {
    if ((flags & FstFlags.atim && flags & FstFlags.atimNow) || (flags & FstFlags.mtim && flags & FstFlags.mtimNow))
      fail(Errno.inval);
    if (node.mount.readonly) fail(Errno.rofs);
    if (flags & FstFlags.atim) node.atim = atim;
    if (flags & FstFlags.atimNow) node.atim = now();
    if (flags & FstFlags.mtim) node.mtim = mtim;
    if (flags & FstFlags.mtimNow) node.mtim = now();
  }

  private static size(value: bigint): number {
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? fail(Errno.fbig) : Number(value);
  }

  /** The calls, by their preview 1 names; each returns nothing (success) or throws a WasiErrno. */
  calls(now: () => bigint): Record<string, (...args: never[]) => void> {
    const g = this.c.guest;
    const fs = this.c.fs;
    return {
      fd_read: (fd: number, iovs: number, n: number, nread: number) => this.readv(fd, iovs, n, undefined, nread),
      fd_pread: (fd: number, iovs: number, n: number, offset: bigint, nread: number) =>
        this.readv(fd, iovs, n, WasiFiles.size(offset), nread),
      fd_write: (fd: number, iovs: number, n: number, nwritten: number) =>
        this.writev(fd, iovs, n, undefined, nwritten),
      fd_pwrite: (fd: number, iovs: number, n: number, offset: bigint, nwritten: number) =>
        this.writev(fd, iovs, n, WasiFiles.size(offset), nwritten),
      fd_seek: (fd: number, offset: bigint, whence: number, out: number) => {
        const file = this.fileFd(fd);
        const base =
          whence === Whence.set
            ? 0n
            : whence === Whence.cur
              ? BigInt(file.pos)
              : whence === Whence.end
                ? BigInt(file.node.size)
                : fail(Errno.inval);
        const to = base + offset;
        if (to < 0n) fail(Errno.inval);
        file.pos = WasiFiles.size(to);
        g.setU64(out, file.pos);
      },
      fd_tell: (fd: number, out: number) => g.setU64(out, this.fileFd(fd).pos),
      fd_close: (fd: number) => {
        this.fd(fd);
        this.fds.delete(fd);
      },
      fd_renumber: (from: number, to: number) => {
        const fd = this.fd(from);
        this.fd(to);
        this.fds.set(to, fd);
        if (from !== to) this.fds.delete(from);
      },
      fd_fdstat_get: (fd: number, out: number) => {
        const entry = this.fd(fd);
        writeFdstat(g, out, entry, this.otherFlags.get(entry) ?? 0);
      },
      fd_fdstat_set_flags: (fd: number, flags: number) => {
        const entry = this.fd(fd);
        if (flags & ~FdFlags.all) fail(Errno.inval);
        if (entry.kind === 'file') entry.append = (flags & FdFlags.append) !== 0;
        this.otherFlags.set(entry, flags & FdFlags.all & ~FdFlags.append);
      },
      fd_fdstat_set_rights: (fd: number) => void this.fd(fd),
      fd_advise: (fd: number, _offset: bigint, _len: bigint, advice: number) => {
        this.fileFd(fd);
        if (advice < 0 || advice > MAX_ADVICE) fail(Errno.inval);
      },
      fd_datasync: (fd: number) => void this.fd(fd),
      fd_sync: (fd: number) => void this.fd(fd),
      fd_allocate: (fd: number, offset: bigint, len: bigint) => {
        const file = this.fileFd(fd);
        if (!file.write) fail(Errno.badf);
        const end = WasiFiles.size(offset + len);
        if (end > file.node.size) fs.resize(file.node, end);
      },
      fd_filestat_get: (fd: number, out: number) => {
        const entry = this.fd(fd);
        this.writeFilestat(out, entry.kind === 'dir' || entry.kind === 'file' ? entry.node : undefined);
      },
      fd_filestat_set_size: (fd: number, size: bigint) => {
        const file = this.fileFd(fd);
        if (!file.write) fail(Errno.badf);
        fs.resize(file.node, WasiFiles.size(size));
      },
      fd_filestat_set_times: (fd: number, atim: bigint, mtim: bigint, flags: number) => {
        const entry = this.fd(fd);
        if (entry.kind !== 'dir' && entry.kind !== 'file') fail(Errno.badf);
        this.setTimes((entry as { node: Node }).node, atim, mtim, flags, now);
      },
      fd_prestat_get: (fd: number, out: number) => {
        const entry = this.fd(fd);
        if (entry.kind !== 'dir' || entry.preopen === undefined) fail(Errno.badf);
        g.setU32(out, 0);
        g.setU32(out + 4, encoder.encode((entry as { preopen: string }).preopen).length);
      },
      fd_prestat_dir_name: (fd: number, ptr: number, len: number) => {
        const entry = this.fd(fd);
        if (entry.kind !== 'dir' || entry.preopen === undefined) fail(Errno.badf);
        const name = encoder.encode((entry as { preopen: string }).preopen);
        if (len >>> 0 < name.length) fail(Errno.nametoolong);
        g.bytes(ptr, name.length).set(name);
      },
      fd_readdir: (fd: number, buf: number, len: number, cookie: bigint, used: number) => {
        const dir = this.dirFd(fd);
        const out = new Uint8Array(len >>> 0);
        let at = 0;
        for (const { name, node, next } of fs.readdirFrom(dir, cookie)) {
          if (at >= out.length) break;
          const nameBytes = encoder.encode(name);
          const entry = new Uint8Array(Size.direntHeader + nameBytes.length);
          const ev = new DataView(entry.buffer);
          ev.setBigUint64(0, next, true);
          ev.setBigUint64(8, BigInt(node.ino), true);
          ev.setUint32(16, nameBytes.length, true);
          ev.setUint8(20, fileTypeOf(node));
          entry.set(nameBytes, Size.direntHeader);
          const room = out.length - at;
          out.set(entry.subarray(0, room), at);
          at += Math.min(room, entry.length);
        }
        this.c.charge(at);
        g.bytes(buf, at).set(out.subarray(0, at));
        g.setU32(used, at);
      },
      path_open: (
        dirfd: number,
        dirflags: number,
        ptr: number,
        len: number,
        oflags: number,
        rightsBase: bigint,
        _inh: bigint,
        fdflags: number,
        out: number,
      ) => {
        const base = this.dirFd(dirfd);
        const at = fs.resolve(base, this.path(ptr, len), (dirflags & LookupFlags.symlinkFollow) !== 0);
        let node = at.node;
        if (node && oflags & OFlags.creat && oflags & OFlags.excl) fail(Errno.exist);
        if (!node) {
          if (!(oflags & OFlags.creat) || oflags & OFlags.directory) fail(Errno.noent);
          node = fs.createAt(at);
        }
        if (node.kind === 'link') fail(Errno.loop);
        const write = (rightsBase & RIGHT_FD_WRITE) !== 0n || (oflags & OFlags.trunc) !== 0;
        if (node.kind === 'dir') {
          if (write) fail(Errno.isdir);
          return g.setU32(out, this.open({ kind: 'dir', node }));
        }
        if (oflags & OFlags.directory) fail(Errno.notdir);
        const file = node as FileNode;
        if (write && file.mount.readonly) fail(Errno.rofs);
        if (oflags & OFlags.trunc) fs.resize(file, 0);
        const read = (rightsBase & RIGHT_FD_READ) !== 0n || !write;
        const entry: Fd = { kind: 'file', node: file, pos: 0, read, write, append: (fdflags & FdFlags.append) !== 0 };
        this.otherFlags.set(entry, fdflags & FdFlags.all & ~FdFlags.append);
        g.setU32(out, this.open(entry));
      },
      path_create_directory: (fd: number, ptr: number, len: number) => fs.mkdir(this.dirFd(fd), this.path(ptr, len)),
      path_remove_directory: (fd: number, ptr: number, len: number) => fs.rmdir(this.dirFd(fd), this.path(ptr, len)),
      path_unlink_file: (fd: number, ptr: number, len: number) => fs.unlink(this.dirFd(fd), this.path(ptr, len)),
      path_filestat_get: (fd: number, flags: number, ptr: number, len: number, out: number) =>
        this.writeFilestat(
          out,
          fs.existing(this.dirFd(fd), this.path(ptr, len), (flags & LookupFlags.symlinkFollow) !== 0),
        ),
      path_filestat_set_times: (
        fd: number,
        flags: number,
        ptr: number,
        len: number,
        atim: bigint,
        mtim: bigint,
        fst: number,
      ) =>
        this.setTimes(
          fs.existing(this.dirFd(fd), this.path(ptr, len), (flags & LookupFlags.symlinkFollow) !== 0),
          atim,
          mtim,
          fst,
          now,
        ),
      path_link: (
        oldFd: number,
        oldFlags: number,
        oldPtr: number,
        oldLen: number,
        newFd: number,
        newPtr: number,
        newLen: number,
      ) =>
        fs.link(
          this.dirFd(oldFd),
          this.path(oldPtr, oldLen),
          (oldFlags & LookupFlags.symlinkFollow) !== 0,
          this.dirFd(newFd),
          this.path(newPtr, newLen),
        ),
      path_rename: (oldFd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) =>
        fs.rename(this.dirFd(oldFd), this.path(oldPtr, oldLen), this.dirFd(newFd), this.path(newPtr, newLen)),
      path_symlink: (oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) =>
        fs.symlink(this.dirFd(fd), this.path(newPtr, newLen), this.path(oldPtr, oldLen)),
      path_readlink: (fd: number, ptr: number, len: number, buf: number, bufLen: number, used: number) => {
        const node = fs.existing(this.dirFd(fd), this.path(ptr, len), false);
        if (node.kind !== 'link') fail(Errno.inval);
        const target = encoder.encode((node as { target: string }).target).subarray(0, bufLen >>> 0);
        g.bytes(buf, target.length).set(target);
        g.setU32(used, target.length);
      },
    };
  }

  /**
   * poll_oneoff's answer for `fd` (EBADF if it is not open): the bytes a read would return now, and
   * whether the other end has hung up, which stdin has once read to its end (the whole input was
   * given at the start): a program that polls it until POLLHUP ends, as under node:wasi.
   */
  readiness(n: number): { nbytes: number; hangup: boolean } {
    const fd = this.fd(n);
    if (fd.kind === 'stdin') {
      const left = this.c.stdin.length - this.stdinPos;
      return { nbytes: left, hangup: left === 0 };
    }
    return { nbytes: fd.kind === 'file' ? Math.max(0, fd.node.size - fd.pos) : 0, hangup: false };
  }

  /** Whether `n` is an open descriptor (for the socket calls, which find none is a socket). */
  isOpen(n: number): boolean {
    return this.fds.has(n);
  }
}
