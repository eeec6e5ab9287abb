import type { PinPad } from '../../drivers/pinpad/index.js';
import type { PinPadEvent, PinPadPort } from '../flow/ports.js';

/** The flow's PIN pad port over the HID PIN pad driver: counts in, the PIN handed over once, zeroed after. */
export class PinPadAdapter implements PinPadPort {
  constructor(private readonly pad: Pick<PinPad, 'onEvent' | 'startEntry' | 'endEntry' | 'takePin'>) {}

  onEvent(listener: (e: PinPadEvent) => void): () => void {
    return this.pad.onEvent((e) => listener(e));
  }

  startEntry(): void {
    this.pad.startEntry();
  }

  endEntry(): void {
    this.pad.endEntry();
  }

  async takePin(): Promise<Uint8Array | undefined> {
    const buffer = this.pad.takePin();
    // `use` hands the digits out once and zeroes the pad's buffer afterwards.
    return buffer ? buffer.use((digits) => digits.slice()) : undefined;
  }
}
