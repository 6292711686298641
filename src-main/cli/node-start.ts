// meshctl node start: runs a node until SIGINT or SIGTERM, and prints one JSON line once it is up
// (peerId, listen addresses, API URL), so scripts and tests can read where it is.
import { describeError } from '../core/errors.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadOrCreateToken, webUiUrl } from '../node/api/index.js';
import { defaultDataDir } from '../node/config/data-dir.js';
import { wholeNumber } from './args.js';

/** A stop signal this long after the first is the user insisting (a second Ctrl-C); sooner, the same one again. */
const INSIST_AFTER_MS = 1000;

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const integerOption = (what: string, min: number, max: number) => (text: string) => {
  try {
    return wholeNumber(what, text, min, max);
  } catch (err) {
    throw new InvalidArgumentError(describeError(err));
  }
};

export function registerNodeStart(program: Command): void {
  program
    .command('node')
    .description('run a node')
    .command('start')
    .description('run a node here until SIGINT or SIGTERM; prints {peerId, listen, api} as one JSON line')
    .option('--data-dir <dir>', "the node's data dir", defaultDataDir())
    .option(
      '--listen <multiaddr>',
      'address to listen on (repeatable; default: every interface, on the port kept in network.json)',
      collect,
      [],
    )
    .option('--api-port <port>', 'local API port (default: any free port)', integerOption('--api-port', 0, 65_535))
    .option('--no-mdns', 'do not discover peers on the LAN')
    .option('--bootstrap <multiaddr>', 'a peer to dial at start (repeatable)', collect, [])
    .option('--workers <n>', 'sandbox worker threads (default: one per core)', integerOption('--workers', 1, 1024))
    .option('--name <name>', 'the name peers see')
    .option('--print-ui-url', 'also print the web UI address (with its token) as soon as it can be opened')
    .option(
      '--grace-seconds <s>',
      'seconds added to every unit deadline (default 30)',
      integerOption('--grace-seconds', 0, 86_400),
    )
    .addOption(
      new Option(
        '--data-locality <mode>',
        'on: my units go to providers that hold their data already, while they have room; off: by trust, price and time alone',
      )
        .choices(['on', 'off'])
        .default('on')
        .env('MESH_DATA_LOCALITY'),
    )
    .addOption(
      new Option('--gpu <mode>', 'GPU units: auto (a hardware GPU only), on (a software adapter too), off')
        .choices(['auto', 'on', 'off'])
        .default('auto')
        .env('MESH_GPU'),
    )
    .addOption(
      new Option(
        '--shader-units',
        "also run peers' own WGSL compute shaders on the GPU (off by default: render tiles only)",
      ).env('MESH_SHADER_UNITS'),
    )
    .addOption(
      new Option(
        '--gpu-unsandboxed',
        'run GPU units in a Chromium without its sandbox, where its sandbox cannot start (off by default: GPU units then stay off)',
      ).env('MESH_GPU_UNSANDBOXED'),
    )
    .addOption(
      new Option(
        '--keep-finished-days <d>',
        "days a finished job stays whole in memory before it is compacted (default: 10 minutes after its last payment); its units' outcomes, outputs, providers and times are kept",
      )
        .argParser(integerOption('--keep-finished-days', 0, 36_500))
        .env('MESH_KEEP_FINISHED_DAYS'),
    )
    .addOption(
      new Option('--chromium <path>', 'the Chromium that runs GPU units (default: the usual places)').env(
        'MESH_CHROMIUM',
      ),
    )
    .action(
      async (o: {
        dataDir: string;
        listen: string[];
        apiPort?: number;
        mdns: boolean;
        bootstrap: string[];
        workers?: number;
        name?: string;
        graceSeconds?: number;
        printUiUrl?: boolean;
        gpu: 'auto' | 'on' | 'off';
        dataLocality: 'on' | 'off';
        shaderUnits?: boolean;
        gpuUnsandboxed?: boolean;
        chromium?: string;
        keepFinishedDays?: number;
      }) => {
        // Loaded here, not at the top: every other meshctl command would pay for libp2p and the sandbox.
        const { startDaemon } = await import('../node/mesh/api/daemon.js');
        // Listened for from the start: a SIGTERM while the node starts, or just as it says it is up,
        // stops it cleanly once it is (its lock and journal closed), rather than killing it mid-way.
        let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
        let stopAskedAt: number | undefined;
        // daemon.stop() is idempotent: a stop asked twice is one stop.
        const stop = () => {
          daemon?.stop().then(
            () => process.exit(0),
            (err: unknown) => {
              process.stderr.write(`meshctl: shutdown: ${describeError(err)}\n`);
              process.exit(1);
            },
          );
        };
        const onSignal = () => {
          // A terminal's Ctrl-C reaches `npm start`'s wrapper, which passes it on, and the node: the
          // same stop asked twice at once. Asked again later, the user insists: stop without waiting.
          const now = Date.now();
          if (stopAskedAt !== undefined && now - stopAskedAt > INSIST_AFTER_MS) {
            process.stderr.write('meshctl: stopped without waiting for a clean shutdown\n');
            process.exit(130);
          }
          stopAskedAt ??= now;
          stop();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          daemon = await startDaemon(
            {
              dataDir: o.dataDir,
              ...(o.listen.length > 0 ? { listen: o.listen } : {}), // else the data dir's own port (network.json)
              mdns: o.mdns,
              bootstrap: o.bootstrap,
              apiPort: o.apiPort,
              ...(o.workers !== undefined ? { workers: o.workers } : {}),
              ...(o.name !== undefined ? { name: o.name } : {}),
              ...(o.graceSeconds !== undefined ? { graceSeconds: o.graceSeconds } : {}),
              dataLocality: o.dataLocality === 'on',
              ...(o.keepFinishedDays !== undefined
                ? { history: { retentionMs: o.keepFinishedDays * 86_400_000 } }
                : {}),
              gpu: {
                mode: o.gpu,
                shaderUnits: o.shaderUnits === true,
                unsandboxed: o.gpuUnsandboxed === true,
                ...(o.chromium !== undefined ? { chromium: o.chromium } : {}),
              },
            },
            // The page can load while the node starts: it says "Connecting to your node…" until then.
            (api) => {
              if (o.printUiUrl) process.stdout.write(`web UI: ${webUiUrl(api.url, loadOrCreateToken(o.dataDir))}\n`);
            },
          );
        } catch (err) {
          process.stderr.write(`meshctl: could not start the node: ${describeError(err)}\n`);
          process.exit(1);
        }
        process.stdout.write(
          `${JSON.stringify({ peerId: daemon.node.peerId, listen: daemon.node.network.listenAddresses(), api: daemon.api.url })}\n`,
        );
        if (stopAskedAt !== undefined) stop();
      },
    );
}
