// Whether this node renders Blender scenes for its peers (off by default), and for which: those it
// trusts at the minimum set here or more (the settings `meshctl blender share` writes); and whether
// it can: the Blender found (its version) and its sandbox, or why not — without the sandbox the
// node refuses Blender units, and says why.
import type { MethodInput, MethodResult } from '../../src-main/core/api/contract.js';
import type { SharingSettings } from '../../src-main/core/availability/index.js';
import { formatWeight } from '../format.js';
import { Badge, Card, type Tone } from './basics.js';
import { CommitRange } from './CommitRange.js';
import { Switch } from './Switch.js';

type BlenderStatus = MethodResult<'status'>['blender'];

const STATE_TONES: Record<BlenderStatus['state'], Tone> = {
  off: 'neutral',
  probing: 'accent',
  ready: 'ok',
  unavailable: 'danger',
};

/** What the node says of its Blender and sandbox, in a line. */
function blenderFound(check: MethodResult<'blender.check'> | null): string {
  if (check === null) return 'Looking for Blender and its sandbox…';
  if (check.found) return `Blender ${check.version ?? ''} found (${check.algorithm ?? ''}); it starts in its sandbox.`;
  return `Not available: ${check.reason ?? 'unknown'}. Without Blender in its sandbox this node refuses Blender units.`;
}

export function BlenderSettingsCard({
  settings,
  status,
  check,
  onChange,
}: {
  settings: SharingSettings;
  status: BlenderStatus;
  /** blender.check's answer; null until it comes. */
  check: MethodResult<'blender.check'> | null;
  onChange: (changes: MethodInput<'settings.set'>) => Promise<void>;
}) {
  return (
    <Card
      title="Blender"
      subtitle="Render others' Blender scenes, each in a sandbox: no network, none of your files"
      testId="blender-settings"
    >
      <div className="settings-list">
        <Switch
          label="Render Blender scenes for peers"
          description="Off by default. Scenes come from peers you trust; Blender runs them with their own Python off."
          checked={settings.blender_sharing}
          onChange={(on) => void onChange({ blender_sharing: on })}
          testId="setting-blender-sharing"
        />
        <div className={`setting-row ${settings.blender_sharing ? '' : 'is-disabled'}`}>
          <div className="switch-text">
            <span className="switch-label">Minimum trust</span>
            <span className="switch-description">Only for peers you trust at least this much.</span>
          </div>
          <CommitRange
            value={settings.blender_min_trust}
            min={0}
            max={1}
            step={0.05}
            label="Minimum trust for Blender scenes"
            format={formatWeight}
            onCommit={(v) => onChange({ blender_min_trust: v })}
            disabled={!settings.blender_sharing}
            testId="setting-blender-min-trust"
          />
        </div>
        <div className="setting-row">
          <div className="switch-text">
            <span className="switch-label">Blender on this machine</span>
            <span className="switch-description" data-testid="blender-found">
              {blenderFound(check)}
            </span>
            {status.reason !== null && (
              <span className="switch-description text-warn" data-testid="blender-refusing">
                Refusing Blender units: {status.reason}
              </span>
            )}
          </div>
          <Badge tone={STATE_TONES[status.state]}>
            <span data-testid="blender-state">{status.state}</span>
          </Badge>
        </div>
      </div>
    </Card>
  );
}
