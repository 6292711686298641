// The p2p layer on loopback: a 100 MB blob between two nodes (TCP + Noise + yamux, hashed against
// its CID on arrival) against a bare node:net socket moving the same 100 MB in the same run, against
// Node's own TLS moving it (OpenSSL's ChaCha20-Poly1305, as Noise's cipher, no libp2p; copied and
// hashed as a blob is: what an encrypted stream does here at best), and against the crypto floor
// (the blob's decryption and hash alone, a frame at a time as Noise does, no I/O), and
// the time to set up a connection (dial, Noise handshake, yamux, first request round trip).
// The two ends of each transfer are two machines: the holder a process of its own
// (fixtures/blob-holder.ts) on the other cores, the fetcher this one on its own core (fixtures/cores.ts). Each figure carries the load average it ran under, and the transfers
// their CPU seconds, since a busy shared machine moves wall times far more than CPU times.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import * as z from 'zod/mini';
import { ephemeralIdentity } from '../src-main/node/identity/identity.js';
import { MeshNetwork, type MessageCatalog } from '../src-main/node/p2p/index.js';
import { TLS_BENCH_CIPHERS, TLS_BENCH_PSK } from './fixtures/bench-tls.js';
import { allowedCores, coreSplit, pinProcess, pinSelf, type CoreSplit } from './fixtures/cores.js';
import { median, round, type Benchmark, type Figure } from './harness.js';

/** What the holder says once it serves: where to fetch the blob from, and its TCP server's port. */
const HolderReadySchema = z.strictObject({
  address: z.string(),
  cid: z.string(),
  tcp_port: z.number(),
  tls_port: z.number(),
});
type HolderReady = z.output<typeof HolderReadySchema>;

const BLOB_BYTES = 100 * 1000 * 1000;
const TRANSFER_RUNS = 3;
const CONNECT_RUNS = 25;
const CATALOG: MessageCatalog = { 'bench.ping': { schema: z.strictObject({}), maxBytes: 64 } };

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};
const load = () => round(loadavg()[0]!, 2);
const mbPerSecond = (bytes: number, s: number) => bytes / 1e6 / s;

function startNode(): Promise<MeshNetwork> {
  return ephemeralIdentity().then((identity) => MeshNetwork.start({ identity, catalog: CATALOG, mdns: false }));
}

interface Timing {
  wallS: number;
  cpuS: number;
}

/** Wall and CPU seconds of `once`, each the median of TRANSFER_RUNS after one warm-up run. */
async function timed(once: () => Promise<unknown>): Promise<Timing> {
  await once();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < TRANSFER_RUNS; run++) {
    const [start, startCpu] = [process.hrtime.bigint(), process.cpuUsage()];
    await once();
    wall.push(seconds(start));
    cpu.push(cpuSeconds(startCpu));
  }
  return { wallS: median(wall), cpuS: median(cpu) };
}

/** The holder in a process of its own (fixtures/blob-holder.ts), pinned to the other cores, as another machine. */
async function startHolder(cores: CoreSplit | undefined): Promise<{ child: ChildProcess; ready: HolderReady }> {
  const script = fileURLToPath(new URL('./fixtures/blob-holder.js', import.meta.url));
  const child = spawn(process.execPath, [script, String(BLOB_BYTES)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`the blob holder exited (${code}) before it served`)));
  });
  if (cores) pinProcess(child.pid!, cores.providerSide);
  return { child, ready: HolderReadySchema.parse(JSON.parse(line)) };
}

/** Fetching the holder's blob, by its CID (checked as it arrives). */
async function blobTiming(ready: HolderReady): Promise<Timing> {
  const fetcher = await startNode();
  try {
    const holder = await fetcher.connect(ready.address);
    return await timed(() => fetcher.fetchBlob(holder, ready.cid, { maxBytes: BLOB_BYTES }));
  } finally {
    await fetcher.stop();
  }
}

/** The holder's bare TCP server sending the same bytes over one loopback socket. */
function rawTcpTiming(ready: HolderReady): Promise<Timing> {
  const once = () =>
    new Promise<void>((resolve, reject) => {
      let received = 0;
      const socket = connect(ready.tcp_port, '127.0.0.1');
      socket.on('data', (chunk: Buffer) => (received += chunk.byteLength));
      socket.on('end', () => (received === BLOB_BYTES ? resolve() : reject(new Error(`got ${received} bytes`))));
      socket.on('error', reject);
    });
  return timed(once);
}

/** The holder's TLS server sending the same bytes, each copied into one buffer and the whole hashed, as a fetched blob is. */
function tlsTiming(ready: HolderReady): Promise<Timing> {
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const blob = new Uint8Array(Buffer.allocUnsafeSlow(BLOB_BYTES).buffer, 0, BLOB_BYTES);
      let received = 0;
      const socket = connectTls({
        port: ready.tls_port,
        host: '127.0.0.1',
        ciphers: TLS_BENCH_CIPHERS,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        checkServerIdentity: () => undefined,
        pskCallback: () => ({ psk: TLS_BENCH_PSK, identity: 'bench' }),
      });
      socket.on('data', (chunk: Buffer) => {
        blob.set(chunk, received);
        received += chunk.byteLength;
      });
      socket.on('end', () => {
        createHash('sha256').update(blob).digest();
        if (received === BLOB_BYTES) resolve();
        else reject(new Error(`got ${received} bytes`));
      });
      socket.on('error', reject);
    });
  return timed(once);
}

/** Milliseconds from dialling a fresh peer to the reply of a first request on the new connection. */
async function connectMs(): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < CONNECT_RUNS + 1; run++) {
    const [dialler, listener] = [await startNode(), await startNode()];
    try {
      listener.onMessage(async () => undefined);
      const start = process.hrtime.bigint();
      const peer = await dialler.connect(listener.listenAddresses()[0]!);
      await dialler.request(peer, 'bench.ping', {});
      if (run > 0) times.push(seconds(start) * 1000); // the first run warms the code paths
    } finally {
      await Promise.all([dialler.stop(), listener.stop()]);
    }
  }
  return times;
}

/** Noise's frames: the most plaintext one carries (65,535 bytes less its 16-byte tag). */
const NOISE_FRAME_BYTES = 65_519;

/**
 * What no fetch of `blob` over Noise can go below on the fetcher's core: each frame's
 * ChaCha20-Poly1305 decryption (node:crypto, as the Noise in use does) and the SHA-256 of the whole
 * (its CID, checked on arrival), with no I/O, framing or copies. The holder encrypts on its own core
 * meanwhile, as another machine does.
 */
async function cryptoFloorTiming(blob: Uint8Array): Promise<Timing> {
  const key = randomBytes(32);
  const frames: { nonce: Buffer; sealed: Buffer; tag: Buffer }[] = [];
  for (let at = 0, n = 0; at < blob.byteLength; at += NOISE_FRAME_BYTES, n++) {
    const nonce = Buffer.alloc(12);
    nonce.writeUInt32LE(n, 4);
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    const sealed = cipher.update(blob.subarray(at, at + NOISE_FRAME_BYTES));
    cipher.final();
    frames.push({ nonce, sealed, tag: cipher.getAuthTag() });
  }
  return timed(async () => {
    for (const { nonce, sealed, tag } of frames) {
      const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      decipher.setAuthTag(tag);
      decipher.update(sealed);
      decipher.final();
    }
    createHash('sha256').update(blob).digest();
  });
}

const transfer: Benchmark = {
  names: ['blob_mb_per_s', 'raw_tcp_mb_per_s'],
  async run(): Promise<Figure[]> {
    // Two machines as two: the holder on the other cores, the fetcher (this process) on its own.
    const allowed = allowedCores();
    const cores = coreSplit(1, allowed);
    const { child, ready } = await startHolder(cores);
    let blobRun: Timing, rawRun: Timing, tlsRun: Timing, floorRun: Timing;
    try {
      if (cores) pinSelf(cores.requester);
      blobRun = await blobTiming(ready);
      rawRun = await rawTcpTiming(ready);
      tlsRun = await tlsTiming(ready);
      floorRun = await cryptoFloorTiming(randomBytes(BLOB_BYTES));
    } finally {
      child.stdin!.end();
      if (cores) pinSelf(allowed);
    }
    const figure = (name: string, { wallS, cpuS }: Timing) => ({
      name,
      value: round(mbPerSecond(BLOB_BYTES, wallS), 1),
      unit: 'MB/s',
      mb_per_cpu_s: round(mbPerSecond(BLOB_BYTES, cpuS), 1),
      bytes: BLOB_BYTES,
      runs: TRANSFER_RUNS,
      load: load(),
      cores: cores ? { fetcher: cores.requester, holder: cores.providerSide } : 'shared',
    });
    return [
      {
        ...figure('blob_mb_per_s', blobRun),
        ratio: round(rawRun.wallS / blobRun.wallS, 3),
        // The most any encrypted, hashed fetch could do here: raw TCP's speed may be out of its reach.
        crypto_floor_mb_per_s: round(mbPerSecond(BLOB_BYTES, floorRun.wallS), 1),
        ratio_to_crypto_floor: round(floorRun.wallS / blobRun.wallS, 3),
        best_ratio_to_raw: round(rawRun.wallS / floorRun.wallS, 3),
        // Node's own TLS with Noise's cipher, no libp2p, the bytes kept and hashed: an encrypted stream's best here.
        tls_mb_per_s: round(mbPerSecond(BLOB_BYTES, tlsRun.wallS), 1),
        ratio_to_tls: round(tlsRun.wallS / blobRun.wallS, 3),
        tls_ratio_to_raw: round(rawRun.wallS / tlsRun.wallS, 3),
      },
      figure('raw_tcp_mb_per_s', rawRun),
    ];
  },
};

const connection: Benchmark = {
  names: ['connect_ms_median'],
  async run(): Promise<Figure[]> {
    const times = await connectMs();
    return [
      {
        name: 'connect_ms_median',
        value: round(median(times)),
        unit: 'ms',
        runs: times.length,
        max: round(Math.max(...times)),
        load: load(),
      },
    ];
  },
};

export const benchmarks: Benchmark[] = [transfer, connection];
