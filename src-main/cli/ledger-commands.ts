// `meshctl ledger`: my balance, what is held, each peer's position, and then one line a job (its
// entries, and what it paid, holds and refunded: ledger.jobs), or with --entries every transfer, the
// newest first (ledger.transfers), as the ledger records them.
import type { Command } from 'commander';
import type { MethodResult } from '../core/api/contract.js';
import { wholeNumber } from './args.js';
import { counted, formatCredits, keyValues, printable, table } from './format.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';

export function registerLedgerCommand(program: Command): void {
  nodeCommand(
    program,
    'ledger',
    'balance, what is held in escrow, per-peer positions, and each job (--entries: every transfer)',
  )
    .option(
      '--limit <n>',
      'how many jobs (1..4096), or with --entries how many recent transfers and entries (0..10000)',
      '100',
    )
    .option('--entries', 'every transfer, the newest first, instead of a line a job; --json adds the ledger entries')
    .action(
      act(async (options: CommonOptions & { limit: string; entries?: boolean }) => {
        const client = connect(options);
        if (options.entries) {
          const limit = wholeNumber('--limit', options.limit, 0, 10_000);
          const [ledger, { transfers }] = await Promise.all([
            client.call('ledger.get', { limit }),
            limit === 0 ? { transfers: [] } : client.call('ledger.transfers', { limit }),
          ]);
          return { json: { ...ledger, transfers }, text: formatLedgerEntries(ledger, transfers) };
        }
        const limit = wholeNumber('--limit', options.limit, 1, 4096);
        const [ledger, jobs] = await Promise.all([
          client.call('ledger.get', { limit: 0 }),
          client.call('ledger.jobs', { limit }),
        ]);
        const { entries: _none, ...summary } = ledger;
        return {
          json: { ...summary, jobs: jobs.jobs, jobs_total: jobs.total },
          text: formatLedgerJobs(ledger, jobs),
        };
      }),
    );
}

/** Credits with their sign always shown: +0.032, -0.032. */
const signedCredits = (millicredits: number) => `${millicredits > 0 ? '+' : ''}${formatCredits(millicredits)}`;

/** The balance, what was earned, spent and is held, and each peer's position. */
function summaryOf(ledger: MethodResult<'ledger.get'>): string {
  const summary = keyValues([
    ['balance', `${formatCredits(ledger.balance)} credits`],
    ['earned', `${formatCredits(ledger.earned)} credits`],
    ['spent', `${formatCredits(ledger.spent)} credits`],
    ['held in escrow', `${formatCredits(ledger.held)} credits`],
  ]);
  if (ledger.peers.length === 0) return summary;
  const peers = table(
    ['PEER', 'EARNED', 'SPENT', 'BALANCE'],
    ledger.peers.map((p) => [p.peer_id, formatCredits(p.earned), formatCredits(p.spent), formatCredits(p.balance)]),
  );
  const more =
    ledger.peers_total > ledger.peers.length
      ? `\n${ledger.peers.length} of the ${ledger.peers_total} peers: the largest balances either way`
      : '';
  return `${summary}\n\n${peers}${more}`;
}

/** The summary, then a line a job: what it paid is signed as a transfer is (+ paid to me, - paid by me). */
export function formatLedgerJobs(
  ledger: MethodResult<'ledger.get'>,
  { jobs, total }: MethodResult<'ledger.jobs'>,
): string {
  if (jobs.length === 0) return summaryOf(ledger);
  const rows = jobs.map((j) => [
    printable(j.job_id),
    j.role,
    String(j.entries),
    signedCredits(j.role === 'requester' ? -j.paid : j.paid),
    formatCredits(j.held),
    formatCredits(j.refunded),
  ]);
  const shown = total > jobs.length ? `${jobs.length} of the ${total} jobs` : counted(total, 'job');
  return `${summaryOf(ledger)}\n\n${table(['JOB', 'ROLE', 'ENTRIES', 'PAID', 'HELD', 'REFUNDED'], rows)}\n${shown}, the last changed first: paid + to you, - by you (--entries: every transfer)`;
}

/** The summary, then the transfers, the newest first, each with its peer, its job and its amount. */
export function formatLedgerEntries(
  ledger: MethodResult<'ledger.get'>,
  transfers: MethodResult<'ledger.transfers'>['transfers'],
): string {
  if (transfers.length === 0) return summaryOf(ledger);
  const rows = [...transfers].reverse().map((t) => [t.at, t.peer_id, printable(t.job_id), signedCredits(t.amount)]);
  return `${summaryOf(ledger)}\n\n${table(['AT', 'PEER', 'JOB', 'AMOUNT'], rows)}\n${counted(transfers.length, 'transfer')}, the newest first: + a peer paid you, - you paid a peer`;
}
