import type { DeviceHealth } from '../../../protocol/index.js';
import { waitForScreen } from '../../support/wait.js';
import { chooseCopies, finish, insertCoins, ready, shown, toCopies, toPayment, until } from './drive.js';
import { ordinary, type Fault, type FaultRun } from './faults.js';
import type { FaultSystem } from './system.js';

/** The kiosk's error (or other) screen after a fault, with its code. */
async function errorShown(sys: FaultSystem, timeoutMs = 60_000): Promise<string> {
  const v = await waitForScreen(sys.kiosk.flow, ['error', 'preview', 'ended'], timeoutMs);
  return shown(v);
}

/** Waits until VRS has recorded `n` more issuance records than `from`. */
async function vrsRecords(sys: FaultSystem, atLeast: number): Promise<void> {
  await until(async () => (await sys.vrsIssuance()).length >= atLeast, 30_000);
}

/** The relay of the kiosk's line was killed, then started again: the kiosk's session is back. */
async function restartRelay(sys: FaultSystem, i = 0): Promise<void> {
  sys.line.release('up');
  sys.line.release('down');
  await sys.startRelay(i);
  await ready(sys);
}

const relayKilledBeforeForwarding: Fault = {
  name: 'relay SIGKILLed before forwarding',
  quick: true,
  async run(sys) {
    await ready(sys);
    await toCopies(sys);
    sys.lgwan.hold('up');
    chooseCopies(sys);
    // The request reached the relay, which sent it on: the bytes sit on the LGWAN link, VRS has not seen them.
    await sys.lgwan.whenHeld('up');
    await sys.killRelay(0);
    sys.lgwan.cut();
    sys.lgwan.release('up');
    const saw = await errorShown(sys);
    await finish(sys);
    await restartRelay(sys);
    const after = await ordinary(sys);
    return { saw: [saw, `then ${after}`], certificates: 1, problems: [] };
  },
};

const relayKilledAfterVrsAnswered: Fault = {
  name: 'relay SIGKILLed after VRS answered',
  quick: true,
  async run(sys) {
    await ready(sys);
    const n = (await sys.vrsIssuance()).length;
    await toCopies(sys);
    sys.line.hold('down');
    chooseCopies(sys);
    // VRS answered and the relay recorded it and sent it on: the answer sits on the line to the kiosk.
    await vrsRecords(sys, n + 1);
    await sys.line.whenHeld('down');
    await sys.killRelay(0);
    sys.line.cut();
    sys.line.release('down');
    const saw = await errorShown(sys);
    await finish(sys);
    await restartRelay(sys);
    const after = await ordinary(sys);
    return { saw: [saw, `then ${after}`], certificates: 1, problems: [] };
  },
};

const relayKilledAfterPrint: Fault = {
  name: 'relay SIGKILLed after print, before the outcome',
  quick: true,
  async run(sys) {
    await ready(sys);
    await toCopies(sys);
    chooseCopies(sys);
    await toPayment(sys);
    // From here nothing the kiosk sends reaches the relay: its outcome report stays on the line.
    sys.line.hold('up');
    await insertCoins(sys, [100, 100]);
    const v = await waitForScreen(sys.kiosk.flow, ['take-certificate', 'print-failed'], 90_000);
    const held = sys.line.heldBytes('up');
    await finish(sys);
    await until(() => sys.line.heldBytes('up') > held, 10_000).catch(() => undefined);
    await sys.killRelay(0);
    sys.line.cut();
    sys.line.release('up');
    await restartRelay(sys);
    return { saw: [shown(v), 'then attract'], certificates: 1, problems: [] };
  },
};

const clusterRelayKilled: Fault = {
  name: 'relay of two killed, kiosk moves to the other',
  quick: false,
  async run(sys) {
    await ready(sys);
    await toCopies(sys);
    chooseCopies(sys);
    await toPayment(sys);
    // The relay that answered dies; the line now leads to the other one, where the kiosk reconnects.
    sys.lineTo(1);
    await sys.killRelay(0);
    await ready(sys).catch(() => undefined);
    await insertCoins(sys, [100, 100]);
    const v = await waitForScreen(sys.kiosk.flow, ['take-certificate', 'print-failed'], 90_000);
    await finish(sys);
    // Put things back: relay 0 again, and the line to it.
    await sys.startRelay(0);
    await ready(sys);
    return { saw: [shown(v)], certificates: 1, problems: [] };
  },
};

const vrsDown: Fault = {
  name: 'VRS down',
  quick: true,
  async run(sys) {
    await ready(sys);
    await toCopies(sys);
    await sys.killVrs();
    chooseCopies(sys);
    const saw = await errorShown(sys);
    await finish(sys);
    await sys.startVrs();
    const after = await ordinary(sys);
    return { saw: [saw, `then ${after}`], certificates: 1, problems: [] };
  },
};

const vrsSlow: Fault = {
  name: 'VRS slow (answers after the kiosk timeout)',
  quick: true,
  async run(sys) {
    await ready(sys);
    await toCopies(sys);
    sys.lgwan.hold('down');
    chooseCopies(sys);
    const saw = await errorShown(sys);
    // The late answer now arrives: the relay delivers it, the kiosk has given up and drops it.
    sys.lgwan.release('down');
    await finish(sys);
    const after = await ordinary(sys);
    return { saw: [saw, `then ${after}`], certificates: 1, problems: [] };
  },
};

const vrsGarbage: Fault = {
  name: 'VRS answering garbage',
  quick: true,
  async run(sys) {
    await ready(sys);
    await toCopies(sys);
    sys.lgwan.corrupt('down');
    chooseCopies(sys);
    const saw = await errorShown(sys);
    sys.lgwan.corrupt('down', false);
    sys.lgwan.cut();
    await finish(sys);
    const after = await ordinary(sys);
    return { saw: [saw, `then ${after}`], certificates: 1, problems: [] };
  },
};

const vrsRestarted: Fault = {
  name: 'VRS and its database restarted',
  quick: false,
  async run(sys) {
    const first = await ordinary(sys);
    const before = (await sys.vrsIssuance()).length;
    // VRS's database is embedded in its process: a restart of the one is a restart of the other.
    await sys.killVrs();
    await sys.startVrs();
    const problems: string[] = [];
    if ((await sys.vrsIssuance()).length !== before)
      problems.push('VRS lost issuance records in its restart');
    const after = await ordinary(sys);
    return { saw: [first, `then ${after}`], certificates: 2, problems };
  },
};

const postgresRestarted: Fault = {
  name: "relay's PostgreSQL restarted with a request in flight",
  quick: false,
  async run(sys) {
    await ready(sys);
    const n = (await sys.vrsIssuance()).length;
    await toCopies(sys);
    sys.lgwan.hold('down');
    chooseCopies(sys);
    await vrsRecords(sys, n + 1);
    // VRS has answered; the relay's database goes away and comes back before the answer reaches the relay.
    await sys.pg.restart!();
    sys.lgwan.release('down');
    const v = await waitForScreen(sys.kiosk.flow, ['preview', 'error'], 60_000);
    let certificates = 0;
    if (v.screen === 'preview') {
      await toPayment(sys);
      await insertCoins(sys, [100, 100]);
      await waitForScreen(sys.kiosk.flow, ['take-certificate', 'print-failed'], 90_000);
      certificates = 1;
    }
    await finish(sys);
    const after = await ordinary(sys);
    return { saw: [shown(v), `then ${after}`], certificates: certificates + 1, problems: [] };
  },
};

const auditStoreFull: Fault = {
  name: "relay's audit store full",
  quick: false,
  async run(sys) {
    await ready(sys);
    // "Full" is PostgreSQL's own disk-full error (SQLSTATE 53100) raised for every insert into the audit
    // table, by a trigger the suite installs: the relays see what a full disk makes the server answer.
    await sys.sql(`
      CREATE FUNCTION fault_audit_full() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END; $$ LANGUAGE plpgsql;
      CREATE TRIGGER fault_audit_full BEFORE INSERT ON relay_audit FOR EACH ROW EXECUTE FUNCTION fault_audit_full();`);
    const problems: string[] = [];
    let saw: string;
    let withheld = 0;
    try {
      await toCopies(sys);
      const n = (await sys.vrsIssuance()).length;
      chooseCopies(sys);
      saw = await errorShown(sys);
      withheld = (await sys.vrsIssuance()).length - n;
      const status = await sys.ops<{ audit?: { writable: boolean; code: string | null } }>('/api/status', {
        relay: 0,
      });
      if (status.audit?.writable !== false)
        problems.push('/api/status does not say the audit store is unavailable');
      else saw += `; status audit ${status.audit.code}`;
      if (!(await sys.alerts()).some((a) => a.kind === 'audit-unavailable'))
        problems.push('no audit-unavailable alert');
      await finish(sys);
    } finally {
      await sys.sql('DROP TRIGGER fault_audit_full ON relay_audit; DROP FUNCTION fault_audit_full();');
    }
    const after = await ordinary(sys);
    // A request that finds the store full before any write failed reaches VRS (the relay learns it from a
    // failed write); its answer is withheld, never printed or paid. Later ones never reach VRS.
    return { saw: [saw, `then ${after}`], certificates: 1, problems, withheld };
  },
};

const printerJam: Fault = {
  name: 'printer jam during the job, not cleared',
  quick: false,
  async run(sys) {
    await ready(sys);
    await toCopies(sys);
    chooseCopies(sys);
    await toPayment(sys);
    const off = sys.kiosk.flow.onView((v) => {
      if (v.screen === 'printing' && !v.fault) void sys.panel('POST', '/api/printer/fault', { kind: 'jam' });
    });
    await insertCoins(sys, [100, 100]);
    const v = await waitForScreen(sys.kiosk.flow, ['print-failed', 'take-certificate'], 90_000);
    off();
    await sys.panel('POST', '/api/printer/fault', { kind: 'clear' });
    const jobs = await sys.panel<{ status: string }[]>('GET', '/api/printer/jobs');
    await finish(sys);
    const after = await ordinary(sys);
    // A jam after the page left the printer still gives a certificate; otherwise the fee is refunded.
    const done = v.screen === 'take-certificate' || jobs.at(-1)?.status === 'printed' ? 1 : 0;
    return { saw: [shown(v), `then ${after}`], certificates: done + 1, problems: [] };
  },
};

const coinJam: Fault = {
  name: 'coin jam',
  quick: false,
  async run(sys) {
    await ready(sys);
    await toCopies(sys);
    chooseCopies(sys);
    await toPayment(sys);
    await sys.panel('POST', '/api/coin-acceptor/fault', { fault: 'jam' });
    const r = await sys.panel<{ outcome: string }>('POST', '/api/coins', { yen: 100 });
    await sys.panel('POST', '/api/coin-acceptor/fault', { fault: 'clear' });
    await until(async () => {
      const s = await sys.panel<Record<string, { accepting?: boolean }>>('GET', '/api/state');
      return s['coin-acceptor']?.accepting === true;
    });
    await insertCoins(sys, [100, 100]);
    const v = await waitForScreen(sys.kiosk.flow, ['take-certificate', 'print-failed'], 90_000);
    await finish(sys);
    return { saw: [`coin ${r.outcome}`, shown(v)], certificates: 1, problems: [] };
  },
};

const hopperEmpty: Fault = {
  name: 'hopper empty',
  quick: false,
  async run(sys) {
    for (const yen of [10, 50, 100]) await sys.panel('POST', '/api/hopper', { yen, fault: 'empty' });
    await ready(sys);
    await toCopies(sys);
    chooseCopies(sys);
    await waitForScreen(sys.kiosk.flow, 'preview', 30_000);
    sys.kiosk.flow.intent({ type: 'confirm' });
    const pay = await waitForScreen(sys.kiosk.flow, ['payment', 'payment-blocked']);
    const problems: string[] = [];
    let saw = shown(pay);
    if (pay.screen === 'payment') {
      saw = pay.exactOnly ? 'payment(exact amount only)' : 'payment';
      if (!pay.exactOnly) problems.push('no change in the hoppers, yet change-giving payment was offered');
      await until(async () => {
        const s = await sys.panel<Record<string, { accepting?: boolean }>>('GET', '/api/state');
        return s['coin-acceptor']?.accepting === true;
      });
      await insertCoins(sys, [100, 10, 10]);
    }
    const v = await waitForScreen(
      sys.kiosk.flow,
      ['take-certificate', 'print-failed', 'ended', 'attract'],
      90_000,
    );
    await finish(sys);
    for (const yen of [10, 50, 100])
      await sys.panel('POST', '/api/hopper', { yen, coins: 100, fault: 'clear' });
    return { saw: [saw, shown(v)], certificates: pay.screen === 'payment' ? 1 : 0, problems };
  },
};

const noteJam: Fault = {
  name: 'note jam',
  quick: false,
  async run(sys) {
    await ready(sys);
    await toCopies(sys);
    chooseCopies(sys);
    await toPayment(sys);
    await sys.panel('POST', '/api/note-validator/fault', { fault: 'jam' });
    const r = await sys
      .panel<{ outcome: string }>('POST', '/api/notes', { yen: 1000 })
      .catch((e: unknown) => ({
        outcome: `refused (${e instanceof Error ? e.message.slice(0, 40) : 'error'})`,
      }));
    await sys.panel('POST', '/api/note-validator/fault', { fault: 'clear' });
    await insertCoins(sys, [100, 100]);
    const v = await waitForScreen(sys.kiosk.flow, ['take-certificate', 'print-failed'], 90_000);
    await finish(sys);
    return { saw: [`note ${r.outcome}`, shown(v)], certificates: 1, problems: [] };
  },
};

const cardRemovedMidRead: Fault = {
  name: 'card removed mid-read',
  quick: false,
  async run(sys) {
    await ready(sys);
    await sys.panel('POST', '/api/card', { resident: 'taro', mode: 'remove-mid-read' });
    const v = await waitForScreen(
      sys.kiosk.flow,
      ['error', 'ended', 'menu', 'place-card', 'attract'],
      30_000,
      (x) => (x.screen !== 'attract' || !x.available ? true : false),
    ).catch(() => sys.kiosk.flow.view);
    let saw = shown(v);
    if (v.screen === 'menu') {
      sys.kiosk.flow.intent({ type: 'choose-service', service: 'covid-vaccine-certificate' });
      saw = shown(await waitForScreen(sys.kiosk.flow, ['error', 'ended', 'pin', 'place-card'], 30_000));
    }
    await finish(sys);
    const after = await ordinary(sys);
    return { saw: [saw, `then ${after}`], certificates: 1, problems: [] };
  },
};

type HealthKey = 'reader' | 'printer' | 'pinpad' | 'coin' | 'hopper';
const unplug = (device: string, key: HealthKey): Fault => ({
  name: `${device} unplugged and plugged back`,
  quick: false,
  async run(sys) {
    await ready(sys);
    const health = () => sys.kiosk.health() as DeviceHealth;
    await sys.panel('POST', `/api/${device}/unplug`);
    await until(() => health()[key] === 'disconnected', 30_000);
    const saw = `${key} ${health()[key]}; kiosk ${shown(sys.kiosk.flow.view)}`;
    await sys.panel('POST', `/api/${device}/plug`);
    await until(() => health()[key] === 'ok', 60_000);
    const after = await ordinary(sys);
    return { saw: [saw, `then ${after}`], certificates: 1, problems: [] };
  },
});

/** Every fault of issue 17 that this suite runs, in the report's order. */
export const FAULTS: readonly Fault[] = [
  relayKilledBeforeForwarding,
  relayKilledAfterVrsAnswered,
  relayKilledAfterPrint,
  clusterRelayKilled,
  vrsDown,
  vrsSlow,
  vrsGarbage,
  vrsRestarted,
  postgresRestarted,
  auditStoreFull,
  printerJam,
  coinJam,
  hopperEmpty,
  noteJam,
  cardRemovedMidRead,
  unplug('reader', 'reader'),
  unplug('printer', 'printer'),
  unplug('pinpad', 'pinpad'),
  unplug('coin-acceptor', 'coin'),
  unplug('hopper', 'hopper'),
];

export type { FaultRun };
