// A circle's proposals: each open one with what it changes, its tally against the quorum and
// threshold it needs, and my vote (Approve, Reject, Abstain; the one I cast pressed); the closed
// ones with how they ended and why.
import { useState } from 'react';
import type { ProposalView } from '../../src-main/core/api/circle-methods.js';
import type { MeshPolicy, VoteChoice } from '../../src-main/core/circles/index.js';
import { changeSummary, proposalLines } from '../circles/circle-model.js';
import type { Outcome } from '../store/types.js';
import { Badge, FormProblem, type Tone } from './basics.js';
import { ChangeList } from './CirclePolicy.js';

const CHOICES: Array<{ choice: VoteChoice; label: string }> = [
  { choice: 'approve', label: 'Approve' },
  { choice: 'reject', label: 'Reject' },
  { choice: 'abstain', label: 'Abstain' },
];

const STATUS_TONE: Record<ProposalView['status'], Tone> = {
  open: 'accent',
  passed: 'ok',
  rejected: 'danger',
  expired: 'neutral',
  failed: 'warn',
  void: 'neutral',
};

const percent = (part: number) => `${Number((part * 100).toFixed(1))}%`;

function Tally({ proposal }: { proposal: ProposalView }) {
  const { approve, reject, abstain, members } = proposal.tally;
  const voted = approve + reject + abstain;
  return (
    <p className="small" data-testid={`tally-${proposal.proposal_id}`}>
      <strong>{approve}</strong> approve · <strong>{reject}</strong> reject · <strong>{abstain}</strong> abstain{' '}
      <span className="muted">
        ({voted} of {members} members voted; it needs {percent(proposal.quorum)} of the members voting and{' '}
        {percent(proposal.threshold)} of the approvals and rejections approving)
      </span>
    </p>
  );
}

export function OpenProposal({
  proposal,
  policy,
  name,
  onVote,
}: {
  proposal: ProposalView;
  policy: MeshPolicy;
  name: (peerId: string) => string;
  onVote: (proposalId: string, choice: VoteChoice) => Promise<Outcome<ProposalView>>;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const vote = async (choice: VoteChoice) => {
    setBusy(true);
    const outcome = await onVote(proposal.proposal_id, choice);
    setBusy(false);
    setProblem(outcome.ok ? null : outcome.error);
  };
  return (
    <article className="proposal" data-testid={`proposal-${proposal.proposal_id}`}>
      <div className="proposal-head">
        <strong>{proposal.description || 'No description'}</strong>
        <span className="muted small">
          by {name(proposal.author)} · voting closes {new Date(proposal.closes_at).toLocaleString()}
        </span>
      </div>
      <ChangeList lines={proposalLines(proposal, policy, name)} />
      <Tally proposal={proposal} />
      <div className="vote-buttons" role="group" aria-label={`Your vote on ${proposal.description || 'this proposal'}`}>
        {CHOICES.map(({ choice, label }) => (
          <button
            key={choice}
            type="button"
            className={`button button-small ${proposal.my_vote === choice ? 'button-primary' : ''}`}
            aria-pressed={proposal.my_vote === choice}
            disabled={busy}
            onClick={() => void vote(choice)}
            data-testid={`vote-${choice}-${proposal.proposal_id}`}
          >
            {label}
          </button>
        ))}
        {proposal.my_vote === null && <span className="muted small">You have not voted.</span>}
      </div>
      <FormProblem problem={problem} />
    </article>
  );
}

export function ClosedProposals({
  proposals,
  name,
}: {
  proposals: readonly ProposalView[];
  name: (peerId: string) => string;
}) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="closed-proposals">
        <thead>
          <tr>
            <th>Proposal</th>
            <th>Changes</th>
            <th>Ended</th>
            <th>Approve / reject / abstain</th>
          </tr>
        </thead>
        <tbody>
          {proposals.map((p) => (
            <tr key={p.proposal_id} data-testid={`closed-${p.proposal_id}`}>
              <td>
                <div>{p.description || 'No description'}</div>
                <div className="muted small">by {name(p.author)}</div>
              </td>
              <td className="small">{changeSummary(p.change, name).join(', ')}</td>
              <td>
                <Badge tone={STATUS_TONE[p.status]}>{p.status}</Badge>
                {p.closed_at && <div className="muted small">{new Date(p.closed_at).toLocaleString()}</div>}
                {p.reason && <div className="small">{p.reason}</div>}
              </td>
              <td className="small mono">
                {p.tally.approve} / {p.tally.reject} / {p.tally.abstain} of {p.tally.members}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
