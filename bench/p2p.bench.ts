// The p2p layer on loopback: a 100 MB blob between two nodes (TCP + Noise + yamux, hashed against
// its CID on arrival) against a bare node:net socket moving the same 100 MB in the same run, and
// against the crypto floor (the blob's encryption, decryption and hash alone, no I/O), and
// the time to set up a connection (dial, Noise handshake, yamux, first request round trip).
// Both ends of each transfer run in this one process, so every byte's encryption, decryption and
// hashing share one thread. Each figure carries the load average it ran under, and the transfers
// their CPU seconds, since a busy shared machine moves wall times far more than CPU times.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import * as z from 'zod/mini';
import { cidOfBytes } from '../src-main/node/blobs/cid.js';
import { ephemeralIdentity } from '../src-main/node/identity/identity.js';
import { MeshNetwork, type MessageCatalog } from '../src-main/node/p2p/index.js';
import { median, round, type Benchmark, type Figure } from './harness.js';

const BLOB_BYTES = 100 * 1000 * 1000;
const SOURCE_PIECE_BYTES = 1024 * 1024;
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

/** Fetching `blob` from a holder. */
async function blobTiming(blob: Uint8Array): Promise<Timing> {
  const cid = cidOfBytes(blob);
  const [fetcher, holder] = [await startNode(), await startNode()];
  try {
    holder.serveBlobs({
      allows: () => true,
      open: (wanted) =>
        wanted !== cid
          ? undefined
          : {
              size: blob.byteLength,
              chunks: (async function* () {
                for (let at = 0; at < blob.byteLength; at += SOURCE_PIECE_BYTES)
                  yield blob.subarray(at, at + SOURCE_PIECE_BYTES);
              })(),
            },
    });
    await fetcher.connect(holder.listenAddresses()[0]!);
    return await timed(() => fetcher.fetchBlob(holder.peerId, cid, { maxBytes: blob.byteLength }));
  } finally {
    await Promise.all([fetcher.stop(), holder.stop()]);
  }
}

/** A bare loopback TCP socket carrying `blob` from a server to a client. */
async function rawTcpTiming(blob: Uint8Array): Promise<Timing> {
  const server = createServer((socket) => {
    let at = 0;
    const writeMore = () => {
      while (at < blob.byteLength) {
        const piece = blob.subarray(at, at + SOURCE_PIECE_BYTES);
        at += piece.byteLength;
        if (!socket.write(piece)) {
          socket.once('drain', writeMore);
          return;
        }
      }
      socket.end();
    };
    writeMore();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      let received = 0;
      const socket = connect(port, '127.0.0.1');
      socket.on('data', (chunk: Buffer) => (received += chunk.byteLength));
      socket.on('end', () => (received === blob.byteLength ? resolve() : reject(new Error(`got ${received} bytes`))));
      socket.on('error', reject);
    });
  try {
    return await timed(once);
  } finally {
    server.close();
  }
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
 * What no transfer of `blob` over Noise can go below in one thread: each frame's ChaCha20-Poly1305
 * encryption and decryption (node:crypto, as the Noise in use does) and the SHA-256 of the whole
 * (its CID, checked on arrival), with no I/O, framing or copies.
 */
async function cryptoFloorTiming(blob: Uint8Array): Promise<Timing> {
  const key = randomBytes(32);
  return timed(async () => {
    for (let at = 0, n = 0; at < blob.byteLength; at += NOISE_FRAME_BYTES, n++) {
      const nonce = Buffer.alloc(12);
      nonce.writeUInt32LE(n, 4);
      const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      const sealed = cipher.update(blob.subarray(at, at + NOISE_FRAME_BYTES));
      cipher.final();
      const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      decipher.setAuthTag(cipher.getAuthTag());
      decipher.update(sealed);
      decipher.final();
    }
    createHash('sha256').update(blob).digest();
  });
}

const transfer: Benchmark = {
  names: ['blob_mb_per_s', 'raw_tcp_mb_per_s'],
  async run(): Promise<Figure[]> {
    const blob = randomBytes(BLOB_BYTES);
    const blobRun = await blobTiming(blob);
    const rawRun = await rawTcpTiming(blob);
    const floorRun = await cryptoFloorTiming(blob);
    const figure = (name: string, { wallS, cpuS }: Timing) => ({
      name,
      value: round(mbPerSecond(BLOB_BYTES, wallS), 1),
      unit: 'MB/s',
      mb_per_cpu_s: round(mbPerSecond(BLOB_BYTES, cpuS), 1),
      bytes: BLOB_BYTES,
      runs: TRANSFER_RUNS,
      load: load(),
    });
    return [
      {
        ...figure('blob_mb_per_s', blobRun),
        ratio: round(rawRun.wallS / blobRun.wallS, 3),
        // The most any encrypted, hashed transfer could do here: raw TCP's speed is out of its reach.
        crypto_floor_mb_per_s: round(mbPerSecond(BLOB_BYTES, floorRun.wallS), 1),
        ratio_to_crypto_floor: round(floorRun.wallS / blobRun.wallS, 3),
        best_ratio_to_raw: round(rawRun.wallS / floorRun.wallS, 3),
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
