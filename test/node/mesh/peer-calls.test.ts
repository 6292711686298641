// A message to a peer waits 10 s for its reply, or as long as its caller says (a remote preflight:
// a blob fetch and a Blender start): peer-calls.ts against a network whose replies come late.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeshNetwork } from '../../../src-main/node/p2p/index.js';
import { InFlight } from '../../../src-main/node/mesh/basics/lifecycle.js';
import { peerCalls } from '../../../src-main/node/mesh/peers/peer-calls.js';

/** A network whose every reply comes after `replyMs`, unless the request's signal ends the wait first. */
function lateNetwork(replyMs: number): MeshNetwork {
  const request = (_peer: string, _type: string, _body: unknown, { signal }: { signal: AbortSignal }) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve({ type: 'ack', body: {} }), replyMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new Error(`aborted after ${replyMs} ms was not waited for`));
      });
    });
  return { request } as unknown as MeshNetwork;
}

test('a send waits as long as its caller says, else its default; either way it ends, logged, when it is past', async () => {
  const logged: string[] = [];
  const { send } = peerCalls(lateNetwork(300), new AbortController().signal, new InFlight(), (m) => logged.push(m));
  assert.equal(await send('peer', 'ack', {}, { timeoutMs: 50 }), undefined, 'past its own limit');
  assert.match(logged[0] ?? '', /^sending ack to peer failed/);
  assert.deepEqual(await send('peer', 'ack', {}, { timeoutMs: 1_000 }), { type: 'ack', body: {} });
  assert.deepEqual(await send('peer', 'ack', {}), { type: 'ack', body: {} }, 'within the 10 s default');
  assert.equal(logged.length, 1);
});
