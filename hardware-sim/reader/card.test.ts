import { describe, expect, it } from 'vitest';
import { testCardFiles } from './testing/card-files.js';
import { SimCard } from './card.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (h) => parseInt(h, 16));
const toHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
const files = testCardFiles();

function card(hasAp = true, start = 3) {
  let tries = start;
  const c = new SimCard({
    residentId: 'taro',
    files,
    pin: '1234',
    hasAp,
    counter: { get: () => tries, set: (n) => (tries = n) },
  });
  return { c, tries: () => tries, send: (s: string) => toHex(c.transmit(hex(s))) };
}
const SELECT_AP = '00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08';

describe('SimCard: 券面事項入力補助AP file system (ISO/IEC 7816-4)', () => {
  it('follows the jpki/myna APDU sequence', () => {
    const { send } = card();
    expect(send(SELECT_AP)).toBe('90 00');
    expect(send('00 A4 02 0C 02 00 11')).toBe('90 00');
    expect(send('00 20 00 80')).toBe('63 c3');
    expect(send('00 20 00 80 04 31 32 33 34')).toBe('90 00');
    expect(send('00 A4 02 0C 02 00 01')).toBe('90 00');
    expect(send('00 B0 00 00 11')).toBe('d0 0c 39 39 30 30 30 30 30 30 30 30 31 39 90 00');
  });

  it('protects EF 00 01–00 03 by the PIN and leaves EF 00 04 free', () => {
    const { send } = card();
    send(SELECT_AP);
    for (const fid of ['01', '02', '03']) {
      expect(send(`00 A4 02 0C 02 00 ${fid}`)).toBe('90 00');
      expect(send('00 B0 00 00 07')).toBe('69 82');
    }
    send('00 A4 02 0C 02 00 04');
    expect(send('00 B0 00 00 02')).toBe('7f 21 90 00');
  });

  it('counts wrong PINs down and blocks at 0 (63 C0 on query, 69 83 on VERIFY)', () => {
    const { send, tries } = card();
    send(SELECT_AP);
    expect(send('00 20 00 80 04 30 30 30 30')).toBe('63 c2');
    expect(send('00 20 00 80 04 30 30 30 30')).toBe('63 c1');
    expect(send('00 20 00 80 04 30 30 30 30')).toBe('63 c0');
    expect(tries()).toBe(0);
    expect(send('00 20 00 80')).toBe('63 c0');
    expect(send('00 20 00 80 04 31 32 33 34')).toBe('69 83');
  });

  it('drops the security state when the DF is selected again', () => {
    const { send } = card();
    send(SELECT_AP);
    send('00 20 00 80 04 31 32 33 34');
    send(SELECT_AP);
    send('00 A4 02 0C 02 00 01');
    expect(send('00 B0 00 00 11')).toBe('69 82');
  });

  it('reads at an offset and refuses one past the end', () => {
    const { send } = card();
    send(SELECT_AP);
    send('00 20 00 80 04 31 32 33 34');
    send('00 A4 02 0C 02 00 01');
    expect(send('00 B0 00 0C 05')).toBe('31 39 90 00');
    expect(send('00 B0 00 0E 01')).toBe('6b 00');
  });

  it('answers 6A 82 without the AP, and coded SWs for malformed APDUs', () => {
    expect(card(false).send(SELECT_AP)).toBe('6a 82');
    const { send } = card();
    expect(send('00 A4 02 0C 02 00 01')).toBe('6a 82'); // no DF selected
    expect(send('80 A4 04 0C 00')).toBe('6e 00');
    expect(send('00 CA 00 00')).toBe('6d 00');
    expect(send('00 A4')).toBe('67 00');
    expect(send('00 A4 04 0C 0A D3')).toBe('67 00');
    send(SELECT_AP);
    expect(send('00 B0 00 00 07')).toBe('69 86'); // no EF selected
    expect(send('00 20 00 80 00')).toBe('67 00');
  });
});
