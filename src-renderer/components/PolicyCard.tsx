// Who may use my computer: on top of trust (and the credit limit it gives each peer), the rules
// every unit a peer asks of this machine must pass: only some peers, a daily quota, a rate limit.
import { useState } from 'react';
import type { PeerView } from '../../src-main/core/api/contract.js';
import { CREDIT_PER_TRUST } from '../../src-main/core/ledger/index.js';
import type { Policy } from '../../src-main/core/schemas/index.js';
import { shortPeerId } from '../format.js';
import { policyLabel, wholeIn, withoutKind, withPolicy } from '../peers/policy-model.js';
import { Card, FormProblem } from './basics.js';

const MAX_UNITS = 1_000_000_000;
const MAX_SECONDS = 30 * 86_400;

export function PolicyCard({
  policies,
  peers,
  onSave,
}: {
  policies: readonly Policy[];
  peers: readonly PeerView[];
  onSave: (policies: Policy[]) => Promise<void>;
}) {
  const permit = policies.find((p) => p.kind === 'permit_list');
  const [chosen, setChosen] = useState<Set<string> | null>(null); // null: as the node has it
  const [quota, setQuota] = useState('');
  const [rateUnits, setRateUnits] = useState('');
  const [rateSeconds, setRateSeconds] = useState('60');
  const [problem, setProblem] = useState<string | null>(null);
  const selected = chosen ?? new Set(permit?.kind === 'permit_list' ? permit.peers : []);
  const trusted = peers.filter((p) => p.trust_mine > 0 || selected.has(p.peer_id));

  const save = async (next: Policy[]) => {
    setProblem(null);
    await onSave(next);
  };
  const savePermit = () => {
    if (selected.size === 0) return setProblem('Tick at least one peer, or remove the permit list.');
    setChosen(null);
    return save(withPolicy(policies, { kind: 'permit_list', peers: [...selected] }));
  };
  const saveQuota = () => {
    const units = wholeIn(quota, 0, MAX_UNITS);
    if (units === null) return setProblem('The daily quota is a whole number of units.');
    setQuota('');
    return save(withPolicy(policies, { kind: 'quota', units_per_day: units }));
  };
  const saveRate = () => {
    const units = wholeIn(rateUnits, 0, MAX_UNITS);
    const seconds = wholeIn(rateSeconds, 1, MAX_SECONDS);
    if (units === null || seconds === null)
      return setProblem(`The rate limit is a whole number of units in 1 to ${MAX_SECONDS} seconds.`);
    setRateUnits('');
    return save(withPolicy(policies, { kind: 'rate_limit', units, per_seconds: seconds }));
  };

  return (
    <Card
      title="Who may use my computer"
      subtitle={`Peers you trust may use this machine, each up to a credit limit of ${(CREDIT_PER_TRUST / 1000).toLocaleString('en')} credits × your trust in it. These rules narrow that further: every unit a peer asks for must pass them all.`}
      actions={
        <button
          type="button"
          className="button button-ghost button-small"
          disabled={policies.length === 0}
          onClick={() => void save([])}
          data-testid="policy-clear-all"
        >
          Clear all
        </button>
      }
      testId="policy-card"
    >
      {policies.length === 0 ? (
        <p className="muted" data-testid="policy-none">
          No rules: every peer you trust may use this machine, within its credit limit.
        </p>
      ) : (
        <ul className="policy-list" data-testid="policy-list">
          {policies.map((policy) => (
            <li key={policy.kind} data-testid={`policy-item-${policy.kind}`}>
              <span>{policyLabel(policy, peers)}</span>
              <button
                type="button"
                className="button button-ghost button-small"
                onClick={() => void save(withoutKind(policies, policy.kind))}
                data-testid={`policy-remove-${policy.kind}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="settings-list policy-controls">
        <div className="setting-row">
          <div className="switch-text">
            <span className="switch-label">Only these peers</span>
            <span className="switch-description">Everyone else gets nothing, whatever your trust in them.</span>
            <div className="permit-choices">
              {trusted.length === 0 && <span className="muted small">Trust a peer first (above).</span>}
              {trusted.map((peer) => (
                <label className="checkbox-row small" key={peer.peer_id}>
                  <input
                    type="checkbox"
                    checked={selected.has(peer.peer_id)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.target.checked) next.add(peer.peer_id);
                      else next.delete(peer.peer_id);
                      setChosen(next);
                    }}
                    data-testid={`policy-permit-${peer.peer_id}`}
                  />
                  {peer.name || shortPeerId(peer.peer_id)}
                </label>
              ))}
            </div>
          </div>
          <button
            type="button"
            className="button button-small"
            disabled={chosen === null}
            onClick={() => void savePermit()}
            data-testid="policy-permit-save"
          >
            Set
          </button>
        </div>
        <div className="setting-row">
          <div className="switch-text">
            <span className="switch-label">Daily quota</span>
            <span className="switch-description">At most this many units per peer in a day (UTC).</span>
          </div>
          <span className="input-with-unit">
            <input
              type="text"
              inputMode="numeric"
              value={quota}
              placeholder={policies.some((p) => p.kind === 'quota') ? 'replace' : 'none'}
              onChange={(e) => setQuota(e.target.value)}
              aria-label="Units per peer per day"
              data-testid="policy-quota-input"
            />
            <span className="unit">units</span>
            <button
              type="button"
              className="button button-small"
              disabled={quota.trim() === ''}
              onClick={() => void saveQuota()}
              data-testid="policy-quota-set"
            >
              Set
            </button>
          </span>
        </div>
        <div className="setting-row">
          <div className="switch-text">
            <span className="switch-label">Rate limit</span>
            <span className="switch-description">
              At most this many units per peer in any window of that many seconds.
            </span>
          </div>
          <span className="input-with-unit">
            <input
              type="text"
              inputMode="numeric"
              value={rateUnits}
              placeholder="units"
              onChange={(e) => setRateUnits(e.target.value)}
              aria-label="Units per window"
              data-testid="policy-rate-units"
            />
            <span className="unit">per</span>
            <input
              type="text"
              inputMode="numeric"
              value={rateSeconds}
              onChange={(e) => setRateSeconds(e.target.value)}
              aria-label="Window in seconds"
              data-testid="policy-rate-seconds"
            />
            <span className="unit">s</span>
            <button
              type="button"
              className="button button-small"
              disabled={rateUnits.trim() === ''}
              onClick={() => void saveRate()}
              data-testid="policy-rate-set"
            >
              Set
            </button>
          </span>
        </div>
      </div>
      <FormProblem problem={problem} />
    </Card>
  );
}
