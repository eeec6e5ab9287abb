import type { PGlite } from '@electric-sql/pglite';

/** Named prepared statements on one PGlite instance (see pglite-prepared.mjs). */
export declare function pglitePrepared(
  lite: PGlite,
): (
  name: string,
  sql: string,
  params: readonly unknown[],
) => Promise<{ rows: unknown[]; affectedRows: number }>;
