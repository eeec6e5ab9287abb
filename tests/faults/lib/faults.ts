import { waitForScreen } from '../../support/wait.js';
import { scanForResidents } from './canary.js';
import {
  chooseCopies,
  finish,
  insertCoins,
  money,
  printed,
  ready,
  shown,
  toCopies,
  toPayment,
  until,
} from './drive.js';
import type { FaultSystem, FaultSystemOptions } from './system.js';

const FEE = 120;

/** What one run of a fault saw and expects; the runner adds what the records say. */
export interface FaultRun {
  /** What the resident saw at the fault, then at the end (screens with their codes). */
  saw: string[];
  /** Certificates the resident should have in the tray after this run. */
  certificates: number;
  /** Problems the fault's own checks found (empty when it kept its promises). */
  problems: string[];
  /**
   * Answers of VRS the relay withheld because their record could not be stored (the audit store full): no
   * relay record is expected for them, and none was delivered.
   */
  withheld?: number;
}

export interface Fault {
  name: string;
  /** Part of the bounded subset in `npm test`. */
  quick: boolean;
  run(sys: FaultSystem): Promise<FaultRun>;
}

/** One row of the report: a fault's runs added up. */
export interface FaultRow {
  fault: string;
  runs: number;
  saw: Set<string>;
  certificates: number;
  feesKept: number;
  refunded: number;
  auditExpected: number;
  auditFound: number;
  alerts: Map<string, number>;
  personalData: number;
  problems: string[];
}

/** The whole system's state before a run, to count what the run changed. */
async function snapshot(sys: FaultSystem) {
  const audit = await sys.audit();
  return {
    seq: audit.at(-1)?.seq ?? 0,
    vrs: new Set((await sys.vrsIssuance()).map((r) => r.request_id)),
    money: await money(sys),
    printed: await printed(sys),
    alertId: (await sys.alerts()).at(-1)?.id ?? 0,
  };
}

/** Completes one ordinary transaction (one copy, paid 200 yen): the "and then it works again" of a fault. */
export async function ordinary(sys: FaultSystem, resident = 'taro'): Promise<string> {
  await ready(sys);
  await toCopies(sys, resident);
  chooseCopies(sys);
  await toPayment(sys);
  await insertCoins(sys, [100, 100]);
  const v = await waitForScreen(sys.kiosk.flow, ['take-certificate', 'print-failed', 'error'], 90_000);
  await finish(sys);
  return shown(v);
}

/**
 * Runs `fault` once on the running system and checks the records against what the resident got:
 * - every certificate in the tray was paid once (fees kept = 120 yen × certificates), and nothing else kept;
 * - every request VRS answered has its relay audit record (`issue.answered` or `issue.refused`), and every certificate printed
 *   its `issue.outcome printed` record; the audit chain verifies;
 * - no resident's data in any file, log or the relay's database.
 */
export async function runFault(sys: FaultSystem, fault: Fault, row: FaultRow): Promise<void> {
  const before = await snapshot(sys);
  let r: FaultRun;
  try {
    r = await fault.run(sys);
  } catch (err) {
    r = {
      saw: [`(run failed: ${err instanceof Error ? err.message : String(err)})`],
      certificates: -1,
      problems: [],
    };
    r.problems.push(`run failed: ${err instanceof Error ? err.message : String(err)}`);
    await finish(sys).catch(() => undefined);
  }
  // The relays may still be writing the last outcome (group commit): wait until the records settle.
  const certificates = (await printed(sys)) - before.printed;
  const m = await money(sys);
  const kept = m.kept - before.money.kept;
  const refunded = m.paidOut - before.money.paidOut;
  let audit = await sys.audit();
  const issued = (await sys.vrsIssuance()).filter(
    (x) => !before.vrs.has(x.request_id) && x.outcome === 'issued',
  );
  const expected = issued.length - (r.withheld ?? 0) + certificates;
  const found = async () => {
    audit = (await sys.audit()).filter((a) => a.seq > before.seq);
    // The relay's record of what became of each request VRS answered: delivered, or refused (a garbled or
    // late answer the relay could not use is recorded as refused).
    const answered = issued.filter((i) =>
      audit.some(
        (a) => (a.kind === 'issue.answered' || a.kind === 'issue.refused') && a.request_id === i.request_id,
      ),
    );
    const outcomes = audit.filter((a) => a.kind === 'issue.outcome' && a.detail['outcome'] === 'printed');
    return answered.length + outcomes.length;
  };
  await until(async () => (await found()) >= expected, 5_000).catch(() => undefined);
  const auditFound = await found();
  const problems = [...r.problems];
  if (r.certificates >= 0 && certificates !== r.certificates)
    problems.push(`certificates: expected ${r.certificates}, printed ${certificates}`);
  if (kept !== FEE * certificates) problems.push(`fees kept ${kept} yen for ${certificates} certificate(s)`);
  if (auditFound !== expected) {
    const missing = issued
      .filter((i) => !audit.some((a) => a.request_id === i.request_id && a.kind !== 'issue.outcome'))
      .map((i) => i.request_id);
    const kinds = audit.map((a) => `${a.kind}:${a.request_id ?? '-'}`).join(' ');
    problems.push(
      `audit records: expected ${expected}, found ${auditFound} (VRS answered without a relay record: ${missing.join(' ') || 'none'}; relay records: ${kinds})`,
    );
  }
  const verify = await sys
    .ops<{ ok: boolean }>('/api/audit/verify')
    .catch((e: unknown) => ({ ok: false, e }));
  if (!verify.ok) problems.push('audit chain does not verify');
  const alerts = await sys.alerts(before.alertId);
  const leaks = scanForResidents(['taro', 'hanako'], sys.dir, { 'relay database': await sys.relayDbText() });
  if (leaks.length > 0) problems.push(`personal data outside the sealed path: ${leaks.join(', ')}`);

  row.runs++;
  for (const s of r.saw) row.saw.add(s);
  row.certificates += certificates;
  row.feesKept += kept;
  row.refunded += refunded;
  row.auditExpected += expected;
  row.auditFound += auditFound;
  for (const a of alerts) row.alerts.set(a.kind, (row.alerts.get(a.kind) ?? 0) + 1);
  row.personalData += leaks.length;
  row.problems.push(...problems);
}

export function emptyRow(fault: string): FaultRow {
  return {
    fault,
    runs: 0,
    saw: new Set(),
    certificates: 0,
    feesKept: 0,
    refunded: 0,
    auditExpected: 0,
    auditFound: 0,
    alerts: new Map(),
    personalData: 0,
    problems: [],
  };
}

export const SYSTEM_OPTIONS: FaultSystemOptions = {
  relays: 2,
  requestTimeoutMs: 8_000,
  // A printer fault nobody clears ends on print-failed in 3 s instead of 5 minutes.
  flow: { faultGiveUpMs: 3_000, faultRefundOfferMs: 1_000, endedMs: 2_000 },
};
