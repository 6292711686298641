#!/usr/bin/env node
// meshctl: the command line of a Mesh Compute node, the package's `bin` (npm link, or a link to the
// built file on the PATH, puts it there). Under a Node older than 22.12 it runs itself again under
// the project's pinned Node (launch.ts). Otherwise it stands in the user's folder, turns on Node's
// compile cache, then loads the commands (commands.ts): the code it loads after that (a few MB of
// bundle, libp2p's most of it) is compiled from the cache, not from source, from the second start on.
// Node's module is imported whole: Node 20 has no enableCompileCache, and a named import of it
// would fail before the version is checked.
import * as nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';
import { compileCacheDir } from './compile-cache.js';
import { MIN_NODE, olderThanMinimum, pinnedNode, rerunUnder, userFolder } from './launch.js';

if (olderThanMinimum(process.versions.node)) {
  const pinned = pinnedNode(import.meta.url);
  if (pinned !== undefined) rerunUnder(pinned, fileURLToPath(import.meta.url));
  else {
    process.stderr.write(
      `meshctl: needs Node ${MIN_NODE} or later; this is Node ${process.versions.node} (${process.execPath}): install Node 22, or npm ci in the repository for its pinned Node\n`,
    );
    process.exitCode = 1;
  }
} else {
  process.chdir(userFolder(process.env, process.cwd()));
  nodeModule.enableCompileCache(compileCacheDir()); // never throws: a cache that cannot be used is only not used
  await import('./commands.js');
}
