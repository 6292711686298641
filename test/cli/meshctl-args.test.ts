// meshctl's argument parsing and output formatting, in process: the checks that stand between
// what a user types and what is sent to the node, and the text a user reads back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CliError,
  credits,
  isoTime,
  jsonObject,
  numberIn,
  optionBeforeCommand,
  wholeNumber,
} from '../../src-main/cli/args.js';
import { formatCredits, formatStatus, printable, table } from '../../src-main/cli/format.js';
import { formatLedgerEntries, formatLedgerJobs } from '../../src-main/cli/ledger-commands.js';
import { STUB_STATUS } from '../node/api-stub-handlers.js';

test('whole numbers and numbers in a range: text that is not exactly a number in range is refused', () => {
  assert.equal(wholeNumber('--limit', '10', 0, 100), 10);
  for (const bad of ['', ' ', '1.5', '1e3', '0x10', '-1', '101', 'ten']) {
    assert.throws(() => wholeNumber('--limit', bad, 0, 100), CliError, bad);
  }
  assert.equal(numberIn('trust weight', '0.25', 0, 1), 0.25);
  assert.equal(numberIn('trust weight', '.5', 0, 1), 0.5);
  for (const bad of ['1.5', '-0.1', 'NaN', 'Infinity', '1e-1', '', '0,5']) {
    assert.throws(
      () => numberIn('trust weight', bad, 0, 1),
      { name: 'CliError', message: /^trust weight: expected a number in 0\.\.1/ },
      bad,
    );
  }
});

test('credits typed with up to 3 decimals are exact millicredits, and print back as typed', () => {
  assert.equal(credits('--budget', '0.1'), 100);
  assert.equal(credits('--budget', '12.5'), 12_500);
  assert.equal(credits('--budget', '7'), 7000);
  for (const bad of ['0.0001', '-1', '1.', 'abc', '', '1e3'])
    assert.throws(() => credits('--budget', bad), CliError, bad);
  assert.equal(formatCredits(-1234), '-1.234');
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      (millicredits) => credits('--budget', formatCredits(millicredits)) === millicredits,
    ),
  );
});

test('times are ISO dates or date-times, sent as UTC; impossible days and other shapes are refused', () => {
  assert.equal(isoTime('--start', '2030-01-31T18:00:00+05:30'), '2030-01-31T12:30:00.000Z');
  assert.equal(isoTime('--start', '2030-01-31T18:00Z'), '2030-01-31T18:00:00.000Z');
  const local = new Date(2030, 0, 31, 18, 0).toISOString(); // no offset: the user's local time
  assert.equal(isoTime('--start', '2030-01-31T18:00'), local);
  for (const bad of ['2030-02-31T10:00Z', '2030-13-01', 'March 7', '1', 'tomorrow', '2030-01-31T25:00Z']) {
    assert.throws(
      () => isoTime('--start', bad),
      { name: 'CliError', message: /^--start: expected an ISO date-time/ },
      bad,
    );
  }
});

test('--params must be a JSON object', () => {
  assert.deepEqual(jsonObject('--params', '{"rounds":2}'), { rounds: 2 });
  assert.throws(() => jsonObject('--params', '{rounds:2}'), /--params is not JSON/);
  assert.throws(() => jsonObject('--params', '[1]'), /--params: expected a JSON object/);
  assert.throws(() => jsonObject('--params', 'null'), /--params: expected a JSON object/);
});

test('text from peers cannot move the cursor: control characters are escaped, columns stay aligned', () => {
  assert.equal(printable('evil\u001b[2J\nname'), 'evil\\u001b[2J\\u000aname');
  const lines = table(
    ['PEER', 'NAME'],
    [
      ['p-1', 'a\rb'],
      ['peer-long', 'c'],
    ],
  ).split('\n');
  assert.deepEqual(lines, ['PEER       NAME', 'p-1        a\\u000db', 'peer-long  c']);
});

test('status reads as aligned labels, credits with 3 decimals', () => {
  const lines = formatStatus({
    ...STUB_STATUS,
    balance: -2050,
    dropped: { 'peer-a': { bad_signature: 2, too_large: 1 } },
  }).split('\n');
  assert.ok(lines.includes('balance       -2.050 credits'), lines.join('\n'));
  assert.ok(lines.includes('units         0 running, 3 queued'));
  assert.ok(lines.includes('dropped       3 messages from 1 peer'));
  assert.ok(lines.includes('price         0.010 per core-second, minimum 0.100'));
});

test("status says how long finished jobs stay whole: the default's minutes, or a user's days", () => {
  const history = (days: number) =>
    formatStatus({ ...STUB_STATUS, keep_finished_days: days })
      .split('\n')
      .find((line) => line.startsWith('history'));
  assert.equal(
    history(10 / 1440),
    'history       finished jobs kept whole 10 minutes after their last payment, then compacted (outputs, totals, who ran what)',
  );
  assert.match(history(7)!, /kept whole 7 days, then compacted/);
});

test('an option before the command is said to go after it; a command first, or --help, is left to commander', () => {
  assert.equal(
    optionBeforeCommand(['--data-dir', '/tmp/a', 'status']),
    '--data-dir: options go after the command, as in meshctl <command> --data-dir … (meshctl --help lists the commands)',
  );
  assert.match(optionBeforeCommand(['--json', 'job', 'status']) ?? '', /^--json: options go after the command/);
  for (const fine of [[], ['status', '--data-dir', '/tmp/a'], ['--help'], ['-h'], ['job', '--json', 'status']])
    assert.equal(optionBeforeCommand(fine), undefined, fine.join(' '));
});

test('ledger --entries lists its transfers newest first, each with its peer, job and signed amount; none, no table', () => {
  const peers = [{ peer_id: 'peer-b', balance: 18, earned: 50, spent: 32 }];
  const ledger = { balance: 18, earned: 50, spent: 32, peers, peers_total: 1, held: 5, entries: [] };
  const transfers = [
    { seq: 7, at: '2026-11-27T00:24:41.000Z', peer_id: 'peer-b', amount: -32, job_id: 'job-1' },
    { seq: 9, at: '2026-11-27T00:24:51.000Z', peer_id: 'peer-b', amount: 50, job_id: 'job-2' },
  ];
  const lines = formatLedgerEntries(ledger, transfers).split('\n');
  const rows = lines.filter((line) => line.startsWith('2026-'));
  assert.deepEqual(
    rows.map((row) => row.split(/\s+/)),
    [
      ['2026-11-27T00:24:51.000Z', 'peer-b', 'job-2', '+0.050'],
      ['2026-11-27T00:24:41.000Z', 'peer-b', 'job-1', '-0.032'],
    ],
  );
  assert.equal(lines.at(-1), '2 transfers, the newest first: + a peer paid you, - you paid a peer');
  assert.ok(
    lines.includes('earned          0.050 credits') && lines.includes('spent           0.032 credits'),
    lines.join('\n'),
  );
  assert.ok(lines.includes('peer-b  0.050   0.032  0.018'), lines.join('\n'));
  assert.doesNotMatch(formatLedgerEntries(ledger, []), /AMOUNT|transfer/);
});

test('the ledger is a line a job: its entries, what it paid (signed as a transfer), holds and refunded', () => {
  const ledger = { balance: 0, earned: 50, spent: 50, peers: [], peers_total: 0, held: 5, entries: [] };
  const jobs = [
    { job_id: 'job-2', role: 'provider' as const, entries: 4, paid: 50, held: 0, refunded: 0 },
    { job_id: 'job-1', role: 'requester' as const, entries: 301, paid: 50, held: 5, refunded: 120 },
  ];
  const lines = formatLedgerJobs(ledger, { jobs, total: 3 }).split('\n');
  const rows = lines.filter((line) => line.startsWith('job-')).map((row) => row.split(/\s+/));
  assert.deepEqual(rows, [
    ['job-2', 'provider', '4', '+0.050', '0.000', '0.000'],
    ['job-1', 'requester', '301', '-0.050', '0.005', '0.120'],
  ]);
  assert.equal(
    lines.at(-1),
    '2 of the 3 jobs, the last changed first: paid + to you, - by you (--entries: every transfer)',
  );
  assert.doesNotMatch(formatLedgerJobs(ledger, { jobs: [], total: 0 }), /JOB|job/);
});
