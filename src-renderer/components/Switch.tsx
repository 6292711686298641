// An on/off switch: a real checkbox (role="switch"), so it is keyboard usable and its state is the
// checkbox's. Controlled: it shows `checked` as given, whatever was clicked, until the owner changes it.
import type { ReactNode } from 'react';

export function Switch({
  checked,
  onChange,
  label,
  description,
  testId,
  disabled,
}: {
  checked: boolean;
  onChange: (on: boolean) => void;
  label: ReactNode;
  description?: ReactNode;
  testId?: string;
  disabled?: boolean;
}) {
  return (
    <label className="switch-row">
      <span className="switch-text">
        <span className="switch-label">{label}</span>
        {description && <span className="switch-description">{description}</span>}
      </span>
      <input
        type="checkbox"
        role="switch"
        className="switch"
        checked={checked}
        disabled={disabled}
        aria-checked={checked}
        data-testid={testId}
        onChange={(e) => onChange(e.target.checked)}
      />
    </label>
  );
}
