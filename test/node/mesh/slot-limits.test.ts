// A slot that has ended already would offer nothing, ever (a mistyped year): it is refused through
// the real API, naming its end and the time, and no slot is added. It used to be added.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiClient, ApiError, loadOrCreateToken } from '../../../src-main/node/api/index.js';
import { startDaemon, type Daemon } from '../../../src-main/node/mesh/daemon.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mesh-slots-'));
let daemon: Daemon;
let client: ApiClient;
before(async () => {
  daemon = await startDaemon({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} });
  client = new ApiClient(daemon.api.url, loadOrCreateToken(dataDir));
});
after(() => daemon.stop());

test('a slot that has ended already is refused, naming its end and the time; one still to come is added', async () => {
  const slot = { start_time: '2020-01-01T10:00:00Z', end_time: '2020-01-01T12:00:00Z', cpu_cores: 1, ram_gb: 1 };
  await assert.rejects(client.call('slots.add', slot), (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 'bad_request');
    assert.match(err.message, /^end_time: 2020-01-01T12:00:00Z has passed \(it is 20\d\d-\d\d-\d\dT/);
    return true;
  });
  assert.deepEqual((await client.call('slots.list', {})).slots, []);

  const hour = 3600_000;
  const later = {
    ...slot,
    start_time: new Date(Date.now() - hour).toISOString(),
    end_time: new Date(Date.now() + hour).toISOString(),
  };
  const { slot: added } = await client.call('slots.add', later);
  assert.deepEqual(
    (await client.call('slots.list', {})).slots.map((s) => s.slot_id),
    [added.slot_id],
  );
});
