// The API's circle methods (core/api/circle-methods.ts): founding, viewing, proposing and voting,
// each a thin call on the node's circles (node/circles), its state shown as the contract's views.
import type { ApiHandlers } from '../../../core/api/contract.js';
import { MAX_LISTED, type CircleView, type ProposalView } from '../../../core/api/circle-methods.js';
import { changedFields, rulesFor, type CircleState, type ProposalState } from '../../../core/circles/index.js';
import { CircleError } from '../../circles/index.js';
import { ApiError } from '../../api/errors.js';
import { iso } from '../context/node-context.js';
import type { NodeApi } from './node-api.js';
import { refuseNotPeerId } from './policy-handlers.js';

type CircleMethods = 'circles.list' | 'circles.create' | 'circles.show' | 'circles.propose' | 'circles.vote';

export function circleHandlers(node: NodeApi): Pick<ApiHandlers, CircleMethods> {
  const { circles } = node;
  const viewOf = (state: CircleState): CircleView => circleView(state, circles.me, circles.cids(state.id).length);
  return {
    async 'circles.list'() {
      return {
        circles: circles.ids().map((id) => {
          const state = circles.state(id);
          return {
            circle_id: id,
            name: state.name,
            members: state.members.length,
            open_proposals: state.proposals.filter((p) => p.status === 'open').length,
            version: state.history.length,
          };
        }),
      };
    },
    async 'circles.create'({ name, members, policy }) {
      for (const member of members) refuseNotPeerId(member, 'members: ');
      return { circle: viewOf(await asApi(() => circles.create(name, members, policy))) };
    },
    async 'circles.show'({ circle_id }) {
      return { circle: viewOf(await asApi(async () => circles.state(circle_id))) };
    },
    async 'circles.propose'({ circle_id, change, description, expires_in_s }) {
      for (const member of [...(change.add_members ?? []), ...(change.remove_members ?? [])])
        refuseNotPeerId(member, 'members: ');
      const proposal = await asApi(() => circles.propose(circle_id, change, description, expires_in_s));
      return { proposal: proposalView(circles.state(circle_id), proposal, circles.me) };
    },
    async 'circles.vote'({ circle_id, proposal_id, choice }) {
      const proposal = await asApi(() => circles.vote(circle_id, proposal_id, choice));
      return { proposal: proposalView(circles.state(circle_id), proposal, circles.me) };
    },
  };
}

/** A circle's refusal in the API's words (its codes are the API's). */
async function asApi<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof CircleError) throw new ApiError(err.code, err.message);
    throw err;
  }
}

function circleView(state: CircleState, me: string, entries: number): CircleView {
  const descriptions = new Map(state.proposals.map((p) => [p.cid, p.proposal.description]));
  return {
    circle_id: state.id,
    name: state.name,
    founder: state.founder,
    created_at: iso(state.created_at),
    members: state.members,
    policy: state.policy,
    proposals: state.proposals
      .toSorted((a, b) => b.proposal.at - a.proposal.at || (a.cid < b.cid ? -1 : 1))
      .slice(0, MAX_LISTED)
      .map((p) => proposalView(state, p, me)),
    history: state.history.slice(-MAX_LISTED).map((a) => ({
      proposal_id: a.proposal,
      description: descriptions.get(a.proposal) ?? '',
      at: iso(a.at),
      fields: a.fields,
      votes: a.votes,
      before: a.before,
      after: a.after,
      members_before: a.members_before,
      members_after: a.members_after,
    })),
    entries,
  };
}

function proposalView(state: CircleState, held: ProposalState, me: string): ProposalView {
  const { proposal } = held;
  return {
    proposal_id: held.cid,
    author: proposal.author,
    description: proposal.description,
    change: proposal.change,
    fields: changedFields(proposal.change),
    status: held.status,
    reason: held.reason ?? null,
    created_at: iso(proposal.at),
    closes_at: iso(held.closes_at),
    closed_at: held.closed_at === undefined ? null : iso(held.closed_at),
    tally: held.tally,
    ...rulesFor(state.policy, proposal),
    my_vote: held.votes.get(me)?.choice ?? null,
  };
}
