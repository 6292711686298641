// esbuild bundles .wgsl files as text (scripts/build-ui.mjs: loader text).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
