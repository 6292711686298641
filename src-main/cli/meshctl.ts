#!/usr/bin/env node
// meshctl: the command line of a Mesh Compute node. This entry turns on Node's compile cache, then
// loads the commands (commands.ts): the code it loads after that (a few MB of bundle, libp2p's
// most of it) is compiled from the cache, not from source, from the second start on.
import { enableCompileCache } from 'node:module';
import { compileCacheDir } from './compile-cache.js';

enableCompileCache(compileCacheDir()); // never throws: a cache that cannot be used is only not used
await import('./commands.js');
