// meshctl's commands for who may use this machine, and how much: `policy show`, `policy set
// permit-list <peerId…>`, `policy set quota <units_per_day>`, `policy set rate-limit <units>
// <per_seconds>`, `policy clear [kind]`. Each `set` replaces the policy of its kind and keeps the others.
import type { Command } from 'commander';
import type { MethodResult } from '../core/api/contract.js';
import { describePolicy } from '../core/policy/index.js';
import type { Policy } from '../core/schemas/index.js';
import { CliError, wholeNumber } from './args.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';

const KINDS: Record<string, Policy['kind']> = {
  'permit-list': 'permit_list',
  quota: 'quota',
  'rate-limit': 'rate_limit',
  'allow-all': 'allow_all',
};

function formatPolicies({ policies }: MethodResult<'policies.get'>): string {
  if (policies.length === 0) return 'no policies: every peer I trust may use this machine, within its credit limit';
  return policies.map((p) => `- ${describePolicy(p)}`).join('\n');
}

export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('who may use this machine, and how much (on top of trust and the credit limit)');
  nodeCommand(policy, 'show', 'the policies every acceptance of your compute must pass').action(
    act(async (options) => {
      const result = await connect(options).call('policies.get', {});
      return { json: result, text: formatPolicies(result) };
    }),
  );

  const set = policy.command('set').description('set one policy, replacing any of the same kind');
  nodeCommand(set, 'permit-list', 'only these peers may use this machine')
    .argument('<peerId...>')
    .action(
      act(async (options, ...peers) => replace(options, { kind: 'permit_list', peers: [...new Set(peers.flat())] })),
    );
  nodeCommand(set, 'quota', 'at most this many units per peer per UTC day')
    .argument('<units_per_day>')
    .action(
      act(async (options, units = '') =>
        replace(options, { kind: 'quota', units_per_day: wholeNumber('units per day', units, 0, 1e9) }),
      ),
    );
  nodeCommand(set, 'rate-limit', 'at most <units> units per peer in any window of <per_seconds> seconds')
    .argument('<units>')
    .argument('<per_seconds>', `1..${30 * 86_400}`)
    .action(
      act(async (options, units = '', seconds = '') =>
        replace(options, {
          kind: 'rate_limit',
          units: wholeNumber('units', units, 0, 1e9),
          per_seconds: wholeNumber('per_seconds', seconds, 1, 30 * 86_400),
        }),
      ),
    );

  nodeCommand(policy, 'clear', 'remove the policy of one kind, or all of them')
    .argument('[kind]', Object.keys(KINDS).join(' | '))
    .action(
      act(async (options, kindText) => {
        const client = connect(options);
        const kind = kindText === undefined ? undefined : KINDS[kindText];
        if (kindText !== undefined && kind === undefined)
          throw new CliError(
            `policy clear: expected one of ${Object.keys(KINDS).join(', ')}, got ${JSON.stringify(kindText)}`,
          );
        const { policies } = await client.call('policies.get', {});
        const result = await client.call('policies.set', {
          policies: kind === undefined ? [] : policies.filter((p) => p.kind !== kind),
        });
        return { json: result, text: formatPolicies(result) };
      }),
    );
}

/** The node's policies with `policy` in place of those of its kind. */
async function replace(options: CommonOptions, policy: Policy) {
  const client = connect(options);
  const { policies } = await client.call('policies.get', {});
  const result = await client.call('policies.set', {
    policies: [...policies.filter((p) => p.kind !== policy.kind), policy],
  });
  return { json: result, text: formatPolicies(result) };
}
