/**
 * What a kiosk's reported device health means for the center: red (offline, or a device broken), yellow
 * (the store must act: paper, a jam, change) or green, with the list of issues behind it.
 * Issues are stable identifiers (`printer.paper-out`, `hopper.100.empty`), shown translated by the dashboard
 * and used as the subject of self-clearing device alerts. Unknown or missing fields count as nothing wrong
 * only where the kiosk cannot know (a device still starting is `unknown`: yellow).
 */
export type FleetStatus = 'green' | 'yellow' | 'red';

export interface Classified {
  status: FleetStatus;
  /** Sorted, red issues first. */
  issues: string[];
}

/**
 * Red: a device is broken or unplugged (a technician must go). Yellow: the kiosk is whole but needs the
 * store's hands (paper out or low, cover open, a jam, change running out, a full cash box).
 */
const RED_STATES = new Set(['fault', 'disconnected']);
const YELLOW_STATES = new Set([
  'low',
  'unknown',
  'empty',
  'full',
  'cashbox-removed',
  'jam',
  'cover-open',
  'out',
]);

type Rec = Record<string, unknown>;

function add(out: Map<string, FleetStatus>, issue: string, state: unknown, redStates = RED_STATES): void {
  if (typeof state !== 'string' || state === 'ok') return;
  if (redStates.has(state)) out.set(`${issue}.${state}`, 'red');
  else if (YELLOW_STATES.has(state)) out.set(`${issue}.${state}`, 'yellow');
  else out.set(`${issue}.other`, 'yellow');
}

/**
 * Classifies a heartbeat's `health` (any shape: it was parsed by the protocol schema, but older kiosks send
 * fewer fields). An empty change hopper is yellow, not red: the kiosk still takes exact payment. With
 * `hoppers` each denomination is its own issue (`hopper.100.empty`); without, `hopper` is one.
 */
export function classifyHealth(health: unknown): Classified {
  const out = new Map<string, FleetStatus>();
  if (typeof health !== 'object' || health === null) return { status: 'yellow', issues: ['health.missing'] };
  const h = health as Rec;
  add(out, 'reader', h['reader']);
  add(out, 'printer', h['printer']);
  add(out, 'paper', h['paper']);
  add(out, 'pinpad', h['pinpad']);
  add(out, 'coin', h['coin']);
  const hoppers = Array.isArray(h['hoppers']) ? (h['hoppers'] as Rec[]) : undefined;
  if (hoppers !== undefined && hoppers.length > 0) {
    for (const hp of hoppers) add(out, `hopper.${String(hp['denomination'] ?? '?')}`, hp['state']);
  } else {
    add(out, 'hopper', h['hopper']);
  }
  if (h['noteValidator'] !== undefined) add(out, 'note', h['noteValidator']);
  const issues = [...out.entries()]
    .sort((a, b) => (a[1] === b[1] ? a[0].localeCompare(b[0]) : a[1] === 'red' ? -1 : 1))
    .map(([k]) => k);
  const status: FleetStatus = [...out.values()].includes('red') ? 'red' : out.size > 0 ? 'yellow' : 'green';
  return { status, issues };
}
