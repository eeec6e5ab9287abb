import type { Hono } from 'hono';
import { z } from 'zod';
import { SerialPortTransport } from '../../kiosk/drivers/transports/serial.js';
import { SimApiError, type SimContext, type SimDevice } from '../core/device.js';
import { VirtualSerialPair } from '../core/pty.js';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { Jlis, type JpkiCardMaterial } from '../../jlis-sim/jlis.js';
import { CARD_MODES, PIN_TRIES_MAX, SimCard, type CardMode, type SimCardOptions } from './card.js';
import { encodeBasic4Ef } from '../../protocol/card-data.js';
import { Pn532Emulator, type Pn532EmulatorOptions } from './pn532-emulator.js';
import { PinTriesStore } from './pin-store.js';
import { loadResidents, type Resident } from './residents.js';

export interface CardReaderDeviceOptions extends Omit<Pn532EmulatorOptions, 'onEvent'> {
  /** Port name under `ctx.portsDir`. Default `reader`. */
  portName?: string;
  residents?: Resident[];
  /** The J-LIS stand-in's state folder (cards' 利用者証明用 keys and certificates). Default `<stateDir>/jlis`. */
  jlisStateDir?: string;
}

const PlaceCardBody = z.object({
  resident: z.string().min(1),
  mode: z.enum(CARD_MODES).optional(),
});
const PinTriesBody = z.object({ remaining: z.number().int().min(0).max(PIN_TRIES_MAX) });

async function jsonBody(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new SimApiError('SIM_BAD_REQUEST', 'body is not valid JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new SimApiError(
      'SIM_BAD_REQUEST',
      `invalid body: ${r.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
    );
  return r.data;
}

/**
 * The card reader: an emulated PN532 on the device side of a virtual serial cable, holding the My Number card
 * of a chosen test resident. Panel API documented in hardware-sim/README.md ("Card reader").
 */
export class CardReaderDevice implements SimDevice {
  readonly id = 'reader';
  readonly #options: CardReaderDeviceOptions;
  readonly emulator: Pn532Emulator;
  #ctx: SimContext | undefined;
  #pair: VirtualSerialPair | undefined;
  #transport: SerialPortTransport | undefined;
  #pins: PinTriesStore | undefined;
  #residents = new Map<string, Resident>();
  #jlis: Jlis | undefined;
  readonly #jpki = new Map<string, JpkiCardMaterial>();

  constructor(options: CardReaderDeviceOptions = {}) {
    this.#options = options;
    this.emulator = new Pn532Emulator({
      ...options,
      onEvent: (e, d) => this.#ctx?.events.emit(this.id, e, d),
    });
  }

  get hostPath(): string {
    if (!this.#pair) throw new Error('card reader not started');
    return this.#pair.hostPath;
  }

  /** The 券面事項入力補助AP issuer's X.509 certificate (DER): what VRS trusts for カードAP data. */
  get kenhojoIssuerCertificate(): Uint8Array {
    return this.jlis.kenhojoSignerCertificate;
  }

  async start(ctx: SimContext): Promise<Record<string, string>> {
    this.#ctx = ctx;
    for (const r of this.#options.residents ?? loadResidents()) this.#residents.set(r.id, r);
    this.#pins = new PinTriesStore(ctx.stateDir);
    this.#jlis = await Jlis.open(this.#options.jlisStateDir ?? join(ctx.stateDir, 'jlis'));
    // Cards are issued on first placement (RSA-2048 key generation takes a while on a busy machine);
    // `prepareJpki()` issues them all at once (the test harness does).
    this.#pair = new VirtualSerialPair(ctx.portsDir, this.#options.portName ?? 'reader');
    await this.plug();
    return { reader: this.#pair.hostPath };
  }

  /** The J-LIS stand-in the cards come from. */
  get jlis(): Jlis {
    if (!this.#jlis) throw new Error('card reader not started');
    return this.#jlis;
  }

  /**
   * Loads residents' current 公的個人認証AP material from the J-LIS stand-in (issuing a first card where none
   * exists): the given resident's (before each placement from the panel, so a card reissued by the J-LIS
   * command line is the one placed next), or everyone's. A card placed without it has no 公的個人認証AP.
   */
  async prepareJpki(residentId?: string): Promise<void> {
    const jlis = this.jlis;
    jlis.reload();
    const list = [...this.#residents.values()].filter((r) => residentId === undefined || r.id === residentId);
    const got = await Promise.all(list.map((r) => jlis.cardFor(r)));
    list.forEach((r, i) => this.#jpki.set(r.id, got[i]!));
  }

  /** The 利用者証明用 certificate serial of a resident's current card (hex). */
  jpkiSerial(residentId: string): string | undefined {
    return this.#jpki.get(residentId)?.serial;
  }

  /** Plugs the reader in (the port appears; the PN532 powers up asleep). */
  async plug(): Promise<void> {
    const pair = this.#pair;
    if (!pair) throw new SimApiError('SIM_NOT_STARTED', 'card reader not started', 409);
    if (pair.plugged && this.#transport?.isOpen) return;
    await pair.plug();
    const transport = new SerialPortTransport({
      path: pair.devicePath,
      baudRate: this.#options.baudRate || 115200,
    });
    await transport.open();
    this.#transport = transport;
    this.emulator.attach(transport);
    this.#ctx?.events.emit(this.id, 'plugged');
  }

  /** Pulls the cable: the host-side port disappears. */
  async unplug(): Promise<void> {
    this.emulator.detach();
    const t = this.#transport;
    this.#transport = undefined;
    await this.#pair?.unplug();
    await t?.close().catch(() => undefined);
    this.#ctx?.events.emit(this.id, 'unplugged');
  }

  /** Places a resident's card (mode defaults to the resident's `cardMode`, else `normal`). */
  placeCard(residentId: string, mode?: CardMode): void {
    const r = this.#residents.get(residentId);
    if (!r || !this.#jlis || !this.#pins)
      throw new SimApiError('SIM_UNKNOWN_RESIDENT', 'no such test resident', 404);
    const m: CardMode = mode ?? r.cardMode ?? 'normal';
    const card = new SimCard({
      residentId: r.id,
      files: m === 'forged' ? this.#forge(r) : this.#jlis.kenhojoFiles(r),
      pin: r.pin,
      counter: this.#pins.counterFor(r.id, r.locked ? 0 : PIN_TRIES_MAX),
      hasAp: m !== 'no-ap',
      ...this.#jpkiFiles(r),
    });
    this.emulator.placeCard(card, m);
    this.#ctx?.events.emit(this.id, 'card-placed', { resident: r.id, mode: m });
  }

  #jpkiFiles(r: Resident): Pick<SimCardOptions, 'jpki'> {
    const m = this.#jpki.get(r.id);
    if (m === undefined) return {};
    return {
      jpki: {
        certificate: m.certificate,
        caCertificate: m.caCertificate,
        privateKey: m.privateKey,
        pin: r.jpkiPin ?? r.pin,
        counter: this.#pins!.counterFor(jpkiCounterId(r.id), r.jpkiLocked ? 0 : PIN_TRIES_MAX),
      },
    };
  }

  /** A genuine card whose 4-info EF was rewritten afterwards (a different name under the old signature). */
  #forge(r: Resident) {
    const genuine = this.#jlis!.kenhojoFiles(r);
    const basic4Ef = encodeBasic4Ef({
      name: `${r.name}改`,
      address: r.address,
      birthDate: r.birthDate,
      sex: r.sex,
    });
    return { ...genuine, basic4Ef };
  }

  removeCard(): void {
    const had = this.emulator.card?.residentId;
    this.emulator.removeCard();
    if (had) this.#ctx?.events.emit(this.id, 'card-removed', { resident: had });
  }

  /** Sets a resident's PIN retry counter (default: the card on the reader). */
  setPinTries(remaining: number, residentId?: string): void {
    const id = residentId ?? this.emulator.card?.residentId;
    if (!id) throw new SimApiError('CARD_NOT_PRESENT', 'no card on the reader', 409);
    this.#pins!.set(id, remaining);
    this.#ctx?.events.emit(this.id, 'pin-tries-set', { resident: id, remaining });
  }

  pinTries(residentId: string): number {
    const r = this.#residents.get(residentId);
    return this.#pins!.get(residentId, r?.locked ? 0 : PIN_TRIES_MAX);
  }

  /** Sets a resident's 利用者証明用 PIN retry counter (default: the card on the reader). */
  setJpkiPinTries(remaining: number, residentId?: string): void {
    const id = residentId ?? this.emulator.card?.residentId;
    if (!id) throw new SimApiError('CARD_NOT_PRESENT', 'no card on the reader', 409);
    this.#pins!.set(jpkiCounterId(id), remaining);
    this.#ctx?.events.emit(this.id, 'jpki-pin-tries-set', { resident: id, remaining });
  }

  jpkiPinTries(residentId: string): number {
    const r = this.#residents.get(residentId);
    return this.#pins!.get(jpkiCounterId(residentId), r?.jpkiLocked ? 0 : PIN_TRIES_MAX);
  }

  routes(app: Hono): void {
    app.get('/api/card', (c) => c.json(this.state()));
    app.post('/api/card', async (c) => {
      const body = parse(PlaceCardBody, await jsonBody(c));
      await this.prepareJpki(body.resident);
      this.placeCard(body.resident, body.mode);
      return c.json(this.state());
    });
    app.delete('/api/card', (c) => {
      this.removeCard();
      return c.json(this.state());
    });
    app.post('/api/card/pin-tries', async (c) => {
      const body = parse(PinTriesBody, await jsonBody(c));
      this.setPinTries(body.remaining);
      return c.json(this.state());
    });
    app.post('/api/card/lock', (c) => {
      this.setPinTries(0);
      return c.json(this.state());
    });
    app.post('/api/card/jpki-pin-tries', async (c) => {
      const body = parse(PinTriesBody, await jsonBody(c));
      this.setJpkiPinTries(body.remaining);
      return c.json(this.state());
    });
    app.get('/api/card/issuer', (c) => {
      if (!this.#jlis) throw new SimApiError('SIM_NOT_STARTED', 'card reader not started', 409);
      const pem = new X509Certificate(this.#jlis.kenhojoSignerCertificate).toString();
      return c.json({ certificate: pem, alg: 'RSASSA-PKCS1-v1_5 SHA-256' });
    });
    app.post('/api/reader/unplug', async (c) => {
      await this.unplug();
      return c.json(this.state());
    });
    app.post('/api/reader/plug', async (c) => {
      await this.plug();
      return c.json(this.state());
    });
  }

  /** Never includes the PIN or any card data: resident id, mode, remaining tries, plugged. */
  state(): Record<string, unknown> {
    const card = this.emulator.card;
    return {
      plugged: this.#pair?.plugged ?? false,
      present: card !== undefined,
      resident: card?.residentId ?? null,
      mode: card ? this.emulator.mode : null,
      remainingTries: card ? this.pinTries(card.residentId) : null,
      jpkiRemainingTries: card ? this.jpkiPinTries(card.residentId) : null,
      jpkiSerial: card ? (this.jpkiSerial(card.residentId) ?? null) : null,
    };
  }

  async stop(): Promise<void> {
    await this.unplug();
  }
}

/** The PIN tries store's key for a resident's 利用者証明用 PIN (its own counter). */
const jpkiCounterId = (residentId: string) => `${residentId}:jpki`;
