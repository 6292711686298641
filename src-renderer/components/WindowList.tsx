// The weekly windows in words, each with its caps (cores, RAM) to change and a button to remove it.
import { useState } from 'react';
import type { WeeklyWindow } from '../../src-main/core/availability/index.js';
import type { WindowEntry } from '../store/types.js';
import { EmptyState } from './basics.js';
import { Icon } from './Icon.js';

export function WindowList({
  windows,
  onSave,
  onRemove,
}: {
  windows: readonly WindowEntry[];
  onSave: (window: WeeklyWindow) => void;
  onRemove: (windowId: string) => void;
}) {
  if (windows.length === 0) {
    return (
      <EmptyState icon="availability" title="No weekly windows">
        Paint hours on the grid above. With no windows and no one-off slots, your machine is offered whenever sharing is
        on.
      </EmptyState>
    );
  }
  return (
    <ul className="list">
      {windows.map(({ window, description }) => (
        <li className="list-row" key={window.window_id} data-testid={`window-${window.window_id}`}>
          <div className="list-main">
            <div>{description}</div>
            <div className="muted small mono">{window.window_id}</div>
          </div>
          <CapInput
            label="cores"
            value={window.cpu_cores}
            integer
            onSave={(cpu_cores) => onSave(withCap(window, 'cpu_cores', cpu_cores))}
          />
          <CapInput
            label="GB RAM"
            value={window.ram_gb}
            onSave={(ram_gb) => onSave(withCap(window, 'ram_gb', ram_gb))}
          />
          <button
            type="button"
            className="icon-button"
            onClick={() => onRemove(window.window_id)}
            aria-label={`Remove ${description}`}
            title="Remove"
          >
            <Icon name="trash" />
          </button>
        </li>
      ))}
    </ul>
  );
}

function withCap(window: WeeklyWindow, key: 'cpu_cores' | 'ram_gb', value: number | undefined): WeeklyWindow {
  const { [key]: _old, ...rest } = window;
  return value === undefined ? rest : { ...rest, [key]: value };
}

/** A cap: empty means no cap ("all"); saved when the field is left or Enter is pressed, if it changed. */
function CapInput({
  label,
  value,
  integer,
  onSave,
}: {
  label: string;
  value: number | undefined;
  integer?: boolean;
  onSave: (value: number | undefined) => void;
}) {
  const [text, setText] = useState<string | null>(null);
  const shown = text ?? (value === undefined ? '' : String(value));
  const next = text === null || text.trim() === '' ? undefined : Number(text);
  const invalid =
    next !== undefined && (!Number.isFinite(next) || next <= 0 || (integer === true && !Number.isInteger(next)));
  const save = () => {
    if (text === null || invalid) return;
    setText(null);
    if (next !== value) onSave(next);
  };
  return (
    <label className="cap-input">
      <input
        type="number"
        min={integer ? 1 : 0.25}
        step={integer ? 1 : 0.25}
        placeholder="all"
        value={shown}
        aria-invalid={invalid}
        title={invalid ? `${integer ? 'a whole number' : 'a number'} above 0, or empty for no cap` : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={save}
        onKeyDown={(e) => e.key === 'Enter' && save()}
        aria-label={label}
      />
      <span className="muted small">{label}</span>
    </label>
  );
}
