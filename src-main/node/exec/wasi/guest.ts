// The program's memory as the host reads and writes it, and its standard streams. An address or
// length outside the memory is EFAULT for the call, never a fault of the host; the memory is looked
// up afresh on each access, since memory.grow replaces its buffer.
import { OutputOverLimit } from '../abi.js';
import { Errno, WasiErrno } from './constants.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export class Guest {
  constructor(private readonly memory: WebAssembly.Memory) {}

  get view(): DataView {
    return new DataView(this.memory.buffer);
  }

  /** The `len` bytes at `ptr`, in place (a view of the memory, valid until it grows). */
  bytes(ptr: number, len: number): Uint8Array {
    const start = ptr >>> 0;
    const length = len >>> 0;
    if (start + length > this.memory.buffer.byteLength) throw new WasiErrno(Errno.fault);
    return new Uint8Array(this.memory.buffer, start, length);
  }

  /** A path or name the program passed: UTF-8, else EILSEQ. */
  string(ptr: number, len: number): string {
    try {
      return decoder.decode(this.bytes(ptr, len));
    } catch (err) {
      if (err instanceof WasiErrno) throw err;
      throw new WasiErrno(Errno.ilseq);
    }
  }

  u32(ptr: number): number {
    return this.checked(ptr, 4).getUint32(ptr >>> 0, true);
  }

  setU8(ptr: number, value: number): void {
    this.checked(ptr, 1).setUint8(ptr >>> 0, value);
  }

  setU16(ptr: number, value: number): void {
    this.checked(ptr, 2).setUint16(ptr >>> 0, value, true);
  }

  setU32(ptr: number, value: number): void {
    this.checked(ptr, 4).setUint32(ptr >>> 0, value, true);
  }

  setU64(ptr: number, value: bigint | number): void {
    this.checked(ptr, 8).setBigUint64(ptr >>> 0, BigInt(value), true);
  }

  u64(ptr: number): bigint {
    return this.checked(ptr, 8).getBigUint64(ptr >>> 0, true);
  }

  private checked(ptr: number, size: number): DataView {
    if ((ptr >>> 0) + size > this.memory.buffer.byteLength) throw new WasiErrno(Errno.fault);
    return this.view;
  }

  /** An iovec list: [address, length] pairs. */
  iovecs(ptr: number, count: number): Array<[number, number]> {
    const list: Array<[number, number]> = [];
    for (let i = 0; i < count >>> 0; i++) list.push([this.u32(ptr + i * 8), this.u32(ptr + i * 8 + 4)]);
    return list;
  }
}

/** Writes NUL-terminated strings and a table of their addresses (argv, environ). */
export function writeStringTable(guest: Guest, strings: string[], tablePtr: number, bufPtr: number): number {
  let at = bufPtr >>> 0;
  let moved = 0;
  strings.forEach((s, i) => {
    const bytes = encoder.encode(`${s}\0`);
    guest.setU32(tablePtr + i * 4, at);
    guest.bytes(at, bytes.length).set(bytes);
    at += bytes.length;
    moved += bytes.length;
  });
  return moved;
}

export const stringTableBytes = (strings: string[]): number =>
  strings.reduce((sum, s) => sum + encoder.encode(s).length + 1, 0);

/** The bytes a program wrote to a stream, kept up to a cap. */
export class CappedStream {
  private readonly chunks: Uint8Array[] = [];
  length = 0;
  /** Bytes written past the cap and not kept (stderr's only: stdout past its cap ends the unit). */
  dropped = 0;

  constructor(
    private readonly cap: number,
    /** Past the cap: end the unit (stdout, part of the output), or keep the first `cap` bytes (stderr). */
    private readonly overflow: 'fail' | 'truncate',
  ) {}

  write(bytes: Uint8Array): void {
    const room = this.cap - this.length;
    if (bytes.length > room && this.overflow === 'fail') {
      const over = new OutputOverLimit(this.length + bytes.length, this.cap);
      over.message = `stdout passed the unit's output limit of ${this.cap} bytes`;
      throw over;
    }
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.chunks.push(kept.slice());
    this.length += kept.length;
    this.dropped += bytes.length - kept.length;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}
