/** What the kiosk needs to know about the printer. `gone` = its port is not there. */
export type PrinterState = 'ready' | 'paper-out' | 'cover-open' | 'jam' | 'offline' | 'gone';

/**
 * What the kiosk knows of the paper: `low` = the printer's near-empty sensor reports the tray low while it
 * still prints; `out` = it stopped for paper; `unknown` = no printer.
 */
export type PaperLevel = 'ok' | 'low' | 'out' | 'unknown';

/**
 * Whether a status code says the paper tray is low while the printer stays online. PJL has no standard
 * "paper low" code (the HP reference's 10xxx informational codes carry only "toner low", 10006, and its
 * 12xyy background tray status defines yy = 01 tray open and 02 tray lifting). We take 12x03 (tray x low,
 * online) for it, as the simulator reports; a model that signals it otherwise needs its code added here.
 */
export function paperLowFromPjlStatus(code: number): boolean {
  return Math.floor(code / 1000) === 12 && code % 100 === 3;
}

export type PrinterFaultCode =
  'PRINTER_PAPER_OUT' | 'PRINTER_COVER_OPEN' | 'PRINTER_JAM' | 'PRINTER_OFFLINE' | 'PRINTER_GONE';

/**
 * Maps a PJL status code (HP PJL reference, appendix D) to a state; `null` for codes that say nothing
 * about the device (20xxx–27xxx: PJL parser messages about a line).
 * 40021 cover open and 40022 jam follow the Panasonic KX-P7200 examples; 41xxx is paper out (foreground
 * paper mount); 42xxx–44xxx are jams; other 40xxx and 50xxx halt the printer (reported as offline).
 */
export function stateFromPjlStatus(code: number, online: boolean): Exclude<PrinterState, 'gone'> | null {
  const range = Math.floor(code / 1000);
  if (range >= 20 && range <= 27) return null;
  if (code === 40021) return 'cover-open';
  if (code === 40022 || (range >= 42 && range <= 44)) return 'jam';
  if (range === 41) return 'paper-out';
  if (range === 11) return online ? 'ready' : 'paper-out';
  if (range === 40 || range >= 50) return 'offline';
  return online ? 'ready' : 'offline';
}

export function faultCode(state: PrinterState): PrinterFaultCode | null {
  switch (state) {
    case 'ready':
      return null;
    case 'paper-out':
      return 'PRINTER_PAPER_OUT';
    case 'cover-open':
      return 'PRINTER_COVER_OPEN';
    case 'jam':
      return 'PRINTER_JAM';
    case 'offline':
      return 'PRINTER_OFFLINE';
    case 'gone':
      return 'PRINTER_GONE';
    default: {
      const never: never = state;
      return never;
    }
  }
}
