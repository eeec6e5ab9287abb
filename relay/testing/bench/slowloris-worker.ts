import { Slowloris } from '../slowloris.js';

/**
 * One attacker process of `slowloris-attack.ts`: holds a slowloris flood from its sources until told to
 * stop, and reports how many sockets it holds when asked.
 */
type Msg =
  { cmd: 'start'; port: number; sources: string[]; perSource: number; tickMs: number } | { cmd: 'count' };

let flood: Slowloris | undefined;
process.on('message', (m: Msg) => {
  if (m.cmd === 'start') {
    flood = new Slowloris(m.port, m.sources, m.perSource, m.tickMs);
    process.send?.({ started: true });
  } else {
    const lives = flood?.lives ?? [];
    process.send?.({
      open: flood?.open ?? 0,
      connects: flood?.connects ?? 0,
      closed: lives.length,
      longestMs: lives.reduce((a, l) => Math.max(a, l.closedAt - l.openedAt), 0),
    });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
