// The "Process files" form: a library method over files, a unit per file (docs/KERNELS.md, "The
// library"). Pick the library and the method; the method's params are a form generated from its
// schema (jobs/library-form.ts), checked with that schema before anything is sent, a refusal naming
// the param; drop the files or choose them (and, for a method that reads one of the job's files,
// such as data/join's right table, that file in a zone of its own); quote the job (jobs.estimate)
// or run it. Its card then shows each file's result as it is verified (LibraryResults).
import { useState, type FormEvent } from 'react';
import type { JobEstimate } from '../../../src-main/core/api/contract.js';
import { formatCredits } from '../../format.js';
import {
  fileFields,
  LIBRARY_METHODS,
  libraryRequest,
  paramFields,
  type LibraryJob,
  type LibraryTerms,
  type ParamField,
  type ParamValues,
} from './library-form.js';
import type { NamedBytes, ProgramRequest } from '../wasi/program-form.js';
import { DropZone, filesSummary } from '../../components/DropZone.js';
import { EstimatePanel } from '../../components/EstimatePanel.js';
import { Icon } from '../../components/Icon.js';
import { FormProblem } from '../../components/basics.js';

const DEFAULT_TERMS: LibraryTerms = { redundancy: '1', budget: '10', strangers: false };

function hintOf(field: ParamField): string {
  const optional = field.required ? '' : 'Optional. ';
  if (field.kind === 'integer' || field.kind === 'number')
    return `${optional}${field.kind === 'integer' ? 'A whole number' : 'A number'}${
      field.min !== undefined && field.max !== undefined ? `, ${field.min} to ${field.max}` : ''
    }.`;
  if (field.kind === 'json') return `${optional}JSON, like ${field.example}`;
  if (field.kind === 'string' && field.pattern?.startsWith('^[0-9a-f]{'))
    return `${optional}${field.pattern.slice(10, -2)} lowercase hex digits.`;
  return optional;
}

function ParamInput({
  field,
  value,
  onChange,
}: {
  field: ParamField;
  value: string | boolean | undefined;
  onChange: (value: string | boolean) => void;
}) {
  const id = `library-param-${field.name}`;
  if (field.kind === 'boolean')
    return (
      <label className="checkbox-row">
        <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} data-testid={id} />
        <span>{field.name}</span>
      </label>
    );
  const text = typeof value === 'string' ? value : '';
  const hint = hintOf(field);
  return (
    <label className={`field${field.kind === 'json' ? ' field-full' : ''}`}>
      <span>{field.name}</span>
      {field.kind === 'enum' ? (
        <select value={text} onChange={(e) => onChange(e.target.value)} data-testid={id}>
          <option value="">{field.required ? 'Choose…' : 'Default'}</option>
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : field.kind === 'json' ? (
        <textarea
          rows={2}
          value={text}
          placeholder={field.example}
          onChange={(e) => onChange(e.target.value)}
          data-testid={id}
        />
      ) : (
        <input
          type="text"
          inputMode={field.kind === 'string' ? 'text' : 'decimal'}
          value={text}
          onChange={(e) => onChange(e.target.value)}
          data-testid={id}
        />
      )}
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}

export function LibraryForm({
  balance,
  onEstimate,
  onSubmit,
}: {
  balance: number;
  onEstimate: (request: ProgramRequest) => Promise<JobEstimate | undefined>;
  onSubmit: (request: ProgramRequest, job: LibraryJob) => Promise<boolean>;
}) {
  const [library, setLibrary] = useState(LIBRARY_METHODS[0]?.library ?? '');
  const [method, setMethod] = useState(LIBRARY_METHODS[0]?.methods[0] ?? '');
  const [values, setValues] = useState<ParamValues>({});
  const [terms, setTerms] = useState<LibraryTerms>(DEFAULT_TERMS);
  const [files, setFiles] = useState<NamedBytes[]>([]);
  /** The file picked for each of the method's file params. */
  const [picked, setPicked] = useState<Record<string, NamedBytes>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<'estimating' | 'submitting' | null>(null);
  const [estimate, setEstimate] = useState<JobEstimate | null>(null);
  const methods = LIBRARY_METHODS.find((l) => l.library === library)?.methods ?? [];
  const fields = paramFields(library, method);

  const choose = (nextLibrary: string, nextMethod: string) => {
    setEstimate(null);
    setLibrary(nextLibrary);
    setMethod(nextMethod);
    setValues({});
    setPicked({});
  };
  const setValue = (name: string) => (value: string | boolean) => {
    setEstimate(null);
    setValues((v) => ({ ...v, [name]: value }));
  };
  const setTerm =
    <K extends keyof LibraryTerms>(key: K) =>
    (value: LibraryTerms[K]) => {
      setEstimate(null);
      setTerms((t) => ({ ...t, [key]: value }));
    };
  const useFiles = (chosen: NamedBytes[]) => {
    if (chosen.length === 0) return;
    setEstimate(null);
    setFiles(chosen);
  };
  /** The request the form makes, or undefined once it has said what is wrong. */
  const request = () => {
    const made = libraryRequest(library, method, values, files, terms, picked);
    setProblem(made.ok ? null : made.error);
    return made.ok ? made.value : undefined;
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const made = request();
    if (!made) return;
    setBusy('submitting');
    await onSubmit(made.request, made.job);
    setBusy(null);
  };
  const quote = async () => {
    const made = request();
    if (!made) return;
    setBusy('estimating');
    setEstimate((await onEstimate(made.request)) ?? null);
    setBusy(null);
  };

  return (
    <form className="render-form" data-testid="library-form" onSubmit={(e) => void submit(e)}>
      <div className="field-pair">
        <label className="field">
          <span>Library</span>
          <select
            value={library}
            onChange={(e) =>
              choose(e.target.value, LIBRARY_METHODS.find((l) => l.library === e.target.value)?.methods[0] ?? '')
            }
            data-testid="library-library"
          >
            {LIBRARY_METHODS.map((l) => (
              <option key={l.library} value={l.library}>
                {l.library}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Method</span>
          <select value={method} onChange={(e) => choose(library, e.target.value)} data-testid="library-method">
            {methods.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </div>
      {fields.length > 0 && (
        <fieldset className="field field-full library-params" data-testid="library-params">
          <legend>Params</legend>
          {fields.map((field) => (
            <ParamInput key={field.name} field={field} value={values[field.name]} onChange={setValue(field.name)} />
          ))}
        </fieldset>
      )}
      <DropZone
        prompt={filesSummary(files, 'Drop the files here, or choose them: a unit each.')}
        pickers={[{ label: 'Files', testId: 'library-files', multiple: true }]}
        testId="library-drop"
        onFiles={useFiles}
        onProblem={setProblem}
      />
      {fileFields(library, method).map(({ name, label }) => (
        <DropZone
          key={name}
          prompt={filesSummary(
            picked[name] ? [picked[name]] : [],
            `Drop the ${label.toLowerCase()} here, or choose it.`,
          )}
          pickers={[{ label, testId: `library-file-${name}` }]}
          testId={`library-drop-${name}`}
          onFiles={(chosen) => {
            if (chosen.length !== 1) {
              if (chosen.length > 1) setProblem(`${label}: one file, not ${chosen.length}`);
              return;
            }
            setEstimate(null);
            setPicked((p) => ({ ...p, [name]: chosen[0]! }));
          }}
          onProblem={setProblem}
        />
      ))}
      <div className="field-pair">
        <label className="field">
          <span>Redundancy</span>
          <input
            type="text"
            value={terms.redundancy}
            onChange={(e) => setTerm('redundancy')(e.target.value)}
            data-testid="library-redundancy"
          />
          <span className="field-hint">Providers per unit</span>
        </label>
        <label className="field">
          <span>Budget (credits)</span>
          <input
            type="text"
            value={terms.budget}
            onChange={(e) => setTerm('budget')(e.target.value)}
            data-testid="library-budget"
          />
          <span className="field-hint">Balance {formatCredits(balance)}</span>
        </label>
      </div>
      <label className="checkbox-row">
        <input
          type="checkbox"
          checked={terms.strangers}
          onChange={(e) => setTerm('strangers')(e.target.checked)}
          data-testid="library-strangers"
        />
        <span>
          Open to strangers
          <span className="field-hint">Peers you have not trusted may compute this job (and see its params).</span>
        </span>
      </label>
      <FormProblem problem={problem} />
      {estimate && (
        <EstimatePanel
          estimate={estimate}
          onUseBudget={() => {
            setTerms((t) => ({ ...t, budget: formatCredits(estimate.budget_needed) }));
            setEstimate({ ...estimate, budget: estimate.budget_needed, enough: true });
          }}
        />
      )}
      <button
        type="button"
        className="button button-block"
        disabled={busy !== null}
        onClick={() => void quote()}
        data-testid="library-estimate-button"
      >
        {busy === 'estimating' ? 'Estimating…' : 'Estimate cost'}
      </button>
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={busy !== null}
        data-testid="library-submit"
      >
        <Icon name="jobs" /> {busy === 'submitting' ? 'Submitting…' : 'Process'}
      </button>
    </form>
  );
}
