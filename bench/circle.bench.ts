// Circles on 20 real nodes in this one process (npm run bench -- circle), on loopback, one worker
// each, all connected and trusting each other (test/node/mesh/cluster.ts's meshOf connects them;
// each node's trust is set in parallel with the others'). Before each timed step the bench waits
// (5 s at most) for the nodes' own churn (commitments gossiped after a start or a reconnection) to
// calm; each figure says how busy the one event loop was while it was timed.
// - circle_activation_ms (target <= 2000): a circle of all 20 founded by one member and held by all;
//   then, ROUNDS times, a proposal (each round changes another field), seen by all 20, and the
//   approvals the default policy needs (threshold 0.6 of 20: 12); the first 11 are cast and held by
//   all 20 first, so what is timed is the last needed vote alone: from just before it is cast until
//   the changed policy is active on all 20 (each node's `circles.state(circle).policy`, looked at
//   every 10 ms). The median of the rounds; beside it each round, and the time the same proposal
//   took to reach all 20 (one gossiped entry, no vote counting), as the baseline.
// - circle_converge_after_partition_ms (target <= 5000): a second circle of all 20 with voting
//   { quorum 0.3, threshold 0.5 }; the nodes split 10 | 10: every link between the halves closed
//   (libp2p's hangUp) and kept closed (each node's connection gater refuses the other half's peers,
//   so neither the redialer nor a sync crosses). Each half passes its own conflicting proposal on
//   the verifier share (15 on one side, 25 on the other; one more each later round): a half's 10
//   approvals of 20 members meet the quorum (0.5 >= 0.3) and, the other 10 counted as not yet voted,
//   reach 10 / (10 + 0 + 10) = 0.5 >= 0.5, so each passes early on its own side (halves of 8 and 12
//   could not: 8 / 20 < 0.5; waiting for a close takes a minute at least). Then the halves heal
//   (gaters lifted, the 100 pairs across dialled again), timed from the heal until all 20 compute
//   the same policy with one more activation (both passed; the later one's share stands); beside it
//   the time until the 20 logs are identical, and how many of the 100 pairs across were connected
//   again by then. The median of PARTITION_ROUNDS rounds.
// - circle_log_bytes_per_vote (target <= 1024): one vote of the first round, as stored (its JSON in
//   the circle_entries table) and on the wire: the signed `circle_entries` envelope carrying it alone
//   (node/p2p/envelope.ts, as a direct push sends it), and that envelope in the gossipsub RPC frame a
//   publish on the circle's topic writes (from, seqno, topic, signature and key around it; yamux and
//   Noise add ~30 bytes more). The value is the largest of the three.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { RPC } from '@libp2p/gossipsub/message';
import { publicKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { MeshPolicy, PolicyFragment } from '../src-main/core/circles/index.js';
import { circleTopic } from '../src-main/core/protocol/circle-messages.js';
import { MESSAGE_TYPES } from '../src-main/core/protocol/messages.js';
import { sealMessage } from '../src-main/node/p2p/envelope.js';
import { meshOf, startNode, stopAndRemove, type TestNode } from '../test/node/mesh/cluster.js';
import { median, round, sleep, type Benchmark, type Figure } from './harness.js';

const MEMBERS = 20;
/** Approvals a proposal needs under the default policy: threshold 0.6 of 20 members. */
const NEEDED = 12;
const POLL_MS = 10;
const WAIT_MS = 60_000;

/** Each round's change, and how a node's policy shows it active. */
const ROUNDS: { change: PolicyFragment; active: (p: MeshPolicy) => boolean }[] = [
  { change: { rewards: { worker_pct: 80, verifier_pct: 20 } }, active: (p) => p.rewards.verifier_pct === 20 },
  { change: { verification: { redundancy: 2 } }, active: (p) => p.verification.redundancy === 2 },
  { change: { scheduling: { offer_timeout_s: 45 } }, active: (p) => p.scheduling.offer_timeout_s === 45 },
  { change: { requirements: { min_cores: 2 } }, active: (p) => p.requirements.min_cores === 2 },
  {
    change: { scheduling: { member_priority_boost: 0.2 } },
    active: (p) => p.scheduling.member_priority_boost === 0.2,
  },
];
/** The halves' verifier shares in the first partition round (each later round one more). */
const SIDE_VERIFIER_PCT = [15, 25];
const PARTITION_ROUNDS = 3;

const load = () => round(loadavg()[0]!, 2);
const msSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * Waits (5 s at most) until this process's event loop is less than half busy over half a second:
 * the 20 nodes' churn after a start or a reconnection (commitments gossiped, syncs) is not what a
 * round measures, though it shares the one thread with it.
 */
async function quiet(): Promise<void> {
  const end = Date.now() + 5000;
  for (;;) {
    const since = performance.eventLoopUtilization();
    await sleep(500);
    if (performance.eventLoopUtilization(since).utilization < 0.5 || Date.now() > end) return;
  }
}

/** Waits, looking every POLL_MS, until `check` holds; throws after `timeoutMs` naming `what`. */
async function until(what: string, check: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

const holds = (n: TestNode, circle: string) => n.node.circles.ids().includes(circle);
const stateOf = (n: TestNode, circle: string) => n.node.circles.state(circle);
const proposalAt = (n: TestNode, circle: string, proposal: string) =>
  stateOf(n, circle).proposals.find((p) => p.cid === proposal);

/** Founds a circle of all `nodes` (the first founds it) and waits until every one holds it. */
async function circleOfAll(nodes: TestNode[], name: string, policy: PolicyFragment): Promise<string> {
  const [founder, ...others] = nodes as [TestNode, ...TestNode[]];
  const { circle } = await founder.api['circles.create']({
    name,
    policy,
    members: others.map((n) => n.node.peerId),
  });
  await until(`all ${nodes.length} to hold ${name}`, () => nodes.every((n) => holds(n, circle.circle_id)));
  return circle.circle_id;
}

/** `author` proposes `change`; its id once it is open on all `nodes`, and the ms that took. */
async function proposeEverywhere(
  author: TestNode,
  nodes: TestNode[],
  circle: string,
  change: PolicyFragment,
): Promise<{ proposal: string; spreadMs: number }> {
  const start = process.hrtime.bigint();
  const { proposal } = await author.api['circles.propose']({
    circle_id: circle,
    change: { policy: change },
    description: 'bench',
  });
  await until('the proposal on every node', () => nodes.every((n) => proposalAt(n, circle, proposal.proposal_id)));
  return { proposal: proposal.proposal_id, spreadMs: msSince(start) };
}

const approve = (n: TestNode, circle: string, proposal: string) =>
  n.api['circles.vote']({ circle_id: circle, proposal_id: proposal, choice: 'approve' });

interface ActivationRound {
  ms: number;
  spreadMs: number;
  /** The event loop's busy share while the last vote went round. */
  busy: number;
  voteCid: string;
  voter: TestNode;
}

/** One round: a proposal, 11 approvals held everywhere, then the 12th timed until active on all. */
async function activationRound(nodes: TestNode[], circle: string, at: number): Promise<ActivationRound> {
  const { change, active } = ROUNDS[at]!;
  await quiet();
  const { proposal, spreadMs } = await proposeEverywhere(nodes[at]!, nodes, circle, change);
  const voters = Array.from({ length: NEEDED }, (_, i) => nodes[(at * 7 + i) % MEMBERS]!);
  for (const voter of voters.slice(0, -1)) await approve(voter, circle, proposal);
  await until(`${NEEDED - 1} approvals on every node`, () =>
    nodes.every((n) => proposalAt(n, circle, proposal)?.tally.approve === NEEDED - 1),
  );
  if (nodes.some((n) => active(stateOf(n, circle).policy))) throw new Error(`passed on ${NEEDED - 1} approvals`);
  const last = voters.at(-1)!;
  await quiet();
  const busy = performance.eventLoopUtilization();
  const start = process.hrtime.bigint();
  await approve(last, circle, proposal);
  await until('the policy active on every node', () => nodes.every((n) => active(stateOf(n, circle).policy)));
  const ms = msSince(start);
  const busyShare = performance.eventLoopUtilization(busy).utilization;
  const voteCid = proposalAt(last, circle, proposal)!.votes.get(last.node.peerId)!.cid;
  return { ms, spreadMs, busy: busyShare, voteCid, voter: last };
}

/** What a connection gater may refuse (libp2p's ConnectionGater): each, for a peer of the other side. */
const GATES = [
  'denyDialPeer',
  'denyInboundEncryptedConnection',
  'denyInboundUpgradedConnection',
  'denyOutboundUpgradedConnection',
] as const;
/** What libp2p gives this bench under a node's network: its links and its connection gater. */
interface Links {
  hangUp(peer: PeerId): Promise<void>;
  components: { connectionGater: Partial<Record<(typeof GATES)[number], (peer: PeerId) => boolean>> };
}
const linksOf = (n: TestNode) => (n.node.network as unknown as { libp2p: Links }).libp2p;
/** Each node's peers on the other side of the partition (empty: none). */
const cut = new Map<TestNode, Set<string>>();
const crossing = (n: TestNode) => n.node.network.connectedPeers().some((p) => cut.get(n)?.has(p));

/**
 * Closes every link between `a` and `b` and keeps them closed until healed: each node's gater
 * refuses the other side's peers (dials, and connections that finish their upgrade after this: a
 * dial of an earlier heal, a redial), so that neither gossip nor a sync crosses.
 */
async function partition(a: TestNode[], b: TestNode[]): Promise<void> {
  for (const [side, other] of [
    [a, b],
    [b, a],
  ] as const)
    for (const n of side) {
      const others = new Set(other.map((m) => m.node.peerId));
      cut.set(n, others);
      const gater = linksOf(n).components.connectionGater;
      for (const gate of GATES) gater[gate] = (peer) => others.has(peer.toString());
    }
  await Promise.all(a.flatMap((n) => b.map((m) => linksOf(n).hangUp(peerIdFromString(m.node.peerId)))));
  await until('no link across the partition', () => ![...a, ...b].some(crossing));
}

/**
 * Lifts the gaters and dials every pair across again, each node of `a` one of `b` at a time, in turn
 * (so that each node of `b` answers one of these dials at a time: a hundred at once overran libp2p's
 * inbound limits, ECONNRESET). A dial that fails is left to the nodes' own redialers.
 */
function heal(a: TestNode[], b: TestNode[]): void {
  for (const n of [...a, ...b]) cut.get(n)?.clear();
  const dials = a.map(async (n, i) => {
    for (let k = 0; k < b.length; k++)
      await n.node.network.connect(b[(i + k) % b.length]!.node.network.listenAddresses()[0]!).catch(() => {});
  });
  Promise.all(dials).catch(() => {}); // each dial catches its own failure
}

/** Pairs of `a` and `b` connected now. */
const linksAcross = (a: TestNode[], b: TestNode[]) =>
  a.reduce((sum, n) => {
    const peers = new Set(n.node.network.connectedPeers());
    return sum + b.filter((m) => peers.has(m.node.peerId)).length;
  }, 0);

interface ConvergeRound {
  ms: number;
  logsMs: number;
  /** Pairs across connected again (by these dials or the redialers) when the policies agreed, and when the logs did. */
  linksAtConverge: number;
  linksAtLogs: number;
  sidesPassMs: number;
  busy: number;
  verifierPct: number;
}

/** Splits the nodes 10 | 10, passes a conflicting change on each side, heals, times the convergence. */
async function partitionRound(nodes: TestNode[], circle: string, at: number): Promise<ConvergeRound> {
  const halves = [nodes.slice(0, MEMBERS / 2), nodes.slice(MEMBERS / 2)] as const;
  await partition(...halves);
  const passed = await Promise.all(
    halves.map(async (side, i) => {
      const pct = SIDE_VERIFIER_PCT[i]! + at;
      const change = { rewards: { worker_pct: 100 - pct, verifier_pct: pct } };
      const { proposal } = await proposeEverywhere(side[at % side.length]!, side, circle, change);
      const start = process.hrtime.bigint();
      for (const voter of side) await approve(voter, circle, proposal);
      await until(`side ${i}'s change on its side`, () =>
        side.every((n) => stateOf(n, circle).policy.rewards.verifier_pct === pct),
      );
      return msSince(start);
    }),
  );
  if (nodes.some(crossing)) throw new Error('the partition leaked: a link across it came back');
  const history = stateOf(nodes[0]!, circle).history.length + 1; // the other side's activation
  const key = (n: TestNode) => {
    const s = stateOf(n, circle);
    return s.history.length === history ? JSON.stringify(s.policy) : undefined;
  };
  await quiet();
  const busy = performance.eventLoopUtilization();
  const start = process.hrtime.bigint();
  heal(...halves); // polled alongside: the first links across may be enough
  await until('one policy and history on all 20', () => {
    const first = key(nodes[0]!);
    return first !== undefined && nodes.every((n) => key(n) === first);
  });
  const ms = msSince(start);
  const busyShare = performance.eventLoopUtilization(busy).utilization;
  const linksAtConverge = linksAcross(...halves);
  const logOf = (n: TestNode) => n.node.circles.cids(circle).join(',');
  await until('identical logs on all 20', () => nodes.every((n) => logOf(n) === logOf(nodes[0]!)));
  const logsMs = msSince(start);
  return {
    ms,
    logsMs,
    linksAtConverge,
    linksAtLogs: linksAcross(...halves),
    sidesPassMs: Math.max(...passed),
    busy: busyShare,
    verifierPct: stateOf(nodes[0]!, circle).policy.rewards.verifier_pct,
  };
}

/** A vote's bytes as stored, as a direct `circle_entries` envelope, and in a gossipsub RPC frame. */
async function voteBytes(voter: TestNode, circle: string, cid: string): Promise<Record<string, number>> {
  const row = voter.node.journal.connection
    .prepare<[string, string], { bytes: number }>(
      'SELECT length(CAST(signed AS BLOB)) AS bytes FROM circle_entries WHERE circle_id = ? AND cid = ?',
    )
    .get(circle, cid)!;
  const entries = voter.node.circles.entriesFor(voter.node.peerId, circle, [cid])!;
  const envelope = await sealMessage(
    MESSAGE_TYPES,
    voter.node.identity,
    'circle_entries',
    { circle, entries },
    Date.now(),
  );
  const { privateKey } = voter.node.identity;
  const frame = RPC.encode({
    subscriptions: [],
    messages: [
      {
        from: peerIdFromString(voter.node.peerId).toMultihash().bytes,
        data: envelope,
        seqno: new Uint8Array(8),
        topic: circleTopic(circle),
        signature: new Uint8Array(64), // an Ed25519 signature's size; its value does not change it
        key: publicKeyToProtobuf(privateKey.publicKey),
      },
    ],
  });
  return { stored: row.bytes, envelope: envelope.byteLength, gossip: frame.byteLength };
}

const ms = (values: number[]) => values.map((v) => round(v, 0));
const shares = (values: number[]) => values.map((v) => round(v, 2));

const circles: Benchmark = {
  names: ['circle_activation_ms', 'circle_converge_after_partition_ms', 'circle_log_bytes_per_vote'],
  async run(): Promise<Figure[]> {
    const setup = process.hrtime.bigint();
    const nodes: TestNode[] = [];
    try {
      for (let i = 0; i < MEMBERS; i++) nodes.push(await startNode());
      await meshOf(nodes, () => 0); // connected; each node's trust set below, in parallel with the others'
      await Promise.all(
        nodes.map(async (n) => {
          for (const m of nodes) if (m !== n) await n.api['trust.set']({ peer_id: m.node.peerId, weight: 1 });
        }),
      );
      const setupS = round(msSince(setup) / 1000, 1);
      await quiet();
      const joinStart = process.hrtime.bigint();
      const circle = await circleOfAll(nodes, 'bench', {});
      const joinMs = msSince(joinStart);
      const rounds: ActivationRound[] = [];
      for (let r = 0; r < ROUNDS.length; r++) rounds.push(await activationRound(nodes, circle, r));
      const activationLoad = load();
      const split = await circleOfAll(nodes, 'bench-split', { voting: { quorum: 0.3, threshold: 0.5 } });
      const converged: ConvergeRound[] = [];
      for (let r = 0; r < PARTITION_ROUNDS; r++) converged.push(await partitionRound(nodes, split, r));
      const bytes = await voteBytes(rounds[0]!.voter, circle, rounds[0]!.voteCid);
      const spread = median(rounds.map((r) => r.spreadMs));
      const activation = median(rounds.map((r) => r.ms));
      return [
        {
          name: 'circle_activation_ms',
          value: round(activation, 0),
          unit: 'ms',
          target: '<= 2000',
          rounds_ms: ms(rounds.map((r) => r.ms)),
          baseline_proposal_spread_ms: round(spread, 0),
          proposal_spread_rounds_ms: ms(rounds.map((r) => r.spreadMs)),
          ratio_to_baseline: round(activation / spread, 2),
          event_loop_busy: shares(rounds.map((r) => r.busy)),
          founding_to_all_ms: round(joinMs, 0),
          members: MEMBERS,
          approvals: NEEDED,
          setup_s: setupS,
          load: activationLoad,
          measured: `last needed vote cast → policy active on all ${MEMBERS} (each polled every ${POLL_MS} ms), median of ${ROUNDS.length} rounds; baseline: the proposal's own spread`,
        },
        {
          name: 'circle_converge_after_partition_ms',
          value: round(median(converged.map((r) => r.ms)), 0),
          unit: 'ms',
          target: '<= 5000',
          rounds_ms: ms(converged.map((r) => r.ms)),
          logs_identical_rounds_ms: ms(converged.map((r) => r.logsMs)),
          links_across_at_converge: converged.map((r) => r.linksAtConverge),
          links_across_at_logs_identical: converged.map((r) => r.linksAtLogs),
          sides_pass_rounds_ms: ms(converged.map((r) => r.sidesPassMs)),
          event_loop_busy: shares(converged.map((r) => r.busy)),
          verifier_pct_after: converged.map((r) => r.verifierPct),
          split: '10 | 10, voting { quorum 0.3, threshold 0.5 }',
          load: load(),
          measured: `heal (gaters lifted, 100 pairs dialled) → same policy and history length on all ${MEMBERS}, median of ${PARTITION_ROUNDS} rounds`,
        },
        {
          name: 'circle_log_bytes_per_vote',
          value: Math.max(bytes.stored!, bytes.envelope!, bytes.gossip!),
          unit: 'bytes',
          target: '<= 1024',
          stored_bytes: bytes.stored,
          envelope_bytes: bytes.envelope,
          gossip_frame_bytes: bytes.gossip,
          measured:
            'one vote: its JSON in circle_entries; a circle_entries envelope of it alone; that in a gossipsub RPC',
        },
      ];
    } finally {
      await stopAndRemove(nodes);
    }
  },
};

export const benchmarks: Benchmark[] = [circles];
