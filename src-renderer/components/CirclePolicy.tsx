// A circle's active policy, a small table a section, and its history as a timeline: each
// activation, when, what carried it and what it changed, before → after.
import type { CircleView } from '../../src-main/core/api/circle-methods.js';
import type { MeshPolicy } from '../../src-main/core/circles/index.js';
import {
  activationLines,
  formatPolicyValue,
  POLICY_LABELS,
  POLICY_SECTIONS,
  type ChangeLine,
} from '../circles/circle-model.js';
import { EmptyState } from './basics.js';

export function PolicyTables({ policy }: { policy: MeshPolicy }) {
  return (
    <div className="circle-policy" data-testid="circle-policy">
      {POLICY_SECTIONS.map((section) => (
        <table className="table table-compact" key={section}>
          <caption className="section-title">{POLICY_LABELS[section].title}</caption>
          <tbody>
            {Object.entries(policy[section]).map(([field, value]: [string, number]) => (
              <tr key={field}>
                <th scope="row">{(POLICY_LABELS[section].fields as Record<string, string>)[field]}</th>
                <td className="num" data-testid={`policy-${section}-${field}`}>
                  {formatPolicyValue(field, value)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

/** What a proposal or an activation changes, a line each: "Rewards · Worker share 90% → 80%". */
export function ChangeList({ lines, testId }: { lines: readonly ChangeLine[]; testId?: string }) {
  return (
    <ul className="change-list" data-testid={testId}>
      {lines.map((line) => (
        <li key={line.key}>
          <span className="muted">{line.label}</span>{' '}
          {line.before !== undefined && (
            <>
              <span className="mono">{line.before}</span> →{' '}
            </>
          )}
          <span className="mono change-after">{line.after}</span>
        </li>
      ))}
    </ul>
  );
}

export function HistoryTimeline({
  history,
  name,
}: {
  history: CircleView['history'];
  name: (peerId: string) => string;
}) {
  if (history.length === 0)
    return (
      <EmptyState icon="circles" title="No changes yet">
        The policy is the one the circle was founded with. A proposal that passes shows here.
      </EmptyState>
    );
  return (
    <ol className="timeline" data-testid="circle-history">
      {history.map((activation, index) => (
        <li key={activation.proposal_id} data-testid={`activation-${activation.proposal_id}`}>
          <div className="timeline-head">
            <strong>Version {index + 1}</strong>
            <span className="muted small">{new Date(activation.at).toLocaleString()}</span>
            <span className="muted small">
              {activation.votes.length} approving {activation.votes.length === 1 ? 'vote' : 'votes'}
            </span>
          </div>
          {activation.description && <p className="timeline-text">{activation.description}</p>}
          <ChangeList lines={activationLines(activation, name)} />
        </li>
      ))}
    </ol>
  );
}
