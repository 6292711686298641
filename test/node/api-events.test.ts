// The event stream over WebSocket: past events after N, then live ones, to a client holding the
// token (as a header, or as the subprotocol a browser can send); nobody else gets a socket.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import type { ApiEvent } from '../../src-main/core/api/contract.js';
import { ApiClient, ApiError, startApiServer, type ApiServer } from '../../src-main/node/api/index.js';
import { apiEvent, MemoryEventFeed, stubHandlers } from './api-stub-handlers.js';

const TOKEN = 'events-token-0123456789abcdefghijklmnopqrstuvwxyz';
const feed = new MemoryEventFeed(5);
let server: ApiServer;

before(async () => {
  server = await startApiServer({ backend: { handlers: stubHandlers().handlers, events: feed }, token: TOKEN });
});
after(() => server.close());

/** Resolves once `predicate` holds, polling briefly (events cross a socket). */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !predicate(); waited += 5) {
    if (waited > 2000) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a subscriber gets the events after N, then live ones, and unsubscribes when it closes', async () => {
  const received: ApiEvent[] = [];
  const ends: Array<ApiError | undefined> = [];
  const close = new ApiClient(server.url, TOKEN).subscribe(
    2,
    (event) => received.push(event),
    (error) => ends.push(error),
  );
  await until(() => received.length === 3, 'the replay');
  assert.deepEqual(
    received.map((e) => e.id),
    [3, 4, 5],
  );

  feed.emit(apiEvent(6));
  await until(() => received.length === 4, 'the live event');
  assert.deepEqual(received[3], apiEvent(6));

  close();
  assert.deepEqual(ends, [undefined], 'closing by the caller is no error');
  await until(() => feed.listeners.size === 0, 'the server to unsubscribe');
});

test('a browser-style client may send the token as the mesh-token subprotocol, echoed back', async () => {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/events?after=3`, [`mesh-token.${TOKEN}`], {
    headers: { origin: server.url },
  });
  const frames: unknown[] = [];
  ws.on('message', (data) =>
    frames.push(
      ...(data as Buffer) // with ws's default binaryType ('nodebuffer') every frame comes as one Buffer
        .toString()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ),
  );
  await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
  assert.equal(ws.protocol, `mesh-token.${TOKEN}`);
  await until(() => frames.length >= 2, 'the replay');
  assert.deepEqual(frames.slice(0, 2), [apiEvent(4), apiEvent(5)]);
  ws.close();
});

test('no token, a wrong token, a foreign origin or a bad `after` get no socket and no subscription', async () => {
  const subscriptionsBefore = feed.subscribeCalls;
  const url = `${server.url.replace('http', 'ws')}/api/v1/events`;
  const attempts: Array<[string, string[], Record<string, string>, number]> = [
    ['no token', [], {}, 401],
    ['wrong header', [], { authorization: `Bearer ${TOKEN}x` }, 401],
    ['wrong subprotocol', [`mesh-token.${TOKEN.slice(2)}`], {}, 401],
    ['foreign origin', [`mesh-token.${TOKEN}`], { origin: 'http://evil.example' }, 403],
    ['bad after', [], { authorization: `Bearer ${TOKEN}` }, 400],
  ];
  for (const [what, protocols, headers, status] of attempts) {
    const ws = new WebSocket(what === 'bad after' ? `${url}?after=-1` : url, protocols, { headers });
    ws.on('error', () => {}); // the refusal itself is what the test reads
    const refused = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (req, res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
    });
    assert.equal(refused, status, what);
  }
  assert.equal(feed.subscribeCalls, subscriptionsBefore);

  const ends: Array<ApiError | undefined> = [];
  new ApiClient(server.url, 'not-the-token').subscribe(
    0,
    () => assert.fail('no event for a wrong token'),
    (error) => ends.push(error),
  );
  await until(() => ends.length === 1, 'the refusal');
  assert.ok(ends[0] instanceof ApiError);
  assert.equal(ends[0].code, 'unauthorized');
});

test('a node that stops tells its subscribers why the stream ends', async () => {
  const stopping = await startApiServer({
    backend: { handlers: stubHandlers().handlers, events: new MemoryEventFeed(1) },
    token: TOKEN,
  });
  const received: ApiEvent[] = [];
  const ends: Array<ApiError | undefined> = [];
  new ApiClient(stopping.url, TOKEN).subscribe(
    0,
    (event) => received.push(event),
    (error) => ends.push(error),
  );
  await until(() => received.length === 1, 'the replay');
  await stopping.close();
  await until(() => ends.length === 1, 'the end of the stream');
  assert.match(ends[0]?.message ?? '', /the node is stopping/);
});
