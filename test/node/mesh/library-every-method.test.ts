// Every method of every library the node ships (PROGRAM_LIBRARIES: crypto, image, data, audio and
// video; each image resize filter and each audio encode format too) as a mesh job on three real
// nodes on loopback: a requester (a daemon, as meshctl reaches it) and two providers. Each case is
// one `meshctl run LIBRARY METHOD --params … FILES… --out DIR` with redundancy 2, so both providers
// compute every unit and the requester verifies it by their outputs' hashes agreeing; then each
// result is checked against the native reference on this machine (the cases' modules say which,
// and at what tolerance). A method without a case fails the first test.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PROGRAM_LIBRARIES } from '../../../src-main/core/library/methods.js';
import { runMeshctl, type Run } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders } from './cluster.js';
import { tableCases, type MethodCase } from './library-every-method-cases.js';
import { mediaCases } from './library-every-media-cases.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-every-method-'));
const dataDir = join(dir, 'requester');
const inputs = join(dir, 'inputs');
mkdirSync(inputs);
const cases = [...tableCases(inputs), ...mediaCases(inputs)];
/** meshctl runs at once: the jobs' rounds overlap, the providers compute one unit at a time each. */
const AT_ONCE = 3;

const nameOf = (c: MethodCase) => `${c.library}/${c.method}${c.variant === undefined ? '' : ` (${c.variant})`}`;
const outOf = (c: MethodCase) => join(dir, 'out', nameOf(c).replace(/[^a-z0-9]+/gi, '-'));

let mesh: Awaited<ReturnType<typeof daemonAndProviders>>;
/** Each case's `meshctl run`, started AT_ONCE at a time once the mesh is up. */
const runs = new Map<MethodCase, Promise<Run>>();
before(async () => {
  mesh = await daemonAndProviders(dataDir);
  let free = AT_ONCE;
  const waiting: Array<() => void> = [];
  const slot = () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
  const release = () => (waiting.length > 0 ? waiting.shift()!() : free++);
  for (const c of cases) {
    const args = ['run', c.library, c.method, '--params', JSON.stringify(c.params ?? {}), ...c.files];
    for (const path of c.with ?? []) args.push('--with', path);
    args.push('--out', outOf(c), '--redundancy', '2', '--budget', '100000', '--data-dir', dataDir);
    runs.set(
      c,
      slot().then(() => runMeshctl(args).finally(release)),
    );
  }
});
after(async () => {
  await Promise.allSettled(runs.values());
  await mesh.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('every method of every library has a case', () => {
  const shipped = Object.entries(PROGRAM_LIBRARIES).flatMap(([library, { methods }]) =>
    Object.keys(methods).map((method) => `${library}/${method}`),
  );
  assert.deepEqual(new Set(cases.map((c) => `${c.library}/${c.method}`)), new Set(shipped));
});

for (const c of cases)
  test(`${nameOf(c)} across the mesh: verified by two providers, each result the native reference's`, async () => {
    const ran = await runs.get(c)!;
    assert.equal(ran.status, 0, `${ran.stdout}\n${ran.stderr}`);
    const units =
      c.files.length > 1 && PROGRAM_LIBRARIES[c.library]!.methods[c.method]!.takes === 'tar' ? 1 : c.files.length;
    assert.match(ran.stdout, new RegExp(`completed: ${units} of ${units} results written`));
    assert.deepEqual(readdirSync(outOf(c)).sort(), [...c.outputs].sort());
    c.check(
      (name) => readFileSync(join(outOf(c), name)),
      (name) => join(outOf(c), name),
    );
  });

test('each job was verified by agreement: every unit computed by both providers, their outputs one', async () => {
  const { jobs } = await mesh.handlers['jobs.list']({});
  assert.equal(jobs.length, cases.length);
  for (const job of jobs) {
    assert.equal(job.state, 'completed', job.name);
    const { units } = await mesh.handlers['jobs.status']({ job_id: job.job_id, units: true });
    for (const unit of units!) {
      assert.equal(unit.status, 'verified', job.name);
      assert.equal(new Set(unit.providers).size, 2, `${job.name}: ${unit.providers.join(', ')}`);
      assert.notEqual(unit.consensus_hash, null);
    }
  }
});
