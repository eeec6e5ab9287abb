import type { Logger } from '../../common/log.js';
import { CodedError } from '../../protocol/errors/index.js';
import type { CryptoProvider, ErrorCode, Identity } from '../../protocol/index.js';
import { CcTalkBus } from '../drivers/coin/cctalk-bus.js';
import { ADDRESS, HEADER } from '../drivers/coin/cctalk-frame.js';
import { HOPPERS } from '../drivers/coin/hopper.js';
import { Pn532Reader } from '../drivers/pn532/index.js';
import type { SerialTransport } from '../drivers/transport.js';
import { SerialPortTransport } from '../drivers/transports/serial.js';
import { connectChannel } from '../core/relay-client/connect.js';
import type { DeviceConfig } from './runtime.js';

/**
 * The kiosk's topology self-checks at start (relay/README.md has the relay's; issue 17): before the kiosk
 * opens for residents it checks what it is connected to, and refuses to start, loudly, when that is not
 * what its configuration says.
 *
 * - The relay: one channel handshake with the relay key pinned in the configuration. A responder that does
 *   not prove that key (CHANNEL_UNKNOWN_PEER, CHANNEL_HANDSHAKE_FAILED) is a wrong topology: a wrong
 *   address, a wrong key in the configuration, or an impostor on the line.       KIOSK_TOPOLOGY_RELAY_KEY
 *   A relay that cannot be reached is not: the line may be down, the kiosk starts out of service and keeps
 *   trying (relay-client), and says so in `unchecked`.
 * - The devices: each serial device is asked who it is, with the drivers' own identification (PN532
 *   GetFirmwareVersion: IC 0x32 with ISO 14443B; ccTalk "request equipment category": `Coin Acceptor` at
 *   address 2 on the acceptor's line, `Payout` at each hopper address on the hoppers' line). A device that
 *   answers as another model (swapped cables, a foreign device) is refused.      KIOSK_TOPOLOGY_DEVICE_MODEL
 *   A device that does not answer at all is unplugged, not wrong: the kiosk starts and its health says so.
 *   The printer (PJL) and the PIN pad (HID boot keyboard) have no model query in their drivers: not checked.
 */

export interface KioskTopologyProblem {
  code: ErrorCode;
  message: string;
  /** Port roles, codes and model names only. */
  detail: Record<string, string>;
}

export class KioskTopologyError extends CodedError {
  readonly problems: readonly KioskTopologyProblem[];
  constructor(problems: KioskTopologyProblem[]) {
    super(problems[0]!.code, problems.map((p) => `${p.code}: ${p.message}`).join('; '));
    this.problems = problems;
  }
}

/** Codes of a handshake in which the responder did not prove the pinned key. */
const WRONG_PEER = new Set(['CHANNEL_UNKNOWN_PEER', 'CHANNEL_HANDSHAKE_FAILED']);

/** Whether the relay at `url` proves the pinned key: a problem, `unreachable` (unchecked), or null (ok). */
export async function checkRelayKey(o: {
  url: string;
  identity: Identity;
  relayPublicKey: Uint8Array;
  crypto: CryptoProvider;
  handshakeTimeoutMs?: number;
}): Promise<KioskTopologyProblem | { unchecked: string } | null> {
  const r = await connectChannel(o);
  if (r.ok) {
    r.session.close();
    r.ws.terminate();
    return null;
  }
  if (WRONG_PEER.has(r.code))
    return {
      code: 'KIOSK_TOPOLOGY_RELAY_KEY',
      message: `the responder at the relay address did not prove the pinned relay key (${r.code})`,
      detail: { role: 'relay', found: r.code },
    };
  return { unchecked: r.code };
}

type Opener = (path: string, baudRate: number) => SerialTransport;
const serial: Opener = (path, baudRate) => new SerialPortTransport({ path, baudRate });

/** One ccTalk line: the category each address answers (undefined: no answer). */
async function ccTalkCategories(
  t: SerialTransport,
  addresses: readonly number[],
): Promise<Map<number, string | undefined>> {
  const out = new Map<number, string | undefined>();
  try {
    await t.open();
  } catch {
    for (const a of addresses) out.set(a, undefined);
    return out;
  }
  try {
    const bus = new CcTalkBus(t, { timeoutMs: 250 });
    for (const a of addresses) {
      const r = await bus.request(a, HEADER.requestEquipmentCategory, [], 1);
      out.set(a, r.ok ? String.fromCharCode(...r.data) : undefined);
    }
  } finally {
    await t.close().catch(() => undefined);
  }
  return out;
}

/**
 * Asks the reader, the coin acceptor and the hoppers who they are. Runs before the drivers open the ports
 * (each line is opened, asked and closed). `open` is the serial transport (tests pass their own).
 */
export async function checkDeviceModels(
  devices: DeviceConfig,
  options: { open?: Opener; readerTimeoutMs?: number } = {},
): Promise<KioskTopologyProblem[]> {
  const open = options.open ?? serial;
  const problems: KioskTopologyProblem[] = [];
  const wrong = (role: string, expected: string, found: string): KioskTopologyProblem => ({
    code: 'KIOSK_TOPOLOGY_DEVICE_MODEL',
    message: `${role}: expected ${expected}, the device answered ${found}`,
    detail: { role, expected, found },
  });

  const reader = new Pn532Reader({
    transport: () => open(devices.reader, 115200),
    reconnect: false,
    ...(options.readerTimeoutMs ? { timeouts: { commandMs: options.readerTimeoutMs } } : {}),
  });
  const r = await reader.open();
  await reader.close().catch(() => undefined);
  if (!r.ok && (r.code === 'READER_NOT_PN532' || r.code === 'READER_NO_TYPE_B'))
    problems.push(wrong('reader', 'PN532 with ISO 14443B', r.code));

  const acceptor = await ccTalkCategories(open(devices.coinAcceptor, 9600), [ADDRESS.coinAcceptor]);
  const a = acceptor.get(ADDRESS.coinAcceptor);
  if (a !== undefined && a !== 'Coin Acceptor') problems.push(wrong('coinAcceptor', 'Coin Acceptor', a));

  const hoppers = await ccTalkCategories(
    open(devices.hopper, 9600),
    HOPPERS.map((h) => h.address),
  );
  for (const h of HOPPERS) {
    const c = hoppers.get(h.address);
    if (c !== undefined && c !== 'Payout') problems.push(wrong(`hopper${h.yen}`, 'Payout', c));
  }
  return problems;
}

/**
 * Both checks; throws KioskTopologyError (after logging each problem) when one fails. Returns what could
 * not be checked (the relay unreachable) for the caller's log.
 */
export async function checkKioskTopology(o: {
  devices: DeviceConfig;
  relay: { url: string; relayPublicKey: Uint8Array; identity: Identity; crypto: CryptoProvider };
  log: Logger;
  open?: Opener;
}): Promise<{ unchecked: string[] }> {
  const [relay, devices] = await Promise.all([
    checkRelayKey(o.relay),
    checkDeviceModels(o.devices, o.open ? { open: o.open } : {}),
  ]);
  const problems = [...devices];
  const unchecked: string[] = [];
  if (relay !== null && 'unchecked' in relay) {
    unchecked.push(`relay: ${relay.unchecked}`);
    o.log.warn('topology.relay_unchecked', { code: relay.unchecked });
  } else if (relay !== null) problems.unshift(relay);
  if (problems.length > 0) {
    for (const p of problems) o.log.error('topology.refused', { code: p.code, ...p.detail });
    throw new KioskTopologyError(problems);
  }
  return { unchecked };
}
