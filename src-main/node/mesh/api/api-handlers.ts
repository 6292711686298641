// The local API's methods over a running node: one handler per contract method. The server has
// already validated the params against the contract; handlers check what the contract cannot
// (that a job exists, that a weight is for a real peer id) and throw ApiError when it is not so.
import { describeError } from '../../../core/errors.js';
import { randomBytes } from 'node:crypto';
import type { ApiHandlers } from '../../../core/api/contract.js';
import { AVAILABILITY_LIMITS, describeWindow } from '../../../core/availability/index.js';
import { framesOfJob } from '../../../core/kinds/frames.js';
import { LIMITS } from '../../../core/schemas/index.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import { unitIdOf } from '../../../core/mesh/state/unit-table.js';
import { ApiError, refusePassed } from '../../api/errors.js';
import { verifyChain } from '../../receipts/index.js';
import type { NodeApi } from './node-api.js';
import { policyHandlers, refuseNotPeerId } from './policy-handlers.js';
import { reachHandlers } from './reach-handlers.js';
import { jobView as jobViewOf, unitOfJob, unitPage, unitsCreated } from '../views/job-view.js';
import { storageHandlers } from './storage-handlers.js';
import { workflowHandlers } from './workflow-handlers.js';
import { circleHandlers } from './circle-handlers.js';
import { blenderHandlers } from './blender-handlers.js';

export function apiHandlers(node: NodeApi): ApiHandlers {
  const { state } = node;
  const now = () => Date.now();

  // A packed job's units are read from their packs' outputs, each pack read once for a page of them.
  const { unitSources } = node.jobs;
  const jobView = (record: JobRecord) => jobViewOf(state, record, node.jobs.liveOf(record));

  const myJob = (jobId: string): JobRecord => {
    const record = state.jobs.get(jobId);
    if (!record) throw new ApiError('not_found', `no job ${jobId}`);
    return record;
  };
  /** jobs.frames: a job's frames, as its kind makes them (node/kinds: a render's, a Blender job's). */
  const framesOf = async ({ job_id }: { job_id: string }) => {
    const view = node.jobs.view(myJob(job_id));
    if (!view) throw new ApiError('bad_request', `job ${job_id} makes no frames: its units' outputs are its results`);
    return view;
  };

  return {
    async status() {
      const dropped = node.network.dropped();
      const availability = node.sharing.availability();
      const { contribution_history, damping_factor, over_allocation_history } = node.provider.contribution();
      return {
        peer_id: node.peerId,
        name: node.name,
        listen: node.network.listenAddresses(),
        sharing: state.sharing,
        mdns: node.mdns,
        connections: node.network.connectedPeers().length,
        peers_known: state.peers.size,
        slots: state.slots.size,
        workers: node.workers,
        units_running: node.provider.running,
        units_queued: node.provider.queued,
        jobs_running: [...state.myRunningJobs()].length,
        balance: node.ledger.balance(node.peerId),
        dropped,
        blobs_served: node.network.blobsServed(),
        price: node.price,
        started_at: node.startedAt,
        keep_finished_days: node.retentionMs / 86_400_000,
        availability: {
          offering: availability.slots.length > 0,
          cores: availability.slots.reduce((max, s) => Math.max(max, s.resources.cpu_cores), 0),
          paused: availability.paused,
        },
        hardware: node.machine.info && { ...node.machine.info, power: node.machine.power ?? node.machine.info.power },
        calibration: node.machine.calibration,
        gpu: node.gpu.status,
        memory: memoryNow(),
        other_load_pct: node.machine.otherLoadPct(),
        contribution: { ...contribution_history, damping_factor, over_allocation_history },
        policies: state.policies,
        blender: node.blender.status(),
      };
    },
    async 'peers.list'() {
      const connected = new Set(node.network.connectedPeers());
      const ids = new Set<string>([...state.peers.keys(), ...state.trust.keys(), ...connected]);
      const dropped = node.network.dropped();
      // Every peer seen is kept: past the list's bound, those I trust, then those connected, then the latest seen.
      const rank = (peer: string) => (state.myTrustIn(peer) > 0 ? 0 : 2) + (connected.has(peer) ? 0 : 1);
      const seen = (peer: string) => state.peers.get(peer)?.lastSeen ?? '';
      const listed = [...ids]
        .sort((a, b) => rank(a) - rank(b) || seen(b).localeCompare(seen(a)))
        .slice(0, LIMITS.recordEntries);
      return {
        total: ids.size,
        peers: listed.sort().map((peer) => {
          const mine = state.myTrustIn(peer);
          const theirs = node.theirTrustInMe(peer);
          return {
            peer_id: peer,
            ...(state.peers.get(peer)?.name !== undefined ? { name: state.peers.get(peer)!.name } : {}),
            addresses: state.peers.get(peer)?.addresses ?? [],
            connected: connected.has(peer),
            trust_mine: mine,
            trust_theirs: theirs ?? null,
            bilateral: Math.min(mine, theirs ?? 0),
            reputation: state.reputationOf(peer, now()),
            effective_trust: state.effectiveTrustIn(peer, now()),
            checks_passed: state.checks.record(peer).passed,
            caught_lying: state.checks.contradicted.get(peer) ?? 0,
            convicted_at: state.checks.convictions.get(peer)?.at ?? null,
            false_refunds: state.falseRefunds.get(peer) ?? 0,
            dropped: dropped[peer] ?? {},
            last_seen: state.peers.get(peer)?.lastSeen ?? null,
            link: connected.has(peer) ? node.network.link(peer) : null,
          };
        }),
      };
    },
    async 'peers.add'({ multiaddr }) {
      // Dialled without one, it failed as "no valid addresses for peer: unknown peer".
      if (!multiaddr.includes('/p2p/'))
        throw new ApiError(
          'bad_request',
          `${multiaddr} names no peer: add its /p2p/<peer id>, as its node's status shows under "listening on"`,
        );
      try {
        return { peer_id: await node.network.connect(multiaddr) };
      } catch (err) {
        throw new ApiError('unavailable', `could not connect to ${multiaddr}: ${describeError(err)}`);
      }
    },
    async 'trust.set'({ peer_id, weight }) {
      refuseNotPeerId(peer_id);
      if (peer_id === node.peerId) throw new ApiError('bad_request', 'a node does not set trust in itself');
      await node.record([{ type: 'trust.set', peer_id, weight }]);
      node.trustChanged(peer_id); // the relay slots too (MeshNode.followTrusted)
      node.emit('trust.changed', { peer_id, weight });
      return { peer_id, weight };
    },
    async 'trust.list'() {
      return {
        trust: [...state.trust]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([peer_id, t]) => ({ peer_id, weight: t.weight, updated_at: t.updatedAt })),
      };
    },
    async 'slots.add'(p) {
      if (Date.parse(p.end_time) <= Date.parse(p.start_time))
        throw new ApiError('bad_request', 'end_time must be after start_time');
      // A slot over already would offer nothing, ever: a mistyped year, most likely.
      refusePassed('end_time', p.end_time, now(), 'a slot offers this machine until its end');
      const slot = {
        slot_id: p.slot_id ?? `slot-${randomBytes(4).toString('hex')}`,
        start_time: p.start_time,
        end_time: p.end_time,
        resources: {
          cpu_cores: p.cpu_cores,
          ram_gb: p.ram_gb,
          ...(p.gpu_vram_gb !== undefined ? { gpu_vram_gb: p.gpu_vram_gb } : {}),
        },
        // None listed: the slot offers what the machine runs while it is in force (Blender, calibrated scores).
        algorithms: [],
        priority: 1,
      };
      await node.record([{ type: 'slot.put', slot }]);
      node.emit('slots.changed', { slot_id: slot.slot_id });
      node.sharing.availabilityChanged();
      return { slot };
    },
    async 'slots.list'() {
      return { slots: [...state.slots.values()] };
    },
    async 'slots.remove'({ slot_id }) {
      if (!state.slots.has(slot_id)) return { removed: false };
      await node.record([{ type: 'slot.removed', slot_id }]);
      node.emit('slots.changed', { slot_id });
      node.sharing.availabilityChanged();
      return { removed: true };
    },
    async 'sharing.set'({ on }) {
      await node.sharing.setSharing(on);
      return { sharing: state.sharing };
    },
    async 'windows.add'(p) {
      const window = { ...p, window_id: p.window_id ?? `window-${randomBytes(4).toString('hex')}` };
      if (!state.windows.has(window.window_id) && state.windows.size >= AVAILABILITY_LIMITS.windows) {
        throw new ApiError(
          'conflict',
          `a node keeps at most ${AVAILABILITY_LIMITS.windows} weekly windows; remove one first`,
        );
      }
      await node.record([{ type: 'window.put', window }]);
      node.sharing.availabilityChanged();
      return { window, description: describeWindow(window) };
    },
    async 'windows.list'() {
      return {
        windows: [...state.windows.values()].map((window) => ({ window, description: describeWindow(window) })),
      };
    },
    async 'windows.remove'({ window_id }) {
      if (!state.windows.has(window_id)) return { removed: false };
      await node.record([{ type: 'window.removed', window_id }]);
      node.sharing.availabilityChanged();
      return { removed: true };
    },
    async 'settings.get'() {
      return { settings: state.settings };
    },
    async 'settings.set'(changes) {
      const settings = {
        ...state.settings,
        ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
      };
      await node.record([{ type: 'settings.set', settings }]);
      node.sharing.availabilityChanged(); // Blender's algorithm too, once found (BlenderProbe)
      return { settings: state.settings };
    },
    ...policyHandlers(node),
    ...storageHandlers(node),
    ...blenderHandlers(node),
    ...workflowHandlers(node),
    ...circleHandlers(node),
    ...reachHandlers(node.reach),
    async 'jobs.submit'(spec) {
      return node.jobs.submit(spec);
    },
    async 'jobs.estimate'(spec) {
      return node.jobs.estimate(spec);
    },
    async 'jobs.status'({ job_id, units, units_from = 0 }) {
      const record = myJob(job_id);
      if (!units) return { job: jobView(record) };
      return { job: jobView(record), units: unitPage(unitSources, record, units_from) };
    },
    async 'jobs.list'() {
      // A node keeps every job until its user deletes it: past the list's bound, the newest are listed.
      const mine = [...state.jobs.values()].filter((j) => j.job.requester === node.peerId);
      return { jobs: mine.slice(-LIMITS.recordEntries).map(jobView), total: mine.length };
    },
    async 'jobs.cancel'({ job_id }) {
      await node.jobs.cancel(job_id);
      return { job: jobView(myJob(job_id)) };
    },
    async 'jobs.set_budget'({ job_id, budget }) {
      await node.jobs.setBudget(job_id, budget);
      return { job: jobView(myJob(job_id)) };
    },
    async 'jobs.output'({ job_id, unit_id }) {
      const record = myJob(job_id);
      const view = unitOfJob(unitSources, record, unit_id);
      if (!view) {
        const made = unitsCreated(record);
        const range = made === 0 ? 'none made yet' : `${unitIdOf(job_id, 0)} to ${unitIdOf(job_id, made - 1)}`;
        throw new ApiError('not_found', `no unit ${unit_id} in job ${job_id} (its units: ${range})`);
      }
      if (view.failure) {
        // Run here once more for its own words (a pack's unit alone), which the agreed output leaves out.
        const here = await node.jobs.failureHere(record, view.index, view.failure);
        const said = here === undefined ? '' : `; run here, it says: ${here}`;
        throw new ApiError('conflict', `unit ${unit_id} failed: ${failureText(view.failure)}${said}`);
      }
      if (view.output_cid === null) throw new ApiError('conflict', `unit ${unit_id} has no verified output yet`);
      const bytes = await node.jobs.verifiedOutput(unitSources, record, view);
      const stderr = node.jobs.unitStderr(view);
      return {
        output_cid: view.output_cid,
        output_base64: Buffer.from(bytes).toString('base64'),
        ...(stderr !== undefined && { stderr_base64: stderr }),
      };
    },
    async 'jobs.outputs'({ job_id, from = 0 }) {
      return node.jobs.outputsPage(unitSources, myJob(job_id), from);
    },
    async 'render.submit'(spec) {
      return node.jobs.submitRender(spec);
    },
    async 'render.estimate'(spec) {
      return node.jobs.estimateRender(spec);
    },
    'jobs.frames': framesOf,
    'jobs.blender_frames': framesOf, // the method's old name
    async 'jobs.frame'({ job_id, frame }) {
      const record = myJob(job_id);
      const pngCid = record.frames.get(frame);
      if (framesOfJob(record.job) === 0)
        throw new ApiError(
          'bad_request',
          `job ${job_id} makes no frames (a render job, a tiled or composited Blender job)`,
        );
      if (pngCid === undefined) throw new ApiError('conflict', `frame ${frame} of job ${job_id} is not finished`);
      const png = node.blobs.get(pngCid);
      if (!png) throw new ApiError('internal', `the PNG of frame ${frame} (${pngCid}) is missing from the blob store`);
      return { png_cid: pngCid, png_base64: Buffer.from(png).toString('base64') };
    },
    async 'prices.set'(changes) {
      const price = {
        ...node.price,
        ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
      };
      await node.sharing.setPrice(price);
      node.sharing.publishSoon();
      return { price: node.price };
    },
    async 'offers.list'({ job_id }) {
      return { offers: node.jobs.offers(job_id) };
    },
    async 'offers.accept'({ job_id, node_id }) {
      return node.jobs.acceptFrom(job_id, node_id);
    },
    async 'ledger.get'({ limit }) {
      return { ...node.ledger.summary(node.peerId), entries: node.ledger.entries(limit) };
    },
    async 'ledger.jobs'({ limit }) {
      const jobs = node.ledger.jobs(node.peerId);
      return { jobs: jobs.slice(0, limit), total: jobs.length };
    },
    async 'ledger.transfers'({ limit, after_seq }) {
      return { transfers: node.ledger.transfers(node.peerId, limit, after_seq) };
    },
    async 'receipts.verify'({ author }) {
      // From the journal's receipts table: the state keeps only the receipts of work not compacted.
      const { archive } = node;
      if (author !== undefined) refuseNotPeerId(author, 'author: ');
      const authors = author !== undefined ? [author] : mineFirst(archive.receiptAuthors(), node.peerId);
      const chains = [];
      for (const peer of authors.slice(0, LIMITS.recordEntries)) {
        const stored = archive.receiptsOf(peer);
        // An author of whom I hold no receipt (only one asked for by name) has no chain, not a broken one.
        if (stored.length === 0) continue;
        // I hold the parts of another's chain that concern me: each unbroken run is checked from where it starts.
        let check: Awaited<ReturnType<typeof verifyChain>> | undefined;
        for (const run of contiguousRuns(stored, peer === node.peerId)) {
          const first = run[0]!.receipt;
          check = await verifyChain(
            run.map((r) => ({ receipt: r.receipt, sig: r.sig ?? '' })),
            first.seq === 0 ? {} : { start: { seq: first.seq, prev: first.prev } },
          );
          if (!check.ok) break;
        }
        chains.push({ author: peer, receipts: stored.length, ok: check!.ok, error: check!.ok ? null : check!.error });
      }
      return { total: author !== undefined ? chains.length : authors.length, chains };
    },
    async 'events.since'({ after, limit }) {
      return { events: node.events.since(after, limit) };
    },
  };
}

/** This process's memory, in MB: what `status` shows of it. */
function memoryNow() {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return {
    rss_mb: mb(rss),
    heap_used_mb: mb(heapUsed),
    heap_total_mb: mb(heapTotal),
    external_mb: mb(external),
    array_buffers_mb: mb(arrayBuffers),
  };
}

function failureText(failure: string): string {
  return failure === 'no_agreement'
    ? 'its results did not agree and no more replicas could settle it'
    : `every run of it ended in ${failure}`;
}

/** Splits receipts sorted by seq where the seq jumps; my own chain must have no gap at all. */
function contiguousRuns<R extends { receipt: { seq: number } }>(sorted: R[], whole: boolean): R[][] {
  if (whole) return [sorted];
  const runs: R[][] = [];
  for (const r of sorted) {
    const run = runs.at(-1);
    if (run && run.at(-1)!.receipt.seq + 1 === r.receipt.seq) run.push(r);
    else runs.push([r]);
  }
  return runs;
}

/** The authors with mine first (a node that worked with thousands of peers lists its own chain before any). */
function mineFirst(authors: string[], me: string): string[] {
  return authors.includes(me) ? [me, ...authors.filter((a) => a !== me)] : authors;
}
