// esbuild bundles these imports (scripts/build-ui.mjs): CSS into assets/app.css.
declare module '*.css';
