import type { SimDevice } from './core/device.js';
import { PrinterDevice } from './printer/device.js';
import { PinPadDevice } from './pinpad/device.js';
import { CoinAcceptorDevice, HopperDevice } from './coin/device.js';
import { CardReaderDevice } from './reader/device.js';
import { NoteValidatorDevice } from './note/device.js';

/**
 * The simulated devices `npm run sim` starts, in order. Each device module adds one line here.
 */
export function createDevices(): SimDevice[] {
  return [
    new CardReaderDevice(),
    new PrinterDevice(),
    new PinPadDevice(),
    new CoinAcceptorDevice(),
    new HopperDevice(),
    new NoteValidatorDevice(),
  ];
}
