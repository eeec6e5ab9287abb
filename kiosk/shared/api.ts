import type { Intent, IntentResult } from './intents.js';
import type { CertType, ViewState } from './view.js';

/**
 * The one API object the renderer sees (`window.kiosk`), exposed by the Electron preload or, in a plain
 * browser, by the loopback bridge. Intention-named methods only; no channel names, no `ipcRenderer`.
 */
export interface KioskApi {
  startTransaction(): Promise<IntentResult>;
  chooseService(): Promise<IntentResult>;
  chooseMunicipality(code: string): Promise<IntentResult>;
  chooseCertType(certType: CertType): Promise<IntentResult>;
  chooseCopies(copies: number): Promise<IntentResult>;
  confirm(): Promise<IntentResult>;
  cancel(): Promise<IntentResult>;
  retryPrint(): Promise<IntentResult>;
  refund(): Promise<IntentResult>;
  done(): Promise<IntentResult>;
  /** A touch: restarts the idle timer. */
  activity(): Promise<IntentResult>;
  getState(): Promise<ViewState>;
  /** Every new view; returns an unsubscribe function. */
  onState(listener: (view: ViewState) => void): () => void;
}

/** How a host carries intents and views (Electron IPC or the loopback WebSocket). */
export interface KioskApiTransport {
  intent(intent: Intent): Promise<IntentResult>;
  getState(): Promise<ViewState>;
  subscribe(listener: (view: ViewState) => void): () => void;
}

/** Builds the API object over a transport; the same code in the preload and in the browser bridge. */
export function createKioskApi(t: KioskApiTransport): KioskApi {
  return Object.freeze({
    startTransaction: () => t.intent({ type: 'start' }),
    chooseService: () => t.intent({ type: 'choose-service', service: 'covid-vaccine-certificate' }),
    chooseMunicipality: (code: string) => t.intent({ type: 'choose-municipality', code }),
    chooseCertType: (certType: CertType) => t.intent({ type: 'choose-cert-type', certType }),
    chooseCopies: (copies: number) => t.intent({ type: 'choose-copies', copies }),
    confirm: () => t.intent({ type: 'confirm' }),
    cancel: () => t.intent({ type: 'cancel' }),
    retryPrint: () => t.intent({ type: 'retry-print' }),
    refund: () => t.intent({ type: 'refund' }),
    done: () => t.intent({ type: 'done' }),
    activity: () => t.intent({ type: 'activity' }),
    getState: () => t.getState(),
    onState: (listener: (view: ViewState) => void) => t.subscribe(listener),
  });
}

/** The global name the API is exposed under. */
export const KIOSK_API_GLOBAL = 'kiosk';
