import type { ViewState } from '../../../kiosk/shared/view.js';
import { waitForScreen } from '../../support/wait.js';
import type { FaultSystem } from './system.js';

/** What the resident saw last, as the report prints it: the screen, with its code when it has one. */
export function shown(v: ViewState): string {
  if (v.screen === 'error' || v.screen === 'print-failed' || v.screen === 'payment-blocked')
    return `${v.screen}(${v.code})`;
  if (v.screen === 'printing' && v.fault) return `printing(fault ${v.fault})`;
  if (v.screen === 'ended') return `ended(${v.reason}${v.refunded ? `, refunded ${v.refunded}` : ''})`;
  if (v.screen === 'attract') return v.available ? 'attract' : 'attract(unavailable)';
  return v.screen;
}

/**
 * The system can serve: the kiosk's relay session is up (the attract screen says so) and every running
 * relay's link to VRS is up with its circuit breaker closed (after a VRS restart the link reconnects with
 * backoff, and a breaker opened by the fault waits out its 5 s).
 */
export async function ready(sys: FaultSystem, timeoutMs = 60_000): Promise<void> {
  await waitForScreen(sys.kiosk.flow, 'attract', timeoutMs, (v) => v.screen === 'attract' && v.available);
  for (let i = 0; i < sys.relays.length; i++) {
    if (sys.relays[i] === undefined) continue;
    await until(async () => {
      const s = await sys.ops<{ vrs: { up: boolean; breaker: string }[] }>('/api/status', { relay: i });
      return s.vrs.every((l) => l.up && l.breaker === 'closed');
    }, timeoutMs);
  }
}

/**
 * A resident up to the copies screen: card, service, PIN, card removed, municipality, certificate type.
 * The request to VRS leaves when `chooseCopies` is called (the preview comes before any fee).
 */
export async function toCopies(sys: FaultSystem, resident = 'taro', pin = '1234', municipality = '131016') {
  const flow = sys.kiosk.flow;
  await sys.panel('POST', '/api/card', { resident });
  await waitForScreen(flow, 'menu');
  flow.intent({ type: 'choose-service', service: 'covid-vaccine-certificate' });
  await waitForScreen(flow, 'pin');
  await sys.panel('POST', '/api/pinpad/keys', { keys: `${pin}E` });
  await waitForScreen(flow, 'remove-card', 30_000);
  await sys.panel('DELETE', '/api/card');
  await waitForScreen(flow, 'municipality');
  flow.intent({ type: 'choose-municipality', code: municipality });
  flow.intent({ type: 'choose-cert-type', certType: 'domestic' });
  await waitForScreen(flow, 'copies');
}

export function chooseCopies(sys: FaultSystem, copies = 1): void {
  sys.kiosk.flow.intent({ type: 'choose-copies', copies });
}

/** Confirms the preview and waits until the coin acceptor takes coins. */
export async function toPayment(sys: FaultSystem): Promise<void> {
  const flow = sys.kiosk.flow;
  await waitForScreen(flow, 'preview', 30_000);
  flow.intent({ type: 'confirm' });
  await waitForScreen(flow, 'payment');
  await until(async () => (await coinState(sys)).accepting);
}

export async function insertCoins(sys: FaultSystem, coins: readonly number[]): Promise<void> {
  for (const yen of coins) await sys.panel('POST', '/api/coins', { yen });
}

/** Polls `check` (an HTTP read of a simulator or the relay) until it holds. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function coinState(sys: FaultSystem) {
  const s = await sys.panel<Record<string, Record<string, unknown>>>('GET', '/api/state');
  return s['coin-acceptor'] as { accepting: boolean; acceptedYen: number };
}

/** The money as the devices counted it: coins taken in, coins paid out by the hoppers, and what stays. */
export async function money(sys: FaultSystem): Promise<{ inserted: number; paidOut: number; kept: number }> {
  const s = await sys.panel<Record<string, Record<string, unknown>>>('GET', '/api/state');
  const inserted = Number((s['coin-acceptor'] as { acceptedYen: number }).acceptedYen);
  const hoppers = (s['hopper'] as { hoppers: { yen: number; paidCoins: number }[] }).hoppers;
  const paidOut = hoppers.reduce((n, h) => n + h.yen * h.paidCoins, 0);
  return { inserted, paidOut, kept: inserted - paidOut };
}

/** Print jobs the printer finished (certificates in the tray). */
export async function printed(sys: FaultSystem): Promise<number> {
  const jobs = await sys.panel<{ status: string; pagesPrinted: number }[]>('GET', '/api/printer/jobs');
  return jobs.filter((j) => j.status === 'printed').length;
}

/** Ends whatever the resident was left with and waits for the attract screen. */
export async function finish(sys: FaultSystem, timeoutMs = 60_000): Promise<ViewState> {
  const flow = sys.kiosk.flow;
  const card = await sys.panel<{ present: boolean }>('GET', '/api/card');
  if (card.present) await sys.panel('DELETE', '/api/card');
  const v = flow.view;
  if (v.screen === 'print-failed') flow.intent({ type: 'refund' });
  else if (v.screen !== 'attract') flow.intent({ type: 'done' });
  return waitForScreen(flow, 'attract', timeoutMs);
}
