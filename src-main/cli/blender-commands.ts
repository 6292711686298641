// `meshctl blender …`: Blender scenes on this machine, always in the sandbox (docs/BLENDER.md).
// `check`: whether this node can render Blender scenes (Blender, its version, the sandbox) or why
// not; `preflight <scene>`: what a .blend (or a folder or zip with its assets) holds, its refusals
// and warnings (read by the running node, or a provider it trusts, where this machine has no
// Blender); `render-local <scene>`: one frame, whole or as stitched tiles, written as a PNG — the
// reference a mesh render of it must match; `verify <scene> --image`: a frame rendered elsewhere
// checked as a requester checks a provider's, by random crops re-rendered here. The actions
// (blender-actions.ts) are loaded when one runs, not at every meshctl start. `share on|off
// [--min-trust t]`: whether the running node renders Blender scenes for others (off by default),
// and for peers trusted at t or more.
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_PERCENTAGE } from '../core/blender/preflight.js';
import type { RenderOptions, VerifyOptions } from './blender-actions.js';
import type { PreflightByNode } from './blender-scene.js';
import { defaultDataDir } from '../node/config/data-dir.js';
import { CliError, numberIn } from './args.js';
import { describeBlender } from './format.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';

const actions = () => import('./blender-actions.js');

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max)
    throw new InvalidArgumentError(`expected a whole number in ${min}..${max}`);
  return n;
};

/** A resolution percentage, as the units take one (core/blender/preflight.ts MAX_PERCENTAGE). */
const percent = integer(1, MAX_PERCENTAGE);

const grid = (value: string): { cols: number; rows: number } => {
  const m = /^(\d{1,3})x(\d{1,3})$/.exec(value.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError('expected columns x rows, as 2x2');
  return { cols: Number(m[1]), rows: Number(m[2]) };
};

export function registerBlenderCommands(program: Command): void {
  const blender = program
    .command('blender')
    .description('Blender scenes on this machine, in the sandbox (docs/BLENDER.md)');
  blender
    .command('check')
    .description('whether this node can render Blender scenes: Blender, its version and the sandbox')
    .option('--blender <path>', 'Blender’s executable (default: blender on PATH)')
    .action(async (options: { blender?: string }) => {
      process.exitCode = await (await actions()).check(options.blender);
    });
  blender
    .command('preflight')
    .description('what a .blend (or a folder with its assets) holds, its refusals and warnings')
    .argument('<scene>', 'a .blend, or a folder or zip holding one .blend and its assets')
    .option('--blender <path>', 'Blender’s executable (default: blender on PATH)')
    .option('--data-dir <dir>', 'the running node asked to read it where this machine has no Blender', defaultDataDir())
    .action(async (scene: string, options: { blender?: string; dataDir: string }) => {
      const byNode: PreflightByNode = (sent) => connect(options).call('blender.preflight', sent);
      process.exitCode = await (await actions()).preflightOnly(scene, options.blender, byNode);
    });
  blender
    .command('render-local')
    .description('render one frame of a .blend on this machine, in the sandbox, and write it as a PNG')
    .argument('<scene>', 'a .blend, or a folder or zip holding one .blend and its assets')
    .requiredOption('--frame <n>', 'frame number', integer(0, 1_048_574))
    .requiredOption('--out <file>', 'where to write the PNG')
    .option('--samples <n>', 'samples per pixel', integer(1, 1 << 24), 64)
    .option('--seed <n>', 'the render’s seed', integer(0, 2 ** 31 - 1), 0)
    .option('--tiles <CxR>', 'render as columns × rows tiles, stitched (default: the whole frame)', grid)
    .option('--resolution-percentage <n>', "percentage of the scene's resolution (default: the file's own)", percent)
    .option('--memory-gib <n>', 'the sandbox’s address-space limit, GiB', integer(1, 1024), 8)
    .option('--time-limit <s>', 'wall-clock limit of each render, seconds', integer(1, 86_400), 3600)
    .option('--blender <path>', 'Blender’s executable (default: blender on PATH)')
    .action(async (scene: string, options: RenderOptions) => {
      process.exitCode = await (await actions()).renderLocal(scene, options);
    });
  blender
    .command('verify')
    .description('check a frame rendered elsewhere, as a requester checks a provider’s: random crops re-rendered here')
    .argument('<scene>', 'a .blend, or a folder or zip holding one .blend and its assets')
    .requiredOption('--frame <n>', 'frame number', integer(0, 1_048_574))
    .requiredOption('--image <file>', 'the frame to check (PNG, 8-bit RGBA)')
    .requiredOption('--samples <n>', 'the samples it was to be rendered with', integer(1, 1 << 24))
    .option('--seed <n>', 'the seed it was to be rendered with', integer(0, 2 ** 31 - 1), 0)
    .option('--crops <n>', 'how many crops (each a quarter of the frame) to re-render', integer(1, 64), 2)
    .option('--resolution-percentage <n>', "the percentage it was rendered at (default: the file's own)", percent)
    .option('--blender <path>', 'Blender’s executable (default: blender on PATH)')
    .action(async (scene: string, options: VerifyOptions) => {
      process.exitCode = await (await actions()).verify(scene, options);
    });
  nodeCommand(blender, 'share', 'render Blender scenes for peers I trust (off by default), or stop')
    .argument('<on|off>', 'on or off')
    .option('--min-trust <t>', 'only for peers I trust at least this much, 0 to 1 (default: as set, first 0.8)')
    .action(
      act(async (options: CommonOptions & { minTrust?: string }, onOff: string) => {
        if (onOff !== 'on' && onOff !== 'off') throw new CliError(`blender share: expected on or off, got ${onOff}`);
        const minTrust = options.minTrust === undefined ? undefined : numberIn('--min-trust', options.minTrust, 0, 1);
        const client = connect(options);
        await client.call('settings.set', { blender_sharing: onOff === 'on', blender_min_trust: minTrust });
        const { blender: status } = await client.call('status', {});
        return { json: status, text: describeBlender(status) };
      }),
    );
}
