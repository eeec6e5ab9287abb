/**
 * How an error code is documented: what it means, what the resident sees at the kiosk (Japanese and
 * English; `null` when the code never reaches a resident), and what the operator is told.
 */
export interface ErrorCodeInfo {
  readonly meaning: string;
  readonly resident: { readonly ja: string; readonly en: string } | null;
  readonly operator: string;
}

/** Declares a table of codes while keeping the literal code names as a type. */
export function defineCodes<const T extends Record<string, ErrorCodeInfo>>(table: T): T {
  return table;
}
