// The form that submits a job of your own WASI program (docs/UNIT_ABI.md, section 15): the .wasm,
// the input files dropped here or chosen (a file each, or a folder's files: a unit per file, the
// file its stdin) or a number of units, a folder mapped where the program expects it (as meshctl's
// --dir: at "." or an absolute path, read-only or writable), the args and env every unit is given, how many providers
// run each unit, the budget, and whether peers you have not trusted may; and before it is sent,
// what it would cost (Estimate: the node's quote, jobs.estimate, which runs the first unit), which
// any change to the form clears. The node checks the program and the terms again.
import { useState, type FormEvent } from 'react';
import type { JobEstimate } from '../../../src-main/core/api/contract.js';
import { formatCredits } from '../../format.js';
import {
  DEFAULT_PROGRAM_FIELDS,
  folderTooBig,
  programRequest,
  type NamedBytes,
  type ProgramFields,
  type ProgramRequest,
} from './program-form.js';
import { namedBytes } from '../../components/dropped-files.js';
import { DropZone, filesSummary } from '../../components/DropZone.js';
import { EstimatePanel } from '../../components/EstimatePanel.js';
import { Icon } from '../../components/Icon.js';
import { FormProblem, TextField } from '../../components/basics.js';

export function ProgramForm({
  balance,
  onEstimate,
  onSubmit,
}: {
  balance: number;
  onEstimate: (request: ProgramRequest) => Promise<JobEstimate | undefined>;
  onSubmit: (request: ProgramRequest) => Promise<boolean>;
}) {
  const [fields, setFields] = useState<ProgramFields>(DEFAULT_PROGRAM_FIELDS);
  const [program, setProgram] = useState<NamedBytes | null>(null);
  const [files, setFiles] = useState<NamedBytes[]>([]);
  const [folder, setFolder] = useState<NamedBytes[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [estimate, setEstimate] = useState<JobEstimate | null>(null);
  const [estimating, setEstimating] = useState(false);
  const set =
    <K extends keyof ProgramFields>(key: K) =>
    (value: ProgramFields[K]) => {
      setEstimate(null);
      setFields((f) => ({ ...f, [key]: value }));
    };

  const onProgram = async (chosen: File | undefined) => {
    setEstimate(null);
    setProgram(chosen ? await namedBytes(chosen) : null);
  };

  const useFiles = (chosen: NamedBytes[]) => {
    if (chosen.length === 0) return;
    setEstimate(null);
    setFiles(chosen);
    setFields((f) => ({ ...f, mode: 'files' }));
  };

  /** The request the form makes, or undefined once it has said what is wrong. */
  const request = (): ProgramRequest | undefined => {
    const made = programRequest(fields, program, files, folder);
    setProblem(made.ok ? null : made.error);
    return made.ok ? made.value : undefined;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const made = request();
    if (!made) return;
    setSubmitting(true);
    await onSubmit(made);
    setSubmitting(false);
  };

  const quote = async () => {
    const made = request();
    if (!made) return;
    setEstimating(true);
    setEstimate((await onEstimate(made)) ?? null);
    setEstimating(false);
  };

  const useNeeded = (needed: number) => {
    setFields((f) => ({ ...f, budget: formatCredits(needed) }));
    setEstimate((e) => e && { ...e, budget: needed, enough: true });
  };

  const text = (key: 'args' | 'items' | 'redundancy' | 'budget', label: string, hint: string) => (
    <TextField label={label} hint={hint} value={fields[key]} onChange={set(key)} testId={`program-${key}`} />
  );

  return (
    <form className="render-form" data-testid="program-form" onSubmit={(e) => void submit(e)}>
      <label className="field field-full">
        <span>Program</span>
        <input
          type="file"
          accept=".wasm,application/wasm"
          onChange={(e) => void onProgram(e.target.files?.[0])}
          data-testid="program-wasm"
        />
        <span className="field-hint">
          A WASI preview 1 command: C, C++, Rust, TinyGo or Zig built for wasm32-wasi (docs/UNIT_ABI.md).
        </span>
      </label>
      <fieldset className="field field-full">
        <legend>Units</legend>
        <label className="checkbox-row">
          <input
            type="radio"
            name="program-mode"
            checked={fields.mode === 'files'}
            onChange={() => set('mode')('files')}
            data-testid="program-mode-files"
          />
          <span>One per input file (the file is its stdin, its name is {'{name}'})</span>
        </label>
        <DropZone
          prompt={filesSummary(files, 'Drop the input files here, or choose them:')}
          pickers={[
            { label: 'Files', testId: 'program-files', multiple: true },
            { label: "Or a folder's files", testId: 'program-folder', folder: true },
          ]}
          testId="program-drop"
          onFiles={useFiles}
          onProblem={setProblem}
        />
        <label className="checkbox-row">
          <input
            type="radio"
            name="program-mode"
            checked={fields.mode === 'items'}
            onChange={() => set('mode')('items')}
            data-testid="program-mode-items"
          />
          <span>A number of units, stdin empty ({'{index}'} tells them apart)</span>
        </label>
        {fields.mode === 'items' && text('items', 'Units', 'From 1 to 10,000.')}
      </fieldset>
      <fieldset className="field field-full">
        <legend>Folder (optional)</legend>
        <DropZone
          prompt={filesSummary(
            folder,
            'A folder the program finds where it expects it, instead of /input, /tmp and /out: drop it here, or choose it:',
          )}
          pickers={[{ label: 'A folder', testId: 'program-dir', folder: true }]}
          testId="program-dir-drop"
          beforeReading={folderTooBig}
          onFiles={(chosen) => {
            setEstimate(null);
            setFolder(chosen);
          }}
          onProblem={setProblem}
        />
        {folder.length > 0 && (
          <>
            <TextField
              label="Seen at"
              hint={'"." for relative paths (fopen("data.txt")), or an absolute path such as /data.'}
              value={fields.dirGuest}
              onChange={set('dirGuest')}
              testId="program-dir-guest"
            />
            <label className="checkbox-row">
              <input
                type="checkbox"
                checked={fields.dirWritable}
                onChange={(e) => set('dirWritable')(e.target.checked)}
                data-testid="program-dir-writable"
              />
              <span>
                Writable
                <span className="field-hint">
                  Each unit changes its own copy; the files it writes there come back as its output.
                </span>
              </span>
            </label>
            <button
              type="button"
              className="button"
              onClick={() => {
                setEstimate(null);
                setFolder([]);
              }}
              data-testid="program-dir-clear"
            >
              No folder
            </button>
          </>
        )}
        <span className="field-hint">
          Its files as this page reads them: links are followed and empty folders left out (meshctl --dir refuses links
          and keeps empty folders).
        </span>
      </fieldset>
      {text('args', 'Args', 'Words or a JSON array; {index} and {name} become each unit’s.')}
      <label className="field field-full">
        <span>Environment</span>
        <textarea
          rows={2}
          value={fields.env}
          onChange={(e) => set('env')(e.target.value)}
          placeholder="NAME=VALUE, one a line"
          data-testid="program-env"
        />
      </label>
      <div className="field-pair">
        {text('redundancy', 'Redundancy', 'Providers per unit')}
        {text('budget', 'Budget (credits)', `Balance ${formatCredits(balance)}`)}
      </div>
      <label className="checkbox-row">
        <input
          type="checkbox"
          checked={fields.strangers}
          onChange={(e) => set('strangers')(e.target.checked)}
          data-testid="program-strangers"
        />
        <span>
          Open to strangers
          <span className="field-hint">Peers you have not trusted may compute this job.</span>
        </span>
      </label>
      <FormProblem problem={problem} />
      {estimate && <EstimatePanel estimate={estimate} onUseBudget={() => useNeeded(estimate.budget_needed)} />}
      <button
        type="button"
        className="button button-block"
        disabled={estimating || submitting}
        onClick={() => void quote()}
        data-testid="program-estimate-button"
      >
        {estimating ? 'Estimating…' : 'Estimate cost'}
      </button>
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={submitting}
        data-testid="program-submit"
      >
        <Icon name="jobs" /> {submitting ? 'Submitting…' : 'Run'}
      </button>
    </form>
  );
}
