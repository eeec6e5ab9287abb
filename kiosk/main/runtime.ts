import { z } from 'zod';
import { CodedError } from '../../protocol/errors/index.js';
import type { Logger } from '../../common/log.js';
import type { DeviceHealth } from '../../protocol/index.js';
import { createLogger } from '../../common/log.js';
import { realDevicesBesideTestPanel } from '../../common/test-panel.js';
import { CoinUnit, type HopperReport } from '../drivers/coin/index.js';
import { NoteValidator, type NoteState } from '../drivers/note/index.js';
import { PinPad } from '../drivers/pinpad/index.js';
import { Pn532Reader } from '../drivers/pn532/index.js';
import { PjlPrinter } from '../drivers/printer/index.js';
import { NodeHidTransport } from '../drivers/transports/hid.js';
import { LoopbackHidTransport } from '../drivers/transports/hid-loopback.js';
import { SerialPortTransport } from '../drivers/transports/serial.js';
import { CardReaderAdapter, CoinAdapter, PinPadAdapter, PrinterAdapter } from '../core/devices/index.js';
import { FlowConfigSchema, KioskFlow } from '../core/flow/index.js';
import type { CertificatePort, Clock, RelayPort } from '../core/flow/index.js';
import { systemClock } from '../core/flow/index.js';

/**
 * Where the kiosk's devices are: serial paths (a real port or a simulator's pty) and the PIN pad as a HID
 * path or, for the simulator, a loopback `ws://` URL. Parsed from `unknown` (config file, environment).
 */
export const DeviceConfigSchema = z.object({
  reader: z.string().min(1),
  printer: z.string().min(1),
  pinpad: z.string().min(1),
  coinAcceptor: z.string().min(1),
  hopper: z.string().min(1),
  /** The ID-003 note validator's serial line (9600 8E1); without it the kiosk takes coins only. */
  noteValidator: z.string().min(1).optional(),
});
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

export const RuntimeConfigSchema = z.object({
  devices: DeviceConfigSchema,
  flow: FlowConfigSchema.partial().default({}),
  /**
   * How the card step authenticates the resident: `jpki` (the 利用者証明用 PIN and a card signature, the
   * default) or `card-ap` (the 券面事項入力補助用 PIN and the AP's files). PROTOCOL.md, "JPKI authentication".
   */
  authMethod: z.enum(['jpki', 'card-ap']).default('jpki'),
  /** How long a print job may make no progress before it is reported failed (driver default 120 s). */
  printerJobTimeoutMs: z.number().int().positive().optional(),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;

export interface KioskRuntime<C> {
  flow: KioskFlow<C>;
  /** The devices' state for the relay heartbeat. */
  health(): DeviceHealth;
  /** Called (at most once a second) when `health()` changes: the kiosk reports it to the relay at once. */
  onHealthChange(listener: () => void): () => void;
  /** Each change hopper and the note validator, for the operator (levels, faults). */
  cash(): { hoppers: HopperReport[]; noteValidator: NoteState | 'absent' };
  stop(): Promise<void>;
}

/** The kiosk cannot start as configured (thrown before any device is opened). */
export class KioskStartError extends CodedError<'KIOSK_PANEL_WITH_REAL_DEVICES'> {}

type HopperHealth = NonNullable<DeviceHealth['hoppers']>[number]['state'];
const ORDER: HopperHealth[] = ['disconnected', 'fault', 'jam', 'empty', 'low', 'unknown', 'ok'];
/** The worst of several hoppers' states (the summary `hopper` field older relays read). */
const worst = (states: HopperHealth[]): HopperHealth =>
  states.length === 0 ? 'unknown' : (ORDER.find((s) => states.includes(s)) ?? 'ok');

/**
 * One change hopper as the heartbeat reports it: unplugged, jammed (a payout stuck: the store must clear it),
 * empty (a payout ran it dry), low (its sensor), ok. A jam is never reported as empty.
 */
export function hopperHealth(h: HopperReport): HopperHealth {
  return !h.connected ? 'disconnected' : h.jammed ? 'jam' : h.empty ? 'empty' : h.low ? 'low' : 'ok';
}

/** The note validator's driver state as health: working states are ok, the cash box and jams as they are. */
function noteHealth(s: NoteState): NonNullable<DeviceHealth['noteValidator']> {
  switch (s) {
    case 'gone':
      return 'disconnected';
    case 'initializing':
      return 'unknown';
    case 'cash-box-full':
      return 'full';
    case 'cash-box-open':
      return 'cashbox-removed';
    case 'jam':
      return 'jam';
    case 'failure':
      return 'fault';
    case 'disabled':
    case 'idle':
    case 'accepting':
    case 'escrow':
    case 'stacking':
    case 'returning':
    case 'rejecting':
      return 'ok';
    default: {
      const never: never = s;
      return never;
    }
  }
}

/** Reported with every heartbeat. */
export const SOFTWARE_VERSION = 'kiosk-0.1.0';

/**
 * Builds the main-process core: the four device drivers on their transports, the adapters, and the flow over
 * them with the given relay and certificate ports. The same function runs in the Electron main process and
 * in `npm start`'s loopback host.
 */
export async function startKioskRuntime<C>(
  rawConfig: unknown,
  deps: {
    relay: RelayPort<C>;
    certificate: CertificatePort<C>;
    clock?: Clock;
    log?: Logger;
    /** The kiosk's id (identity key, base64url), signed into each JPKI challenge. */
    kioskId?: string;
  },
): Promise<KioskRuntime<C>> {
  const config = RuntimeConfigSchema.parse(rawConfig);
  const log = deps.log ?? createLogger('kiosk');
  const d = config.devices;
  // The testers' control panel must never drive a kiosk on real hardware: with a panel in this process,
  // every device must be one of its simulators.
  const real = Object.entries(d).filter(
    ([, path]) => path !== undefined && realDevicesBesideTestPanel([path]).length > 0,
  );
  if (real.length > 0) {
    log.error('kiosk.refused-panel-beside-real-devices', {
      code: 'KIOSK_PANEL_WITH_REAL_DEVICES',
      devices: real.map(([k]) => k).join(','),
    });
    throw new KioskStartError(
      'KIOSK_PANEL_WITH_REAL_DEVICES',
      `a testers' control panel runs in this process; refusing real devices: ${real.map(([k]) => k).join(', ')}`,
    );
  }
  const reader = new Pn532Reader({
    transport: () => new SerialPortTransport({ path: d.reader, baudRate: 115200 }),
    logger: log.child('reader'),
  });
  const printer = new PjlPrinter({
    connect: () => new SerialPortTransport({ path: d.printer, baudRate: 115200 }),
    ...(config.printerJobTimeoutMs ? { jobTimeoutMs: config.printerJobTimeoutMs } : {}),
    logger: log.child('printer'),
  });
  const pinpad = new PinPad({
    connect: () =>
      d.pinpad.startsWith('ws://')
        ? new LoopbackHidTransport(d.pinpad)
        : new NodeHidTransport({ path: d.pinpad }),
    logger: log.child('pinpad'),
  });
  const coins = new CoinUnit({
    acceptor: () => new SerialPortTransport({ path: d.coinAcceptor, baudRate: 9600 }),
    hopper: () => new SerialPortTransport({ path: d.hopper, baudRate: 9600 }),
    logger: log.child('coin'),
  });
  const notes = d.noteValidator
    ? new NoteValidator({
        connect: () => new SerialPortTransport({ path: d.noteValidator!, baudRate: 9600, parity: 'even' }),
        logger: log.child('note'),
      })
    : undefined;
  const opened = await reader.open();
  if (!opened.ok) log.warn('kiosk.reader-not-ready', { code: opened.code });
  await Promise.all([printer.start(), pinpad.start(), coins.start(), notes?.start()]);
  const card = new CardReaderAdapter({
    reader,
    logger: log.child('card'),
    method: config.authMethod,
    ...(deps.kioskId !== undefined ? { kioskId: deps.kioskId } : {}),
  });
  const flow = new KioskFlow<C>(
    {
      card,
      pinpad: new PinPadAdapter(pinpad),
      coin: new CoinAdapter(coins, notes),
      printer: new PrinterAdapter(printer),
      certificate: deps.certificate,
      relay: deps.relay,
      clock: deps.clock ?? systemClock,
    },
    FlowConfigSchema.parse(config.flow),
    log.child('flow'),
  );
  flow.start();
  card.start();
  /**
   * Every state the drivers know, as it is: printer cover open / jam / offline (a fault), paper out (the
   * printer is fine, its paper is not), acceptor jam, hopper empty or jammed at the last payout.
   */
  const health = (): DeviceHealth => {
    const p = printer.state;
    // Each hopper as it is (`hopperHealth`): unplugged, jammed, empty, low, ok.
    const hoppers = coins.hoppers.map((h) => ({ denomination: h.yen, state: hopperHealth(h) }));
    return {
      reader: reader.state === 'ready' ? 'ok' : reader.state === 'connecting' ? 'unknown' : 'disconnected',
      printer:
        p === 'ready' || p === 'paper-out'
          ? 'ok'
          : p === 'gone'
            ? 'disconnected'
            : p === 'cover-open' || p === 'jam'
              ? p
              : 'fault',
      paper: printer.paper,
      pinpad: pinpad.connected ? 'ok' : 'disconnected',
      coin: !coins.acceptorConnected ? 'disconnected' : coins.acceptorJammed ? 'jam' : 'ok',
      hopper: !coins.hopperConnected ? 'disconnected' : worst(hoppers.map((h) => h.state)),
      hoppers,
      ...(notes ? { noteValidator: noteHealth(notes.state) } : {}),
      software: SOFTWARE_VERSION,
    };
  };
  const healthListeners = new Set<() => void>();
  let lastHealth = JSON.stringify(health());
  const watch = setInterval(() => {
    const now = JSON.stringify(health());
    if (now === lastHealth) return;
    lastHealth = now;
    for (const l of healthListeners) l();
  }, 1000);
  watch.unref();
  return {
    flow,
    health,
    onHealthChange(listener) {
      healthListeners.add(listener);
      return () => healthListeners.delete(listener);
    },
    cash() {
      return { hoppers: coins.hoppers, noteValidator: notes ? notes.state : 'absent' };
    },
    async stop() {
      clearInterval(watch);
      flow.stop();
      await card.stop();
      await Promise.allSettled([reader.close(), printer.stop(), pinpad.stop(), coins.stop(), notes?.stop()]);
    },
  };
}
