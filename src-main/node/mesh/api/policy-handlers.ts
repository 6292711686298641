// The API's policy methods: who may use my machine, and how much (core/policy), and a conviction
// undone by its user (a pardon). The provider reads the list from the node's state at every
// acceptance and every round.
import type { ApiHandlers } from '../../../core/api/contract.js';
import { peerIdFromString } from '@libp2p/peer-id';
import { ApiError } from '../../api/errors.js';
import type { NodeApi } from './node-api.js';

export function policyHandlers(node: NodeApi): Pick<ApiHandlers, 'policies.get' | 'policies.set' | 'peers.pardon'> {
  return {
    async 'peers.pardon'({ peer_id }) {
      refuseNotPeerId(peer_id);
      if (!node.state.checks.isConvicted(peer_id)) return { peer_id, pardoned: false };
      await node.record([{ type: 'peer.pardoned', peer_id }]);
      node.log(`${peer_id} pardoned: its conviction is undone, its trust and reputation restored`);
      node.trustChanged(peer_id); // my commitment and the peers I follow, as for a trust weight set
      node.provider.roundSoon(); // a pardoned requester's units may be offered again
      node.emit('peer.pardoned', { peer: peer_id });
      return { peer_id, pardoned: true };
    },
    async 'policies.get'() {
      return { policies: node.state.policies };
    },
    async 'policies.set'({ policies }) {
      for (const policy of policies) {
        if (policy.kind !== 'permit_list') continue;
        for (const peer of policy.peers) refuseNotPeerId(peer, 'permit list: ');
      }
      await node.record([{ type: 'policies.set', policies }]);
      node.log(`policies: ${policies.length === 0 ? 'none' : policies.map((p) => p.kind).join(', ')}`);
      node.provider.roundSoon(); // a looser policy may let units be offered now
      return { policies: node.state.policies };
    },
  };
}

/**
 * A peer id a call names that is none: refused as a bad request (`what`: where it was, as
 * "permit list: "). Here, on the node's side: the API's errors module is the client's too, and
 * parsing peer ids would load libp2p's into every meshctl command.
 */
export function refuseNotPeerId(peer: string, what = ''): void {
  try {
    peerIdFromString(peer);
  } catch {
    throw new ApiError('bad_request', `${what}${peer} is not a peer id`);
  }
}
