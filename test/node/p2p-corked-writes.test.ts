// A TCP connection's writes of one turn reach the kernel as one (node/p2p/corked-writes.ts): Noise
// gives each frame as two buffers, written one system call each before. On a real socket pair.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import type { MessageStream } from '@libp2p/interface';
import { corked } from '../../src-main/node/p2p/corked-writes.js';

/** A connection as libp2p's TCP one is: its socket, and sendData writing each buffer of a frame. */
function tcpConnection(socket: Socket) {
  return {
    socket,
    sendData(buffers: Uint8Array[]) {
      let canSendMore = true;
      for (const buffer of buffers) canSendMore = socket.write(buffer);
      return { sentBytes: buffers.reduce((n, b) => n + b.byteLength, 0), canSendMore };
    },
  };
}

/** Counts the socket's calls into the kernel (Writable's _write and _writev). */
function countWrites(socket: Socket): { calls: number } {
  const count = { calls: 0 };
  const { _write, _writev } = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => void>;
  Object.assign(socket, {
    _write: (...args: unknown[]) => (count.calls++, _write.apply(socket, args)),
    _writev: (...args: unknown[]) => (count.calls++, _writev.apply(socket, args)),
  });
  return count;
}

async function socketPair(): Promise<{ client: Socket; received: () => Promise<Buffer>; close: () => void }> {
  const chunks: Buffer[] = [];
  let server!: Socket;
  const listening = createServer((socket) => {
    server = socket;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  });
  listening.listen(0, '127.0.0.1');
  await once(listening, 'listening');
  const client = connect((listening.address() as AddressInfo).port, '127.0.0.1');
  client.setNoDelay(true);
  await once(client, 'connect');
  return {
    client,
    received: async () => {
      client.end();
      await once(server, 'end');
      return Buffer.concat(chunks);
    },
    close: () => listening.close(),
  };
}

/** Runs `check` on a fresh socket pair, closing its server after. */
async function onSocketPair(check: (pair: Awaited<ReturnType<typeof socketPair>>) => Promise<void>): Promise<void> {
  const pair = await socketPair();
  try {
    await check(pair);
  } finally {
    pair.close();
  }
}

/** The client's connection with its writes corked, as libp2p-node.ts hands it to Noise. */
const corkedConnection = (client: Socket) =>
  corked(tcpConnection(client) as unknown as MessageStream) as unknown as ReturnType<typeof tcpConnection>;

const frames = [1, 2, 3].map((n) => [Uint8Array.of(0, 16 * n), new Uint8Array(16 * n).fill(n)]);

test("a connection's frames of one turn go to the kernel in one write, in order", async () => {
  await onSocketPair(async ({ client, received }) => {
    const connection = corkedConnection(client);
    const writes = countWrites(client);
    for (const frame of frames) assert.equal(connection.sendData(frame).canSendMore, true);
    assert.equal(writes.calls, 0, 'nothing written before the turn ends');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.calls, 1, 'six buffers, one write');
    assert.deepEqual(await received(), Buffer.concat(frames.flat()));
  });
});

test('uncorked, the same frames cost a write a buffer (what corking takes away)', async () => {
  await onSocketPair(async ({ client, received }) => {
    const connection = tcpConnection(client);
    const writes = countWrites(client);
    for (const frame of frames) connection.sendData(frame);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(writes.calls >= 2, `${writes.calls} writes`);
    assert.deepEqual(await received(), Buffer.concat(frames.flat()));
  });
});

test('a write past the socket’s buffer still answers false (backpressure), and everything arrives', async () => {
  await onSocketPair(async ({ client, received }) => {
    const connection = corkedConnection(client);
    const big = new Uint8Array(4 * client.writableHighWaterMark).fill(7);
    assert.equal(connection.sendData([Uint8Array.of(1), big]).canSendMore, false);
    assert.deepEqual(await received(), Buffer.concat([Uint8Array.of(1), big]));
  });
});

test('a connection that is not a TCP one (a relayed stream) is left as it is', () => {
  const stream = { sendData: () => ({ sentBytes: 0, canSendMore: true }) };
  const sendData = stream.sendData;
  corked(stream as unknown as MessageStream);
  assert.equal(stream.sendData, sendData);
});
