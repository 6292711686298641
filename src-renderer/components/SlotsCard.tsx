// One-off slots: a stretch of time (start and end, local) with the cores and RAM it offers.
import { useState, type FormEvent } from 'react';
import type { MethodInput } from '../../src-main/core/api/contract.js';
import type { AvailabilitySlot } from '../../src-main/core/schemas/index.js';
import { formatGiB } from '../format.js';
import { Card, EmptyState, FormProblem } from './basics.js';
import { Icon } from './Icon.js';

const when = (iso: string) =>
  new Date(iso).toLocaleString([], {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });

export function SlotsCard({
  slots,
  defaultCores,
  onAdd,
  onRemove,
}: {
  slots: readonly AvailabilitySlot[];
  defaultCores: number;
  onAdd: (slot: MethodInput<'slots.add'>) => Promise<boolean>;
  onRemove: (slotId: string) => void;
}) {
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [cores, setCores] = useState(String(defaultCores));
  const [ram, setRam] = useState('4');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const startMs = Date.parse(start);
    const endMs = Date.parse(end);
    if (Number.isNaN(startMs) || Number.isNaN(endMs)) return setProblem('Choose when the slot starts and ends.');
    if (endMs <= startMs) return setProblem('The slot must end after it starts.');
    if (!(Number(cores) >= 1) || !(Number(ram) > 0))
      return setProblem('Cores must be at least 1, and RAM more than 0.');
    setProblem(null);
    const added = await onAdd({
      start_time: new Date(startMs).toISOString(),
      end_time: new Date(endMs).toISOString(),
      cpu_cores: Number(cores),
      ram_gb: Number(ram),
    });
    if (added) {
      setStart('');
      setEnd('');
    }
  };

  return (
    <Card title="One-off slots" subtitle="Extra time outside the weekly schedule">
      <form className="slot-form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Starts</span>
          <input
            type="datetime-local"
            value={start}
            onChange={(e) => setStart(e.target.value)}
            data-testid="slot-start"
            required
          />
        </label>
        <label className="field">
          <span>Ends</span>
          <input
            type="datetime-local"
            value={end}
            onChange={(e) => setEnd(e.target.value)}
            data-testid="slot-end"
            required
          />
        </label>
        <label className="field field-narrow">
          <span>Cores</span>
          <input
            type="number"
            min={1}
            step={1}
            value={cores}
            onChange={(e) => setCores(e.target.value)}
            data-testid="slot-cores"
          />
        </label>
        <label className="field field-narrow">
          <span>RAM (GB)</span>
          <input
            type="number"
            min={0.25}
            step={0.25}
            value={ram}
            onChange={(e) => setRam(e.target.value)}
            data-testid="slot-ram"
          />
        </label>
        <button type="submit" className="button" data-testid="slot-add">
          <Icon name="plus" /> Add
        </button>
      </form>
      <FormProblem problem={problem} />
      {slots.length === 0 ? (
        <EmptyState icon="availability" title="No one-off slots">
          Add one to share your machine for a single stretch, say this weekend.
        </EmptyState>
      ) : (
        <ul className="list">
          {slots.map((slot) => (
            <li className="list-row" key={slot.slot_id}>
              <div className="list-main">
                <div>
                  {when(slot.start_time)} → {when(slot.end_time)}
                </div>
                <div className="muted small">
                  {slot.resources.cpu_cores} cores · {formatGiB(slot.resources.ram_gb)} RAM
                </div>
              </div>
              <button
                type="button"
                className="icon-button"
                onClick={() => onRemove(slot.slot_id)}
                aria-label="Remove slot"
                title="Remove"
              >
                <Icon name="trash" />
              </button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
