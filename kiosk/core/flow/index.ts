export { KioskFlow, type TransactionEnd } from './machine.js';
export { flowConfig, FlowConfigSchema, type FlowConfig, FEE_PER_COPY_YEN, PIN_LENGTH } from './config.js';
export { systemClock } from './ports.js';
export type {
  CardData,
  CardPort,
  CardReadResult,
  CertificatePort,
  Clock,
  CoinPort,
  Done,
  Failure,
  FlowPorts,
  IssueRequest,
  IssueResult,
  PinPadEvent,
  PinPadPort,
  PrinterPort,
  RelayPort,
  TimerHandle,
} from './ports.js';
