// The WASI preview 1 host a unit's program runs against, in its worker thread. Deterministic by
// construction: nothing it gives a program depends on the machine, the wall clock or the host's
// files (docs/UNIT_ABI.md, "WASI programs").
//
// - Clock: one virtual counter. Every clock_time_get advances it by CLOCK_STEP_NS first, then
//   reads it: realtime is EPOCH_NS plus the counter; monotonic and the CPU-time clocks are the
//   counter. poll_oneoff with a timeout moves the counter to the timeout at once.
// - random_get: SHA-256 in counter mode from the unit's seed, block i = SHA-256(key ‖ i as u64 LE)
//   with key = SHA-256("mesh-wasi-random\0" ‖ seed).
// - Fuel: each call costs HOST_CALL_FUEL plus one per byte it moves; fuel that runs out in a call
//   ends the unit there, as OutOfFuel.
// - proc_exit ends the program with its exit code, which is an ordinary result. Both ends are
//   recorded before they unwind (HostEnd): a program with exception handling that catches the
//   unwinding runs on to its next metering check and traps, its end as recorded. Sockets are
//   refused (no descriptor is one); sched_yield does nothing; proc_raise is ENOSYS.
import { createHash } from 'node:crypto';
import { MAX_WASI_STDERR_BYTES } from '../../../core/schemas/wasi-guest.js';
import { ClockId, Errno, EventType, Size, SubclockFlags, WasiErrno } from './constants.js';
import { WasiFiles } from './files.js';
import { CappedStream, Guest, stringTableBytes, writeStringTable } from './guest.js';
import { NO_RESULT, WASI_MODULE, WASI_SIGNATURES } from './imports.js';
import { layoutOf, type Layout } from './layout.js';
import { MemoryFs } from './memory-fs.js';
import type { WasiUnitConfig } from './program.js';
import type { WasiResult } from './unit-bytes.js';
import type { HostEnd } from '../host-end.js';

/** The virtual clock's realtime epoch: 2024-01-01T00:00:00Z, in ns. */
const EPOCH_NS = 1_704_067_200_000_000_000n;
/** How far the virtual clock moves at each read: 1 ms. */
const CLOCK_STEP_NS = 1_000_000n;
const HOST_CALL_FUEL = 100;
/** An fd event's flag: the other end has hung up (stdin read to its end). */
const FD_READWRITE_HANGUP = 1;

/** proc_exit: unwinds the program (a catch of it changes nothing: HostEnd). */
export class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Fuel ran out inside a host call. */
class HostFuelOut extends Error {}

export interface FuelGauge {
  /** Takes `amount` fuel; false when that leaves it below zero. */
  take(amount: number): boolean;
}

export class WasiHost {
  private readonly guest: Guest;
  private readonly fs: MemoryFs;
  private readonly files: WasiFiles;
  private readonly layout: Layout;
  readonly stdout: CappedStream;
  readonly stderr = new CappedStream(MAX_WASI_STDERR_BYTES, 'truncate');
  private clockNs = 0n;
  private readonly randomKey: Buffer;
  private randomBlock = 0n;
  private randomLeft: Uint8Array = new Uint8Array(0);
  private fuel: FuelGauge | undefined;

  constructor(
    memory: WebAssembly.Memory,
    private readonly config: WasiUnitConfig,
    stdin: Uint8Array,
    maxOutputBytes: number,
    /** How the unit ends in a call of mine (proc_exit, fuel out), recorded before it unwinds. */
    private readonly end: HostEnd,
  ) {
    this.guest = new Guest(memory);
    this.stdout = new CappedStream(maxOutputBytes, 'fail');
    this.fs = new MemoryFs(EPOCH_NS);
    this.layout = layoutOf(this.fs, config.files, config.dirs, maxOutputBytes);
    this.files = new WasiFiles({
      fs: this.fs,
      guest: this.guest,
      stdin,
      stdout: this.stdout,
      stderr: this.stderr,
      preopens: this.layout.preopens,
      charge: (bytes) => this.charge(bytes),
    });
    this.randomKey = createHash('sha256').update(`mesh-wasi-random\0${config.seed}`).digest();
  }

  /** The gauge of the instance's fuel, once it exists (the imports are made before it). */
  meter(fuel: FuelGauge): void {
    this.fuel = fuel;
  }

  private charge(amount: number): void {
    if (amount > 0 && this.fuel && !this.fuel.take(amount)) this.end.end(new HostFuelOut('out of fuel in a WASI call'));
  }

  /** What the program has left behind: its exit code, stdout and /out (or its writable folders' changes). */
  result(exitCode: number): WasiResult {
    return { exitCode, stdout: this.stdout.bytes(), files: this.layout.files() };
  }

  imports(): WebAssembly.Imports {
    const calls: Record<string, (...args: never[]) => void> = {
      ...this.files.calls(() => this.tick()),
      ...this.ownCalls(),
    };
    const wrapped: Record<string, (...args: never[]) => number | undefined> = {};
    for (const name of Object.keys(WASI_SIGNATURES)) {
      const call = calls[name]!;
      wrapped[name] = (...args: never[]) => {
        this.end.check(); // nothing after its end
        this.charge(HOST_CALL_FUEL);
        try {
          call(...args);
          return NO_RESULT.has(name) ? undefined : Errno.success;
        } catch (err) {
          if (err instanceof WasiErrno) return err.errno;
          // A DataView read past the memory's end: the program passed a bad address.
          if (err instanceof RangeError && !/call stack/i.test(err.message)) return Errno.fault;
          throw err;
        }
      };
    }
    return { [WASI_MODULE]: wrapped };
  }

  private tick(): bigint {
    this.clockNs += CLOCK_STEP_NS;
    return this.clockNs;
  }

  private clock(id: number): bigint {
    if (id === ClockId.realtime) return EPOCH_NS + this.tick();
    if (id === ClockId.monotonic || id === ClockId.processCputime || id === ClockId.threadCputime) return this.tick();
    throw new WasiErrno(Errno.inval);
  }

  private random(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let at = 0;
    while (at < length) {
      if (this.randomLeft.length === 0) {
        const counter = Buffer.alloc(8);
        counter.writeBigUInt64LE(this.randomBlock++);
        this.randomLeft = createHash('sha256').update(this.randomKey).update(counter).digest();
      }
      const take = Math.min(this.randomLeft.length, length - at);
      out.set(this.randomLeft.subarray(0, take), at);
      this.randomLeft = this.randomLeft.subarray(take);
      at += take;
    }
    return out;
  }

  private ownCalls(): Record<string, (...args: never[]) => void> {
    const g = this.guest;
    const { argv, environ } = this.config;
    const sizes = (strings: string[], count: number, bytes: number) => {
      g.setU32(count, strings.length);
      g.setU32(bytes, stringTableBytes(strings));
    };
    const notSocket = (fd: number) => {
      throw new WasiErrno(this.files.isOpen(fd) ? Errno.notsock : Errno.badf);
    };
    return {
      args_sizes_get: (count: number, bytes: number) => sizes(argv, count, bytes),
      args_get: (table: number, buf: number) => this.charge(writeStringTable(g, argv, table, buf)),
      environ_sizes_get: (count: number, bytes: number) => sizes(environ, count, bytes),
      environ_get: (table: number, buf: number) => this.charge(writeStringTable(g, environ, table, buf)),
      clock_res_get: (id: number, out: number) => {
        if (id < 0 || id > ClockId.threadCputime) throw new WasiErrno(Errno.inval);
        g.setU64(out, CLOCK_STEP_NS);
      },
      clock_time_get: (id: number, _precision: bigint, out: number) => g.setU64(out, this.clock(id)),
      random_get: (buf: number, len: number) => {
        const target = g.bytes(buf, len);
        this.charge(target.length);
        target.set(this.random(target.length));
      },
      poll_oneoff: (subs: number, events: number, count: number, nevents: number) =>
        this.poll(subs, events, count, nevents),
      sched_yield: () => {},
      proc_exit: (code: number) => this.end.end(new WasiExit(code >>> 0)),
      proc_raise: () => {
        throw new WasiErrno(Errno.nosys);
      },
      sock_accept: (fd: number) => notSocket(fd),
      sock_recv: (fd: number) => notSocket(fd),
      sock_send: (fd: number) => notSocket(fd),
      sock_shutdown: (fd: number) => notSocket(fd),
    };
  }

  /**
   * Descriptors are always ready (everything is in memory), so a poll with any descriptor answers
   * those at once (stdin read to its end as hung up; a descriptor not open as EBADF); a poll of
   * clocks only moves the virtual clock to the earliest timeout and answers every clock due by then.
   */
  private poll(subs: number, events: number, count: number, nevents: number): void {
    const g = this.guest;
    if (count >>> 0 === 0) throw new WasiErrno(Errno.inval);
    this.charge((count >>> 0) * Size.subscription);
    const ready: Array<{ userdata: bigint; error: number; type: number; nbytes: number; hangup?: boolean }> = [];
    const clocks: Array<{ userdata: bigint; deadline: bigint }> = [];
    for (let i = 0; i < count >>> 0; i++) {
      const at = subs + i * Size.subscription;
      const userdata = g.u64(at);
      const type = g.view.getUint8((at + 8) >>> 0);
      if (type === EventType.clock) {
        const id = g.u32(at + 16);
        const timeout = g.u64(at + 24);
        const absolute = (g.view.getUint16((at + 40) >>> 0, true) & SubclockFlags.abstime) !== 0;
        const base = id === ClockId.realtime ? EPOCH_NS : 0n;
        clocks.push({ userdata, deadline: absolute ? timeout - base : this.clockNs + timeout });
      } else if (type === EventType.fdRead || type === EventType.fdWrite) {
        const fd = g.u32(at + 16);
        try {
          const { nbytes, hangup } = this.files.readiness(fd);
          ready.push({ userdata, error: Errno.success, type, nbytes: type === EventType.fdRead ? nbytes : 0, hangup });
        } catch (err) {
          if (!(err instanceof WasiErrno)) throw err;
          ready.push({ userdata, error: err.errno, type, nbytes: 0 });
        }
      } else throw new WasiErrno(Errno.inval);
    }
    if (ready.length === 0) {
      const due = clocks.reduce((min, c) => (c.deadline < min ? c.deadline : min), clocks[0]!.deadline);
      if (due > this.clockNs) this.clockNs = due;
      for (const c of clocks)
        if (c.deadline <= this.clockNs)
          ready.push({ userdata: c.userdata, error: 0, type: EventType.clock, nbytes: 0 });
    }
    ready.forEach((e, i) => {
      const at = events + i * Size.event;
      g.bytes(at, Size.event).fill(0);
      g.setU64(at, e.userdata);
      g.setU16(at + 8, e.error);
      g.setU8(at + 10, e.type);
      g.setU64(at + 16, e.nbytes);
      if (e.hangup) g.setU16(at + 24, FD_READWRITE_HANGUP);
    });
    g.setU32(nevents, ready.length);
  }
}
