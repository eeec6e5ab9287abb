import { MUNICIPALITIES, findMunicipality, findPrefecture } from './municipalities.js';
import type { FindResult, ResidentStore } from './storage/store.js';
import { suppressSmallCells, type PublishedCounts } from './aggregates.js';

/**
 * Who is asking. A municipality works on its own partition only; a prefecture and the national
 * government see aggregate counts only, never a person (docs/reference.md §0: "the national government and
 * prefectures cannot access specific personal information").
 */
export type Role =
  { kind: 'municipality'; code: string } | { kind: 'prefecture'; code: string } | { kind: 'national' };

/** Parses `municipality:<6 digits>`, `prefecture:<2 digits>` or `national`; throws on anything else. */
export function parseRole(text: string): Role {
  if (typeof text !== 'string') throw new TypeError('role: string expected');
  if (text === 'national') return { kind: 'national' };
  const m = /^municipality:(\d{6})$/.exec(text);
  if (m?.[1] !== undefined) {
    if (findMunicipality(m[1]) === undefined)
      throw new TypeError(`role: ${m[1]} is not a participating municipality`);
    return { kind: 'municipality', code: m[1] };
  }
  const p = /^prefecture:(\d{2})$/.exec(text);
  if (p?.[1] !== undefined) {
    if (findPrefecture(p[1]) === undefined)
      throw new TypeError(`role: prefecture ${p[1]} has no participating municipality`);
    return { kind: 'prefecture', code: p[1] };
  }
  throw new TypeError('role: municipality:<code>, prefecture:<code> or national expected');
}

export function roleName(role: Role): string {
  return role.kind === 'national' ? 'national' : `${role.kind}:${role.code}`;
}

export type Forbidden = { ok: false; code: 'VRS_FORBIDDEN' };
const FORBIDDEN: Forbidden = { ok: false, code: 'VRS_FORBIDDEN' };

/** What one role may do. Every access to residents goes through here. */
export interface RoleView {
  readonly role: Role;
  /** Municipality role, own municipality only; any other role or municipality: VRS_FORBIDDEN. */
  findResident(municipality: string, myNumber: string): Promise<FindResult | Forbidden>;
  /**
   * Aggregate counts of the municipalities this role oversees: exact for a municipality's own figures;
   * with small cells suppressed (`aggregates.ts`) for a prefecture and the nation.
   */
  counts(): Promise<PublishedCounts[]>;
  /** Counts of another scope: allowed only within this role's own scope. */
  countsOf(municipality: string): Promise<{ ok: true; counts: PublishedCounts } | Forbidden>;
}

function scope(role: Role): string[] {
  switch (role.kind) {
    case 'municipality':
      return [role.code];
    case 'prefecture':
      return MUNICIPALITIES.filter((m) => m.prefecture === role.code).map((m) => m.code);
    case 'national':
      return MUNICIPALITIES.map((m) => m.code);
    default: {
      const never: never = role;
      throw new TypeError(`role: ${String(never)}`);
    }
  }
}

/** The service layer over the resident store: the endpoint and the CLI reach residents only through it. */
export class VrsService {
  readonly #store: ResidentStore;

  constructor(store: ResidentStore) {
    this.#store = store;
  }

  as(role: Role): RoleView {
    const allowed = new Set(scope(role));
    const store = this.#store;
    const publish =
      role.kind === 'municipality'
        ? (c: Parameters<typeof suppressSmallCells>[0]): PublishedCounts => ({ ...c, suppressed: false })
        : (c: Parameters<typeof suppressSmallCells>[0]): PublishedCounts => suppressSmallCells(c);
    return {
      role,
      async findResident(municipality, myNumber) {
        if (role.kind !== 'municipality' || role.code !== municipality) return FORBIDDEN;
        return store.find(municipality, myNumber);
      },
      counts: async () => (await store.counts([...allowed])).map(publish),
      async countsOf(municipality) {
        if (!allowed.has(municipality)) return FORBIDDEN;
        const [c] = await store.counts([municipality]);
        if (c === undefined) return FORBIDDEN;
        return { ok: true, counts: publish(c) };
      },
    };
  }
}
