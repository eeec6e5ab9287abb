export { CardReaderDevice, type CardReaderDeviceOptions } from './device.js';
export { Pn532Emulator, type Pn532EmulatorOptions, type LineStats } from './pn532-emulator.js';
export { SimCard, PIN_TRIES_MAX, CARD_MODES, type CardMode, type PinCounter } from './card.js';
export { loadResidents, ResidentSchema, RESIDENTS_PATH, type Resident } from './residents.js';
export { PinTriesStore } from './pin-store.js';
