// A long identifier shown in full (monospace, wrapping) with a button that copies it.
import { useState } from 'react';
import { Icon } from './Icon.js';

export function CopyText({ text, testId }: { text: string; testId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    const settle = (next: 'copied' | 'failed') => {
      setState(next);
      setTimeout(() => setState('idle'), 1500);
    };
    if (!navigator.clipboard) return settle('failed');
    navigator.clipboard.writeText(text).then(
      () => settle('copied'),
      () => settle('failed'),
    );
  };
  return (
    <span className="copy-text">
      <span className="mono wrap" data-testid={testId}>
        {text}
      </span>
      <button
        type="button"
        className="icon-button icon-button-small"
        onClick={copy}
        aria-label="Copy"
        title={state === 'failed' ? 'Could not copy: select the text instead' : 'Copy'}
      >
        <Icon name={state === 'copied' ? 'check' : state === 'failed' ? 'alert' : 'copy'} size={14} />
      </button>
    </span>
  );
}
