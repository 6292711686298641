// The Circles page's two forms: founding a circle (its name and its members' peer ids; I am its
// founder) and proposing a change to one (a description, a few common fields, members to add or
// remove; only the fields edited are sent). The node's refusal shows under the form, in its words.
import { useState, type FormEvent } from 'react';
import type { CircleView, ProposalView } from '../../src-main/core/api/circle-methods.js';
import type { Change, MeshPolicy } from '../../src-main/core/circles/index.js';
import { peerIdsOf, fieldLabel, proposableValue, proposedChange, PROPOSABLE } from '../circles/circle-model.js';
import type { Outcome } from '../store/types.js';
import { FormProblem } from './basics.js';
import { Icon } from './Icon.js';

export function NewCircleForm({
  onCreate,
}: {
  onCreate: (name: string, members: string[]) => Promise<Outcome<CircleView>>;
}) {
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '') return setProblem('Give the circle a name.');
    setBusy(true);
    const outcome = await onCreate(name.trim(), peerIdsOf(members));
    setBusy(false);
    setProblem(outcome.ok ? null : outcome.error);
    if (outcome.ok) {
      setName('');
      setMembers('');
    }
  };

  return (
    <form className="circle-form" onSubmit={(e) => void submit(e)} data-testid="new-circle-form">
      <label className="field">
        <span>Name</span>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} data-testid="new-circle-name" />
      </label>
      <label className="field">
        <span>Members</span>
        <textarea
          rows={3}
          className="mono"
          value={members}
          placeholder="12D3KooW…"
          onChange={(e) => setMembers(e.target.value)}
          spellCheck={false}
          data-testid="new-circle-members"
        />
        <span className="field-hint">Their peer ids, one a line. You are its founder and a member.</span>
      </label>
      <FormProblem problem={problem} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="new-circle-create">
          <Icon name="plus" /> {busy ? 'Founding…' : 'Found the circle'}
        </button>
      </div>
    </form>
  );
}

export function ProposeForm({
  policy,
  onPropose,
}: {
  policy: MeshPolicy;
  onPropose: (change: Change, description: string) => Promise<Outcome<ProposalView>>;
}) {
  const [description, setDescription] = useState('');
  /** The fields edited, dotted, as typed; the others show the policy's value. */
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [add, setAdd] = useState('');
  const [remove, setRemove] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSent(false);
    const change = proposedChange(policy, texts, add, remove);
    if (!change.ok) return setProblem(change.error);
    setBusy(true);
    const outcome = await onPropose(change.value, description.trim());
    setBusy(false);
    setProblem(outcome.ok ? null : outcome.error);
    if (outcome.ok) {
      setDescription('');
      setTexts({});
      setAdd('');
      setRemove('');
      setSent(true);
    }
  };

  const id = (dotted: string) => `propose-${dotted.replace(/[._]/g, '-')}`;
  return (
    <form className="circle-form" onSubmit={(e) => void submit(e)} data-testid="propose-form">
      <label className="field">
        <span>Description</span>
        <textarea
          rows={2}
          value={description}
          placeholder="Why this change"
          onChange={(e) => setDescription(e.target.value)}
          data-testid="propose-description"
        />
      </label>
      <div>
        {PROPOSABLE.map(({ name, hint }) => (
          <label className="field field-inline" key={name}>
            <span className="field-label">
              {fieldLabel(name)}
              <span className="field-hint">{hint}</span>
            </span>
            <span className="input-with-unit">
              <input
                type="text"
                inputMode="decimal"
                value={texts[name] ?? proposableValue(policy, name)}
                onChange={(e) => setTexts((t) => ({ ...t, [name]: e.target.value }))}
                data-testid={id(name)}
              />
            </span>
          </label>
        ))}
      </div>
      <div className="field-pair">
        <PeerIdsField label="Add members" value={add} onChange={setAdd} testId="propose-add-members" />
        <PeerIdsField label="Remove members" value={remove} onChange={setRemove} testId="propose-remove-members" />
      </div>
      <FormProblem problem={problem} />
      <div className="form-actions">
        {sent && <span className="form-note">Proposed: it is open for the members' votes, yours too.</span>}
        <button type="submit" className="button button-primary" disabled={busy} data-testid="propose-submit">
          {busy ? 'Proposing…' : 'Propose'}
        </button>
      </div>
    </form>
  );
}

/** Peer ids typed on one line, as a change's members added or removed. */
function PeerIdsField(props: { label: string; value: string; onChange: (value: string) => void; testId: string }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="text"
        className="mono"
        value={props.value}
        placeholder="peer ids"
        onChange={(e) => props.onChange(e.target.value)}
        spellCheck={false}
        data-testid={props.testId}
      />
    </label>
  );
}
