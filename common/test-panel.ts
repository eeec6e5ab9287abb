/**
 * Which testers' control panels run in this process, and which simulated devices they drive. The hardware
 * simulator's panel registers itself here while it listens; the kiosk's runtime asks before it opens its
 * devices, and refuses to start against any device that is not one of these simulators while a panel runs
 * (`KIOSK_PANEL_WITH_REAL_DEVICES`): the panel must never sit beside real hardware.
 *
 * Kept on `globalThis` under a registered symbol, so that two copies of this module (a bundle and the
 * sources) still share one registry.
 */
interface Registry {
  panels: Map<number, readonly string[]>;
  next: number;
}

const KEY = Symbol.for('vaccine-cert-kiosk.test-panels');

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  let r = g[KEY];
  if (r === undefined) {
    r = { panels: new Map(), next: 1 };
    Object.defineProperty(globalThis, KEY, { value: r, enumerable: false });
  }
  return r;
}

/** Registers a running panel and the endpoints (serial paths, URLs) of its simulated devices; returns the unregister. */
export function registerTestPanel(simulatedDevices: readonly string[]): () => void {
  const r = registry();
  const id = r.next++;
  r.panels.set(id, [...simulatedDevices]);
  return () => void r.panels.delete(id);
}

/** How many panels run in this process. */
export function testPanelsRunning(): number {
  return registry().panels.size;
}

/**
 * The configured devices that are NOT a running panel's simulators, while a panel runs (empty when no
 * panel runs, or when every device is simulated).
 */
export function realDevicesBesideTestPanel(devices: readonly string[]): string[] {
  const r = registry();
  if (r.panels.size === 0) return [];
  const simulated = new Set([...r.panels.values()].flat());
  return devices.filter((d) => !simulated.has(d));
}
