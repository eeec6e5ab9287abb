import type { Hono } from 'hono';
import { loadResidents, type Resident } from '../reader/residents.js';

/**
 * What the panel shows of a test resident: the id, a label made of the id and its special case (never the
 * name or My Number), the notes, and the card PIN (fictional test data testers need to type).
 */
export interface ResidentView {
  id: string;
  label: string;
  notes: string;
  pin: string;
}

export function residentView(r: Resident): ResidentView {
  const tags = [r.locked ? 'locked' : '', r.cardMode ?? '', r.passport ? 'passport' : ''].filter(
    (t) => t !== '',
  );
  return { id: r.id, label: tags.length ? `${r.id} [${tags.join(', ')}]` : r.id, notes: r.notes, pin: r.pin };
}

/** `GET /api/residents`: the fixture's residents for the panel's card picker. */
export function residentsRoute(app: Hono, load: () => Resident[] = loadResidents): void {
  let cached: ResidentView[] | undefined;
  app.get('/api/residents', (c) => {
    cached ??= load().map(residentView);
    return c.json(cached);
  });
}
