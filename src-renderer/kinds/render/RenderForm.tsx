// The form that submits a render job: a sample scene or a scene file, the frames, the size, the
// quality, how many providers render each tile, the budget, whether GPUs may render it, and whether
// peers you have not trusted may; and before it is sent, what it would cost (Estimate: the node's
// quote, render.estimate), which any change to the form clears. The fields are checked here for
// what a person can fix at once; the node checks the rest (the scene in full) and says what is wrong.
import { describeError } from '../../../src-main/core/errors.js';
import { useState, type FormEvent } from 'react';
import {
  DEFAULT_RENDER_FIELDS,
  GPU_CHOICES,
  renderRequest,
  type RenderFields,
  type RenderRequest,
  type Scene,
} from './render-form.js';
import { formatCredits } from '../../format.js';
import type { JobEstimate } from '../../../src-main/core/api/contract.js';
import { EstimatePanel } from '../../components/EstimatePanel.js';
import { MIN_UNIT_SECONDS } from '../../../src-main/core/render/unit-side.js';
import { Icon } from '../../components/Icon.js';
import { FormProblem } from '../../components/basics.js';

export interface SampleScene {
  id: string;
  label: string;
  scene: Scene;
}

type NumberField = 'width' | 'height' | 'spp' | 'tile' | 'redundancy';
type CheckboxField = 'manual' | 'exactTiles' | 'strangers';

export function RenderForm({
  samples,
  balance,
  onEstimate,
  onSubmit,
}: {
  samples: readonly SampleScene[];
  balance: number;
  onEstimate: (request: RenderRequest) => Promise<JobEstimate | undefined>;
  onSubmit: (request: RenderRequest) => Promise<boolean>;
}) {
  const [fields, setFields] = useState<RenderFields>(DEFAULT_RENDER_FIELDS);
  const [sceneId, setSceneId] = useState(samples[0]?.id ?? 'file');
  const [file, setFile] = useState<{ name: string; scene: Scene } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // The quote for the form as it was when asked; a change to the form makes it stale, and clears it.
  const [estimate, setEstimate] = useState<JobEstimate | null>(null);
  const [estimating, setEstimating] = useState(false);
  const set = (key: keyof RenderFields) => (value: string | boolean) => {
    setEstimate(null);
    setFields((f) => ({ ...f, [key]: value }));
  };

  const onFile = async (chosen: File | undefined) => {
    if (!chosen) return;
    try {
      // A scene is JSON; its content is the node's to judge.
      const scene = JSON.parse(await chosen.text()) as Scene;
      setFile({ name: chosen.name, scene });
      setSceneId('file');
      setEstimate(null);
      setProblem(null);
    } catch (error) {
      setFile(null);
      setProblem(`${chosen.name} is not JSON: ${describeError(error)}`);
    }
  };

  /** The request the form's fields make, or undefined once it has said what is wrong with them. */
  const request = (): RenderRequest | undefined => {
    const scene = sceneId === 'file' ? file?.scene : samples.find((s) => s.id === sceneId)?.scene;
    const name = sceneId === 'file' ? (file?.name.replace(/\.json$/i, '') ?? 'scene') : sceneId;
    const made = scene
      ? renderRequest(fields, scene, name)
      : { ok: false as const, error: 'Choose a scene file first, or pick a sample scene.' };
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

  // The budget the quote says the job needs, put in the budget field; the quote stands, now enough.
  const useNeeded = (needed: number) => {
    setFields((f) => ({ ...f, budget: formatCredits(needed) }));
    setEstimate((e) => e && { ...e, budget: needed, enough: true });
  };

  const numberField = (key: NumberField, label: string, hint?: string) => (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        min={1}
        inputMode="numeric"
        value={fields[key]}
        onChange={(e) => set(key)(e.target.value)}
        data-testid={`render-${key}`}
      />
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );

  const checkbox = (key: CheckboxField, testId: string, label: string, hint: string) => (
    <label className="checkbox-row">
      <input type="checkbox" checked={fields[key]} onChange={(e) => set(key)(e.target.checked)} data-testid={testId} />
      <span>
        {label}
        <span className="field-hint">{hint}</span>
      </span>
    </label>
  );

  return (
    <form className="render-form" data-testid="render-form" onSubmit={(e) => void submit(e)}>
      <label className="field field-full">
        <span>Scene</span>
        <select
          value={sceneId}
          onChange={(e) => {
            setEstimate(null);
            setSceneId(e.target.value);
          }}
          data-testid="render-scene"
        >
          {samples.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
          <option value="file" disabled={!file}>
            {file ? `File: ${file.name}` : 'A scene file (choose below)'}
          </option>
        </select>
      </label>
      <label className="field field-full">
        <span>Or a scene file</span>
        <input
          type="file"
          accept=".json,application/json"
          onChange={(e) => void onFile(e.target.files?.[0])}
          data-testid="render-scene-file"
        />
        <span className="field-hint">Self-contained scene JSON (docs/SCENE.md); meshes inline, not OBJ files.</span>
      </label>
      <label className="field field-full">
        <span>Frames</span>
        <input
          type="text"
          value={fields.frames}
          onChange={(e) => set('frames')(e.target.value)}
          placeholder="0-3"
          data-testid="render-frames"
        />
        <span className="field-hint">One frame (5) or a range (0-23).</span>
      </label>
      <div className="field-pair">
        {numberField('width', 'Width (px)')}
        {numberField('height', 'Height (px)')}
      </div>
      <div className="field-pair">
        {numberField('spp', 'Samples per pixel')}
        {numberField('tile', 'Tile size (px)')}
      </div>
      <div className="field-pair">
        {numberField('redundancy', 'Redundancy', 'Providers per tile')}
        <label className="field">
          <span>Budget (credits)</span>
          <input
            type="text"
            inputMode="decimal"
            value={fields.budget}
            onChange={(e) => set('budget')(e.target.value)}
            data-testid="render-budget"
          />
          <span className="field-hint">Balance {formatCredits(balance)}</span>
        </label>
      </div>
      <label className="field field-full">
        <span>GPU</span>
        <select
          value={fields.gpu}
          onChange={(e) => {
            setEstimate(null);
            setFields((f) => ({ ...f, gpu: GPU_CHOICES.find((c) => c.mode === e.target.value)?.mode ?? f.gpu }));
          }}
          data-testid="render-gpu"
        >
          {GPU_CHOICES.map((c) => (
            <option key={c.mode} value={c.mode}>
              {c.label}
            </option>
          ))}
        </select>
        <span className="field-hint">
          A GPU's tiles match the CPU's closely, not bit for bit; CPU-only frames are byte-identical to a local render.
        </span>
      </label>
      {checkbox('manual', 'render-manual', 'Accept offers by hand', 'Otherwise the best offers are accepted for you.')}
      {checkbox(
        'exactTiles',
        'render-exact-tiles',
        'Exact tiles',
        `Otherwise tiles that would each take under ${MIN_UNIT_SECONDS * 1000} ms go several to a unit: the frames are the same, and the mesh spends less sending them.`,
      )}
      {checkbox(
        'strangers',
        'render-strangers',
        'Open to strangers',
        'Peers you have not trusted may compute this job.',
      )}
      <FormProblem problem={problem} />
      {estimate && <EstimatePanel estimate={estimate} onUseBudget={() => useNeeded(estimate.budget_needed)} />}
      <button
        type="button"
        className="button button-block"
        disabled={estimating || submitting}
        onClick={() => void quote()}
        data-testid="render-estimate-button"
      >
        {estimating ? 'Estimating…' : 'Estimate cost'}
      </button>
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={submitting}
        data-testid="render-submit"
      >
        <Icon name="jobs" /> {submitting ? 'Submitting…' : 'Render'}
      </button>
    </form>
  );
}
