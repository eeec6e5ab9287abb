/**
 * Card reader benchmark: the emulated PN532 paces bytes at 115200 baud over a real pty; the kiosk's
 * Pn532Reader + CardSession read a My Number card.
 *   phase 1 "placed → ready for PIN": InListPassiveTarget, SELECT AP, SELECT EF 00 11, VERIFY (counter query)
 *   phase 2 "PIN → all data read":    VERIFY, EF 00 01…00 04 (several READ BINARY, MI chaining), InRelease
 * Target: the whole read ≤ 400 ms.
 * JPKI (the default authentication): "PIN → authenticated" = VERIFY the 利用者証明用 PIN, READ BINARY of the
 * certificate EF 00 0A (≈1 KB, MI chaining), SELECT EF 00 17, 80 2A 00 80 (256-byte signature), InRelease; with
 * the emulator's signing time at 300 ms (a real card takes a few hundred ms) and at 0 ms (line and emulator only).
 * Run: npm run bench -- card-reader
 */
import { performance } from 'node:perf_hooks';
import { SerialPortTransport } from '../../kiosk/drivers/transports/serial.js';
import { Pn532Reader } from '../../kiosk/drivers/pn532/reader.js';
import { CardSession } from '../../kiosk/drivers/mynumber/session.js';
import { JpkiSession } from '../../kiosk/drivers/mynumber/jpki.js';
import { jpkiChallenge } from '../../protocol/card-data/jpki.js';
import { loadResidents } from '../../hardware-sim/reader/residents.js';
import { startReaderHarness } from '../../hardware-sim/reader/testing/harness.js';
import { machineLine } from '../run-programs.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 30);
const BAUD = 115200;
const residents = new Map(loadResidents().map((r) => [r.id, r]));

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};
const fmt = (xs: number[]) =>
  `median ${quantile(xs, 0.5).toFixed(1)} ms, p99 ${quantile(xs, 0.99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

console.log(machineLine());
console.log(
  `emulator: serial paced at ${BAUD} baud (8N1, ${((10 / BAUD) * 1e6).toFixed(1)} µs per byte), RF time at 106 kbit/s, card processing time not modelled; ${RUNS} runs per card`,
);

const h = await startReaderHarness({ baudRate: BAUD });
const reader = new Pn532Reader({
  transport: () => new SerialPortTransport({ path: h.hostPath, baudRate: BAUD }),
  heartbeatMs: 0,
});
const opened = await reader.open();
if (!opened.ok) throw new Error(`reader did not open: ${opened.code}`);

let worstTotal = 0;
for (const id of ['taro', 'longaddress']) {
  const res = residents.get(id)!;
  const t1: number[] = [];
  const t2: number[] = [];
  let p1 = { frames: 0, bytes: 0 };
  let p2 = { frames: 0, bytes: 0 };
  for (let i = 0; i < RUNS; i++) {
    h.device.setPinTries(3, id);
    h.device.placeCard(id);
    const s0 = reader.stats;
    const a = performance.now();
    const session = new CardSession({ reader });
    const w = await session.waitForCard({ timeoutMs: 2000, pollMs: 10 });
    const c = await session.readRetryCounter();
    const b = performance.now();
    const s1 = reader.stats;
    const r = await session.verifyAndRead(Uint8Array.from(res.pin, (ch) => ch.charCodeAt(0)));
    const e = performance.now();
    const s2 = reader.stats;
    if (!w.ok || !c.ok || !r.ok)
      throw new Error(`read failed: ${JSON.stringify([w, c, r].map((x) => x.ok || x.code))}`);
    h.device.removeCard();
    t1.push(b - a);
    t2.push(e - b);
    p1 = {
      frames: s1.framesOut + s1.framesIn - s0.framesOut - s0.framesIn,
      bytes: s1.bytesOut + s1.bytesIn - s0.bytesOut - s0.bytesIn,
    };
    p2 = {
      frames: s2.framesOut + s2.framesIn - s1.framesOut - s1.framesIn,
      bytes: s2.bytesOut + s2.bytesIn - s1.bytesOut - s1.bytesIn,
    };
  }
  const totals = t1.map((x, i) => x + t2[i]!);
  worstTotal = Math.max(worstTotal, quantile(totals, 0.5));
  const line = (bytes: number) => `${((bytes * 10 * 1000) / BAUD).toFixed(1)} ms of line time`;
  const how =
    id === 'longaddress'
      ? '4-info EF > 255 bytes: several READ BINARY, MI chaining'
      : 'one READ BINARY chunk per EF';
  console.log(`\ncard "${id}" (${how}; frames include ACKs, both directions):`);
  console.log(
    `  placed → ready for PIN : ${fmt(t1)}; ${p1.frames} frames, ${p1.bytes} bytes (${line(p1.bytes)})`,
  );
  console.log(
    `  PIN → all data read    : ${fmt(t2)}; ${p2.frames} frames, ${p2.bytes} bytes (${line(p2.bytes)})`,
  );
  console.log(`  whole read             : ${fmt(totals)}`);
}
console.log(
  `\ntarget: whole read ≤ 400 ms at 115200 baud → ${worstTotal <= 400 ? 'met' : 'NOT met'} (worst median ${worstTotal.toFixed(1)} ms)`,
);
console.log('(card placement while polling adds up to one poll interval to "placed → ready for PIN")');
await reader.close();
await h.stop();

/** PIN → authenticated with JPKI, for one emulator signing time. */
async function jpkiRuns(signDelayMs: number): Promise<{ t1: number[]; t2: number[]; bytes: number }> {
  const hh = await startReaderHarness({ baudRate: BAUD, signDelayMs });
  const rd = new Pn532Reader({
    transport: () => new SerialPortTransport({ path: hh.hostPath, baudRate: BAUD }),
    heartbeatMs: 0,
  });
  const o = await rd.open();
  if (!o.ok) throw new Error(`reader did not open: ${o.code}`);
  const res = residents.get('taro')!;
  const t1: number[] = [];
  const t2: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    hh.device.setJpkiPinTries(3, 'taro');
    hh.device.placeCard('taro');
    const a = performance.now();
    const session = new JpkiSession({ reader: rd });
    const w = await session.waitForCard({ timeoutMs: 2000, pollMs: 10 });
    const c = await session.readRetryCounter();
    const b = performance.now();
    const s1 = rd.stats;
    const challenge = jpkiChallenge({
      kioskId: 'k'.repeat(43),
      nonce: new Uint8Array(32).fill(i),
      signedAt: Date.now(),
    });
    const r = await session.authenticate(
      Uint8Array.from(res.jpkiPin ?? res.pin, (ch) => ch.charCodeAt(0)),
      challenge,
    );
    const e = performance.now();
    const s2 = rd.stats;
    if (!w.ok || !c.ok || !r.ok)
      throw new Error(`JPKI failed: ${JSON.stringify([w, c, r].map((x) => x.ok || x.code))}`);
    hh.device.removeCard();
    t1.push(b - a);
    t2.push(e - b);
    bytes = s2.bytesOut + s2.bytesIn - s1.bytesOut - s1.bytesIn;
  }
  await rd.close();
  await hh.stop();
  return { t1, t2, bytes };
}

console.log('\nJPKI authentication (公的個人認証AP, card "taro"; the kiosk never reads the My Number):');
for (const delay of [300, 0]) {
  const r = await jpkiRuns(delay);
  const what =
    delay > 0
      ? `card signing time emulated: ${delay} ms`
      : 'signing time not emulated (floor: line + emulator)';
  console.log(`  ${what}`);
  console.log(`    placed → ready for PIN : ${fmt(r.t1)}`);
  console.log(
    `    PIN → authenticated    : ${fmt(r.t2)}; ${r.bytes} bytes on the line (${((r.bytes * 10 * 1000) / BAUD).toFixed(1)} ms at ${BAUD} baud)`,
  );
}
