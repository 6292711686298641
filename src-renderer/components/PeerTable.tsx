// Peers with the trust between us. My trust is also the permit: 0 gets nothing from my machine;
// the scheduler serves the others in turn (core/scheduler/allocate.ts): mutual trust first, then
// by my effective trust (weight times record).
import type { PeerView } from '../../src-main/core/api/contract.js';
import { FREE_RIDER_TRICKLE } from '../../src-main/core/policy/index.js';
import { trustedFully } from '../../src-main/core/scheduler/reciprocity.js';
import { formatAgo, formatWeight, shortPeerId } from '../format.js';
import { Badge } from './basics.js';
import { CommitRange } from './CommitRange.js';

/** What a peer may use of my machine, from the trust weights alone. */
function accessOf(peer: Pick<PeerView, 'trust_mine' | 'trust_theirs' | 'false_refunds'>): {
  tone: 'ok' | 'accent' | 'neutral' | 'danger';
  label: string;
  detail: string;
} {
  if (peer.false_refunds > 0)
    return {
      tone: 'danger',
      label: 'Shut out',
      detail: `refunded ${peer.false_refunds} of your verified results as rejected; set its trust again to forgive`,
    };
  if (peer.trust_mine <= 0)
    return { tone: 'neutral', label: 'Not permitted', detail: 'gets nothing from this machine' };
  // A peer that shares nothing back gets a trickle unless trusted fully (core/scheduler/reciprocity.ts).
  const sharing = trustedFully(peer.trust_mine)
    ? 'trusted fully: served even if it shares nothing'
    : `if it shares nothing, ${FREE_RIDER_TRICKLE}`;
  if ((peer.trust_theirs ?? 0) > 0)
    return { tone: 'ok', label: 'Permitted · mutual', detail: `served first (tier 1); ${sharing}` };
  return { tone: 'accent', label: 'Permitted · one-way', detail: `served after mutual peers (tier 2); ${sharing}` };
}

export function PeerTable({
  peers,
  nowMs,
  onTrust,
  onPardon,
}: {
  peers: readonly PeerView[];
  nowMs: number;
  onTrust: (peerId: string, weight: number) => Promise<void>;
  /** Undo a conviction the user finds unsound. */
  onPardon: (peerId: string) => Promise<void>;
}) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th>Peer</th>
            <th>Access</th>
            <th>My trust</th>
            <th>Their trust</th>
            <th>Reputation</th>
            <th className="num">Checks</th>
            <th title="how this node reaches it now (direct or through a relay) and the round trip; else when it was last seen">
              Link · last seen
            </th>
          </tr>
        </thead>
        <tbody>
          {peers.map((peer) => {
            const access = accessOf(peer);
            const dropped = Object.values(peer.dropped).reduce((sum, n) => sum + n, 0);
            return (
              <tr key={peer.peer_id} data-testid={`peer-row-${peer.peer_id}`}>
                <td>
                  <div className="peer-cell">
                    <span
                      className={`dot dot-${peer.connected ? 'ok' : 'neutral'}`}
                      title={peer.connected ? 'connected' : 'not connected'}
                    />
                    <div>
                      <div className={`peer-name ${peer.name ? '' : 'mono'}`} title={peer.peer_id}>
                        {peer.name || shortPeerId(peer.peer_id)}
                      </div>
                      {peer.name && <div className="muted small mono">{shortPeerId(peer.peer_id)}</div>}
                      {dropped > 0 && (
                        <div
                          className="small text-warn"
                          title={Object.entries(peer.dropped)
                            .map(([why, n]) => `${why}: ${n}`)
                            .join('\n')}
                        >
                          {dropped} bad {dropped === 1 ? 'message' : 'messages'} dropped
                        </div>
                      )}
                    </div>
                  </div>
                </td>
                <td>
                  <Badge tone={access.tone}>{access.label}</Badge>
                  <div className="muted small">{access.detail}</div>
                </td>
                <td>
                  <CommitRange
                    value={peer.trust_mine}
                    min={0}
                    max={1}
                    step={0.05}
                    label={`My trust in ${peer.name || shortPeerId(peer.peer_id)}`}
                    format={formatWeight}
                    onCommit={(weight) => onTrust(peer.peer_id, weight)}
                    testId={`trust-slider-${peer.peer_id}`}
                    valueTestId={`trust-mine-${peer.peer_id}`}
                  />
                </td>
                <td className="mono">
                  {peer.trust_theirs === null ? (
                    <span className="muted">unknown</span>
                  ) : (
                    formatWeight(peer.trust_theirs)
                  )}
                </td>
                <td>
                  <div className="meter" title={`reputation ${peer.reputation.toFixed(2)}`}>
                    <div className="meter-bar" style={{ width: `${Math.round(peer.reputation * 100)}%` }} />
                  </div>
                  <span className="small mono">{peer.reputation.toFixed(2)}</span>
                </td>
                <td className="num">
                  {peer.convicted_at !== null ? (
                    <>
                      <Badge tone="danger">
                        caught lying · {peer.caught_lying} wrong {peer.caught_lying === 1 ? 'result' : 'results'}
                      </Badge>{' '}
                      <button
                        type="button"
                        className="button"
                        title="If a check of yours was wrong: undo the conviction, restoring its trust and reputation"
                        data-testid={`pardon-${peer.peer_id}`}
                        onClick={() => void onPardon(peer.peer_id)}
                      >
                        Pardon
                      </button>
                    </>
                  ) : (
                    <span className="muted" title="results that matched my own run">
                      {peer.checks_passed} checked ok
                    </span>
                  )}
                </td>
                <td className="small">
                  {peer.connected ? (
                    <span title={peer.link?.address} data-testid={`peer-link-${peer.peer_id}`}>
                      {peer.link
                        ? `${peer.link.kind}${peer.link.rtt_ms === null ? '' : ` · ${peer.link.rtt_ms} ms`}`
                        : 'now'}
                    </span>
                  ) : peer.last_seen ? (
                    formatAgo(peer.last_seen, nowMs)
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
