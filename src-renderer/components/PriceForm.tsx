// My prices: what peers pay when my machine runs their units. Typed in credits, kept in millicredits.
import { useState, type FormEvent } from 'react';
import type { MethodInput } from '../../src-main/core/api/contract.js';
import type { PriceSchedule } from '../../src-main/core/schemas/index.js';
import { formatCredits, parseCredits } from '../format.js';
import { FormProblem } from './basics.js';

type PriceKey = 'per_gfuel' | 'per_core_second' | 'minimum';
const FIELDS: Array<{ key: PriceKey; label: string; hint: string }> = [
  {
    key: 'per_gfuel',
    label: 'Per Gfuel',
    hint: 'Render tiles and other units with a fuel estimate, per 10⁹ units of metered work',
  },
  { key: 'per_core_second', label: 'Per core-second', hint: 'Units without a fuel estimate' },
  { key: 'minimum', label: 'Minimum per unit', hint: 'No offer goes below this' },
];

export function PriceForm({
  price,
  onSave,
}: {
  price: PriceSchedule;
  onSave: (changes: MethodInput<'prices.set'>) => Promise<boolean>;
}) {
  const shown = (key: PriceKey) => (price[key] === undefined ? '' : formatCredits(price[key]));
  const [texts, setTexts] = useState<Partial<Record<PriceKey, string>>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const dirty = Object.keys(texts).length > 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const changes: MethodInput<'prices.set'> = {};
    for (const { key, label } of FIELDS) {
      const text = texts[key];
      if (text === undefined) continue;
      const parsed = parseCredits(text);
      if (!parsed.ok) return setProblem(`${label}: ${parsed.error}`);
      changes[key] = parsed.value;
    }
    setProblem(null);
    if (await onSave(changes)) {
      setTexts({});
      setSaved(true);
      setTimeout(() => setSaved(false), 2000);
    }
  };

  return (
    <form className="price-form" onSubmit={(e) => void submit(e)}>
      {FIELDS.map(({ key, label, hint }) => (
        <label className="field field-inline" key={key}>
          <span className="field-label">
            {label}
            <span className="field-hint">{hint}</span>
          </span>
          <span className="input-with-unit">
            <input
              type="text"
              inputMode="decimal"
              value={texts[key] ?? shown(key)}
              placeholder="not set"
              onChange={(e) => setTexts((t) => ({ ...t, [key]: e.target.value }))}
              data-testid={`price-${key.replace(/_/g, '-')}`}
            />
            <span className="unit">credits</span>
          </span>
        </label>
      ))}
      <FormProblem problem={problem} />
      <div className="form-actions">
        {saved && <span className="form-note">Saved; peers see the new prices with your next advert.</span>}
        <button type="submit" className="button button-primary" disabled={!dirty} data-testid="price-save">
          Save prices
        </button>
      </div>
    </form>
  );
}
