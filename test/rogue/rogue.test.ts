// The rogue peer's attacks (issue 19), each against a real target node: after every one the
// target still answers, has lost nothing, blames nobody else, and the rogue has gained nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { aftermath, baseline, openArena, type Arena } from './arena.js';
import { MESH_ATTACKS } from './attacks-mesh.js';
import { PROVIDER_ATTACKS } from './attacks-provider.js';
import { WIRE_ATTACKS } from './attacks-wire.js';

const ATTACKS = [...WIRE_ATTACKS, ...MESH_ATTACKS, ...PROVIDER_ATTACKS];
let arena: Arena;

before(async () => {
  arena = await openArena();
});
after(async () => {
  await arena?.stop();
});

test('the table holds at least 25 kinds of attack, each named once', () => {
  assert.ok(ATTACKS.length >= 25, `${ATTACKS.length} attacks`);
  assert.equal(new Set(ATTACKS.map((a) => a.name)).size, ATTACKS.length);
});

for (const attack of ATTACKS) {
  test(`rogue: ${attack.name}`, { timeout: 60_000 }, async () => {
    const start = await baseline(arena);
    const missed = await attack.run(arena);
    const { violations } = await aftermath(arena, start, attack.maxNewEvents ?? 4, attack.ranJob);
    assert.deepEqual([...missed, ...violations], []);
  });
}
