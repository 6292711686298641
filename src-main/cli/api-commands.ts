// meshctl's commands that drive a running node through its local API: status, peers, trust,
// availability slots, sharing, the ledger (ledger-commands.ts), receipts and the event stream. The job
// commands are in job-commands.ts. Arguments are checked here, before the node is asked anything.
import type { Command } from 'commander';
import { ApiError, webUiUrl } from '../node/api/index.js';
import { CliError, isoTime, numberIn, wholeNumber } from './args.js';
import { counted, formatPeers, formatReceiptChains, formatSlots, formatStatus, formatTrust } from './format.js';
import { registerAvailabilityCommands } from './availability-commands.js';
import { registerJobCommands } from './job-commands.js';
import { registerLedgerCommand } from './ledger-commands.js';
import { registerPolicyCommands } from './policy-commands.js';
import { registerStorageCommands } from './storage-commands.js';
import { registerWorkflowCommands } from './workflow-commands.js';
import { registerCircleCommands } from './circle-commands.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';

export function registerApiCommands(program: Command): void {
  nodeCommand(program, 'status', "the node's identity, sharing state, connections, work and balance").action(
    act(async (options) => {
      const status = await connect(options).call('status', {});
      return { json: status, text: formatStatus(status) };
    }),
  );

  nodeCommand(program, 'peers', 'the peers this node knows, with trust and reputation').action(
    act(async (options) => {
      const peers = await connect(options).call('peers.list', {});
      return { json: peers, text: formatPeers(peers) };
    }),
  );

  nodeCommand(
    program,
    'ui',
    "the web UI's address for this node, with its token (open it in a browser on this machine)",
  ).action(
    act(async (options) => {
      const client = connect(options);
      await client.call('status', {}); // the node must be up for the address to work
      const url = webUiUrl(client.url, client.token);
      return { json: { url }, text: url };
    }),
  );

  const peer = program.command('peer').description('peers by address, and pardons');
  nodeCommand(peer, 'add', 'connect to a peer by its multiaddr')
    .argument('<multiaddr>', 'e.g. /ip4/192.168.1.20/tcp/4001/p2p/12D3KooW…')
    .action(
      act(async (options, multiaddr = '') => {
        const added = await connect(options).call('peers.add', { multiaddr });
        return { json: added, text: `added peer ${added.peer_id}` };
      }),
    );

  nodeCommand(
    peer,
    'pardon',
    "undo a peer's conviction you find unsound (a check of yours was wrong): its trust and reputation come back",
  )
    .argument('<peer>', 'its peer id')
    .action(
      act(async (options, peerId = '') => {
        const result = await connect(options).call('peers.pardon', { peer_id: peerId });
        const text = result.pardoned
          ? `pardoned ${result.peer_id}: its conviction is undone, its trust and reputation restored`
          : `${result.peer_id} is not convicted: nothing to pardon`;
        return { json: result, text };
      }),
    );

  registerTrustCommands(program);
  registerSlotCommands(program);
  registerAvailabilityCommands(program);
  registerPolicyCommands(program);
  registerStorageCommands(program);

  nodeCommand(program, 'sharing', 'offer this machine to peers (on) or stop (off)')
    .argument('<on|off>')
    .action(
      act(async (options, state = '') => {
        if (state !== 'on' && state !== 'off')
          throw new CliError(`sharing: expected on or off, got ${JSON.stringify(state)}`);
        const result = await connect(options).call('sharing.set', { on: state === 'on' });
        return { json: result, text: `sharing is ${result.sharing ? 'on' : 'off'}` };
      }),
    );

  registerJobCommands(program);
  registerWorkflowCommands(program);
  registerCircleCommands(program);

  registerLedgerCommand(program);

  const receipts = program.command('receipts').description('signed execution receipts');
  nodeCommand(receipts, 'verify', "check every receipt chain's signatures and links (exit code 1 if one is broken)")
    .option('--author <peerId>', 'only the chain of this author')
    .action(
      act(async (options: CommonOptions & { author?: string }) => {
        const result = await connect(options).call(
          'receipts.verify',
          options.author === undefined ? {} : { author: options.author },
        );
        const broken = result.chains.filter((chain) => !chain.ok).length;
        const failure = broken === 0 ? undefined : `${counted(broken, 'receipt chain')} failed verification`;
        const text =
          result.chains.length === 0 && options.author !== undefined
            ? `no receipts from ${options.author} are held here`
            : formatReceiptChains(result);
        return { json: result, text, failure };
      }),
    );

  nodeCommand(program, 'events', "the node's events as JSON lines")
    .option('--after <id>', 'only events after this id', '0')
    .option('--follow', 'keep printing new events until interrupted')
    .action(act(async (options: CommonOptions & { after: string; follow?: boolean }) => printEvents(options)));
}

function registerTrustCommands(program: Command): void {
  const trust = program.command('trust').description('how much you trust each peer (0 = not at all, 1 = fully)');
  nodeCommand(trust, 'set', 'set your trust weight for a peer')
    .argument('<peerId>')
    .argument('<weight>', 'a number in 0..1')
    .action(
      act(async (options, peerId = '', weightText = '') => {
        const weight = numberIn('trust weight', weightText, 0, 1);
        const result = await connect(options).call('trust.set', { peer_id: peerId, weight });
        return { json: result, text: `trust in ${result.peer_id} is now ${result.weight}` };
      }),
    );
  nodeCommand(trust, 'list', 'your trust weights').action(
    act(async (options) => {
      const result = await connect(options).call('trust.list', {});
      return { json: result, text: formatTrust(result) };
    }),
  );
}

interface SlotOptions extends CommonOptions {
  start: string;
  end: string;
  cores: string;
  ram: string;
  vram?: string;
  id?: string;
}

function registerSlotCommands(program: Command): void {
  const slots = program.command('slots').description('when, and how much of this machine, you offer');
  nodeCommand(slots, 'add', 'offer resources for a time window')
    .requiredOption('--start <time>', 'ISO date-time (local time without an offset)')
    .requiredOption('--end <time>', 'ISO date-time, after --start')
    .requiredOption('--cores <n>', "CPU cores (1..4096; more than this machine's: all of them)")
    .requiredOption('--ram <gb>', 'RAM in GB (more than 0)')
    .option('--vram <gb>', 'GPU memory in GB')
    .option('--id <slotId>', 'the slot id (default: chosen by the node)')
    .action(
      act(async (options: SlotOptions) => {
        const start_time = isoTime('--start', options.start);
        const end_time = isoTime('--end', options.end);
        if (Date.parse(end_time) <= Date.parse(start_time)) throw new CliError('--end must be after --start');
        const result = await connect(options).call('slots.add', {
          slot_id: options.id,
          start_time,
          end_time,
          cpu_cores: numberIn('--cores', options.cores, 1, 4096),
          ram_gb: numberIn('--ram', options.ram, 0.001, 1 << 20),
          gpu_vram_gb: options.vram === undefined ? undefined : numberIn('--vram', options.vram, 0, 1 << 20),
        });
        const { slot } = result;
        return { json: result, text: `added slot ${slot.slot_id}: ${slot.start_time} to ${slot.end_time}` };
      }),
    );
  nodeCommand(slots, 'list', 'your availability slots').action(
    act(async (options) => {
      const result = await connect(options).call('slots.list', {});
      return { json: result, text: formatSlots(result) };
    }),
  );
  nodeCommand(slots, 'rm', 'remove an availability slot')
    .argument('<slotId>')
    .action(
      act(async (options, slotId = '') => {
        const result = await connect(options).call('slots.remove', { slot_id: slotId });
        return { json: result, text: result.removed ? `removed slot ${slotId}` : `no slot ${slotId}; nothing removed` };
      }),
    );
}

/**
 * Event ids are consecutive and the node keeps only its latest events: a first event past the one
 * after `after` means those between are gone, which stderr says (stdout stays the events alone).
 */
function warnIfGone(after: number, firstId: number): void {
  if (firstId <= after + 1) return;
  const gone = firstId - 1 === after + 1 ? `event ${after + 1} is` : `events ${after + 1}–${firstId - 1} are`;
  process.stderr.write(`meshctl: ${gone} no longer kept by the node (it keeps its latest); from ${firstId}\n`);
}

/** Past events as JSON lines; with --follow, then live ones until the stream ends or ^C. */
async function printEvents(options: CommonOptions & { after: string; follow?: boolean }): Promise<undefined> {
  const after = wholeNumber('--after', options.after, 0, Number.MAX_SAFE_INTEGER);
  const client = connect(options);
  if (!options.follow) {
    // Page by page (one call returns at most `limit` events), until a page brings nothing newer.
    for (let last = after; ;) {
      const { events } = await client.call('events.since', { after: last });
      const newest = events.at(-1)?.id ?? last;
      if (newest <= last) return undefined;
      if (last === after) warnIfGone(after, events[0]!.id);
      for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
      last = newest;
    }
  }
  let first = true;
  await new Promise<void>((resolve, reject) => {
    const close = client.subscribe(
      after,
      (event) => {
        if (first) warnIfGone(after, event.id);
        first = false;
        process.stdout.write(`${JSON.stringify(event)}\n`);
      },
      (error?: ApiError) => (error ? reject(error) : resolve()),
    );
    process.once('SIGINT', () => close());
  });
  return undefined;
}
