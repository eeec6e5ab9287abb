export {
  PjlPrinter,
  type PjlPrinterOptions,
  type PrintResult,
  type PrintFailureCode,
  type PrinterEvent,
} from './pjl-printer.js';
export { buildPjlJob, buildPjlEcho, buildPjlCancel, buildPjlCommands, UEL, indexOfBytes } from './pjl-job.js';
export { PjlStatusDecoder, parsePjlMessage, type PjlMessage } from './pjl-status.js';
export {
  stateFromPjlStatus,
  faultCode,
  paperLowFromPjlStatus,
  type PaperLevel,
  type PrinterState,
  type PrinterFaultCode,
} from './printer-state.js';
