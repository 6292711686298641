// A slider that moves freely and commits once: when it is let go, or on each keyboard step (the
// input's native `change` event, not every `input`). Commits go one at a time, the latest value
// next (commit-queue.ts): four quick arrow presses sent as four calls at once could land out of
// order and leave the node at a value the slider no longer shows. It shows the value it was moved
// to until the value it is given shows it too (the store has caught up with the commit), or, once
// the last commit has settled, for at most CATCH_UP_MS: a refresh answered before the commit
// landed must not send it back, or the next keyboard step would start from the old value.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { commitQueue } from './commit-queue.js';

const CATCH_UP_MS = 2000;

/** What the slider was moved to, and whether its commit has settled. */
interface Moved {
  value: number;
  settled: boolean;
}

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
  const [moved, setMoved] = useState<Moved | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const commit = useRef(onCommit);
  useLayoutEffect(() => {
    commit.current = onCommit;
  });

  useEffect(() => {
    const el = input.current;
    if (!el) return undefined;
    const choose = commitQueue(
      (chosen) => commit.current(chosen),
      (chosen) => setMoved((m) => (m?.value === chosen ? { value: chosen, settled: true } : m)),
    );
    const onChange = () => {
      const chosen = Number(el.value);
      setMoved({ value: chosen, settled: false });
      choose(chosen);
    };
    el.addEventListener('change', onChange);
    return () => el.removeEventListener('change', onChange);
  }, []);

  useEffect(() => {
    if (!moved?.settled) return undefined;
    const timer = setTimeout(() => setMoved((m) => (m === moved ? null : m)), CATCH_UP_MS);
    return () => clearTimeout(timer);
  }, [moved]);

  const caughtUp = moved?.settled === true && moved.value === value;
  const shown = moved && !caughtUp ? moved.value : value;

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
        onChange={(e) => setMoved({ value: Number(e.target.value), settled: false })}
      />
      <span className="range-value" data-testid={valueTestId}>
        {format(shown)}
      </span>
    </span>
  );
}
