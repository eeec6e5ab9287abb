import { afterEach, expect, it, vi } from 'vitest';
import { openDb } from '../../common/db.js';
import { createLogger } from '../../common/log.js';
import { FleetStore } from './fleet.js';
import { migrate } from './schema.js';

afterEach(() => void vi.useRealTimers());

it('writes what changed before close and nothing after it (no write on a closed database at relay stop)', async () => {
  const db = await openDb();
  await migrate(db);
  const lines: string[] = [];
  const fleet = new FleetStore(
    db,
    createLogger('test', (l) => lines.push(l)),
  );
  const flushed: string[][] = [];
  fleet.onChange = (ids) => flushed.push(ids);
  fleet.sessionChanged('kiosk-a', 'p1', true);
  await fleet.close();
  expect(flushed).toEqual([['kiosk-a']]);
  await db.close();
  // A session closing during the rest of the relay's stop (the endpoint's sockets, a late heartbeat).
  vi.useFakeTimers();
  fleet.sessionChanged('kiosk-a', 'p1', false);
  fleet.healthChanged('kiosk-b', { reader: 'ok' });
  await vi.advanceTimersByTimeAsync(5_000);
  expect(flushed).toHaveLength(1);
  expect(lines.filter((l) => l.includes('fleet.flush_failed'))).toEqual([]);
}, 180_000);
