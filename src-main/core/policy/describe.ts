// A policy in words, the same in meshctl and the UI.
import type { Policy } from '../schemas/index.js';

// oxlint-disable-next-line typescript/consistent-return -- the switch covers every kind (TypeScript checks it): no path ends without a return
export function describePolicy(policy: Policy): string {
  switch (policy.kind) {
    case 'allow_all':
      return 'every peer I trust';
    case 'permit_list':
      return policy.peers.length === 0
        ? 'nobody (an empty permit list)'
        : `only ${policy.peers.length === 1 ? 'this peer' : `these ${policy.peers.length} peers`}: ${policy.peers.join(', ')}`;
    case 'quota':
      return `at most ${policy.units_per_day} unit${policy.units_per_day === 1 ? '' : 's'} per peer per day (UTC)`;
    case 'rate_limit':
      return `at most ${policy.units} unit${policy.units === 1 ? '' : 's'} per peer in any ${policy.per_seconds} s`;
  }
}
