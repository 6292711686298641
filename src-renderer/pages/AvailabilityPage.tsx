// When and how much my machine is offered: the weekly grid, the windows it makes, one-off slots,
// and the limits (battery, idle, CPU cap).
import { useCallback, useMemo, useState } from 'react';
import { useActions, useMesh } from '../app/store-context.js';
import { eraseRect, paintedCells, windowFromRect, type GridRect } from '../availability/grid-model.js';
import { Card, Loading, PageHeader } from '../components/basics.js';
import { SharingSettingsCard } from '../components/SharingSettingsCard.js';
import { SlotsCard } from '../components/SlotsCard.js';
import { WeeklyGrid } from '../components/WeeklyGrid.js';
import { WindowList } from '../components/WindowList.js';
import { asSentence } from '../format.js';

export function AvailabilityPage() {
  const status = useMesh((s) => s.status)!;
  const windows = useMesh((s) => s.windows);
  const slots = useMesh((s) => s.slots);
  const settings = useMesh((s) => s.settings);
  const { addWindow, applyWindowEdit, saveWindow, removeWindow, addSlot, removeSlot, updateSettings, reportError } =
    useActions();
  const [busy, setBusy] = useState(false);
  const [cores, setCores] = useState('');
  const [ram, setRam] = useState('');

  const painted = useMemo(() => paintedCells((windows ?? []).map((w) => w.window)), [windows]);
  const threads = status.hardware?.cpu.threads ?? null;

  const whileBusy = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  }, []);
  const onPaint = useCallback(
    (rect: GridRect) => {
      const caps = {
        ...(Number(cores) > 0 ? { cpu_cores: Math.round(Number(cores)) } : {}),
        ...(Number(ram) > 0 ? { ram_gb: Number(ram) } : {}),
      };
      whileBusy(() => addWindow(windowFromRect(rect, caps))).catch(reportError);
    },
    [addWindow, whileBusy, reportError, cores, ram],
  );
  const onErase = useCallback(
    (rect: GridRect) => {
      whileBusy(() =>
        applyWindowEdit(
          eraseRect(
            (windows ?? []).map((w) => w.window),
            rect,
          ),
        ),
      ).catch(reportError);
    },
    [applyWindowEdit, whileBusy, reportError, windows],
  );

  const now = status.availability;
  return (
    <div className="page" data-testid="page-availability">
      <PageHeader
        title="Availability"
        subtitle={
          !status.sharing
            ? 'Sharing is off: nothing below is offered until you turn it on (Dashboard).'
            : now.offering
              ? `Offering up to ${now.cores} ${now.cores === 1 ? 'core' : 'cores'} right now.`
              : asSentence(now.paused?.message ?? 'nothing is offered right now.')
        }
      />
      <Card
        title="Weekly schedule"
        subtitle="Drag across hours to share them every week; drag from a shared hour to stop sharing it. Times are this computer's local time."
        actions={
          <div className="caps-toolbar">
            <span className="muted small">New windows offer</span>
            <label className="cap-input">
              <input
                type="number"
                min={1}
                max={threads ?? undefined}
                placeholder="all"
                value={cores}
                onChange={(e) => setCores(e.target.value)}
                aria-label="Cores for new windows"
                data-testid="new-window-cores"
              />
              <span className="muted small">cores</span>
            </label>
            <label className="cap-input">
              <input
                type="number"
                min={0.25}
                step={0.25}
                placeholder="all"
                value={ram}
                onChange={(e) => setRam(e.target.value)}
                aria-label="RAM for new windows"
                data-testid="new-window-ram"
              />
              <span className="muted small">GB</span>
            </label>
          </div>
        }
      >
        {windows === null ? (
          <Loading what="the schedule" />
        ) : (
          <WeeklyGrid painted={painted} onPaint={onPaint} onErase={onErase} busy={busy} />
        )}
        <div className="grid-legend">
          <span className="legend-swatch is-painted" /> shared
          <span className="legend-swatch" /> not shared
          <span className="muted small legend-hint">Keyboard: arrow keys move, Space or Enter switches the hour.</span>
        </div>
      </Card>

      <div className="grid-2">
        <Card title="Weekly windows" subtitle="Caps apply while the window is open; empty means all">
          {windows === null ? (
            <Loading what="windows" />
          ) : (
            <WindowList windows={windows} onSave={(w) => void saveWindow(w)} onRemove={(id) => void removeWindow(id)} />
          )}
        </Card>
        {slots === null ? (
          <Loading what="slots" />
        ) : (
          <SlotsCard
            slots={slots}
            defaultCores={Math.max(1, status.workers)}
            onAdd={addSlot}
            onRemove={(id) => void removeSlot(id)}
          />
        )}
      </div>

      {settings ? (
        <SharingSettingsCard settings={settings} threads={threads} onChange={updateSettings} />
      ) : (
        <Loading what="settings" />
      )}
    </div>
  );
}
