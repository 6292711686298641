// The form that submits a Blender job (docs/BLENDER.md): a .blend (or its folder, zipped here, or a
// zip of it) dropped here or chosen is read at once by the node's Blender in its sandbox (blender.preflight), and the
// preflight card shows what it holds (frames, size, samples), what is turned off (warnings), why it
// cannot be rendered (refusals, each naming what is wrong) and which peers can render it; then the
// frames, the samples, the budget and who may render it; before it is sent, what it would cost
// (Estimate: jobs.estimate, the path of `meshctl submit-job --blend --dry-run`), which any change
// clears. Its frames are checked by this node re-rendering a crop of each: redundancy 1.
import { useState, type FormEvent } from 'react';
import type { JobEstimate } from '../../../src-main/core/api/contract.js';
import type { BlenderPreflightView } from '../../../src-main/core/api/blender-methods.js';
import { formatCredits, shortPeerId } from '../../format.js';
import {
  blenderRequest,
  DEFAULT_BLENDER_FIELDS,
  fieldsForScene,
  preflightFacts,
  type BlenderFields,
  type BlenderRequest,
} from './blender-form.js';
import { sceneOfFiles, sceneRefusedUnread, type BlenderScene, type DroppedScene } from './blender-scene.js';
import type { NamedBytes } from '../wasi/program-form.js';
import { DropZone } from '../../components/DropZone.js';
import { EstimatePanel } from '../../components/EstimatePanel.js';
import { Icon } from '../../components/Icon.js';
import { Facts, FormProblem, TextField } from '../../components/basics.js';

export function BlenderForm({
  balance,
  onPreflight,
  onEstimate,
  onSubmit,
}: {
  balance: number;
  onPreflight: (scene: BlenderScene) => Promise<BlenderPreflightView | undefined>;
  onEstimate: (request: BlenderRequest) => Promise<JobEstimate | undefined>;
  onSubmit: (request: BlenderRequest) => Promise<boolean>;
}) {
  const [fields, setFields] = useState<BlenderFields>(DEFAULT_BLENDER_FIELDS);
  const [scene, setScene] = useState<DroppedScene | null>(null);
  const [preflight, setPreflight] = useState<BlenderPreflightView | null>(null);
  const [reading, setReading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [estimate, setEstimate] = useState<JobEstimate | null>(null);
  const [busy, setBusy] = useState<'estimating' | 'submitting' | null>(null);
  const set = (key: keyof BlenderFields) => (value: string | boolean) => {
    setEstimate(null);
    setFields((f) => ({ ...f, [key]: value }));
  };

  const useFiles = async (files: NamedBytes[]) => {
    setEstimate(null);
    setPreflight(null);
    const made = sceneOfFiles(files);
    setProblem(made.ok ? null : made.error);
    setScene(made.ok ? made.value : null);
    if (!made.ok) return;
    setReading(true);
    const read = await onPreflight(made.value.scene);
    setReading(false);
    setPreflight(read ?? null);
    if (read) setFields((f) => fieldsForScene(f, read));
  };

  /** Files refused before they were read (or unreadable): the scene chosen before them is dropped too. */
  const refuseFiles = (why: string) => {
    setEstimate(null);
    setPreflight(null);
    setScene(null);
    setProblem(why);
  };

  /** The request the form makes, or undefined once it has said what is wrong. */
  const request = (): BlenderRequest | undefined => {
    const made = blenderRequest(fields, scene?.scene ?? null, preflight);
    setProblem(made.ok ? null : made.error);
    return made.ok ? made.value : undefined;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const made = request();
    if (!made) return;
    setBusy('submitting');
    await onSubmit(made);
    setBusy(null);
  };

  const quote = async () => {
    const made = request();
    if (!made) return;
    setBusy('estimating');
    setEstimate((await onEstimate(made)) ?? null);
    setBusy(null);
  };

  const text = (key: 'first' | 'last' | 'samples' | 'percentage' | 'budget' | 'tiles', label: string, hint: string) => (
    <TextField label={label} hint={hint} value={fields[key]} onChange={set(key)} testId={`blender-${key}`} />
  );

  return (
    <form className="render-form" data-testid="blender-form" onSubmit={(e) => void submit(e)}>
      <DropZone
        className="field-full"
        prompt={
          scene ? scene.label : 'Drop a .blend here (or its folder with its textures, or a .zip of it), or choose:'
        }
        pickers={[
          { label: 'Scene', testId: 'blender-file', accept: '.blend,.zip' },
          { label: 'Folder', testId: 'blender-folder', folder: true },
        ]}
        testId="blender-drop"
        onFiles={(files) => void useFiles(files)}
        onProblem={refuseFiles}
        beforeReading={sceneRefusedUnread}
      />
      {reading && (
        <p className="muted small" role="status">
          Reading the scene with Blender, in its sandbox…
        </p>
      )}
      {preflight && <PreflightCard preflight={preflight} />}
      {preflight && preflight.refusals.length === 0 && (
        <>
          <div className="field-pair">
            {text('first', 'First frame', `From ${preflight.report.frame_start}`)}
            {text('last', 'Last frame', `To ${preflight.report.frame_end}`)}
          </div>
          <div className="field-pair">
            {text('samples', 'Samples', `Empty: the scene's ${preflight.report.samples}`)}
            {text('budget', 'Budget (credits)', `Balance ${formatCredits(balance)}`)}
          </div>
          {text('percentage', 'Resolution %', `Empty: the file's ${preflight.report.percentage} %`)}
          <label className="field">
            <span>Frames as</span>
            <select value={fields.format} onChange={(e) => set('format')(e.target.value)} data-testid="blender-format">
              <option value="png">PNG (8-bit)</option>
              <option value="exr">EXR (half float, frames only)</option>
            </select>
          </label>
          {preflight.tiles &&
            text('tiles', 'Tiles', 'Empty: a provider renders each frame whole; 2x2: four tiles a frame, each a unit')}
          <p className="field-hint">
            Each frame is checked by this computer re-rendering a random crop of it, so one provider renders each
            (redundancy 1).
          </p>
          <label className="checkbox-row">
            <input
              type="checkbox"
              checked={fields.strangers}
              onChange={(e) => set('strangers')(e.target.checked)}
              data-testid="blender-strangers"
            />
            <span>
              Open to strangers
              <span className="field-hint">Peers you have not trusted may render this scene.</span>
            </span>
          </label>
        </>
      )}
      <FormProblem problem={problem} />
      {estimate && (
        <EstimatePanel
          estimate={estimate}
          onUseBudget={() => {
            setFields((f) => ({ ...f, budget: formatCredits(estimate.budget_needed) }));
            setEstimate({ ...estimate, budget: estimate.budget_needed, enough: true });
          }}
        />
      )}
      <button
        type="button"
        className="button button-block"
        disabled={busy !== null || !preflight}
        onClick={() => void quote()}
        data-testid="blender-estimate-button"
      >
        {busy === 'estimating' ? 'Estimating…' : 'Estimate cost'}
      </button>
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={busy !== null || !preflight}
        data-testid="blender-submit"
      >
        <Icon name="jobs" /> {busy === 'submitting' ? 'Submitting…' : 'Render'}
      </button>
    </form>
  );
}

/** What the preflight read: the scene's facts, its warnings and refusals, and the peers that can render it. */
function PreflightCard({ preflight }: { preflight: BlenderPreflightView }) {
  return (
    <section className="preflight field-full" data-testid="blender-preflight" aria-label="Preflight">
      <Facts rows={preflightFacts(preflight)} />
      {preflight.warnings.length > 0 && (
        <ul className="refusal-list text-warn">
          {preflight.warnings.map((warning) => (
            <li key={warning} data-testid="blender-warning">
              {warning}
            </li>
          ))}
        </ul>
      )}
      {preflight.refusals.length > 0 && (
        <ul className="refusal-list refusal-danger">
          {preflight.refusals.map((refusal) => (
            <li key={refusal} data-testid="blender-refusal">
              Refused: {refusal}
            </li>
          ))}
        </ul>
      )}
      <p className="small" data-testid="blender-peers">
        {preflight.peers.length === 0
          ? `No peer renders ${preflight.algorithm} for you now: a peer turns on “Render Blender scenes for peers” in its Settings.`
          : `Peers that can render it (${preflight.algorithm}): ${preflight.peers
              .map((p) => `${p.name ?? shortPeerId(p.peer_id)} (${p.cores} core${p.cores === 1 ? '' : 's'})`)
              .join(', ')}`}
      </p>
    </section>
  );
}
