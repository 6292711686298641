// The form that runs a workflow (docs/WORKFLOWS.md; jobs/workflow-form.ts): its document (JSON)
// dropped or chosen, then each input it declares — files in a drop zone of their own, a value typed —
// and Run; the workflow's graph appears above the jobs, each step opening its job.
import { useState, type FormEvent } from 'react';
import {
  workflowDocument,
  workflowRequest,
  type InputValue,
  type WorkflowDocument,
  type WorkflowRequest,
} from '../jobs/workflow-form.js';
import { DropZone, filesSummary } from './DropZone.js';
import { FormProblem, TextField } from './basics.js';

interface WorkflowFormProps {
  onRun: (request: WorkflowRequest) => Promise<boolean>;
}

export function WorkflowForm({ onRun }: WorkflowFormProps) {
  const [doc, setDoc] = useState<WorkflowDocument | null>(null);
  const [values, setValues] = useState<Record<string, InputValue>>({});
  const [noCache, setNoCache] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const give = (name: string, value: InputValue) => setValues((v) => ({ ...v, [name]: value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!doc) return setProblem('Choose the workflow first: a .json document.');
    const made = workflowRequest(doc, values, noCache);
    setProblem(made.ok ? null : made.error);
    if (!made.ok) return;
    setRunning(true);
    if (await onRun(made.value)) setValues({});
    setRunning(false);
  };

  return (
    <form className="render-form" data-testid="workflow-form" onSubmit={(e) => void submit(e)}>
      <DropZone
        className="field-full"
        prompt={doc ? `${doc.name ?? 'workflow'}: ${doc.steps} steps` : 'Drop a workflow (.json), or choose it:'}
        pickers={[{ label: 'Workflow', testId: 'workflow-document', accept: '.json' }]}
        testId="workflow-drop"
        onFiles={(files) => {
          const read = files.length === 1 ? workflowDocument(files[0]!) : undefined;
          setProblem(read?.ok === false ? read.error : read ? null : 'Drop one workflow document.');
          setDoc(read?.ok ? read.value : null);
          setValues({});
        }}
        onProblem={setProblem}
      />
      {doc?.inputs.map(({ name, type }) => {
        const value = values[name];
        return type === 'file' || type === 'files' ? (
          <DropZone
            key={name}
            className="field-full"
            prompt={filesSummary(
              Array.isArray(value) ? value : [],
              `${name}: drop ${type === 'file' ? 'a file' : 'the files'}`,
            )}
            pickers={[
              { label: name, testId: `workflow-input-${name}`, multiple: type === 'files' },
              ...(type === 'files'
                ? [{ label: `${name}: a folder's files`, testId: `workflow-folder-${name}`, folder: true }]
                : []),
            ]}
            testId={`workflow-drop-${name}`}
            onFiles={(files) => give(name, files)}
            onProblem={setProblem}
          />
        ) : (
          <TextField
            key={name}
            label={name}
            hint={type === 'boolean' ? 'true or false' : `A ${type}`}
            value={typeof value === 'string' ? value : ''}
            onChange={(text) => give(name, text)}
            testId={`workflow-input-${name}`}
          />
        );
      })}
      <label className="checkbox-row">
        <input
          type="checkbox"
          checked={noCache}
          onChange={(e) => setNoCache(e.target.checked)}
          data-testid="workflow-no-cache"
        />
        <span>
          Run every unit again
          <span className="field-hint">Else a unit whose output was verified before is taken from the memo.</span>
        </span>
      </label>
      <FormProblem problem={problem} />
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={running || !doc}
        data-testid="workflow-run"
      >
        {running ? 'Starting…' : 'Run workflow'}
      </button>
    </form>
  );
}
