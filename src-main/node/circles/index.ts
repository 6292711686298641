// Circles on a node: the logs and their states (circles.ts), how they travel (circle-sync.ts), and
// what the rest of the node reads of them: the policy a job's circle runs by (CirclePolicies).
import type { MeshPolicy } from '../../core/circles/index.js';
import { PenaltyBook } from '../../core/mesh/rules/penalties.js';
import { CircleStore } from '../journal/circle-store.js';
import type { Db } from '../journal/database.js';
import type { MeshNetwork } from '../p2p/index.js';
import type { NodeContext } from '../mesh/context/node-context.js';
import { CircleSync } from './circle-sync.js';
import { Circles, type CircleNeeds } from './circles.js';

export { CircleError, Circles } from './circles.js';
export { CircleSync } from './circle-sync.js';

/** What a job's deciders read: the active policy of its circle, at the moment they decide. */
export type CirclePolicies = Pick<Circles, 'policyOf' | 'workerSharesSince' | 'isMember'>;

/** The node's circles, on its database and network; `node` is read when first needed (it is built after them). */
export function openCircles(
  db: Db,
  network: Pick<MeshNetwork, 'publish' | 'subscribe' | 'subscribers' | 'connectedPeers'>,
  node: () => NodeContext,
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
      const count = penalties.note(peer, node().now());
      const event = { type: 'peer.penalized' as const, peer_id: peer, reason: `circle_${reason}`.slice(0, 64), count };
      if (count !== undefined) node().background('recording a penalty', node().record([event]));
    },
  };
  const circles = new Circles(needs);
  const sync = new CircleSync(
    circles,
    network,
    (peer, type, body, options) => node().send(peer, type, body, options),
    (what, work) => node().background(what, work),
  );
  return { circles, sync };
}
