// Which steps commit FULL (survive a power cut, not only a crash): those a peer has acted on and
// that could not be made again the same way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshState } from '../../../src-main/core/mesh/state/state.js';
import type { NodeEvent } from '../../../src-main/core/schemas/index.js';
import { mustSurvivePowerCut } from '../../../src-main/node/mesh/state/durability.js';

const ME = 'peer-me';
const AT = '2026-11-23T00:00:00.000Z';

test('my reserved offer rounds survive a power cut: offers under those ids are with peers, and a round made again would give an id two offers', () => {
  const state = new MeshState(ME);
  const reserved = { type: 'rounds.reserved', event_id: 'rounds/1', at: AT, through: 1000 } as NodeEvent;
  const seen = { type: 'peer.seen', event_id: 'seen', at: AT, peer_id: 'peer-other', addresses: [] } as NodeEvent;
  assert.equal(mustSurvivePowerCut([reserved], ME, state), true);
  assert.equal(mustSurvivePowerCut([seen], ME, state), false);
  assert.equal(mustSurvivePowerCut([seen, reserved], ME, state), true);
});
