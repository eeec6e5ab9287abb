import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from './lib/catalogue.js';
import { emptyRow, runFault, SYSTEM_OPTIONS } from './lib/faults.js';
import { startFaultSystem, type FaultSystem } from './lib/system.js';
import { postgresUnavailableReason } from '../../common/testing/postgres.js';

/**
 * The bounded subset of the fault suite (`npm run report:reliability` runs every fault several times):
 * each quick fault once against one whole system, asserting the records (certificates, fees, relay audit
 * records against VRS's issuance records, the audit chain, no personal data anywhere), not only the screen.
 * Faults that show a known, not yet fixed defect are expected to fail (`it.fails`): the day the defect is
 * fixed the test fails and must move to the passing list.
 */
// None today. ('relay SIGKILLed after print, before the outcome' was one until outcomes were acknowledged and
// resent on the next session.)
const KNOWN_DEFECTS = new Set<string>([]);

const reason = postgresUnavailableReason();
let sys: FaultSystem;

describe.skipIf(reason !== undefined)(
  `the system under faults${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    beforeAll(async () => {
      sys = await startFaultSystem(SYSTEM_OPTIONS);
    }, 180_000);

    afterAll(async () => {
      await sys?.stop();
    }, 60_000);

    for (const fault of FAULTS.filter((f) => f.quick)) {
      const test = KNOWN_DEFECTS.has(fault.name) ? it.fails : it;
      test(
        fault.name,
        async () => {
          const row = emptyRow(fault.name);
          await runFault(sys, fault, row);
          expect(row.problems).toEqual([]);
          expect(row.personalData).toBe(0);
        },
        240_000,
      );
    }
  },
);
