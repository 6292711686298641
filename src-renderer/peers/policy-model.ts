// The "Who may use my computer" card's model: the node keeps one list of policies (policies.set
// replaces it whole); the card sets or removes one kind at a time and keeps the others.
import type { PeerView } from '../../src-main/core/api/contract.js';
import type { Policy } from '../../src-main/core/schemas/index.js';
import { shortPeerId } from '../format.js';

export type PolicyKind = Policy['kind'];

/** The list with `policy` in place of any of its kind. */
export function withPolicy(policies: readonly Policy[], policy: Policy): Policy[] {
  return [...policies.filter((p) => p.kind !== policy.kind), policy];
}

export function withoutKind(policies: readonly Policy[], kind: PolicyKind): Policy[] {
  return policies.filter((p) => p.kind !== kind);
}

/** A whole number typed into the card, within min..max; null when it is not one. */
export function wholeIn(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

/** A policy in words for the card, peers by their names where I know them. */
// oxlint-disable-next-line typescript/consistent-return -- the switch covers every kind (TypeScript checks it): no path ends without a return
export function policyLabel(policy: Policy, peers: readonly PeerView[]): string {
  switch (policy.kind) {
    case 'allow_all':
      return 'Every peer you trust';
    case 'permit_list': {
      if (policy.peers.length === 0) return 'Nobody (the permit list is empty)';
      const names = policy.peers.map((id) => peers.find((p) => p.peer_id === id)?.name || shortPeerId(id));
      return `Only ${names.join(', ')}`;
    }
    case 'quota':
      return `At most ${policy.units_per_day} unit${policy.units_per_day === 1 ? '' : 's'} per peer per day (UTC)`;
    case 'rate_limit':
      return `At most ${policy.units} unit${policy.units === 1 ? '' : 's'} per peer in any ${policy.per_seconds} s`;
  }
}
