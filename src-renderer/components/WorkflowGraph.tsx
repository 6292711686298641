// A workflow as a live graph on the Jobs page: its steps in columns by depth (a fan-out step one node
// with its counters, steps not yet started shown too), each node that has a job opening its card.
import type { WorkflowView } from '../../src-main/core/api/workflow-methods.js';
import { columnsOf, countsOf } from '../jobs/workflow-graph.js';
import { Badge, Card, type Tone } from './basics.js';

const OUTCOME_TONES: Record<WorkflowView['outcome'], Tone> = {
  running: 'accent',
  completed: 'ok',
  failed: 'danger',
  cancelled: 'neutral',
};

const STEP_TONES: Record<WorkflowView['steps'][number]['state'], Tone> = {
  waiting: 'neutral',
  running: 'accent',
  done: 'ok',
  failed: 'danger',
  skipped: 'neutral',
  not_run: 'neutral',
  cancelled: 'neutral',
};

export function WorkflowGraph({ view, onOpenJob }: { view: WorkflowView; onOpenJob: (jobId: string) => void }) {
  return (
    <Card
      title={view.name ?? view.workflow_id}
      subtitle={view.workflow_id}
      actions={<Badge tone={OUTCOME_TONES[view.outcome]}>{view.outcome}</Badge>}
      className="workflow-card"
      testId={`workflow-${view.workflow_id}`}
    >
      <ol className="workflow-graph" aria-label={`steps of ${view.workflow_id}`}>
        {columnsOf(view).map((column, i) => (
          <li key={i} className="workflow-column">
            <ul>
              {column.map((step) => {
                const body = (
                  <>
                    <span className="workflow-step-id">{step.id}</span>
                    <Badge tone={STEP_TONES[step.state]} title={step.detail ?? undefined}>
                      {step.state.replace('_', ' ')}
                    </Badge>
                    <span className="workflow-step-uses">{step.uses}</span>
                    {step.needs.length > 0 && (
                      <span className="workflow-step-needs">after {step.needs.join(', ')}</span>
                    )}
                    <span className="workflow-step-counts">{countsOf(step)}</span>
                  </>
                );
                return (
                  <li key={step.id} className="workflow-step" data-state={step.state}>
                    {step.job_id === null ? (
                      <div className="workflow-step-body">{body}</div>
                    ) : (
                      <button
                        type="button"
                        className="workflow-step-body"
                        title={`open its job, ${step.job_id}`}
                        onClick={() => onOpenJob(step.job_id!)}
                      >
                        {body}
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ol>
    </Card>
  );
}
