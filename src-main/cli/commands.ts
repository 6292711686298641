// meshctl's commands (meshctl.ts loads this once Node's compile cache is on). Each command lives in
// its own file; this one only wires them to commander.
import { Command } from 'commander';
import { registerApiCommands } from './api-commands.js';
import { optionBeforeCommand } from './args.js';
import { registerBlenderCommands } from './blender-commands.js';
import { registerJobVideo } from './job-video.js';
import { registerLibraryRun } from './library-run.js';
import { registerNodeStart } from './node-start.js';
import { registerReachCommands } from './reach-commands.js';
import { registerRenderLocal } from './render-local.js';
import { registerRunLocal } from './run-local.js';

const program = new Command()
  .name('meshctl')
  .description('Mesh Compute: share your compute with people you trust, and use theirs.')
  .showHelpAfterError();

registerNodeStart(program);
registerRenderLocal(program);
registerRunLocal(program);
registerBlenderCommands(program);
registerApiCommands(program);
registerLibraryRun(program);
registerJobVideo(program);
registerReachCommands(program);

const misplaced = optionBeforeCommand(process.argv.slice(2));
if (misplaced !== undefined) {
  process.stderr.write(`meshctl: ${misplaced}\n`);
  process.exit(1);
}
await program.parseAsync(process.argv);
