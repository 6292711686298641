// Failed calls, as the node worded them, until the person dismisses them.
import { asSentence } from '../format.js';
import type { UiError } from '../store/types.js';
import { Icon } from './Icon.js';

export function ErrorBanner({ errors, onDismiss }: { errors: readonly UiError[]; onDismiss: () => void }) {
  const latest = errors.at(-1);
  if (!latest) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <Icon name="alert" />
      <div className="banner-text">
        <span>{asSentence(latest.message)}</span>
        {errors.length > 1 && <span className="banner-more"> (and {errors.length - 1} earlier)</span>}
      </div>
      <button
        type="button"
        className="icon-button"
        onClick={onDismiss}
        aria-label="Dismiss"
        data-testid="error-dismiss"
      >
        <Icon name="close" />
      </button>
    </div>
  );
}
