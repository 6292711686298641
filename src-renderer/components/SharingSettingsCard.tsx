// When the machine holds back: on battery, while other programs are busy, and how much of it
// slots may offer at most.
import type { SharingSettings } from '../../src-main/core/availability/index.js';
import type { MethodInput } from '../../src-main/core/api/contract.js';
import { Card } from './basics.js';
import { CommitRange } from './CommitRange.js';
import { Switch } from './Switch.js';

export function SharingSettingsCard({
  settings,
  threads,
  onChange,
}: {
  settings: SharingSettings;
  /** The machine's hardware threads, to say what the CPU cap means; null until probed. */
  threads: number | null;
  onChange: (changes: MethodInput<'settings.set'>) => Promise<void>;
}) {
  const capThreads = threads === null ? null : Math.max(1, Math.floor((threads * settings.cpu_cap_pct) / 100));
  return (
    <Card title="Limits" subtitle="Rules that hold whatever the schedule says">
      <div className="settings-list">
        <Switch
          label="Pause on battery"
          description="Offer nothing while this machine runs from its battery; running units are handed back."
          checked={settings.pause_on_battery}
          onChange={(on) => void onChange({ pause_on_battery: on })}
          testId="setting-pause-on-battery"
        />
        <Switch
          label="Only when idle"
          description="Offer nothing while other programs keep the CPU busy."
          checked={settings.idle_only}
          onChange={(on) => void onChange({ idle_only: on })}
          testId="setting-idle-only"
        />
        <div className={`setting-row ${settings.idle_only ? '' : 'is-disabled'}`}>
          <div className="switch-text">
            <span className="switch-label">Busy above</span>
            <span className="switch-description">Other programs' CPU use at which the machine counts as busy.</span>
          </div>
          <CommitRange
            value={settings.idle_threshold_pct}
            min={0}
            max={100}
            step={5}
            label="Idle threshold"
            format={(v) => `${v}%`}
            onCommit={(v) => onChange({ idle_threshold_pct: v })}
            disabled={!settings.idle_only}
            testId="setting-idle-threshold"
          />
        </div>
        <div className="setting-row">
          <div className="switch-text">
            <span className="switch-label">CPU cap</span>
            <span className="switch-description">
              The share of this machine's threads that may run work for others
              {capThreads === null ? '' : ` (${capThreads} of ${threads})`}.
            </span>
          </div>
          <CommitRange
            value={settings.cpu_cap_pct}
            min={1}
            max={100}
            step={1}
            label="CPU cap"
            format={(v) => `${v}%`}
            onCommit={(v) => onChange({ cpu_cap_pct: v })}
            testId="setting-cpu-cap"
          />
        </div>
      </div>
    </Card>
  );
}
