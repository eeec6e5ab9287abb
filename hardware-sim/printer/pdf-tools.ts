import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Quick structural check: header, trailer, and a page count from poppler's `pdfinfo`. */
export async function renderPdf(
  pdf: Uint8Array,
  dpi = 50,
): Promise<{ ok: true; pages: number; png: Uint8Array[] } | { ok: false; code: 'SIM_PDF_INVALID' }> {
  const head = String.fromCharCode(...pdf.subarray(0, 5));
  const tail = String.fromCharCode(...pdf.subarray(Math.max(0, pdf.length - 1024)));
  if (head !== '%PDF-' || !tail.includes('%%EOF')) return { ok: false, code: 'SIM_PDF_INVALID' };
  // poppler reads files: use a private temp folder and delete it at once (nothing is kept on disk).
  const dir = await mkdtemp(join(tmpdir(), 'sim-printer-'));
  try {
    const file = join(dir, 'job.pdf');
    await writeFile(file, pdf, { mode: 0o600 });
    let pages: number;
    try {
      const { stdout } = await run('pdfinfo', [file], { timeout: 20_000 });
      const m = /^Pages:\s+(\d+)/m.exec(stdout);
      if (!m) return { ok: false, code: 'SIM_PDF_INVALID' };
      pages = Number(m[1]);
    } catch {
      return { ok: false, code: 'SIM_PDF_INVALID' };
    }
    if (pages < 1) return { ok: false, code: 'SIM_PDF_INVALID' };
    await run('pdftoppm', ['-png', '-r', String(dpi), file, join(dir, 'page')], { timeout: 60_000 });
    const files = (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();
    const png = await Promise.all(files.map(async (f) => new Uint8Array(await readFile(join(dir, f)))));
    if (png.length !== pages) return { ok: false, code: 'SIM_PDF_INVALID' };
    return { ok: true, pages, png };
  } catch {
    return { ok: false, code: 'SIM_PDF_INVALID' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
