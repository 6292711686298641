// meshctl's commands for reaching people: `invite` (make a code), `invite accept <code>`, `invite
// list`, and `network` (the listen port, UPnP, the relay offered to the people you trust).
import type { Command } from 'commander';
import type { MethodResult } from '../core/api/contract.js';
import { INVITE_LIMITS } from '../core/reach/invite.js';
import { circleId } from './circle-names.js';
import { RELAY_MODES, type RelayMode } from '../core/reach/network-config.js';
import { CliError, numberIn, wholeNumber } from './args.js';
import { keyValues, table } from './format.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';

/** A duration as people write it: 90s, 30m, 24h, 7d (a bare number is seconds), within [min, max] seconds. */
export function durationSeconds(what: string, text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(text.trim());
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[
    (match?.[2] ?? '').toLowerCase() as '' | 's' | 'm' | 'h' | 'd'
  ];
  const seconds = match ? Number(match[1]) * unit : NaN;
  if (!Number.isSafeInteger(seconds))
    throw new CliError(`${what}: expected a duration such as 30m, 24h or 7d, got ${JSON.stringify(text)}`);
  if (seconds < min || seconds > max)
    throw new CliError(`${what}: ${text} is not between ${inWords(min)} and ${inWords(max)}`);
  return seconds;
}

/** Seconds in the largest unit that divides them, as people write them: 60 → 1m, 2592000 → 30d. */
function inWords(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MiB`;

function formatNetwork(n: MethodResult<'network.get'>): string {
  return keyValues([
    ['listen port', `${n.listen_port} (kept across restarts)`],
    ['upnp', n.upnp ? 'on' : 'off'],
    [
      'reachable',
      n.reachable ? 'yes: peers anywhere can dial this node' : 'no: behind a NAT (relayed addresses below, if any)',
    ],
    ['addresses', n.addresses.join(', ') || '-'],
    ['relay', `${n.relay.mode}, ${n.relaying ? 'relaying now' : 'not relaying now'} for the peers you trust`],
    [
      'relay limits',
      `${n.relay.max_reservations} reservations, ${megabytes(n.relay.max_bytes)} and ${n.relay.max_seconds} s per relayed connection`,
    ],
    ['reservations', n.reservations.join(', ') || '-'],
    ...(n.restart_needed ? [['note', 'saved; some of it takes effect at the next start'] as [string, string]] : []),
  ]);
}

type InviteOptions = CommonOptions & { trust: string; expires: string; circle?: string };

/**
 * A command that prints an invite code: `invite create`, and `circle invite <circle>` (whose
 * argument is the circle: `circleArgument`). With a circle, whoever accepts is proposed to join it.
 */
export function inviteCommand(
  parent: Command,
  name: string,
  description: string,
  settings?: { isDefault?: boolean; circleArgument?: boolean },
): Command {
  const command = nodeCommand(parent, name, description, settings?.isDefault ? { isDefault: true } : undefined);
  if (settings?.circleArgument) command.argument('<circle>', 'its id (or a unique start of it, or its name)');
  return command
    .option('--trust <weight>', 'your trust (0..1) in whoever accepts it', '1')
    .option('--expires <duration>', 'how long it can be used: 30m, 24h, 7d', '24h')
    .action(
      act(async (options: InviteOptions, argument?: string) => {
        const client = connect(options);
        const named = settings?.circleArgument ? argument : options.circle;
        const circle = named === undefined ? undefined : await circleId(client, named);
        const result = await client.call('invites.create', {
          ...(circle !== undefined ? { circle } : {}),
          trust: numberIn('--trust', options.trust, 0, 1),
          expires_seconds: durationSeconds(
            '--expires',
            options.expires,
            INVITE_LIMITS.minSeconds,
            INVITE_LIMITS.maxSeconds,
          ),
        });
        const warning = result.reachable
          ? ''
          : '\n# no public or relayed address yet: this code works only on your LAN (see "When a router blocks everything" in the README)';
        return { json: result, text: `${result.code}${process.stdout.isTTY ? warning : ''}` };
      }),
    );
}

export function registerReachCommands(program: Command): void {
  const invite = program.command('invite').description('connect with someone: make an invite code, or accept one');
  inviteCommand(invite, 'create', 'print an invite code (one line) to send to someone', { isDefault: true }).option(
    '--circle <circle>',
    'a circle of yours whoever accepts it is proposed to join (you approve; the others vote)',
  );
  nodeCommand(invite, 'accept', "accept someone's invite code: connect, and trust each other")
    .argument('<code>')
    .option('--trust <weight>', 'your trust (0..1) in the inviter', '1')
    .action(
      act(async (options: CommonOptions & { trust: string }, code = '') => {
        const result = await connect(options).call('invites.accept', {
          code,
          trust: numberIn('--trust', options.trust, 0, 1),
        });
        const via = result.link ? ` (${result.link.kind}, ${result.link.address})` : '';
        return {
          json: result,
          text: `connected to ${result.name ?? result.peer_id} ${result.peer_id}${via}; you trust each other now`,
        };
      }),
    );
  nodeCommand(invite, 'list', 'the invites you made: pending, accepted (by whom) or expired').action(
    act(async (options) => {
      const { invites } = await connect(options).call('invites.list', {});
      return {
        json: { invites },
        text:
          invites.length === 0
            ? 'no invites'
            : table(
                ['invite', 'state', 'trust', 'expires', 'accepted by'],
                invites.map((i) => [i.invite_id, i.state, String(i.trust), i.expires_at, i.accepted_by ?? '-']),
              ),
      };
    }),
  );

  const network = program
    .command('network')
    .description('listen port, UPnP and the relay you offer the people you trust');
  nodeCommand(network, 'show', 'the network settings and what the node does now', { isDefault: true }).action(
    act(async (options) => {
      const result = await connect(options).call('network.get', {});
      return { json: result, text: formatNetwork(result) };
    }),
  );
  nodeCommand(network, 'set', 'change the network settings (the relay mode at once, the rest at the next start)')
    .option('--port <port>', 'the TCP port to listen on')
    .option('--upnp <on|off>', 'ask the router to forward the port')
    .option('--relay <mode>', `relay for the peers you trust: ${RELAY_MODES.join(' | ')}`)
    .option('--relay-reservations <n>', 'peers that may hold a relay slot at once')
    .option('--relay-mb <n>', 'megabytes a relayed connection may carry')
    .option('--relay-seconds <n>', 'seconds a relayed connection may stay open')
    .action(
      act(
        async (
          options: CommonOptions & {
            port?: string;
            upnp?: string;
            relay?: string;
            relayReservations?: string;
            relayMb?: string;
            relaySeconds?: string;
          },
        ) => {
          if (options.upnp !== undefined && !['on', 'off'].includes(options.upnp))
            throw new CliError(`--upnp: expected on or off, got ${JSON.stringify(options.upnp)}`);
          if (options.relay !== undefined && !(RELAY_MODES as readonly string[]).includes(options.relay))
            throw new CliError(`--relay: expected ${RELAY_MODES.join(', ')}, got ${JSON.stringify(options.relay)}`);
          const result = await connect(options).call('network.set', {
            ...(options.port !== undefined ? { listen_port: wholeNumber('--port', options.port, 1, 65_535) } : {}),
            ...(options.upnp !== undefined ? { upnp: options.upnp === 'on' } : {}),
            relay: {
              ...(options.relay !== undefined ? { mode: options.relay as RelayMode } : {}),
              ...(options.relayReservations !== undefined
                ? { max_reservations: wholeNumber('--relay-reservations', options.relayReservations, 1, 1024) }
                : {}),
              ...(options.relayMb !== undefined
                ? { max_bytes: wholeNumber('--relay-mb', options.relayMb, 1, 1 << 20) * 1024 * 1024 }
                : {}),
              ...(options.relaySeconds !== undefined
                ? { max_seconds: wholeNumber('--relay-seconds', options.relaySeconds, 10, 7 * 86_400) }
                : {}),
            },
          });
          return { json: result, text: formatNetwork(result) };
        },
      ),
    );
}
