import { describe, expect, it } from 'vitest';
import { DEVICE_ERRORS } from './devices.js';
import { ERROR_CODES, isErrorCode, type ErrorCode } from './index.js';
import type { PrintFailureCode } from '../../kiosk/drivers/printer/index.js';
import type { ChangeResult, PaymentResult } from '../../kiosk/drivers/coin/index.js';
import type { LineFailure, NoteFaultCode } from '../../kiosk/drivers/note/index.js';
import { MONEY_ERRORS } from './money.js';

// Every code the device drivers can return is a documented code (checked by the compiler).
type Assert<T extends true> = T;
export type CodesAreDocumented = [
  Assert<PrintFailureCode extends ErrorCode ? true : false>,
  Assert<Extract<ChangeResult, { ok: false }>['code'] extends ErrorCode ? true : false>,
  Assert<Extract<PaymentResult, { ok: false }>['code'] extends ErrorCode ? true : false>,
  Assert<LineFailure extends ErrorCode ? true : false>,
  Assert<NoteFaultCode extends ErrorCode ? true : false>,
];

describe('device error codes', () => {
  it('are all in the system table, each with a meaning, an operator text and ja/en resident texts or null', () => {
    for (const [code, info] of Object.entries({ ...DEVICE_ERRORS, ...MONEY_ERRORS })) {
      expect(isErrorCode(code)).toBe(true);
      expect(ERROR_CODES[code as ErrorCode]).toBe(info);
      expect(info.meaning.length).toBeGreaterThan(10);
      expect(info.operator.length).toBeGreaterThan(10);
      if (info.resident !== null) {
        expect(info.resident.ja).toMatch(/[ぁ-んァ-ン一-龯]/);
        expect(info.resident.en.length).toBeGreaterThan(5);
      }
    }
  });
});
