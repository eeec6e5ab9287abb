import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles the Electron main process (ESM) and the sandboxed preload (one CommonJS file) into `outDir`.
 * Packages stay external (resolved from the repository's node_modules), so `outDir` must be inside it.
 */
export async function buildElectronApp(outDir: string): Promise<{ main: string; preload: string }> {
  const kioskDir = join(dirname(fileURLToPath(import.meta.url)), '..');
  mkdirSync(outDir, { recursive: true });
  const main = join(outDir, 'main.mjs');
  const preload = join(outDir, 'preload.cjs');
  await build({
    entryPoints: [join(kioskDir, 'main', 'electron-main.ts')],
    outfile: main,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    logLevel: 'silent',
  });
  await build({
    entryPoints: [join(kioskDir, 'preload', 'preload.ts')],
    outfile: preload,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
    logLevel: 'silent',
  });
  return { main, preload };
}
