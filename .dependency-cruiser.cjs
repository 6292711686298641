// The architecture as rules (docs/ARCHITECTURE.md, "Layers and what may import what"): which folder
// may import which, no cycles, and which packages each layer may use. `npm test` runs it
// (`npm run deps`); a violation fails the build. Static, dynamic (`await import()`), bare
// (`import 'x'`) and type-only imports all count.

/** Our own source folders and what each may import besides itself and its own subfolders. */
const CORE = 'src-main/core';
const NODE = 'src-main/node';
/** The node's adapters: every folder of node/ but mesh, which wires them together. */
const ADAPTERS = [
  'api',
  'blender',
  'blobs',
  'circles',
  'config',
  'exec',
  'gpu',
  'hardware',
  'identity',
  'invites',
  'journal',
  'p2p',
  'receipts',
  'render',
];
/** The seam of the kinds of work (node/kinds/seam.ts): the one part of node/kinds a role may import. */
const KIND_SEAM = `${NODE}/kinds/seam.ts`;
/**
 * node/mesh's folders: each may import the core, the adapters, the kinds' seam and the mesh folders
 * it names (`kinds`: the concrete kinds too, for the wiring alone).
 */
const meshFolders = (allowed) =>
  Object.fromEntries(
    Object.entries(allowed).map(([folder, siblings]) => [
      `${NODE}/mesh/${folder}`,
      [
        CORE,
        ...ADAPTERS.map((a) => `${NODE}/${a}`),
        KIND_SEAM,
        ...siblings.map((s) => (s === 'kinds' ? `${NODE}/kinds` : `${NODE}/mesh/${s}`)),
      ],
    ]),
  );
const ALLOWED = {
  // The pure core: schemas are the vocabulary; every other domain builds on them.
  [`${CORE}/schemas`]: [],
  [`${CORE}/availability`]: [`${CORE}/schemas`],
  [`${CORE}/render`]: [`${CORE}/schemas`],
  [`${CORE}/gpu`]: [`${CORE}/schemas`],
  [`${CORE}/ledger`]: [`${CORE}/schemas`],
  [`${CORE}/policy`]: [`${CORE}/schemas`],
  [`${CORE}/trust`]: [`${CORE}/schemas`],
  [`${CORE}/consensus`]: [`${CORE}/schemas`],
  [`${CORE}/verification`]: [`${CORE}/schemas`, `${CORE}/consensus`],
  [`${CORE}/scheduler`]: [`${CORE}/schemas`, `${CORE}/ledger`],
  // A message may carry a Blender preflight's report (`blender_report`), or a circle's log entries.
  [`${CORE}/protocol`]: [`${CORE}/schemas`, `${CORE}/blender`, `${CORE}/circles`],
  // Circles: a group's policy, and its log of signed proposals and votes resolved alike by every member.
  [`${CORE}/circles`]: [`${CORE}/schemas`, `${CORE}/trust`, `${CORE}/verification`],
  [`${CORE}/reach`]: [`${CORE}/schemas`],
  [`${CORE}/blender`]: [`${CORE}/schemas`],
  // The closed list of kinds of work: their algorithm ids and what their outputs are.
  [`${CORE}/kinds`]: [`${CORE}/schemas`, `${CORE}/blender`, `${CORE}/protocol`],
  [`${CORE}/storage`]: [],
  // The library's methods: their params' schemas, and a chunk's most (the API's).
  [`${CORE}/library`]: [`${CORE}/schemas`, `${CORE}/api`],
  // Workflows: the document, its graph, its conditions and the planner over its journaled facts.
  [`${CORE}/workflow`]: [`${CORE}/schemas`],
  // The state folded from the journal's events, and the rules that read it.
  [`${CORE}/mesh/state`]: [
    `${CORE}/schemas`,
    `${CORE}/availability`,
    `${CORE}/policy`,
    `${CORE}/trust`,
    `${CORE}/ledger`,
    `${CORE}/consensus`,
    `${CORE}/verification`,
    `${CORE}/protocol`,
    `${CORE}/kinds`,
  ],
  [`${CORE}/mesh/rules`]: [`${CORE}/schemas`, `${CORE}/mesh/state`],
  [`${CORE}/api`]: [
    `${CORE}/schemas`,
    `${CORE}/availability`,
    `${CORE}/blender`,
    `${CORE}/gpu`,
    `${CORE}/render`,
    `${CORE}/reach`,
    `${CORE}/storage`,
    `${CORE}/circles`,
  ],
  // The node: adapters around the core, each its own piece; node/mesh wires them together.
  [`${NODE}/config`]: [CORE],
  [`${NODE}/identity`]: [CORE],
  // Small blobs are rows of the journal's database, opened with its settings.
  [`${NODE}/blobs`]: [CORE, `${NODE}/journal`],
  [`${NODE}/exec`]: [CORE],
  [`${NODE}/blender`]: [CORE],
  [`${NODE}/journal`]: [CORE],
  [`${NODE}/receipts`]: [CORE, `${NODE}/identity`],
  [`${NODE}/invites`]: [CORE, `${NODE}/identity`],
  [`${NODE}/p2p`]: [CORE, `${NODE}/identity`, `${NODE}/blobs`],
  [`${NODE}/hardware`]: [CORE, `${NODE}/exec`, `${NODE}/blobs`],
  [`${NODE}/render`]: [CORE, `${NODE}/exec`],
  [`${NODE}/gpu`]: [CORE, `${NODE}/exec`, `${NODE}/blobs`, `${NODE}/hardware`],
  [`${NODE}/api`]: [CORE, `${NODE}/config`],
  // A circle's log is journaled, its entries signed and named as receipts are, and sent on the network.
  [`${NODE}/circles`]: [CORE, `${NODE}/identity`, `${NODE}/journal`, `${NODE}/receipts`, `${NODE}/p2p`],
  // The kinds of work (docs/ARCHITECTURE.md, "Kinds of work"): each kind's folder builds on the
  // core, the engines (exec, gpu, blender) and the node's context; the roles see only the seam.
  [`${NODE}/kinds`]: [
    CORE,
    ...ADAPTERS.map((a) => `${NODE}/${a}`),
    `${NODE}/mesh/context`,
    `${NODE}/mesh/basics`,
    `${NODE}/mesh/units`,
  ],
  // The node's heart (node/mesh), one folder a role: each may import the core, the adapters above,
  // and the mesh folders named here; the folders form no cycle.
  ...meshFolders({
    basics: [],
    context: [],
    units: ['context'],
    settlement: ['basics', 'context'],
    views: ['context', 'units'],
    render: ['basics', 'context', 'units'],
    state: ['basics', 'context', 'views'],
    jobs: ['basics', 'context', 'units', 'render'],
    verdicts: ['basics', 'context', 'units', 'settlement', 'render'],
    requester: ['basics', 'context', 'jobs', 'settlement', 'verdicts', 'views'],
    // Workflows: each step a job, submitted as any job is, its outputs read as the API reads them.
    workflows: ['basics', 'context', 'jobs', 'units', 'views'],
    provider: ['basics', 'context', 'units', 'settlement'],
    peers: ['basics', 'context'],
    machine: ['basics', 'context', 'units'],
    wiring: [
      'kinds',
      'basics',
      'context',
      'units',
      'views',
      'render',
      'state',
      'requester',
      'provider',
      'peers',
      'machine',
      'workflows',
    ],
    api: [
      'basics',
      'context',
      'units',
      'views',
      'peers',
      'jobs',
      'machine',
      'provider',
      'render',
      'requester',
      'wiring',
      'workflows',
    ],
  }),
  // The carriers: the CLI and the desktop shell drive the node; pages see only the contract.
  'src-main/cli': [CORE, NODE],
  'src-main/electron': [CORE, NODE, 'src-preload/bridge.ts'],
  'src-preload': [`${CORE}/api`],
  'src-renderer': [CORE, 'src-preload/bridge.ts'],
  'src-gpu': [CORE],
};
/** What every folder may import: the one coded-error base class. */
const EVERYWHERE = [`${CORE}/errors.ts`];
const OURS = '^(src-main|src-renderer|src-gpu|src-preload)/';
const escape = (path) => path.replace(/[.]/g, '\\.');
const under = (paths) => `^(${paths.map(escape).join('|')})(/|$)`;

const folderRules = Object.entries(ALLOWED).map(([folder, allowed]) => ({
  name: `imports-of-${folder.replace(/^src-main\//, '').replace(/\//g, '-')}`,
  comment: `${folder} may import only ${allowed.length ? allowed.join(', ') : 'itself'} (and packages its layer allows)`,
  severity: 'error',
  from: { path: under([folder]) },
  to: { path: OURS, pathNot: under([folder, ...allowed, ...EVERYWHERE]) },
}));

/** Packages each layer may not use; `core` means Node's built-in modules. */
const packageRules = [
  {
    name: 'core-is-pure',
    comment: 'src-main/core does no I/O: no Node module and no package but zod',
    severity: 'error',
    from: { path: `^${CORE}/` },
    to: {
      dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
      pathNot: '(^|/)node_modules/zod/',
    },
  },
  {
    name: 'electron-only-in-the-shell',
    comment: 'only src-main/electron and the preloads import electron (the node runs under plain Node too)',
    severity: 'error',
    from: { pathNot: '^(src-main/electron|src-preload|scripts)/|^e2e/electron\\.test\\.ts$' },
    to: { path: '(^|/)node_modules/electron/' },
  },
  {
    name: 'nothing-imports-the-shell',
    comment: 'src-main/electron is an entry point: only its own files (and its tests) import it',
    severity: 'error',
    from: { pathNot: '^(src-main/electron|test|e2e)/' },
    to: { path: '^src-main/electron/' },
  },
  {
    name: 'pages-run-in-a-browser',
    comment: 'the UI and the GPU runner page run in Chromium: no Node module',
    severity: 'error',
    from: { path: '^(src-renderer|src-gpu)/' },
    to: { dependencyTypes: ['core'] },
  },
  {
    name: 'bench-and-tests-are-not-imported',
    comment: 'product code never imports tests, benchmarks, the simulator or scripts',
    severity: 'error',
    from: { path: OURS },
    to: { path: '^(test|bench|sim|e2e|scripts)/' },
  },
  {
    name: 'sim-drives-the-core',
    comment: 'the simulator (sim/) runs the pure core and nothing else of ours: no node, no tests, no benchmarks',
    severity: 'error',
    from: { path: '^sim/' },
    to: { path: '^(src-main|src-renderer|src-gpu|src-preload|test|bench|e2e|scripts)/', pathNot: `^${CORE}/` },
  },
  {
    name: 'sim-is-pure',
    comment:
      'the simulator is deterministic: no Node module and no package (its randomness is seeded, its time virtual)',
    severity: 'error',
    from: { path: '^sim/' },
    to: {
      dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
    },
  },
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle between modules (type-only imports included) means two modules are one: merge or split them',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    ...folderRules,
    ...packageRules,
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser's tsc parser; swc parses TS and TSX.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // ES-module packages (libp2p, multiformats) resolve through their `exports` "import" condition.
    enhancedResolveOptions: { conditionNames: ['import', 'node', 'default'], exportsFields: ['exports'] },
    exclude: { path: '^(dist|wasm)/' },
  },
};
