import { describe, expect, it } from 'vitest';
import { tweetnaclCrypto } from '../crypto.js';
import {
  decodeMessage,
  encodeMessage,
  KioskToRelay,
  newRequestId,
  RelayToKiosk,
  VrsToRelay,
} from './index.js';

const rid = newRequestId(tweetnaclCrypto);
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('message schemas', () => {
  it('round-trip every kiosk → relay message', () => {
    const msgs: KioskToRelay[] = [
      {
        v: 1,
        type: 'issue.request',
        requestId: rid,
        municipality: '131016',
        certType: 'overseas',
        sealed: 'AQID',
      },
      { v: 1, type: 'issue.outcome', requestId: rid, outcome: 'printed' },
      {
        v: 1,
        type: 'heartbeat',
        seq: 3,
        health: {
          reader: 'ok',
          printer: 'ok',
          paper: 'low',
          pinpad: 'ok',
          coin: 'ok',
          hopper: 'fault',
          software: '0.1.0',
        },
      },
      { v: 1, type: 'municipalities.request', requestId: rid },
    ];
    for (const m of msgs)
      expect(decodeMessage(encodeMessage(m), KioskToRelay)).toEqual({ ok: true, value: m });
  });

  it('refuses an unknown version with its own code', () => {
    expect(decodeMessage(enc({ v: 2, type: 'heartbeat.ack', seq: 1, serverTime: 1 }), RelayToKiosk)).toEqual({
      ok: false,
      code: 'PROTOCOL_UNSUPPORTED_VERSION',
    });
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{')],
    ['invalid UTF-8', new Uint8Array([0xff, 0xfe])],
    ['unknown type', enc({ v: 1, type: 'issue.teleport', requestId: rid })],
    ['missing field', enc({ v: 1, type: 'issue.request', requestId: rid })],
    [
      'bad municipality',
      enc({
        v: 1,
        type: 'issue.request',
        requestId: rid,
        municipality: '13101',
        certType: 'domestic',
        sealed: 'AA',
      }),
    ],
    ['bad request id', enc({ v: 1, type: 'municipalities.request', requestId: 'short' })],
    [
      'non-base64url sealed',
      enc({
        v: 1,
        type: 'issue.request',
        requestId: rid,
        municipality: '131016',
        certType: 'domestic',
        sealed: 'a+b/',
      }),
    ],
    ['array', enc([1, 2])],
    ['null', enc(null)],
  ])('refuses %s as PROTOCOL_MALFORMED', (_name, bytes) => {
    expect(decodeMessage(bytes, KioskToRelay)).toEqual({ ok: false, code: 'PROTOCOL_MALFORMED' });
  });

  it('accepts a VRS alert without personal fields', () => {
    const m = {
      v: 1,
      type: 'vrs.alert',
      alertId: 'a1',
      kind: 'unknown-peer',
      severity: 'warning',
      detail: 'source 127.0.0.9',
      at: 1,
    };
    expect(decodeMessage(enc(m), VrsToRelay).ok).toBe(true);
  });
});
