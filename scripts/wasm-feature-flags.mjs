// What clang 19 and later turn on by default for wasm32, and SIMD128, which many programs ask for:
// the flags with which the WASI corpus (build-wasi-corpus.mjs) and a real program
// (build-programs.mjs: bzip2-features.wasm) are built a second time, as current toolchains build.
// With bulk memory on, clang-14 keeps wasi-libc's thread-local errno as TLS, which it lowers only
// as local-exec.
export const FEATURE_FLAGS = [
  '-mbulk-memory',
  '-msimd128',
  '-mreference-types',
  '-msign-ext',
  '-mnontrapping-fptoint',
  '-mmutable-globals',
  '-ftls-model=local-exec',
];
