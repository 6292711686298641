// The filesystem a WASI program sees: trees in memory, nothing of the host's disk. By default three
// (layout.ts: the job's folders mapped where the program expects them replace them):
//
// - `/input`: the job's files, read-only (a write, create or removal there is EROFS).
// - `/tmp`: scratch, at most `tmpBytes` of file contents (past it: ENOSPC).
// - `/out`: files that are part of the unit's output, at most `outBytes` (past it: ENOSPC).
//
// Everything a program could see differ between runs is fixed: inode numbers count up from 1 in
// the order nodes are made (the mounts, then /input's files in sorted path order, then what the
// program creates), every timestamp is the virtual clock's epoch until the program sets one, and
// directory listings are sorted by the UTF-8 bytes of the names. A path resolves only inside the
// directory it is relative to: `..` above it, or a symlink to an absolute path, is ENOTCAPABLE;
// more than MAX_SYMLINK_HOPS symlinks in one lookup is ELOOP.
import { Errno, FileType, WasiErrno } from './constants.js';

const MAX_SYMLINK_HOPS = 32;
/** fd_readdir's cookie after `..`, and the first of the names' own cookies. */
const AFTER_DOTS = 2n;
const FIRST_NAME_COOKIE = 3n;
/** How many cookies of names gone a folder keeps beyond twice its entries (readdirFrom). */
const MAX_GONE_COOKIES = 1024;
const MAX_NAME_BYTES = 255;

export interface Mount {
  /** Its path as the program sees it, e.g. "/input". */
  name: string;
  readonly: boolean;
  /** Bytes of file contents it may hold, and holds. */
  capBytes: number;
  usedBytes: number;
  /** Its number as st_dev: a rename or link between mounts is EXDEV. */
  dev: number;
}

interface NodeBase {
  ino: number;
  mount: Mount;
  atim: bigint;
  mtim: bigint;
}
export interface FileNode extends NodeBase {
  kind: 'file';
  /** Its contents in the first `size` bytes; room to grow after them. */
  data: Uint8Array;
  size: number;
  links: number;
}
export interface DirNode extends NodeBase {
  kind: 'dir';
  entries: Map<string, Node>;
  /** fd_readdir's cookies of its names, once listed (readdirFrom): a name's, the name of each, the next to give. */
  cookies?: { byName: Map<string, bigint>; names: Map<bigint, string>; next: bigint };
}
interface LinkNode extends NodeBase {
  kind: 'link';
  target: string;
}
export type Node = FileNode | DirNode | LinkNode;

/** Where a path leads: the directory that holds its last name, the name, and what is there (if anything). */
export interface Resolved {
  parent: DirNode;
  name: string;
  node: Node | undefined;
  /** The path ended in `/`: only a folder may be there (or be made there). */
  dirOnly?: boolean;
}

export const fileTypeOf = (node: Node): number =>
  node.kind === 'dir' ? FileType.directory : node.kind === 'file' ? FileType.regularFile : FileType.symbolicLink;

const utf8 = new TextEncoder();

/** Orders names as their UTF-8 bytes compare: the same on every node, whatever the locale. */
export const byUtf8 = (a: string, b: string): number => Buffer.compare(utf8.encode(a), utf8.encode(b));

const fail = (errno: number): never => {
  throw new WasiErrno(errno);
};

export class MemoryFs {
  private nextIno = 1;

  constructor(private readonly epochNs: bigint) {}

  mount(name: string, readonly: boolean, capBytes: number, dev: number): DirNode {
    return this.dir({ name, readonly, capBytes, usedBytes: 0, dev });
  }

  dir(mount: Mount): DirNode {
    return { kind: 'dir', ino: this.nextIno++, mount, atim: this.epochNs, mtim: this.epochNs, entries: new Map() };
  }

  /** Puts a file of the job's into a mount as it is built (read-only mounts included), making its folders. */
  seed(root: DirNode, path: string, bytes: Uint8Array): void {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.includes('..'))
      throw new Error(`input file path "${path}" is not a plain relative path`);
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.entries.get(part);
      if (!next) dir.entries.set(part, (next = this.dir(root.mount)));
      if (next.kind !== 'dir') throw new Error(`input file path "${path}" runs through a file`);
      dir = next;
    }
    const name = parts.at(-1)!;
    if (dir.entries.has(name)) throw new Error(`input file "${path}" is given twice`);
    dir.entries.set(name, this.file(root.mount, bytes));
    root.mount.usedBytes += bytes.length;
  }

  /** Makes a folder of the job's (and those above it) in a mount as it is built: an empty one a tree would lose. */
  seedFolder(root: DirNode, path: string): void {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new Error(`input folder path "${path}" is not a plain relative path`);
    let dir = root;
    for (const part of parts) {
      let next = dir.entries.get(part);
      if (!next) dir.entries.set(part, (next = this.dir(root.mount)));
      if (next.kind !== 'dir') throw new Error(`input folder path "${path}" runs through a file`);
      dir = next;
    }
  }

  private file(mount: Mount, data: Uint8Array = new Uint8Array(0)): FileNode {
    const t = this.epochNs;
    return { kind: 'file', ino: this.nextIno++, mount, atim: t, mtim: t, data, size: data.length, links: 1 };
  }

  /**
   * Walks `path` from `base`, following symlinks on the way (and at the end when `followLast`).
   * Never leaves `base`: `..` from it, or an absolute symlink, is ENOTCAPABLE. A path ending in
   * `/` names a folder, as POSIX has it: its last symlink is followed, and a file there is ENOTDIR.
   */
  resolve(base: DirNode, path: string, followLast: boolean): Resolved {
    if (path === '') fail(Errno.noent);
    if (path.startsWith('/')) fail(Errno.notcapable);
    const trimmed = path.replace(/\/+$/, '');
    if (trimmed !== path) {
      const at = this.resolve(base, trimmed, true);
      if (at.node && at.node.kind !== 'dir') fail(Errno.notdir);
      return { ...at, dirOnly: true };
    }
    const stack: DirNode[] = [base];
    const parts = path.split('/');
    let hops = 0;
    while (parts.length > 0) {
      const part = parts.shift()!;
      const here = stack.at(-1)!;
      if (part === '' || part === '.') {
        if (parts.length === 0) return { parent: here, name: '.', node: here };
        continue;
      }
      if (part === '..') {
        if (stack.length === 1) fail(Errno.notcapable);
        stack.pop();
        if (parts.length === 0) return { parent: stack.at(-1)!, name: '.', node: stack.at(-1)! };
        continue;
      }
      if (utf8.encode(part).length > MAX_NAME_BYTES) fail(Errno.nametoolong);
      const node = here.entries.get(part);
      const last = parts.length === 0;
      if (node?.kind === 'link' && (!last || followLast)) {
        if (++hops > MAX_SYMLINK_HOPS) fail(Errno.loop);
        if (node.target.startsWith('/')) fail(Errno.notcapable);
        parts.unshift(...node.target.split('/'));
        if (parts.length === 0 || node.target === '') fail(Errno.noent);
        continue;
      }
      if (last) return { parent: here, name: part, node };
      if (!node) fail(Errno.noent);
      if (node!.kind !== 'dir') fail(Errno.notdir);
      stack.push(node as DirNode);
    }
    return { parent: stack.at(-1)!, name: '.', node: stack.at(-1)! };
  }

  /** What exists at `path`, or ENOENT. */
  existing(base: DirNode, path: string, followLast: boolean): Node {
    const { node } = this.resolve(base, path, followLast);
    return node ?? fail(Errno.noent);
  }

  /** Where a new entry may go: its directory must be writable and the name free and plain. */
  private creatable(base: DirNode, path: string): Resolved {
    const at = this.resolve(base, path, false);
    if (at.parent.mount.readonly) fail(Errno.rofs);
    if (at.node) fail(Errno.exist);
    return at;
  }

  createFile(base: DirNode, path: string): FileNode {
    const at = this.creatable(base, path);
    if (at.dirOnly) fail(Errno.isdir);
    const file = this.file(at.parent.mount);
    at.parent.entries.set(at.name, file);
    return file;
  }

  /** A file created where resolve() found nothing. */
  createAt(at: Resolved): FileNode {
    if (at.parent.mount.readonly) fail(Errno.rofs);
    if (at.name === '.' || at.dirOnly) fail(Errno.isdir);
    const file = this.file(at.parent.mount);
    at.parent.entries.set(at.name, file);
    return file;
  }

  mkdir(base: DirNode, path: string): void {
    const at = this.creatable(base, path);
    at.parent.entries.set(at.name, this.dir(at.parent.mount));
  }

  symlink(base: DirNode, path: string, target: string): void {
    const at = this.creatable(base, path);
    if (at.dirOnly) fail(Errno.noent);
    at.parent.entries.set(at.name, {
      kind: 'link',
      ino: this.nextIno++,
      mount: at.parent.mount,
      atim: this.epochNs,
      mtim: this.epochNs,
      target,
    });
  }

  link(from: DirNode, fromPath: string, follow: boolean, to: DirNode, toPath: string): void {
    const node = this.existing(from, fromPath, follow);
    if (node.kind === 'dir') fail(Errno.perm);
    const at = this.creatable(to, toPath);
    if (at.dirOnly) fail(Errno.noent);
    if (at.parent.mount !== node.mount) fail(Errno.xdev);
    if (node.kind === 'file') node.links++;
    at.parent.entries.set(at.name, node);
  }

  unlink(base: DirNode, path: string): void {
    const at = this.resolve(base, path, false);
    if (!at.node) fail(Errno.noent);
    if (at.node!.kind === 'dir') fail(Errno.isdir);
    if (at.parent.mount.readonly) fail(Errno.rofs);
    at.parent.entries.delete(at.name);
    const node = at.node!;
    if (node.kind === 'file' && --node.links === 0) node.mount.usedBytes -= node.size;
  }

  rmdir(base: DirNode, path: string): void {
    const at = this.resolve(base, path, false);
    if (!at.node) fail(Errno.noent);
    // `link/` leads to the folder it names; rmdir removes no folder through a symlink (as Linux).
    if (at.dirOnly && this.resolve(base, path.replace(/\/+$/, ''), false).node?.kind === 'link') fail(Errno.notdir);
    if (at.node!.kind !== 'dir') fail(Errno.notdir);
    if (at.name === '.') fail(Errno.inval);
    if (at.parent.mount.readonly) fail(Errno.rofs);
    if ((at.node as DirNode).entries.size > 0) fail(Errno.notempty);
    at.parent.entries.delete(at.name);
  }

  rename(from: DirNode, fromPath: string, to: DirNode, toPath: string): void {
    const src = this.resolve(from, fromPath, false);
    if (!src.node) fail(Errno.noent);
    const node = src.node!;
    if (src.name === '.') fail(Errno.inval);
    const dst = this.resolve(to, toPath, false);
    if (dst.name === '.') fail(Errno.exist);
    if (node.kind !== 'dir' && (src.dirOnly || dst.dirOnly)) fail(Errno.notdir);
    if (src.parent.mount.readonly || dst.parent.mount.readonly) fail(Errno.rofs);
    if (dst.parent.mount !== node.mount) fail(Errno.xdev);
    if (dst.node === node) return;
    if (node.kind === 'dir' && this.contains(node, dst.parent)) fail(Errno.inval);
    if (dst.node) {
      if (node.kind === 'dir' && dst.node.kind !== 'dir') fail(Errno.notdir);
      if (node.kind !== 'dir' && dst.node.kind === 'dir') fail(Errno.isdir);
      if (dst.node.kind === 'dir' && dst.node.entries.size > 0) fail(Errno.notempty);
      if (dst.node.kind === 'file' && --dst.node.links === 0) dst.node.mount.usedBytes -= dst.node.size;
    }
    src.parent.entries.delete(src.name);
    dst.parent.entries.set(dst.name, node);
  }

  /** Whether `inner` is `outer` or lies somewhere under it. */
  private contains(outer: DirNode, inner: DirNode): boolean {
    if (outer === inner) return true;
    for (const child of outer.entries.values()) if (child.kind === 'dir' && this.contains(child, inner)) return true;
    return false;
  }

  /** Sets a file's size, zero-filling growth; the growth counts against its mount's cap (ENOSPC past it). */
  resize(file: FileNode, size: number): void {
    if (file.mount.readonly) fail(Errno.rofs);
    if (!Number.isSafeInteger(size) || size < 0) fail(Errno.inval);
    const grow = size - file.size;
    if (grow > 0 && file.mount.usedBytes + grow > file.mount.capBytes) fail(Errno.nospc);
    if (size > file.data.length) {
      const data = new Uint8Array(Math.max(size, Math.min(file.data.length * 2, file.mount.capBytes)));
      data.set(file.data.subarray(0, file.size));
      file.data = data;
    } else if (size < file.size) file.data.fill(0, size, file.size);
    file.mount.usedBytes += grow;
    file.size = size;
  }

  /** Writes `bytes` at `offset`, growing the file as needed. */
  write(file: FileNode, offset: number, bytes: Uint8Array): void {
    if (offset + bytes.length > file.size) this.resize(file, offset + bytes.length);
    else if (file.mount.readonly) fail(Errno.rofs);
    file.data.set(bytes, offset);
  }

  /** A directory's names, sorted by their UTF-8 bytes. */
  listing(dir: DirNode): Array<[string, Node]> {
    return [...dir.entries].sort(([a], [b]) => byUtf8(a, b));
  }

  /**
   * fd_readdir's entries of `dir` from `cookie` on, each with the cookie that resumes after it: `.`
   * and `..`, then its names by UTF-8 bytes. A name's cookie is its own, given the first time it is
   * listed, and resuming after a name starts at the next name there is now: entries removed or
   * added between two reads (a program removing what it lists, as Rust's remove_dir_all does)
   * neither shift nor repeat the rest, as with a real folder's cookies. An unknown cookie lists nothing.
   * The cookies of names gone are kept until they outnumber the folder's entries (and 1024 besides):
   * the host holds no more than that for a program that makes, lists and removes names forever.
   */
  readdirFrom(dir: DirNode, cookie: bigint): Array<{ name: string; node: Node; next: bigint }> {
    const cookies = (dir.cookies ??= { byName: new Map(), names: new Map(), next: FIRST_NAME_COOKIE });
    if (cookies.names.size > 2 * dir.entries.size + MAX_GONE_COOKIES)
      for (const [name, c] of cookies.byName)
        if (!dir.entries.has(name)) {
          cookies.byName.delete(name);
          cookies.names.delete(c);
        }
    const named = this.listing(dir).map(([name, node]) => {
      let next = cookies.byName.get(name);
      if (next === undefined) {
        next = cookies.next++;
        cookies.byName.set(name, next);
        cookies.names.set(next, name);
      }
      return { name, node, next };
    });
    const dots = [
      { name: '.', node: dir as Node, next: 1n },
      { name: '..', node: dir as Node, next: AFTER_DOTS },
    ];
    // A cookie is a u64, which arrives signed: past 2^63 it is negative, and unknown.
    if (cookie < 0n) return [];
    if (cookie < AFTER_DOTS) return [...dots.slice(Number(cookie)), ...named];
    if (cookie === AFTER_DOTS) return named;
    const after = cookies.names.get(cookie);
    return after === undefined ? [] : named.filter(({ name }) => byUtf8(name, after) > 0);
  }

  /** Every regular file under `dir`, by its path below it, sorted by the paths' UTF-8 bytes. */
  files(dir: DirNode, prefix = ''): Array<[string, Uint8Array]> {
    const out: Array<[string, Uint8Array]> = [];
    for (const [name, node] of this.listing(dir)) {
      if (node.kind === 'file') out.push([prefix + name, node.data.slice(0, node.size)]);
      else if (node.kind === 'dir') out.push(...this.files(node, `${prefix}${name}/`));
    }
    return out.sort(([a], [b]) => byUtf8(a, b));
  }
}
