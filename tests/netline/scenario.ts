import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Line, RELAY_ADDRESS, type LineSettings, type NsProcess } from './netns.js';

/** What one transaction over the line came to, as the resident saw it and as the relay recorded it. */
export interface ScenarioResult {
  /** Enrollment plus the first session over the line, ms. */
  readyMs: number;
  /** The screen the transaction ended on, and its code. */
  screen: string;
  code: string | null;
  /** Yen paid and refunded, copies printed. */
  paid: number;
  refunded: number;
  printed: number;
  /** ms per step: card-read, municipalities, query (VRS round trip), paid (coins → printing), printed. */
  steps: Record<string, number>;
  /** Screens the resident saw, in order (repeats collapsed). */
  screens: string[];
  /** The cut: when the kiosk saw the session drop, and how long after the line came back it was up again. */
  sessionDroppedAfterMs: number | null;
  reconnectMs: number | null;
  /** After a cut: from the line coming back to the first relay round trip that succeeded, and the failures before it. */
  recoveredMs: number | null;
  probeFailures: string[];
  /** The relay's audit records of kind issue.* for this transaction, in order. */
  audit: string[];
  /** Frames the line forwarded and dropped. */
  line: Record<string, number> | null;
}

export interface ScenarioOptions {
  settings?: LineSettings;
  /** Bandwidth in kbit/s each way (htb); absent: unshaped. */
  kbit?: number;
  /** Cut the line at a step of the transaction ('before-query', 'paid', …) for `cutMs`. */
  cut?: { at: string; ms: number };
  /** Waits `ms` of real time: the only place the harness waits for time, because a cut IS a duration. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Builds the line, starts the center's side (VRS + relay) in the relay's namespace and the store's side
 * (simulators + kiosk core) in the kiosk's, runs one transaction with the given impairments, and tears
 * everything down (namespaces included) whatever happens.
 */
export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'netline-'));
  const line = await Line.open();
  let counters: Record<string, number> | null = null;
  try {
    const env = { NETLINE_DIR: dir, LOG_LEVEL: 'error' };
    const trace = process.env['NETLINE_TRACE'] === '1';
    const kiosk = line.spawnNode(line.kioskNs, join(import.meta.dirname, 'kiosk-side.ts'), env, trace);
    const sim = (await kiosk.next((m) => 'sim' in m))['sim'] as { jlisDir: string };
    const relay = line.spawnNode(
      line.relayNs,
      join(import.meta.dirname, 'relay-side.ts'),
      {
        ...env,
        NETLINE_JLIS_DIR: sim.jlisDir,
        NETLINE_KIOSK_HOST: RELAY_ADDRESS,
      },
      trace,
    );
    const relayLine = await relay.next((m) => 'relay' in m);
    if (o.settings) await line.set(o.settings);
    if (o.kbit) line.shape(o.kbit);
    kiosk.send(relayLine);
    const ready = await kiosk.next<{ ready: number }>((m) => 'ready' in m);
    const from = kiosk.lines.length;
    kiosk.send({ cmd: 'transaction', pauseAt: o.cut ? [o.cut.at] : [] });
    let cutTimes: { cutAt: number; restoredAt: number } | null = null;
    if (o.cut) {
      const cut = o.cut;
      await kiosk.next((m) => m['phase'] === cut.at);
      line.cut();
      const cutAt = Date.now();
      kiosk.send({ cmd: 'continue' });
      await (o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(cut.ms);
      line.restore();
      cutTimes = { cutAt, restoredAt: Date.now() };
    }
    const result = (await kiosk.next((m) => 'result' in m))['result'] as Record<string, unknown>;
    if ('failed' in result) throw new Error(`transaction failed: ${String(result['failed'])}`);
    // After a cut: the first relay round trip that succeeds (over the old session or a new one).
    let recoveredMs: number | null = null;
    let probeFailures: string[] = [];
    if (cutTimes) {
      kiosk.send({ cmd: 'probe' });
      const p = (await kiosk.next((m) => 'probed' in m))['probed'] as { t: number; codes: string[] };
      recoveredMs = Math.max(0, p.t - cutTimes.restoredAt);
      probeFailures = p.codes;
    }
    // After a cut, the session must come back: wait for the kiosk to say so.
    let reconnectMs: number | null = null;
    let droppedAfter: number | null = null;
    if (cutTimes) {
      const events = kiosk.lines.slice(from);
      const drop = events.find((m) => m['relay'] === false && Number(m['t']) >= cutTimes.cutAt);
      droppedAfter = drop ? Number(drop['t']) - cutTimes.cutAt : null;
      // The session survived the cut (TCP retransmitted across it): nothing to reconnect.
      if (drop) {
        const up = await kiosk.next((m) => m['relay'] === true && Number(m['t']) >= Number(drop['t']));
        reconnectMs = Math.max(0, Number(up['t']) - cutTimes.restoredAt);
      } else reconnectMs = 0;
    }
    // The outcome report travels after the resident's last screen: wait for the relay to record it.
    relay.send({ cmd: 'audit', waitFor: Number(result['printed']) > 0 ? 'issue.outcome' : null });
    const audit = (await relay.next((m) => 'audit' in m))['audit'] as {
      kind: string;
      outcome: string | null;
    }[];
    const screens: string[] = [];
    for (const m of kiosk.lines.slice(from))
      if (typeof m['view'] === 'string' && screens.at(-1) !== m['view']) screens.push(m['view']);
    counters = await line.close();
    return {
      readyMs: ready.ready,
      screen: String(result['screen']),
      code: (result['code'] as string | null) ?? null,
      paid: Number(result['paid']),
      refunded: Number(result['refunded']),
      printed: Number(result['printed']),
      steps: result['steps'] as Record<string, number>,
      screens,
      sessionDroppedAfterMs: droppedAfter,
      reconnectMs,
      recoveredMs,
      probeFailures,
      audit: audit
        .filter((a) => a.kind.startsWith('issue'))
        .map((a) => a.kind + (a.outcome ? `:${a.outcome}` : '')),
      line: counters,
    };
  } finally {
    await line.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export type { NsProcess };
