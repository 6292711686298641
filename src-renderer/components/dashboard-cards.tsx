// The dashboard's cards: sharing on or off (and why nothing is offered), and this machine.
import { FREE_RIDER_LIMIT } from '../../src-main/core/policy/index.js';
import { asSentence, formatCount, formatGiB, formatPercent } from '../format.js';
import { summarizeGpu } from '../gpu/gpu-format.js';
import type { Status } from '../store/types.js';
import { Badge, Card, Facts } from './basics.js';
import { Switch } from './Switch.js';

export function SharingCard({ status, onToggle }: { status: Status; onToggle: (on: boolean) => void }) {
  const { sharing, availability } = status;
  const offering = availability.offering;
  const headline = !sharing ? 'Sharing is off' : offering ? 'Sharing with people you trust' : 'Sharing is paused';
  const { units, per_seconds } = FREE_RIDER_LIMIT;
  const detail = !sharing
    ? `Your machine runs nothing for others. Until it has, peers that do not trust you fully run ${units} unit of your jobs per ${per_seconds} s each. Turn sharing on to offer its spare time to the peers you trust.`
    : offering
      ? `Offering up to ${availability.cores} ${availability.cores === 1 ? 'core' : 'cores'} now to the peers you trust, in turn: those who trust you back first, then the others, the most trusted first (your trust times their track record).`
      : asSentence(availability.paused?.message ?? 'nothing is offered right now.');
  return (
    <section className={`card sharing-card ${sharing ? (offering ? 'is-on' : 'is-paused') : 'is-off'}`}>
      <div className="sharing-text">
        <div className="sharing-headline">{headline}</div>
        <p className="sharing-detail">{detail}</p>
      </div>
      <Switch
        checked={sharing}
        onChange={onToggle}
        label={<span className="visually-hidden">Share this machine</span>}
        testId="sharing-switch"
      />
    </section>
  );
}

export function MachineCard({ status }: { status: Status }) {
  const { hardware, calibration } = status;
  if (!hardware) {
    return (
      <Card title="This machine">
        <p className="muted">Looking at the hardware…</p>
      </Card>
    );
  }
  const { cpu, power } = hardware;
  const gpus = hardware.gpus
    .map((g) => `${g.model}${g.vram_gb === null ? '' : ` · ${formatGiB(g.vram_gb)}`}`)
    .join(', ');
  return (
    <Card title="This machine" subtitle={`${hardware.os.distro} ${hardware.os.release} · ${hardware.os.arch}`}>
      <Facts
        rows={[
          ['Processor', cpu.model || cpu.vendor || 'unknown'],
          [
            'Cores',
            `${cpu.cores} cores · ${cpu.threads} threads${cpu.speed_ghz > 0 ? ` · ${cpu.speed_ghz.toFixed(1)} GHz` : ''}`,
          ],
          ['Memory', formatGiB(hardware.ram_gb)],
          ['Graphics', gpus || 'none found'],
          ['GPU units', <GpuLine key="gpu" gpu={status.gpu} />],
          [
            'Power',
            power.has_battery
              ? `Battery ${power.percent ?? '?'}% · ${power.on_battery ? 'on battery' : 'plugged in'}`
              : 'Mains (no battery)',
          ],
          ['Memory', `${status.memory.rss_mb.toFixed(0)} MB`],
          [
            'Other programs',
            status.other_load_pct === null ? 'measuring…' : `${formatPercent(status.other_load_pct)} of the CPU`,
          ],
          [
            'Speed',
            calibration
              ? `${formatCount(calibration.fuel_per_second)} fuel/s per worker · score ${calibration.performance_score.toFixed(2)}`
              : 'measuring (the first start calibrates)…',
          ],
        ]}
      />
    </Card>
  );
}

/** Whether this node renders on its GPU: the adapter and its speed, "starting…", or the node's reason why not. */
function GpuLine({ gpu }: { gpu: Status['gpu'] }) {
  const summary = summarizeGpu(gpu);
  return (
    <div data-testid="gpu-status" data-state={summary.state}>
      {summary.state === 'ready' ? (
        <>
          <div className="gpu-adapter">
            <span className="wrap">{summary.adapter}</span>
            {summary.software && (
              <Badge tone="warn" title="WebGPU running on the CPU (SwiftShader), not a GPU">
                software adapter
              </Badge>
            )}
          </div>
          {summary.figures && <div className="muted small">{summary.figures}</div>}
        </>
      ) : (
        <span className="muted wrap">{summary.state === 'starting' ? summary.text : summary.reason}</span>
      )}
    </div>
  );
}
