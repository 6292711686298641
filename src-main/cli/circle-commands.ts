// meshctl's circle commands (docs/CIRCLES.md): found a circle (`circle create`), list mine, show one
// (its members, its policy, its proposals, its history), invite someone into one, propose a change
// from a fragment file, and vote. A circle is named by its id, or by a unique start of it.
import type { Command } from 'commander';
import type { PolicyFragment } from '../core/circles/index.js';
import type { CircleView, ProposalView } from '../core/api/circle-methods.js';
import { CliError, jsonObject, readFileUpTo } from './args.js';
import { durationSeconds, inviteCommand } from './reach-commands.js';
import { circleId } from './circle-names.js';
import { counted, keyValues, table } from './format.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';
import { collect } from './wasi-submit.js';

/** A proposal's fragment file at most (a policy's fields and members: a few KB). */
const MAX_FRAGMENT_BYTES = 64 * 1024;

async function show(options: CommonOptions, prefix: string): Promise<CircleView> {
  const client = connect(options);
  return (await client.call('circles.show', { circle_id: await circleId(client, prefix) })).circle;
}

const tallyOf = ({ tally, quorum, threshold }: ProposalView) =>
  `${tally.approve} approve, ${tally.reject} reject, ${tally.abstain} abstain of ${tally.members} (quorum ${quorum}, threshold ${threshold})`;

function formatProposals(proposals: readonly ProposalView[]): string {
  if (proposals.length === 0) return 'no proposals';
  return table(
    ['proposal', 'status', 'changes', 'tally', 'my vote', 'description'],
    proposals.map((p) => [
      p.proposal_id,
      p.status + (p.reason ? ` (${p.reason})` : ''),
      p.fields.join(', '),
      tallyOf(p),
      p.my_vote ?? '-',
      p.description,
    ]),
  );
}

function formatPolicy({ policy }: CircleView): string {
  return Object.entries(policy)
    .map(
      ([section, fields]) => `${section}\n${keyValues(Object.entries(fields).map(([k, v]) => [`  ${k}`, String(v)]))}`,
    )
    .join('\n');
}

function formatHistory({ history }: CircleView): string {
  if (history.length === 0) return 'no change since its founding: version 0';
  return history
    .map((a, i) => {
      const changes = a.fields.map((field) => {
        const [section, name] = field.split('.');
        // A policy's fields are numbers; a member added or removed is no field of it.
        const valueIn = (policy: object) =>
          (policy as Record<string, Record<string, number>>)[section ?? '']?.[name ?? ''];
        const before = valueIn(a.before);
        return before === undefined ? `  ${field}` : `  ${field}: ${before} → ${valueIn(a.after)}`;
      });
      return [
        `version ${i + 1}, ${a.at}: ${a.description || a.proposal_id} (${counted(a.votes.length, 'approving vote')})`,
        ...changes,
      ].join('\n');
    })
    .join('\n');
}

function formatCircle(c: CircleView): string {
  return keyValues([
    ['circle', c.circle_id],
    ['name', c.name],
    ['founder', c.founder],
    ['founded', c.created_at],
    ['members', String(c.members.length)],
    ['version', String(c.history.length)],
    ['open proposals', String(c.proposals.filter((p) => p.status === 'open').length)],
    ['log', counted(c.entries, 'entry')],
  ]);
}

export function registerCircleCommands(program: Command): void {
  const circle = program.command('circle').description('circles: groups of peers sharing one policy, changed by vote');
  nodeCommand(circle, 'create', 'found a circle with these members (peer ids) and you in it')
    .argument('<name>')
    .argument('[members...]')
    .option('--policy-file <file>', 'policy fields to found it with (JSON, as a proposal fragment), over the defaults')
    .action(
      act(async (options: CommonOptions & { policyFile?: string }, name = '', ...rest: unknown[]) => {
        const members = rest.flat().filter((m): m is string => typeof m === 'string');
        const policy = options.policyFile === undefined ? {} : await fragment(options.policyFile);
        const result = await connect(options).call('circles.create', { name, members, policy });
        return {
          json: result,
          text: `circle ${result.circle.circle_id}: ${name}, ${counted(result.circle.members.length, 'member')}`,
        };
      }),
    );
  nodeCommand(circle, 'list', 'the circles you are a member of').action(
    act(async (options) => {
      const result = await connect(options).call('circles.list', {});
      const rows = result.circles.map((c) => [
        c.circle_id,
        c.name,
        String(c.members),
        String(c.version),
        String(c.open_proposals),
      ]);
      return {
        json: result,
        text: rows.length === 0 ? 'no circles' : table(['circle', 'name', 'members', 'version', 'open'], rows),
      };
    }),
  );
  const viewing = (
    name: string,
    description: string,
    format: (c: CircleView) => string,
    pick?: (c: CircleView) => unknown,
  ) =>
    nodeCommand(circle, name, description)
      .argument('<circle>', 'its id (or a unique start of it, or its name)')
      .action(
        act(async (options, prefix = '') => {
          const view = await show(options, prefix);
          return { json: pick ? pick(view) : view, text: format(view) };
        }),
      );
  viewing('show', 'a circle: its members, version and open proposals', formatCircle);
  viewing(
    'members',
    "a circle's members",
    (c) => c.members.map((m) => (m === c.founder ? `${m} (founder)` : m)).join('\n'),
    (c) => c.members,
  );
  viewing(
    'proposals',
    "a circle's proposals, the newest first, with their tallies",
    (c) => formatProposals(c.proposals),
    (c) => c.proposals,
  );
  viewing(
    'history',
    "a circle's policy changes: each activation, with its votes, before and after",
    formatHistory,
    (c) => c.history,
  );
  const policy = circle.command('policy').description("a circle's policy");
  nodeCommand(policy, 'view', 'the policy in force in a circle')
    .argument('<circle>')
    .action(
      act(async (options, prefix = '') => {
        const view = await show(options, prefix);
        return { json: view.policy, text: formatPolicy(view) };
      }),
    );
  nodeCommand(circle, 'propose', 'propose a change: policy fields from a fragment file, members added or removed')
    .argument('<circle>')
    .option(
      '--update-file <file>',
      'the policy fields to change (JSON: {"rewards": {"verifier_pct": 20, "worker_pct": 80}})',
    )
    .option('--add <peerId>', 'a member to add (repeatable)', collect, [])
    .option('--remove <peerId>', 'a member to remove (repeatable)', collect, [])
    .option('--description <text>', 'why', '')
    .option('--expires <duration>', "how long voting stays open: 30m, 24h, 7d (the circle's voting period at most)")
    .action(
      act(async (options: ProposeOptions, prefix = '') => {
        const client = connect(options);
        const change = {
          ...(options.updateFile !== undefined ? { policy: await fragment(options.updateFile) } : {}),
          ...(options.add.length > 0 ? { add_members: options.add } : {}),
          ...(options.remove.length > 0 ? { remove_members: options.remove } : {}),
        };
        const { proposal } = await client.call('circles.propose', {
          circle_id: await circleId(client, prefix),
          change,
          description: options.description,
          ...(options.expires !== undefined
            ? { expires_in_s: durationSeconds('--expires', options.expires, 10, 30 * 86_400) }
            : {}),
        });
        return {
          json: proposal,
          text: `proposal ${proposal.proposal_id}: ${proposal.status}, voting closes ${proposal.closes_at}`,
        };
      }),
    );
  nodeCommand(circle, 'vote', 'vote on an open proposal (a later vote replaces yours until it closes)')
    .argument('<circle>')
    .argument('<proposal>')
    .option('--approve', 'for it')
    .option('--reject', 'against it')
    .option('--abstain', 'count me as voting, neither for nor against')
    .action(
      act(async (options: VoteOptions, prefix = '', proposalId = '') => {
        const chosen = (['approve', 'reject', 'abstain'] as const).filter((c) => options[c] === true);
        if (chosen.length !== 1) throw new CliError('say one of --approve, --reject or --abstain');
        const client = connect(options);
        const circleIdFound = await circleId(client, prefix);
        const { proposal } = await client.call('circles.vote', {
          circle_id: circleIdFound,
          proposal_id: proposalId,
          choice: chosen[0]!,
        });
        return { json: proposal, text: `${proposal.status}: ${tallyOf(proposal)}` };
      }),
    );
  inviteCommand(circle, 'invite', 'an invite code that also proposes whoever accepts it as a member (you approve)', {
    circleArgument: true,
  });
}

interface ProposeOptions extends CommonOptions {
  updateFile?: string;
  add: string[];
  remove: string[];
  description: string;
  expires?: string;
}

type VoteOptions = CommonOptions & Partial<Record<'approve' | 'reject' | 'abstain', boolean>>;

/** A policy fragment from a JSON file, as the node takes it: it checks each field against its bounds. */
async function fragment(file: string): Promise<PolicyFragment> {
  const text = (await readFileUpTo('the fragment', file, MAX_FRAGMENT_BYTES)).toString('utf8');
  return jsonObject(file, text);
}
