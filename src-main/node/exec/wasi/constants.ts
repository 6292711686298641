// The numbers of WASI preview 1 (wasi_snapshot_preview1's witx): error codes, file types, flags
// and the layouts of the structures a program hands the host. Only what the host uses.

/** Error codes a host call returns (0: success). */
export const Errno = {
  success: 0,
  badf: 8,
  exist: 20,
  fault: 21,
  fbig: 22,
  ilseq: 25,
  inval: 28,
  isdir: 31,
  loop: 32,
  mfile: 33,
  nametoolong: 37,
  noent: 44,
  nospc: 51,
  nosys: 52,
  notdir: 54,
  notempty: 55,
  notsock: 57,
  notsup: 58,
  overflow: 61,
  perm: 63,
  rofs: 69,
  spipe: 70,
  xdev: 75,
  notcapable: 76,
} as const;

export const FileType = {
  unknown: 0,
  characterDevice: 2,
  directory: 3,
  regularFile: 4,
  symbolicLink: 7,
} as const;

export const OFlags = { creat: 1, directory: 2, excl: 4, trunc: 8 } as const;
/** fdflags: append, and every flag of preview 1 (dsync, nonblock, rsync, sync besides). */
export const FdFlags = { append: 1, all: 0x1f } as const;
export const LookupFlags = { symlinkFollow: 1 } as const;
export const Whence = { set: 0, cur: 1, end: 2 } as const;
export const ClockId = { realtime: 0, monotonic: 1, processCputime: 2, threadCputime: 3 } as const;
export const FstFlags = { atim: 1, atimNow: 2, mtim: 4, mtimNow: 8 } as const;
export const EventType = { clock: 0, fdRead: 1, fdWrite: 2 } as const;
export const SubclockFlags = { abstime: 1 } as const;

/** The rights to read, to write and to list through a descriptor (path_open is asked for them; fd_fdstat_get says them). */
export const RIGHT_FD_READ = 1n << 1n;
export const RIGHT_FD_WRITE = 1n << 6n;
export const RIGHT_FD_READDIR = 1n << 14n;
/** Every right of preview 1 (bits 0–29): the host reports them all but those above, and enforces what a mount allows instead. */
export const ALL_RIGHTS = (1n << 30n) - 1n;

/** Sizes in bytes of the structures the host reads and writes. */
export const Size = {
  iovec: 8,
  fdstat: 24,
  filestat: 64,
  prestat: 8,
  direntHeader: 24,
  subscription: 48,
  event: 32,
} as const;

/** A host call's failure, returned to the program as its errno. */
export class WasiErrno extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}
