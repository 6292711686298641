// The node's event stream, newest first, with a filter over the type and the data.
import { useDeferredValue, useMemo, useState } from 'react';
import type { ApiEvent } from '../../src-main/core/api/contract.js';
import { useMesh } from '../app/store-context.js';
import { Card, EmptyState, PageHeader } from '../components/basics.js';
import { KEPT_EVENTS } from '../store/log-slice.js';

/** A colour per family of events, so a page of them can be scanned. */
function familyOf(type: ApiEvent['type']): string {
  if (type.startsWith('peer.') || type === 'trust.changed' || type === 'message.dropped') return 'peer';
  if (type.startsWith('job.') || type.startsWith('render.')) return 'job';
  if (type.startsWith('unit.') || type.startsWith('units.') || type.startsWith('offer')) return 'unit';
  if (type.startsWith('ledger.') || type === 'price.changed') return 'ledger';
  return 'node';
}

const text = (event: ApiEvent) =>
  `${event.type} ${Object.entries(event.data)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ')}`;

export function LogsPage() {
  const events = useMesh((s) => s.events);
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter.trim().toLowerCase());
  const shown = useMemo(
    () => (deferred === '' ? events : events.filter((e) => text(e).toLowerCase().includes(deferred))),
    [events, deferred],
  );

  return (
    <div className="page" data-testid="page-logs">
      <PageHeader
        title="Logs"
        subtitle={`The node's events as they happen (the latest ${KEPT_EVENTS}).`}
        actions={
          <input
            type="search"
            className="search"
            placeholder="Filter: type, peer, job…"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            aria-label="Filter events"
            data-testid="log-filter"
          />
        }
      />
      <Card className="card-flush">
        {events.length === 0 ? (
          <EmptyState icon="logs" title="No events yet">
            Peers connecting, trust changing, jobs and tiles, payments: everything the node does shows up here.
          </EmptyState>
        ) : shown.length === 0 ? (
          <EmptyState icon="logs" title="Nothing matches">
            No event among the latest {events.length} contains “{filter}”.
          </EmptyState>
        ) : (
          <ol className="log" data-testid="log-list">
            {shown.map((event) => (
              <li key={`${event.id}@${event.at}`} className="log-row">
                <time className="log-time mono" dateTime={event.at} title={event.at}>
                  {new Date(event.at).toLocaleTimeString()}
                </time>
                <span className={`log-type log-${familyOf(event.type)}`}>{event.type}</span>
                <span className="log-data">
                  {Object.entries(event.data).map(([key, value]) => (
                    <span className="log-pair" key={key}>
                      <span className="log-key">{key}</span>
                      <span className="log-value mono">{String(value)}</span>
                    </span>
                  ))}
                </span>
              </li>
            ))}
          </ol>
        )}
      </Card>
    </div>
  );
}
