/** Adapters from the kiosk's drivers to the flow's ports. */
export { CardReaderAdapter, type PresenceReader } from './card.js';
export { PinPadAdapter } from './pinpad.js';
export { CoinAdapter } from './coin.js';
export { PrinterAdapter, pdfPageCount } from './printer.js';
export { certificatePort } from './certificate.js';
export { previewOf } from './preview.js';
