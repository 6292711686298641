// Keeps the store current: status polled every two seconds while the page is visible, and ONE
// subscription to the node's events that feeds the log and the mosaics and marks what to read
// again. When the stream ends it is opened again with backoff, from the last event id seen (from
// the start if the node restarted, since its event ids start over).
import type { ApiEvent, ApiEventType } from '../../src-main/core/api/contract.js';
import type { CallError, MeshTransport } from '../api/transport.js';
import type { MeshStore } from './store.js';

const STATUS_POLL_MS = 2000;
/**
 * Events are handed to the store in batches, at most this often, and what they make stale is read
 * again at most every REFRESH_MS. Under load (a provider's tiles: hundreds of events a second) the
 * page's rendering and its reads compete with the node for the same cores: at 100 / 300 ms the
 * Logs page's renderer took 16 % of a core, at 250 / 1000 ms 7 %, and the node's event-loop lag
 * (p99, bench `event_loop`) went from a median of 16.4 ms to 13.7. Still four updates a second.
 */
const EVENT_FLUSH_MS = 250;
const REFRESH_MS = 1000;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

type Topic = 'status' | 'availability' | 'peers' | 'jobs' | 'ledger' | 'circles';

/** What each event makes stale. */
function topicsOf(type: ApiEventType): Topic[] {
  if (type.startsWith('peer.') || type === 'trust.changed' || type === 'message.dropped') return ['peers', 'status'];
  if (type === 'sharing.changed' || type === 'availability.changed' || type === 'slots.changed')
    return ['status', 'availability'];
  if (type === 'price.changed' || type === 'gpu.changed') return ['status'];
  if (type === 'ledger.entry' || type === 'ledger.entries') return ['ledger', 'status'];
  if (type.startsWith('circle.')) return ['circles'];
  if (type === 'unit.progress') return []; // the mosaic's own (onUnitProgress)
  if (type.startsWith('unit.') || type.startsWith('units.')) return ['jobs', 'status'];
  return ['jobs']; // job.*, offer.received, offers.received, render.*
}

/** Starts polling and the event subscription; returns the function that stops both. */
export function startSync(store: MeshStore, transport: MeshTransport): () => void {
  const state = store.getState;
  let stopped = false;
  let lastEventId = 0;
  let startedAt: string | undefined;
  let unsubscribe: (() => void) | undefined;
  let retryMs = RETRY_FIRST_MS;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  // The store's actions report their own failures; whatever still escapes one is shown the same way.
  const settle = (work: Promise<unknown>) => {
    work.catch((error: unknown) => state().reportError(error));
  };
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timers.add(timer);
  };

  // Stale topics, read again together.
  const stale = new Set<Topic>();
  const staleOffers = new Set<string>();
  let refreshDue = false;
  let ledgerFromScratch = false;
  const markStale = (...topics: Topic[]) => {
    for (const t of topics) stale.add(t);
    if (refreshDue) return;
    refreshDue = true;
    later(REFRESH_MS, () => {
      refreshDue = false;
      const s = state();
      if (stale.has('status')) settle(s.refreshStatus());
      if (stale.has('availability')) settle(s.refreshAvailability());
      if (stale.has('peers')) settle(s.refreshPeers());
      if (stale.has('jobs')) settle(s.refreshJobs());
      if (stale.has('circles')) settle(s.refreshCircles());
      if (stale.has('ledger')) {
        settle(s.refreshLedger(ledgerFromScratch));
        ledgerFromScratch = false;
      }
      for (const jobId of staleOffers) settle(s.refreshOffers(jobId));
      stale.clear();
      staleOffers.clear();
    });
  };

  let batch: ApiEvent[] = [];
  const flush = () => {
    const events = batch;
    batch = [];
    const s = state();
    // A render's progress, every second a unit, would crowd the log out: the mosaic shows it.
    s.addEvents(events.filter((e) => e.type !== 'unit.progress'));
    for (const event of events) {
      markStale(...topicsOf(event.type));
      if (event.type === 'render.tile' || event.type === 'render.frame') s.onRenderEvent(event);
      if (event.type === 'unit.progress') s.onUnitProgress(event);
      const jobId = event.data['job_id'];
      if (
        (event.type === 'offer.received' || event.type === 'offers.received') &&
        typeof jobId === 'string' &&
        s.jobs?.find((j) => j.job_id === jobId)?.manual_accept
      )
        staleOffers.add(jobId);
    }
  };
  const onEvent = (event: ApiEvent) => {
    lastEventId = event.id;
    retryMs = RETRY_FIRST_MS;
    if (batch.length === 0) later(EVENT_FLUSH_MS, flush);
    batch.push(event);
  };

  const subscribe = () => {
    unsubscribe = transport.subscribe(lastEventId, onEvent, onEnd);
  };
  function onEnd(error: CallError) {
    unsubscribe = undefined;
    // A lost connection shows as the connection notice; a stream that broke the contract is an error to see.
    if (error.code !== 'unavailable') state().reportError(error);
    later(retryMs, () => settle(resubscribe()));
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }
  const resubscribe = async () => {
    try {
      const status = await transport.call('status', {});
      // Another start of the node: its events are numbered anew, and its ledger read whole again.
      if (startedAt !== undefined && status.started_at !== startedAt) {
        lastEventId = 0;
        ledgerFromScratch = true;
      }
      startedAt = status.started_at;
    } catch {
      later(retryMs, () => settle(resubscribe()));
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      return;
    }
    subscribe();
    markStale('status', 'availability', 'peers', 'jobs', 'ledger', 'circles');
    settle(state().reloadMosaics());
  };

  const poll = () => {
    if (document.visibilityState === 'visible') settle(state().refreshStatus(true));
    later(STATUS_POLL_MS, poll);
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') settle(state().refreshStatus(true));
  };

  settle(
    (async () => {
      await state().refreshStatus(true);
      startedAt = state().status?.started_at;
      const s = state();
      settle(Promise.all([s.refreshAvailability(), s.refreshPeers(), s.refreshJobs(), s.refreshLedger()]));
      subscribe();
      later(STATUS_POLL_MS, poll);
    })(),
  );
  document.addEventListener('visibilitychange', onVisible);

  return () => {
    stopped = true;
    unsubscribe?.();
    for (const timer of timers) clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
