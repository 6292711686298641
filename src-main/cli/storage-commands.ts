// meshctl storage: what the node's blob store holds, by kind, what each requester holds on my
// disk against its quota, what garbage collection freed, and the settings (storage.json).
import type { Command } from 'commander';
import type { MethodResult } from '../core/api/contract.js';
import { keyValues, table } from './format.js';
import { act, connect, nodeCommand } from './node-command.js';

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const duration = (s: number) =>
  s % 86_400 === 0 && s > 0 ? `${s / 86_400} d` : s % 3600 === 0 && s > 0 ? `${s / 3600} h` : `${s} s`;

function formatStorage(s: MethodResult<'storage.get'>): string {
  const { settings: c } = s;
  const last = s.last_collection;
  const lines = [
    keyValues([
      ['blobs', `${s.blobs}: ${MiB(s.row_bytes)} in the database, ${MiB(s.file_bytes)} in files`],
      ['modules', MiB(s.by_kind.module)],
      ['inputs', MiB(s.by_kind.input)],
      ['outputs', MiB(s.by_kind.output)],
      ['shipped', MiB(s.by_kind.shipped)],
      ['unneeded', `${MiB(s.by_kind.unneeded)} (goes at the next collection, once older than the grace)`],
      ['last collection', last ? `${last.at}: ${last.removed} blobs, ${MiB(last.freed_bytes)} freed` : 'none yet'],
      ['freed since start', MiB(s.freed_bytes_total)],
      ['collects every', duration(c.gc_interval_s)],
      ['grace', duration(c.grace_s)],
      ['provider keeps', `${duration(c.provider_retention_s)} after a unit is settled`],
      ['requester keeps', `inputs ${duration(c.input_retention_s)} after a job ends; outputs until the job is deleted`],
      ['quota', `${MiB(c.requester_quota_bytes)} per requester`],
    ]),
  ];
  if (s.requesters.length > 0)
    lines.push(
      '',
      table(
        ['requester', 'on my disk'],
        s.requesters.map((r) => [r.peer_id, MiB(r.bytes)]),
      ),
    );
  if (s.requesters_total > s.requesters.length)
    lines.push(`${s.requesters.length} of the ${s.requesters_total} requesters: those holding most`);
  return lines.join('\n');
}

export function registerStorageCommands(program: Command): void {
  nodeCommand(
    program,
    'storage',
    'blobs held by kind, each requester against its quota, and what collection freed',
  ).action(
    act(async (options) => {
      const storage = await connect(options).call('storage.get', {});
      return { json: storage, text: formatStorage(storage) };
    }),
  );
}
