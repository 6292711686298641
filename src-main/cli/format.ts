// meshctl's output for people: short aligned text. Names and reasons come from other peers, so
// every cell is made printable first (a peer must not be able to move the user's cursor).
import type { MethodResult } from '../core/api/contract.js';
import { formatCredits } from '../core/ledger/index.js';
import { packsInWords } from '../core/mesh/rules/packs.js';
import { describePolicy } from '../core/policy/index.js';

export { formatCredits };

const fraction = (x: number) => x.toFixed(2);
const onOff = (on: boolean) => (on ? 'on' : 'off');
/** `n` and its noun, plural unless n is 1: "1 frame", "2 frames". */
export const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const orDash = (text: string | null | undefined) => (text === null || text === undefined || text === '' ? '-' : text);

/** Control characters (escape sequences, newlines) shown as \u escapes. */
export function printable(text: string): string {
  return text.replace(
    // oxlint-disable-next-line no-control-regex -- finding control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Rows of cells in columns two spaces apart, under a header. */
export function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows].map((row) => row.map(printable));
  // Not Math.max(...rows): a job's 312,500 units overflowed the stack as arguments.
  const widths = header.map((_, column) => cells.reduce((most, row) => Math.max(most, (row[column] ?? '').length), 0));
  return cells
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '),
    )
    .join('\n');
}

/** Labels and values, the values aligned. */
export function keyValues(pairs: Array<[string, string]>): string {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${printable(value)}`).join('\n');
}

export function formatStatus(s: MethodResult<'status'>): string {
  const dropped = Object.values(s.dropped).flatMap((reasons) => Object.values(reasons));
  const droppedTotal = dropped.reduce((sum, n) => sum + n, 0);
  return keyValues([
    ['peer id', s.peer_id],
    ['name', s.name],
    ['listening on', s.listen.join(', ') || '-'],
    ['sharing', onOff(s.sharing)],
    [
      'offering',
      s.availability.offering
        ? `yes, up to ${counted(s.availability.cores, 'core')}`
        : `nothing: ${s.availability.paused?.message ?? 'no slot in force'}`,
    ],
    ['mdns', onOff(s.mdns)],
    ['connections', `${s.connections} (${s.peers_known} peers known)`],
    ['slots', String(s.slots)],
    ['workers', String(s.workers)],
    ['units', `${s.units_running} running, ${s.units_queued} queued`],
    ['jobs', `${s.jobs_running} running`],
    ['balance', `${formatCredits(s.balance)} credits`],
    [
      'price',
      `${s.price.per_gfuel === undefined ? '' : `${formatCredits(s.price.per_gfuel)} per Gfuel, `}${formatCredits(s.price.per_core_second)} per core-second, minimum ${formatCredits(s.price.minimum)}`,
    ],
    [
      'cpu',
      s.hardware
        ? `${s.hardware.cpu.model}, ${s.hardware.cpu.cores} cores / ${s.hardware.cpu.threads} threads`
        : 'probing…',
    ],
    ['ram', s.hardware ? `${s.hardware.ram_gb.toFixed(1)} GB` : '-'],
    [
      'gpus',
      s.hardware
        ? s.hardware.gpus.map((g) => `${g.model}${g.vram_gb === null ? '' : ` (${g.vram_gb} GB)`}`).join(', ') ||
          'none found'
        : '-',
    ],
    [
      'os',
      s.hardware
        ? `${s.hardware.os.distro} ${s.hardware.os.release} (${s.hardware.os.platform}, ${s.hardware.os.arch})`
        : '-',
    ],
    [
      'power',
      s.hardware
        ? s.hardware.power.has_battery
          ? `battery ${s.hardware.power.percent ?? '?'}%, ${s.hardware.power.on_battery ? 'on battery' : 'on AC'}`
          : 'AC (no battery)'
        : '-',
    ],
    [
      'memory',
      `${s.memory.rss_mb.toFixed(0)} MB resident (JS heap ${s.memory.heap_used_mb.toFixed(0)} of ${s.memory.heap_total_mb.toFixed(0)} MB, ${s.memory.external_mb.toFixed(0)} MB outside it)`,
    ],
    [
      'load',
      s.other_load_pct === null ? 'measuring…' : `other programs use ${s.other_load_pct.toFixed(0)}% of the CPU`,
    ],
    [
      'calibration',
      s.calibration
        ? `${(s.calibration.fuel_per_second / 1e9).toFixed(2)} Gfuel/s per worker, performance score ${s.calibration.performance_score.toFixed(2)} (${s.calibration.measured_at})`
        : 'running…',
    ],
    [
      'contributed',
      `${s.contribution.total_work_units_completed} units, ${s.contribution.total_compute_hours.toFixed(2)} compute hours, quality ${fraction(s.contribution.average_result_quality)}, reliability ${fraction(s.contribution.reliability_score)}`,
    ],
    [
      'damping',
      `${fraction(s.contribution.damping_factor)} of my capacity offered${s.contribution.over_allocation_history.length === 0 ? '' : ` (offers not accepted in my last rounds: ${s.contribution.over_allocation_history.map((x) => `${Math.round(x * 100)}%`).join(', ')})`}`,
    ],
    [
      'policies',
      s.policies.length === 0
        ? 'none (every peer I trust, within its credit)'
        : s.policies.map(describePolicy).join('; '),
    ],
    ['blender', describeBlender(s.blender)],
    [
      'dropped',
      droppedTotal === 0
        ? 'none'
        : `${counted(droppedTotal, 'message')} from ${counted(Object.keys(s.dropped).length, 'peer')}`,
    ],
    [
      'served',
      `${counted(s.blobs_served.blobs, 'blob')} to peers (${(s.blobs_served.bytes / 2 ** 20).toFixed(2)} MiB) since the start`,
    ],
    ['started', s.started_at],
    [
      'history',
      `finished jobs kept whole ${keptFor(s.keep_finished_days)}, then compacted (outputs, totals, who ran what)`,
    ],
  ]);
}

/** How long finished jobs stay whole, from the status's days: minutes below a day. */
function keptFor(days: number): string {
  if (days >= 1) return `${Math.round(days * 10) / 10} days`;
  const minutes = Math.round(days * 1440);
  return minutes === 0 ? 'until their last payment' : `${minutes} minutes after their last payment`;
}

export function formatPeers({ peers, total }: MethodResult<'peers.list'>): string {
  if (peers.length === 0) return 'no peers known';
  const more =
    total > peers.length
      ? `\n${peers.length} of the ${total} peers known: those you trust, connected or seen last`
      : '';
  return `${table(
    [
      'PEER',
      'NAME',
      'CONNECTED',
      'VIA',
      'RTT',
      'TRUST',
      'THEIRS',
      'BILATERAL',
      'REPUTATION',
      'EFFECTIVE',
      'CHECKS',
      'LAST SEEN',
    ],
    peers.map((p) => [
      p.peer_id,
      orDash(p.name),
      p.connected ? 'yes' : 'no',
      p.link ? `${p.link.kind} ${p.link.address}` : '-',
      p.link?.rtt_ms != null ? `${p.link.rtt_ms} ms` : '-',
      fraction(p.trust_mine),
      p.trust_theirs === null ? '-' : fraction(p.trust_theirs),
      fraction(p.bilateral),
      fraction(p.reputation),
      fraction(p.effective_trust),
      p.convicted_at === null ? `${p.checks_passed} passed` : `CAUGHT LYING ${p.convicted_at}`,
      orDash(p.last_seen),
    ]),
  )}${more}`;
}

export function formatTrust({ trust }: MethodResult<'trust.list'>): string {
  if (trust.length === 0) return 'no trust weights set';
  return table(
    ['PEER', 'WEIGHT', 'UPDATED'],
    trust.map((t) => [t.peer_id, fraction(t.weight), t.updated_at]),
  );
}

export function formatSlots({ slots }: MethodResult<'slots.list'>): string {
  if (slots.length === 0) return 'no availability slots';
  return table(
    ['SLOT', 'START', 'END', 'CORES', 'RAM GB', 'VRAM GB'],
    slots.map((s) => [
      s.slot_id,
      s.start_time,
      s.end_time,
      String(s.resources.cpu_cores),
      String(s.resources.ram_gb),
      String(s.resources.gpu_vram_gb ?? '-'),
    ]),
  );
}

type JobView = MethodResult<'jobs.list'>['jobs'][number];

export function formatJob(job: JobView): string {
  const packs = packsInWords(job.units_per_pack, job.units_total);
  return keyValues([
    ['job', job.job_id],
    ['name', job.name],
    ['algorithm', job.algorithm],
    ['state', job.cancel_reason === null ? job.state : `${job.state}: ${job.cancel_reason}`],
    [
      'units',
      `${job.units_verified}/${job.units_total} verified, ${job.units_failed} failed${packs ? `, ${packs}` : ''}`,
    ],
    ...(job.units_created < job.units_total && job.state === 'running'
      ? [
          ['estimating', `later frames still being estimated: ${job.units_created}/${job.units_total} units made`] as [
            string,
            string,
          ],
        ]
      : []),
    ['redundancy', String(job.redundancy)],
    ...(job.waiting !== null ? [['waiting', job.waiting] as [string, string]] : []),
    ...(job.units_awaiting_agreement > 0
      ? [
          [
            'waiting',
            `${job.units_awaiting_agreement} units wait for a second provider's result to agree (a provider on probation, or results that disagreed, that this node cannot check itself)`,
          ] as [string, string],
        ]
      : []),
    [
      'budget',
      `${formatCredits(job.budget)} credits (${formatCredits(job.held)} held, ${formatCredits(job.spent)} spent${job.budget_needed === null ? '' : `; about ${formatCredits(job.budget_needed)} needed to finish`})`,
    ],
    ['acceptance', job.manual_accept ? 'manual' : 'automatic'],
    [
      'strangers',
      job.open_to_strangers ? 'open: peers you have not trusted may compute' : 'closed: only peers you trust compute',
    ],
    ['submitted', job.submitted_at],
    ['completed', orDash(job.completed_at)],
    ...job.refusals.map((r): [string, string] => [
      'refused by',
      `${r.provider}: ${r.reason} (${counted(r.units, 'unit')}, last ${r.last_at})`,
    ]),
  ]);
}

export function formatJobStatus({ job, units }: MethodResult<'jobs.status'>): string {
  if (units === undefined) return formatJob(job);
  const unitTable = table(
    ['UNIT', 'INDEX', 'STATUS', 'PROVIDERS', 'OUTPUT'],
    units.map((u) => [
      u.unit_id,
      String(u.index),
      u.failure ? `failed: ${u.failure}` : u.status,
      String(u.providers.length),
      orDash(u.output_cid),
    ]),
  );
  return `${formatJob(job)}\n\n${unitTable}`;
}

export function formatJobs({ jobs, total }: MethodResult<'jobs.list'>): string {
  if (jobs.length === 0) return 'no jobs';
  const more = total > jobs.length ? `\nthe newest ${jobs.length} of ${total} jobs (job status <jobId> shows any)` : '';
  return `${table(
    ['JOB', 'NAME', 'STATE', 'VERIFIED', 'FAILED', 'BUDGET', 'SPENT', 'SUBMITTED'],
    jobs.map((j) => [
      j.job_id,
      orDash(j.name),
      j.state,
      `${j.units_verified}/${j.units_total}`,
      String(j.units_failed),
      formatCredits(j.budget),
      formatCredits(j.spent),
      j.submitted_at,
    ]),
  )}${more}`;
}

export function formatOffers({ offers }: MethodResult<'offers.list'>): string {
  if (offers.length === 0) return 'no offers';
  return table(
    ['OFFER', 'UNIT', 'UNITS', 'PROVIDER', 'PRICE', 'SECONDS', 'REPUTATION', 'TRUST', 'TIER', 'ENDS'],
    offers.map((o) => [
      o.offer_id,
      o.unit_id,
      String(o.units),
      o.provider,
      formatCredits(o.price),
      o.estimated_seconds.toFixed(1),
      fraction(o.reputation),
      fraction(o.trust),
      String(o.tier),
      o.expected_end,
    ]),
  );
}

export function formatAccepted({ accepted, refused }: MethodResult<'offers.accept'>): string {
  const lines = [`accepted ${counted(accepted, 'offer')}`];
  for (const r of refused) lines.push(printable(`refused ${r.offer_id}: ${r.reason}`));
  return lines.join('\n');
}

export function formatReceiptChains({ chains, total }: MethodResult<'receipts.verify'>): string {
  if (chains.length === 0) return 'no receipts';
  const more =
    total > chains.length
      ? `\n${chains.length} of the ${total} authors checked, yours first (receipts verify --author P checks any)`
      : '';
  return (
    table(
      ['AUTHOR', 'RECEIPTS', 'VERIFIED'],
      chains.map((c) => [c.author, String(c.receipts), c.ok ? 'ok' : `BROKEN: ${c.error ?? 'unknown'}`]),
    ) + more
  );
}

/** Whether I render Blender scenes for others, for whom, and whether I can (`status.blender`). */
export function describeBlender(b: MethodResult<'status'>['blender']): string {
  if (!b.sharing) return 'off (I render no Blender scenes for others)';
  const whom = `for peers I trust at ${b.min_trust} or more`;
  if (b.state === 'ready') return `on ${whom}: ${b.algorithm}`;
  if (b.state === 'probing') return `on ${whom}: looking for Blender and its sandbox…`;
  return `on ${whom}, but unavailable: ${b.reason}`;
}
