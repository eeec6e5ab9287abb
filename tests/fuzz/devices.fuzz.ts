import fc from 'fast-check';
import { PjlStatusDecoder, parsePjlMessage } from '../../kiosk/drivers/printer/pjl-status.js';
import { CcTalkDecoder, encodeFrame } from '../../kiosk/drivers/coin/cctalk-frame.js';
import { readCreditBuffer } from '../../kiosk/drivers/coin/credit-events.js';
import { BootKeyboardDecoder } from '../../kiosk/drivers/pinpad/boot-report.js';
import { PjlInputParser } from '../../hardware-sim/printer/pjl-input.js';

/**
 * Long fuzzing of every device-side parser a peer can reach (printer status readback, ccTalk replies and
 * event buffers, HID reports, and the simulated printer's PJL input). `FUZZ_RUNS` inputs per target
 * (default 100,000). The property: nothing throws, and valid frames inside noise still decode.
 */
const runs = Number(process.env['FUZZ_RUNS'] ?? 100_000);

function target<T>(name: string, arb: fc.Arbitrary<T>, check: (v: T) => void): void {
  const t0 = Date.now();
  fc.assert(fc.property(arb, check), { numRuns: runs });
  console.log(`${name}: ${runs} inputs, ok (${Date.now() - t0} ms)`);
}

const pjlish = fc.array(
  fc.oneof(
    fc.constantFrom(
      '@PJL USTATUS DEVICE\r\n',
      'CODE=40021\r\n',
      'ONLINE=TRUE\r\n',
      'DISPLAY="x"\r\n',
      '\f',
      'END\r\n',
      'PAGES=2\r\n',
      '@PJL USTATUS JOB\r\n',
      '@PJL ECHO a\r\n',
      'NAME="j"\r\n',
    ),
    fc.string({ maxLength: 20 }),
  ),
  { maxLength: 30 },
);

target('PJL status decoder (PJL-like text)', pjlish, (parts) => {
  new PjlStatusDecoder().push(new TextEncoder().encode(parts.join('')));
});
target('PJL status decoder (bytes)', fc.uint8Array({ maxLength: 2000 }), (b) => {
  new PjlStatusDecoder().push(b);
});
target('PJL message parser', fc.string({ maxLength: 300 }), (s) => {
  parsePjlMessage(s);
});
target(
  'ccTalk decoder: a valid frame survives leading noise after reset',
  fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 20 })),
  ([noise, data]) => {
    const d = new CcTalkDecoder();
    d.push(noise);
    d.reset();
    const out = d.push(encodeFrame({ dest: 1, src: 2, header: 0, data }));
    if (out.length !== 1 || !out[0]!.ok) throw new Error('valid frame lost');
  },
);
target('ccTalk decoder (bytes)', fc.uint8Array({ maxLength: 600 }), (b) => {
  new CcTalkDecoder().push(b);
});
target(
  'ccTalk 229 buffer',
  fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 14 }), fc.option(fc.integer({ min: 0, max: 255 }))),
  ([b, last]) => {
    const r = readCreditBuffer(b, last ?? undefined);
    if (r.ok && r.events.length > 5) throw new Error('more than 5 events from one buffer');
  },
);
target(
  'HID boot reports',
  fc.array(fc.uint8Array({ minLength: 0, maxLength: 10 }), { maxLength: 20 }),
  (reports) => {
    const d = new BootKeyboardDecoder();
    for (const r of reports) d.push(r);
  },
);
target(
  'simulated printer PJL input',
  fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }),
  (chunks) => {
    const p = new PjlInputParser(4096);
    for (const c of chunks) p.push(c);
  },
);
