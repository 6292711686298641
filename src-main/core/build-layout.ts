// Where a built file is, from the URL of the module asking. The build folder (dist/) mirrors the
// repository, but the node's code runs from esbuild's bundles (dist/src-main/cli/meshctl.js and
// shared chunks in dist/src-main/chunks/) as well as from tsc's files (dist/src-main/node/exec/…,
// for the tests): the same code sits at different depths, so a path relative to the module would
// point elsewhere in each. Everything is found from the build folder instead.

/** The URL (href) of `path`, relative to the build folder (e.g. "wasm/render.wasm"), from a module under its src-main/. */
export function builtFile(moduleUrl: string, path: string): string {
  const at = moduleUrl.lastIndexOf('/src-main/');
  if (at < 0) throw new Error(`${moduleUrl} is not under a build folder's src-main/`);
  return moduleUrl.slice(0, at + 1) + path;
}
