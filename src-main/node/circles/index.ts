// Circles on a node: the logs and their states (circles.ts), how they travel (circle-sync.ts), and
// what the rest of the node reads of them: the policy a job's circle runs by (CirclePolicies).
import { trustUnder } from '../../core/circles/index.js';
import { PenaltyBook } from '../../core/mesh/rules/penalties.js';
import type { ComputeCommitment, WorkUnit } from '../../core/schemas/index.js';
import type { ApiEventType } from '../../core/api/contract.js';
import type { MeshState } from '../../core/mesh/state/state.js';
import { emptyReputation } from '../../core/trust/index.js';
import { CircleStore } from '../journal/circle-store.js';
import type { Db } from '../journal/database.js';
import type { MeshNetwork } from '../p2p/index.js';
import type { Identity } from '../identity/identity.js';
import { CircleSync, type Background, type Send } from './circle-sync.js';
import { Circles, type CircleNeeds } from './circles.js';

export { CircleError, Circles } from './circles.js';
export { CircleSync } from './circle-sync.js';

/** What a job's deciders read: the active policy of its circle, at the moment they decide. */
export type CirclePolicies = Pick<Circles, 'policyOf' | 'workerSharesSince' | 'isMember'>;

/** What the circles need of the node (its context: node/mesh/context/node-context.ts). */
export interface CircleNode {
  readonly identity: Identity;
  readonly state: Pick<MeshState, 'myTrustIn' | 'reputation'>;
  readonly commitments: ReadonlyMap<string, ComputeCommitment>;
  readonly circles: CirclePolicies;
  now(): number;
  emit(type: ApiEventType, data: Record<string, string | number>): void;
  log(message: string): void;
  record(events: { type: 'peer.penalized'; peer_id: string; reason: string; count: number }[]): Promise<void>;
  send: Send;
  background: Background;
}

/**
 * Whether `provider` may compute `unit` (of a job in a circle; in none: anyone I would take): a
 * member, trusted as much as the circle's policy asks, that offers a slot with the cores, RAM and
 * calibrated speed for the unit's algorithm it asks of members (its latest commitment says).
 */
export function mayCompute(
  ctx: Pick<CircleNode, 'circles' | 'commitments' | 'state'>,
  unit: Pick<WorkUnit, 'algorithm_id' | 'circle'>,
  provider: string,
  nowMs: number,
): boolean {
  const { circle } = unit;
  if (circle === undefined) return true;
  if (!ctx.circles.isMember(circle, provider)) return false;
  const policy = ctx.circles.policyOf(circle);
  const { min_cores, min_ram_gib, min_speed, min_trust } = policy.requirements;
  const reputation = ctx.state.reputation.get(provider) ?? emptyReputation();
  if (trustUnder(policy, ctx.state.myTrustIn(provider), reputation, nowMs) < min_trust) return false;
  return (ctx.commitments.get(provider)?.availability_slots ?? []).some(
    ({ resources, algorithms }) =>
      resources.cpu_cores >= min_cores &&
      resources.ram_gb >= min_ram_gib &&
      algorithms.some((a) => a.algorithm_id === unit.algorithm_id && a.performance_score >= min_speed),
  );
}

/** The node's circles, on its database and network; `node` is read when first needed (it is built after them). */
export function openCircles(
  db: Db,
  network: Pick<MeshNetwork, 'publish' | 'subscribe' | 'subscribers' | 'connectedPeers'>,
  node: () => CircleNode,
): { circles: Circles; sync: CircleSync } {
  const penalties = new PenaltyBook();
  const needs: CircleNeeds = {
    get identity() {
      return node().identity;
    },
    store: new CircleStore(db),
    now: () => node().now(),
    trusts: (peer) => node().state.myTrustIn(peer) > 0,
    emit: (type, data) => node().emit(type, data),
    log: (message) => node().log(message),
    penalize(peer, reason) {
      // As the network's drops are: a peer's penalties reach the journal at most once a window (penalties.ts).
      const count = penalties.note(peer, node().now());
      if (count === undefined) return;
      const event = { type: 'peer.penalized' as const, peer_id: peer, reason: `circle_${reason}`.slice(0, 64), count };
      node().background('recording a penalty', node().record([event]));
    },
  };
  const circles = new Circles(needs);
  const sync = new CircleSync(
    circles,
    network,
    (peer, type, body) => node().send(peer, type, body),
    (what, work) => node().background(what, work),
  );
  return { circles, sync };
}
