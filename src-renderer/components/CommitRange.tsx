// A slider that moves freely and commits once: when it is let go, or on each keyboard step (the
// input's native `change` event, not every `input`). While the commit is under way it shows the
// value it was moved to; then the value it is given again.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

export function CommitRange({
  value,
  min,
  max,
  step,
  onCommit,
  format,
  label,
  testId,
  valueTestId,
  disabled,
}: {
  value: number;
  min: number;
  max: number;
  step: number;
  onCommit: (value: number) => Promise<void> | void;
  format: (value: number) => string;
  label: string;
  testId?: string;
  valueTestId?: string;
  disabled?: boolean;
}) {
  const [draft, setDraft] = useState<number | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const commit = useRef(onCommit);
  useLayoutEffect(() => {
    commit.current = onCommit;
  });

  useEffect(() => {
    const el = input.current;
    if (!el) return undefined;
    const onChange = () => {
      const chosen = Number(el.value);
      setDraft(chosen);
      // onCommit reports its own failures (the store's actions do); either way the draft is let go.
      const settled = () => setDraft((d) => (d === chosen ? null : d));
      Promise.resolve(commit.current(chosen)).then(settled, settled);
    };
    el.addEventListener('change', onChange);
    return () => el.removeEventListener('change', onChange);
  }, []);

  const shown = draft ?? value;
  return (
    <span className="range">
      <input
        ref={input}
        type="range"
        min={min}
        max={max}
        step={step}
        value={shown}
        disabled={disabled}
        aria-label={label}
        aria-valuetext={format(shown)}
        data-testid={testId}
        onChange={(e) => setDraft(Number(e.target.value))}
      />
      <span className="range-value" data-testid={valueTestId}>
        {format(shown)}
      </span>
    </span>
  );
}
