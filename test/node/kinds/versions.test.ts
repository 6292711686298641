// A kind's units name its engine's behaviour version, and a provider offers the kind at its own:
// a node of the last version, whose WASI host answers some calls otherwise, is offered none of
// this version's WASI units (so never convicted over a difference of hosts), and offers none for them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KINDS, WASI_HOST_VERSION } from '../../../src-main/core/kinds/index.js';
import { ALGORITHM_VERSION, WASI_PROGRAM } from '../../../src-main/core/protocol/algorithm-ids.js';
import { allocate } from '../../../src-main/core/scheduler/allocate.js';
import { nodeKinds } from '../../../src-main/node/kinds/built-in.js';
import { commitment, request, slot, T0, unit } from '../../core/scheduler-fixtures.js';

const MACHINE = { shaders: false, blender: undefined, renderScore: 1 };

test("WASI is offered at the host's version, every other built-in kind at the protocol's", () => {
  assert.notEqual(WASI_HOST_VERSION, ALGORITHM_VERSION);
  const offers = nodeKinds(() => undefined).offers(MACHINE);
  assert.deepEqual(
    offers.filter((a) => a.algorithm_id === WASI_PROGRAM).map((a) => a.version),
    [WASI_HOST_VERSION],
  );
  for (const other of offers.filter((a) => a.algorithm_id !== WASI_PROGRAM))
    assert.equal(other.version, ALGORITHM_VERSION, other.algorithm_id);
  assert.equal(KINDS.wasi.version, WASI_HOST_VERSION);
});

test("a provider of the last version is offered none of this version's WASI units, and the reverse", () => {
  const core = { cpu_cores: 1, ram_gb: 1 };
  const units = (version: string) =>
    [0, 1].map((i) => ({
      ...unit(`u${version}.${i}`, `job${version}`, WASI_PROGRAM, core, 1),
      algorithm_version: version,
    }));
  const requester = commitment(
    'req',
    { prov: 1 },
    [],
    [request('req', 'job-new', units(WASI_HOST_VERSION)), request('req', 'job-old', units(ALGORITHM_VERSION))],
  );
  const provider = (version: string) => {
    const me = commitment('prov', { req: 1 }, [slot('s', 1, { cpu_cores: 2, ram_gb: 4 }, [[WASI_PROGRAM, 1]])]);
    me.availability_slots[0]!.algorithms[0]!.version = version;
    return me;
  };
  const offered = (version: string) =>
    allocate({
      provider: provider(version),
      requesters: [requester],
      round: 1,
      nowMs: T0,
      price: { per_core_second: 1, minimum: 1 },
    })
      .offers.map((o) => o.unit_id)
      .sort();
  assert.deepEqual(offered(WASI_HOST_VERSION), [`u${WASI_HOST_VERSION}.0`, `u${WASI_HOST_VERSION}.1`]);
  assert.deepEqual(offered(ALGORITHM_VERSION), [`u${ALGORITHM_VERSION}.0`, `u${ALGORITHM_VERSION}.1`]);
});
