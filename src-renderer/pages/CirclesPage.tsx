// Circles: groups of peers sharing one policy, changed by proposal and vote. On the left my
// circles and the form that founds one; on the right the circle chosen: its members, its policy in
// force, its open proposals with their tallies and my vote, the form that proposes a change, the
// closed proposals, and its history. Read again on every circle.* event (store/sync.ts) and after
// each action.
import { useEffect, useMemo, useState } from 'react';
import type { CircleView } from '../../src-main/core/api/circle-methods.js';
import { useActions, useMesh } from '../app/store-context.js';
import { peerNamer } from '../circles/circle-model.js';
import { Badge, Card, EmptyState, Loading, PageHeader } from '../components/basics.js';
import { NewCircleForm, ProposeForm } from '../components/CircleForms.js';
import { HistoryTimeline, PolicyTables } from '../components/CirclePolicy.js';
import { ClosedProposals, OpenProposal } from '../components/CircleProposals.js';
import type { CircleSummary } from '../store/types.js';

export function CirclesPage() {
  const circles = useMesh((s) => s.circles);
  const views = useMesh((s) => s.circleViews);
  const peers = useMesh((s) => s.peers);
  const me = useMesh((s) => s.status?.peer_id ?? '');
  const { refreshCircles, loadCircle, createCircle, reportError } = useActions();
  const [chosen, setChosen] = useState<string | null>(null);
  const selected = chosen ?? circles?.[0]?.circle_id ?? null;

  useEffect(() => {
    refreshCircles().catch(reportError);
  }, [refreshCircles, reportError]);
  useEffect(() => {
    if (selected !== null) loadCircle(selected).catch(reportError);
  }, [selected, loadCircle, reportError]);

  const name = useMemo(
    () => peerNamer(me, new Map((peers ?? []).filter((p) => p.name).map((p) => [p.peer_id, p.name!]))),
    [me, peers],
  );
  const create = async (circleName: string, members: string[]) => {
    const outcome = await createCircle(circleName, members);
    if (outcome.ok) setChosen(outcome.value.circle_id);
    return outcome;
  };
  const view = selected === null ? undefined : views[selected];

  return (
    <div className="page" data-testid="page-circles">
      <PageHeader
        title="Circles"
        subtitle="Groups of peers that share one policy for the jobs run among them: rewards, verification, requirements. Any member proposes a change; the members vote on it."
      />
      <div className="circles-layout">
        <div className="circles-side">
          <Card title="My circles">
            {circles === null ? (
              <Loading what="circles" />
            ) : circles.length === 0 ? (
              <EmptyState icon="circles" title="No circles yet">
                Found one below, or ask a member of one to add you.
              </EmptyState>
            ) : (
              <CircleList circles={circles} selected={selected} onChoose={setChosen} />
            )}
          </Card>
          <Card
            title="New circle"
            subtitle="Its members get its founding document; it starts under the default policy."
          >
            <NewCircleForm onCreate={create} />
          </Card>
        </div>
        <div className="circles-main">
          {selected === null ? null : view ? (
            <CircleDetail key={view.circle_id} circle={view} name={name} />
          ) : (
            <Loading what="the circle" />
          )}
        </div>
      </div>
    </div>
  );
}

function CircleList({
  circles,
  selected,
  onChoose,
}: {
  circles: readonly CircleSummary[];
  selected: string | null;
  onChoose: (circleId: string) => void;
}) {
  return (
    <ul className="list circle-list" data-testid="circle-list">
      {circles.map((c) => (
        <li key={c.circle_id}>
          <button
            type="button"
            className={`circle-item ${c.circle_id === selected ? 'is-active' : ''}`}
            aria-current={c.circle_id === selected ? 'true' : undefined}
            onClick={() => onChoose(c.circle_id)}
            data-testid={`circle-item-${c.circle_id}`}
          >
            <span className="list-main">
              <span className="circle-name">{c.name}</span>
              <span className="muted small">
                {c.members} {c.members === 1 ? 'member' : 'members'} · version {c.version}
              </span>
            </span>
            {c.open_proposals > 0 && <Badge tone="accent">{c.open_proposals} open</Badge>}
          </button>
        </li>
      ))}
    </ul>
  );
}

function CircleDetail({ circle, name }: { circle: CircleView; name: (peerId: string) => string }) {
  const { proposeChange, vote } = useActions();
  const open = circle.proposals.filter((p) => p.status === 'open');
  const closed = circle.proposals.filter((p) => p.status !== 'open');
  const id = circle.circle_id;
  return (
    <div className="circle-detail" data-testid={`circle-${id}`}>
      <Card
        title={circle.name}
        subtitle={`Founded by ${name(circle.founder)} on ${new Date(circle.created_at).toLocaleString()} · version ${circle.history.length}`}
      >
        <div className="section-title">Members</div>
        <ul className="member-chips" data-testid="circle-members">
          {circle.members.map((member) => (
            <li key={member} className="member-chip" title={member} data-testid={`member-${member}`}>
              {name(member)}
              {member === circle.founder && <span className="muted small"> · founder</span>}
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Policy in force" subtitle="What the members agreed on for the jobs run in this circle.">
        <PolicyTables policy={circle.policy} />
      </Card>
      <Card title="Open proposals" testId="open-proposals">
        {open.length === 0 ? (
          <p className="muted">No proposal is open.</p>
        ) : (
          open.map((proposal) => (
            <OpenProposal
              key={proposal.proposal_id}
              proposal={proposal}
              policy={circle.policy}
              name={name}
              onVote={(proposalId, choice) => vote(id, proposalId, choice)}
            />
          ))
        )}
      </Card>
      <Card
        title="Propose a change"
        subtitle="Only the fields you change are proposed. It opens at once; vote for it as the others do."
      >
        <ProposeForm
          policy={circle.policy}
          onPropose={(change, description) => proposeChange(id, change, description)}
        />
      </Card>
      {closed.length > 0 && (
        <Card title="Closed proposals">
          <ClosedProposals proposals={closed} name={name} />
        </Card>
      )}
      <Card title="History" subtitle="Each change that passed, oldest first.">
        <HistoryTimeline history={circle.history} name={name} />
      </Card>
    </div>
  );
}
