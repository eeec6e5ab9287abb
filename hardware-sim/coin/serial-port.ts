import { SerialPortTransport } from '../../kiosk/drivers/transports/serial.js';
import { VirtualSerialPair } from '../core/pty.js';
import type { SimCcTalkDevice } from './cctalk-device.js';

/** A simulated ccTalk device on its own virtual serial cable (9600 8N1), which can be pulled and put back. */
export class CcTalkPort {
  readonly pair: VirtualSerialPair;
  #transport: SerialPortTransport | undefined;

  constructor(
    dir: string,
    name: string,
    private readonly device: SimCcTalkDevice,
  ) {
    this.pair = new VirtualSerialPair(dir, name);
  }

  get plugged(): boolean {
    return this.pair.plugged;
  }

  async plug(): Promise<void> {
    if (this.pair.plugged) return;
    await this.pair.plug();
    const t = new SerialPortTransport({ path: this.pair.devicePath, baudRate: 9600 });
    await t.open();
    this.#transport = t;
    this.device.attach(t);
  }

  async unplug(): Promise<void> {
    this.device.detach();
    await this.#transport?.close().catch(() => undefined);
    this.#transport = undefined;
    await this.pair.unplug();
  }
}
