// meshctl's commands for what a person controls about sharing: weekly windows (`windows add
// --days mon-fri --start 22:00 --end 07:00`), the sharing settings (pause on battery, only when
// idle, a CPU cap) and the prices offers are made at. One-off slots are `slots` (api-commands.ts).
import type { Command } from 'commander';
import type { MethodInput, MethodResult } from '../core/api/contract.js';
import { CliError, credits, numberIn } from './args.js';
import { formatCredits, keyValues, table } from './format.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_SETS: Record<string, number[]> = {
  daily: [0, 1, 2, 3, 4, 5, 6],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [0, 6],
};

/** `mon-fri`, `sat,sun`, `mon,wed-fri`, `weekdays`, `weekends` or `daily` to Date.getDay numbers. */
function parseDays(text: string): number[] {
  const named = DAY_SETS[text.trim().toLowerCase()];
  if (named) return named;
  const day = (name: string) => {
    const i = DAY_NAMES.indexOf(name.trim().slice(0, 3).toLowerCase() as (typeof DAY_NAMES)[number]);
    if (i < 0 || name.trim().length < 3)
      throw new CliError(`--days: "${name.trim()}" is not a day (mon, tue, … or weekdays, weekends, daily)`);
    return i;
  };
  const days = new Set<number>();
  for (const part of text.split(',')) {
    const [from, to] = part.split('-');
    if (to === undefined) {
      days.add(day(from!));
      continue;
    }
    // A range wraps past Saturday: fri-mon is Fri, Sat, Sun, Mon.
    for (let d = day(from!), end = day(to); ; d = (d + 1) % 7) {
      days.add(d);
      if (d === end) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

const onOffOption = (what: string, text: string | undefined): boolean | undefined => {
  if (text === undefined) return undefined;
  if (text === 'on' || text === 'off') return text === 'on';
  throw new CliError(`${what}: expected on or off, got ${JSON.stringify(text)}`);
};

function formatSettings({ settings: s }: MethodResult<'settings.get'>): string {
  return keyValues([
    ['pause on battery', s.pause_on_battery ? 'on' : 'off'],
    ['only when idle', s.idle_only ? `on (others using over ${s.idle_threshold_pct}% of the CPU means busy)` : 'off'],
    ['CPU cap', `${s.cpu_cap_pct}% of this machine's threads`],
  ]);
}

function formatPrice({ price }: MethodResult<'prices.set'>): string {
  return keyValues([
    [
      'per Gfuel',
      price.per_gfuel === undefined
        ? '-'
        : `${formatCredits(price.per_gfuel)} credits (render tiles and other units with a fuel estimate)`,
    ],
    ['per core-second', `${formatCredits(price.per_core_second)} credits (units without one)`],
    ['minimum', `${formatCredits(price.minimum)} credits per unit`],
  ]);
}

export function registerAvailabilityCommands(program: Command): void {
  const windows = program.command('windows').description('weekly windows when this machine is shared (local time)');
  nodeCommand(windows, 'add', 'share every week on these days between these times')
    .requiredOption('--days <days>', 'e.g. mon-fri, sat,sun, weekdays, weekends, daily')
    .requiredOption('--start <HH:MM>', 'local time it opens')
    .requiredOption('--end <HH:MM>', 'local time it closes (at or before --start: the next day)')
    .option('--cores <n>', 'at most this many cores')
    .option('--ram <gb>', 'at most this much RAM')
    .option('--vram <gb>', 'at most this much GPU memory')
    .option('--id <windowId>', 'the window id (default: chosen by the node); the same id replaces that window')
    .action(
      act(
        async (
          options: CommonOptions & {
            days: string;
            start: string;
            end: string;
            cores?: string;
            ram?: string;
            vram?: string;
            id?: string;
          },
        ) => {
          const window: MethodInput<'windows.add'> = {
            window_id: options.id,
            days: parseDays(options.days),
            start: options.start,
            end: options.end,
            cpu_cores: options.cores === undefined ? undefined : numberIn('--cores', options.cores, 1, 4096),
            ram_gb: options.ram === undefined ? undefined : numberIn('--ram', options.ram, 0.001, 1 << 20),
            gpu_vram_gb: options.vram === undefined ? undefined : numberIn('--vram', options.vram, 0, 1 << 20),
          };
          const result = await connect(options).call('windows.add', window);
          return { json: result, text: `added window ${result.window.window_id}: ${result.description}` };
        },
      ),
    );
  nodeCommand(windows, 'list', 'your weekly windows').action(
    act(async (options) => {
      const result = await connect(options).call('windows.list', {});
      const text =
        result.windows.length === 0
          ? 'no weekly windows (with none and no slots, all workers are offered)'
          : table(
              ['WINDOW', 'WHEN'],
              result.windows.map((w) => [w.window.window_id, w.description]),
            );
      return { json: result, text };
    }),
  );
  nodeCommand(windows, 'rm', 'remove a weekly window')
    .argument('<windowId>')
    .action(
      act(async (options, windowId = '') => {
        const result = await connect(options).call('windows.remove', { window_id: windowId });
        return {
          json: result,
          text: result.removed ? `removed window ${windowId}` : `no window ${windowId}; nothing removed`,
        };
      }),
    );

  nodeCommand(program, 'settings', 'show or change how this machine is shared')
    .option('--pause-on-battery <on|off>', 'offer nothing while running from the battery')
    .option('--idle-only <on|off>', 'offer nothing while other programs keep the CPU busy')
    .option('--idle-threshold <percent>', "other programs' CPU use above which the machine is busy")
    .option('--cpu-cap <percent>', "the share of this machine's threads that may be offered")
    .action(
      act(
        async (
          options: CommonOptions & {
            pauseOnBattery?: string;
            idleOnly?: string;
            idleThreshold?: string;
            cpuCap?: string;
          },
        ) => {
          const changes = {
            pause_on_battery: onOffOption('--pause-on-battery', options.pauseOnBattery),
            idle_only: onOffOption('--idle-only', options.idleOnly),
            idle_threshold_pct:
              options.idleThreshold === undefined
                ? undefined
                : numberIn('--idle-threshold', options.idleThreshold, 0, 100),
            cpu_cap_pct: options.cpuCap === undefined ? undefined : numberIn('--cpu-cap', options.cpuCap, 1, 100),
          };
          const client = connect(options);
          const result = Object.values(changes).every((v) => v === undefined)
            ? await client.call('settings.get', {})
            : await client.call('settings.set', changes);
          return { json: result, text: formatSettings(result) };
        },
      ),
    );

  const prices = program
    .command('prices')
    .description('what your compute costs others (your offers, and so your earnings)');
  nodeCommand(prices, 'set', 'change your prices, in credits (3 decimals)')
    .option('--per-gfuel <credits>', 'per 10⁹ units of fuel (render tiles)')
    .option('--per-core-second <credits>', 'per core-second, for units without a fuel estimate')
    .option('--minimum <credits>', 'the least a unit costs')
    .action(
      act(async (options: CommonOptions & { perGfuel?: string; perCoreSecond?: string; minimum?: string }) => {
        const changes = {
          per_gfuel: options.perGfuel === undefined ? undefined : credits('--per-gfuel', options.perGfuel),
          per_core_second:
            options.perCoreSecond === undefined ? undefined : credits('--per-core-second', options.perCoreSecond),
          minimum: options.minimum === undefined ? undefined : credits('--minimum', options.minimum),
        };
        if (Object.values(changes).every((v) => v === undefined))
          throw new CliError('prices set: give --per-gfuel, --per-core-second or --minimum');
        const result = await connect(options).call('prices.set', changes);
        return { json: result, text: formatPrice(result) };
      }),
    );
}
