// A circle's state as a pure function of its log: every member holding the same entries computes
// the same members, the same active policy and the same history, whatever order they arrived in
// (Matrix's state resolution is the model). The entries are replayed in the order their authors
// signed them (time, then CID); a proposal passes at the vote that makes its passing certain, or
// when voting closes with its quorum met and its threshold reached; two proposals changing one
// field apply in the order they passed (time, then CID). What the replay ignores is named, so the
// node can say why a message changed nothing.
import { applyFragment, changesVoting, fieldsOf, type MeshPolicy } from './policy.js';
import {
  MAX_CIRCLE_MEMBERS,
  type Change,
  type Genesis,
  type LoggedEntry,
  type Proposal,
  type Vote,
  type VoteChoice,
} from './entries.js';

type ProposalStatus = 'open' | 'passed' | 'rejected' | 'expired' | 'failed' | 'void';

interface Tally {
  approve: number;
  reject: number;
  abstain: number;
  /** Members when it was last counted. */
  members: number;
}

export interface ProposalState {
  cid: string;
  proposal: Proposal;
  status: ProposalStatus;
  /** Why it failed or is void. */
  reason?: string;
  /** When voting closes (the proposal's own expiry, cut to the circle's voting period). */
  closes_at: number;
  closed_at?: number;
  tally: Tally;
  /** Each member's standing vote: its choice and its entry's CID. */
  votes: Map<string, { choice: VoteChoice; cid: string; at: number }>;
}

/** One activation (seed 003's `MeshPolicyActivated`): what carried it, and the circle before and after. */
interface Activation {
  proposal: string;
  at: number;
  /** The approving votes counted when it passed. */
  votes: string[];
  fields: string[];
  before: MeshPolicy;
  after: MeshPolicy;
  members_before: string[];
  members_after: string[];
}

export interface CircleState {
  id: string;
  name: string;
  founder: string;
  created_at: number;
  members: string[];
  policy: MeshPolicy;
  proposals: ProposalState[];
  history: Activation[];
  /** Entries the replay ignored, by CID, with the reason: a vote after the close, a non-member's, … */
  ignored: Map<string, string>;
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/**
 * The circle founded by `genesis` as `entries` (its other entries, in any order, any circle's:
 * others are skipped) make it at time `now`.
 */
export function resolveCircle(
  genesis: LoggedEntry<Genesis>,
  entries: readonly LoggedEntry[],
  now: number,
): CircleState {
  const circle = genesis.cid;
  const state: CircleState = {
    id: circle,
    name: genesis.entry.name,
    founder: genesis.entry.founder,
    created_at: genesis.entry.at,
    members: [...new Set(genesis.entry.members)].sort(),
    policy: genesis.entry.policy,
    proposals: [],
    history: [],
    ignored: new Map(),
  };
  const proposals = new Map<string, ProposalState>();
  const happenings = entries
    .filter((e) => e.entry.kind !== 'genesis' && e.entry.circle === circle)
    .sort(
      (a, b) =>
        a.entry.at - b.entry.at ||
        (a.entry.kind === b.entry.kind ? 0 : a.entry.kind === 'proposal' ? -1 : 1) ||
        (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0),
    );
  const voided = new Set<string>(); // `${proposal} ${member}`: members who voted twice at one time
  for (const happening of happenings) {
    closeDue(state, proposals, happening.entry.at);
    if (happening.entry.kind === 'proposal') open(state, proposals, happening as LoggedEntry<Proposal>);
    else vote(state, proposals, voided, happening as LoggedEntry<Vote>);
  }
  closeDue(state, proposals, now);
  state.proposals = [...proposals.values()];
  return state;
}

function open(state: CircleState, proposals: Map<string, ProposalState>, { cid, entry }: LoggedEntry<Proposal>): void {
  const { voting } = state.policy;
  const closes_at = Math.min(entry.expires_at, entry.at + voting.voting_period_s * 1000);
  const held: ProposalState = {
    cid,
    proposal: entry,
    status: 'open',
    closes_at,
    tally: { approve: 0, reject: 0, abstain: 0, members: state.members.length },
    votes: new Map(),
  };
  proposals.set(cid, held);
  const openOfAuthor = [...proposals.values()].filter((p) => p.status === 'open' && p.proposal.author === entry.author);
  const why = !state.members.includes(entry.author)
    ? 'its author is not a member'
    : closes_at <= entry.at
      ? 'it closes before it opens'
      : openOfAuthor.length > voting.max_open_per_member
        ? `its author has ${voting.max_open_per_member} proposals open already`
        : undefined;
  if (why !== undefined) {
    held.status = 'void';
    held.reason = why;
    state.ignored.set(cid, why);
  }
}

function vote(
  state: CircleState,
  proposals: Map<string, ProposalState>,
  voided: Set<string>,
  { cid, entry }: LoggedEntry<Vote>,
): void {
  const held = proposals.get(entry.proposal);
  const key = `${entry.proposal} ${entry.author}`;
  const ignore = (why: string): void => void state.ignored.set(cid, why);
  if (held === undefined) return ignore('its proposal is not in the log');
  if (!state.members.includes(entry.author)) return ignore('its author is not a member');
  if (held.status !== 'open') return ignore(`its proposal is ${held.status} (a vote after the close)`);
  const twice = 'its author voted twice at one time on this proposal';
  if (voided.has(key)) return ignore(twice);
  const earlier = held.votes.get(entry.author);
  if (earlier?.at === entry.at) {
    // Neither of two votes signed at once counts: which "came first" is not a thing members agree on.
    voided.add(key);
    held.votes.delete(entry.author);
    state.ignored.set(earlier.cid, twice);
    return ignore(twice);
  }
  // The replay is in time order: a member's later vote replaces its earlier one.
  if (earlier !== undefined) state.ignored.set(earlier.cid, 'a later vote of its author replaced it');
  held.votes.set(entry.author, { choice: entry.choice, cid, at: entry.at });
  decide(state, held, entry.at, false);
}

/** Closes, in time then CID order, the open proposals whose voting closed by `time`. */
function closeDue(state: CircleState, proposals: Map<string, ProposalState>, time: number): void {
  const due = [...proposals.values()]
    .filter((p) => p.status === 'open' && p.closes_at <= time)
    .sort((a, b) => a.closes_at - b.closes_at || (a.cid < b.cid ? -1 : 1));
  for (const held of due) decide(state, held, held.closes_at, true);
}

/** Counts `held`'s votes and passes or rejects it when the outcome is certain (or, `closing`, final). */
function decide(state: CircleState, held: ProposalState, at: number, closing: boolean): void {
  const tally = count(state, held);
  const { quorum, threshold } = rulesFor(state.policy, held.proposal);
  const voted = tally.approve + tally.reject + tally.abstain;
  const remaining = closing ? 0 : Math.max(0, tally.members - voted);
  const quorumMet = ratio(voted, tally.members) >= quorum;
  const passes = quorumMet && ratio(tally.approve, tally.approve + tally.reject + remaining) >= threshold;
  const cannotPass =
    ratio(tally.approve + remaining, tally.approve + tally.reject + remaining) < threshold || (closing && !quorumMet);
  if (passes) activate(state, held, at);
  else if (cannotPass) close(held, closing && !quorumMet ? 'expired' : 'rejected', at);
}

function close(held: ProposalState, status: ProposalStatus, at: number, reason?: string): void {
  held.status = status;
  held.closed_at = at;
  if (reason !== undefined) held.reason = reason;
}

function count(state: CircleState, held: ProposalState): Tally {
  const tally: Tally = { approve: 0, reject: 0, abstain: 0, members: state.members.length };
  for (const [member, { choice }] of held.votes) if (state.members.includes(member)) tally[choice] += 1;
  held.tally = tally;
  return tally;
}

/** What a change changes, in words: its policy's fields, dotted (`rewards.worker_pct`), and members added or removed. */
export function changedFields(change: Change): string[] {
  return [
    ...fieldsOf(change.policy ?? {}),
    ...(change.add_members ?? []).map((m) => `members.add ${m}`),
    ...(change.remove_members ?? []).map((m) => `members.remove ${m}`),
  ];
}

/** The voting rules a proposal passes by: a change to them needs the stricter of the old and new. */
export function rulesFor(policy: MeshPolicy, proposal: Proposal): { quorum: number; threshold: number } {
  const { quorum, threshold } = policy.voting;
  const change = proposal.change.policy;
  if (change === undefined || !changesVoting(change)) return { quorum, threshold };
  return {
    quorum: Math.max(quorum, change.voting?.quorum ?? quorum),
    threshold: Math.max(threshold, change.voting?.threshold ?? threshold),
  };
}

function activate(state: CircleState, held: ProposalState, at: number): void {
  const { change } = held.proposal;
  const applied =
    change.policy === undefined
      ? { ok: true as const, policy: state.policy }
      : applyFragment(state.policy, change.policy);
  const removed = new Set(change.remove_members ?? []);
  const members = [...new Set([...state.members, ...(change.add_members ?? [])])].filter((m) => !removed.has(m)).sort();
  const why = !applied.ok
    ? `the policy it makes is not valid: ${applied.error}`
    : members.length === 0
      ? 'it would leave the circle without members'
      : members.length > MAX_CIRCLE_MEMBERS
        ? `it would make the circle more than ${MAX_CIRCLE_MEMBERS} members`
        : undefined;
  if (why !== undefined || !applied.ok) return close(held, 'failed', at, why);
  close(held, 'passed', at);
  state.history.push({
    proposal: held.cid,
    at,
    votes: [...held.votes.values()]
      .filter((v) => v.choice === 'approve')
      .map((v) => v.cid)
      .sort(),
    fields: changedFields(change),
    before: state.policy,
    after: applied.policy,
    members_before: state.members,
    members_after: members,
  });
  state.policy = applied.policy;
  state.members = members;
}
