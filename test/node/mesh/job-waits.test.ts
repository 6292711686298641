// A running job that something holds up says what, through `jobs.status` (`waiting`), and stops
// saying it once that is gone: no peer trusted; no provider at all; too few providers for its
// redundancy; none with what its units need (a GPU); every offer over its price cap. Each used to
// show only "running" and no progress.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as z from 'zod/mini';
import { API_METHODS, type ApiHandlers } from '../../../src-main/core/api/contract.js';
import { sampleSceneJson } from '../fixtures/sample-scene.js';
import { hashJob, jobEnded, meshOf, startNode, stopAndRemove, waitFor, type TestNode } from './cluster.js';

/** A peer id of nobody running here. */
const PEER_AWAY = '12D3KooWC7x61vnrwHRrFbZZYsEmjWszdM6bZEunB5EPkV64bNJ9';

const waitingSays = (api: ApiHandlers, jobId: string, what: RegExp) =>
  waitFor(`the job to say it waits: ${what}`, async () => {
    const { job } = await api['jobs.status']({ job_id: jobId, units: false });
    return job.waiting !== null && what.test(job.waiting) ? true : undefined;
  });

test(
  'a job held up by too few providers, their hardware or its price cap says so, until it is not',
  { timeout: 120_000 },
  async (t) => {
    const nodes: TestNode[] = [await startNode()];
    t.after(() => stopAndRemove(nodes));
    const [requester] = nodes as [TestNode];
    const api = requester.api;

    // Alone: nobody to compute.
    const { params } = hashJob(8, false, 1);
    const pair = (await api['jobs.submit']({ ...params, redundancy: 2 })).job_id;
    await waitingSays(api, pair, /^you trust no peer: nothing is computed for you until you do/);

    // One provider, two wanted for each unit; and that one switched off.
    nodes.push(await startNode());
    await meshOf(nodes);
    await waitingSays(api, pair, /^each unit needs 2 different providers, and 1 that works for you offers cores now$/);
    await nodes[1]!.api['sharing.set']({ on: false });
    await waitingSays(api, pair, /^no provider that works for you offers its cores now$/);
    await nodes[1]!.api['sharing.set']({ on: true });
    await waitingSays(api, pair, /^each unit needs 2 different providers/);
    // Gone: its last commitment stays, but it offers nothing meanwhile.
    await nodes[1]!.node.stop();
    await waitingSays(api, pair, /^no provider that works for you offers its cores now$/);
    nodes[1] = await startNode({ dataDir: nodes[1]!.dataDir });
    await meshOf(nodes);

    // Connected, but trust is missing: its in me, while it offers its cores; then mine in it (I trust another).
    const provider = nodes[1].node.peerId;
    const noProvider = 'no provider that works for you offers its cores now: ';
    await nodes[1].api['trust.set']({ peer_id: requester.node.peerId, weight: 0 });
    await waitingSays(api, pair, new RegExp(`^${noProvider}1 connected peer that offers cores does not trust you$`));
    await nodes[1].api['trust.set']({ peer_id: requester.node.peerId, weight: 1 });
    await api['trust.set']({ peer_id: PEER_AWAY, weight: 1 });
    await api['trust.set']({ peer_id: provider, weight: 0 });
    await waitingSays(
      api,
      pair,
      new RegExp(
        `^${noProvider}you do not trust 1 connected peer \\(meshctl trust set\\), and the job is not open to strangers$`,
      ),
    );
    await api['trust.set']({ peer_id: provider, weight: 1 });
    await waitingSays(api, pair, /^each unit needs 2 different providers/);

    // A render job whose tiles need a GPU, which that provider has not.
    const gpu = (
      await api['render.submit'](
        z.parse(API_METHODS['render.submit'].params, {
          scene: sampleSceneJson(),
          first_frame: 0,
          last_frame: 0,
          width: 64,
          height: 64,
          spp: 1,
          tile: 32,
          gpu: 'required',
          budget: 1000,
        }),
      )
    ).job_id;
    await waitingSays(api, gpu, /^its units need a GPU: the one provider that works for you does not offer it now$/);
    await api['jobs.cancel']({ job_id: gpu });

    // Every offer over the job's price cap (the provider asks its minimum, 0.010 credits a unit).
    const capped = (await api['jobs.submit']({ ...params, redundancy: 1, max_price: 1 })).job_id;
    await waitingSays(
      api,
      capped,
      /^\d+ offers? not taken: the cheapest asks 0\.010 credits for a unit, over its maximum of 0\.001$/,
    );
    await nodes[1].api['prices.set']({ minimum: 1, per_core_second: 1 });
    const done = await jobEnded(api, capped, 60_000);
    assert.equal(done.state, 'completed', 'once the provider asks less');
    assert.equal(done.waiting, null);

    // A second provider: the pair job runs, and no longer says it waits.
    nodes.push(await startNode());
    await meshOf(nodes);
    const paired = await jobEnded(api, pair, 60_000);
    assert.equal(paired.state, 'completed');
    assert.equal(paired.waiting, null);
  },
);
