import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Hands a one-time launch URL to a browser without putting it on the browser's command line (any local
 * process can read `/proc/<pid>/cmdline`): writes a page that forwards to it into `dir`, a folder only this
 * user can read (0700; the file 0600), and returns that page's `file://` URL to pass instead. The secret is
 * void once the window has used it.
 */
export function writeLaunchFile(dir: string, launchUrl: string): string {
  if (!/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+\/#launch=[A-Za-z0-9_-]{43}$/.test(launchUrl))
    throw new TypeError('launchUrl: a loopback kiosk launch URL expected');
  chmodSync(dir, 0o700);
  const file = join(dir, 'open-kiosk.html');
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
      `<meta http-equiv="refresh" content="0;url=${launchUrl}"><title>Kiosk</title>\n`,
    { mode: 0o600 },
  );
  return pathToFileURL(file).href;
}
