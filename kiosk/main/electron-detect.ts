import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Electron binary, if one is installed. `require('electron')` would try to download it at run time, so
 * look for what `npm run setup:electron` leaves: `node_modules/electron/path.txt` and `dist/`.
 */
export function installedElectron(root = process.cwd()): string | null {
  const dir = join(root, 'node_modules', 'electron');
  const pathTxt = join(dir, 'path.txt');
  if (!existsSync(pathTxt) || !existsSync(join(dir, 'dist'))) return null;
  const bin = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}
