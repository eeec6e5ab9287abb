import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Each runtime layer is type-checked with only the types that runtime has (`tsconfig/*.json`, run by
 * `npm run typecheck`): `protocol/` with neither Node's nor the DOM's, the renderer and the operators' dashboard
 * with the DOM's only, the preload without Node's, every Node layer (relay, VRS, J-LIS, simulators, kiosk core,
 * drivers, host, main, scripts) without the DOM's. A file planted in a layer (in memory, nothing is written) must fail when it touches
 * what its runtime does not have, and pass when it does not.
 */
const root = process.cwd();

function diagnosticsOf(config: string, file: string, code: string): string[] {
  const configPath = join(root, 'tsconfig', config);
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const planted = resolve(root, file);
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, create) =>
    resolve(name) === planted
      ? ts.createSourceFile(name, code, language)
      : getSourceFile(name, language, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === planted || fileExists(name);
  // The planted file plus the layer's own declaration files (its globals), nothing else of the project.
  const declarations = parsed.fileNames.filter(
    (f) => f.endsWith('.d.ts') && dirname(f) === join(root, 'tsconfig'),
  );
  const program = ts.createProgram([planted, ...declarations], parsed.options, host);
  const source = program.getSourceFile(planted)!;
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, ' '),
  );
}

describe('runtime layers are type-checked with their runtime’s types only', () => {
  it.each([
    ['protocol.json', 'protocol/planted.ts', 'export const a = process.env;'],
    ['protocol.json', 'protocol/planted.ts', "export const a = Buffer.from('x');"],
    ['protocol.json', 'protocol/planted.ts', 'export const a = document.title;'],
    ['protocol.json', 'protocol/planted.ts', 'export const a = window.location;'],
    ['protocol.json', 'protocol/planted.ts', 'export const a = setImmediate;'],
    ['renderer.json', 'kiosk/renderer/planted.ts', 'export const a = process.env;'],
    ['renderer.json', 'kiosk/renderer/planted.ts', "export const a = Buffer.from('x');"],
    ['renderer.json', 'kiosk/renderer/planted.ts', "export const a = require('node:fs');"],
    ['renderer.json', 'kiosk/shared/planted.ts', 'export const a = __dirname;'],
    ['renderer.json', 'kiosk/host/browser/planted.ts', 'export const a = process.pid;'],
    ['preload.json', 'kiosk/preload/planted.ts', 'export const a = process.env;'],
    ['preload.json', 'kiosk/preload/planted.ts', "export const a = Buffer.from('x');"],
    ['node.json', 'relay/planted.ts', 'export const a = document.title;'],
    ['node.json', 'kiosk/core/planted.ts', 'export const a = window.location;'],
    ['node.json', 'vrs-sim/planted.ts', 'export const a = localStorage.length;'],
    ['dashboard.json', 'relay/ops/dashboard/web/planted.ts', 'export const a = process.env;'],
    ['dashboard.json', 'relay/ops/dashboard/web/planted.ts', "export const a = Buffer.from('x');"],
  ])('%s refuses %s: %s', (config, file, code) => {
    expect(diagnosticsOf(config, file, code).join('\n')).toMatch(/Cannot find name|cannot find/i);
  });

  it.each([
    ['protocol.json', 'protocol/planted.ts', "export const a = new TextEncoder().encode('x');"],
    ['protocol.json', 'protocol/planted.ts', 'export const a: Uint8Array = new Uint8Array(2);'],
    ['renderer.json', 'kiosk/renderer/planted.ts', 'export const a = document.title;'],
    ['preload.json', 'kiosk/preload/planted.ts', 'export const a = window.location.href;'],
    ['node.json', 'relay/planted.ts', "export const a = Buffer.from('x').length + process.pid;"],
    ['dashboard.json', 'relay/ops/dashboard/web/planted.ts', 'export const a = document.title;'],
  ])('%s allows %s: %s', (config, file, code) => {
    expect(diagnosticsOf(config, file, code)).toEqual([]);
  });
});

/**
 * Imports by allow-list (`.dependency-cruiser.cjs`, run by `npm run lint`): files planted in each layer for the
 * length of one `depcruise` run (unique names, removed afterwards) must be refused, and the controls allowed.
 */
describe('runtime layers import by allow-list (dependency-cruiser)', () => {
  const refused: [string, string][] = [
    ['protocol', "import 'node:fs';"],
    ['protocol', "import 'ws';"],
    ['protocol', "import 'pdfkit';"],
    ['protocol', "import '../common/log.js';"],
    ['kiosk/renderer', "import '../drivers/transports/serial.js';"],
    ['kiosk/renderer', "import 'electron';"],
    ['kiosk/renderer', "import '../core/flow/index.js';"],
    ['kiosk/preload', "import 'node:fs';"],
    ['kiosk/preload', "import 'serialport';"],
    ['kiosk/host/browser', "import 'node:fs';"],
    ['kiosk/core', "import 'electron';"],
    ['kiosk/drivers/pn532', "import 'serialport';"],
    ['hardware-sim', "import '../kiosk/core/flow/index.js';"],
    ['relay', "import 'serialport';"],
    ['relay', "import 'electron';"],
    ['relay', "import '../hardware-sim/runtime.js';"],
    ['vrs-sim', "import 'pdfkit';"],
    ['vrs-sim', "import '../relay/index.js';"],
  ];
  const allowed: [string, string][] = [
    ['protocol', "import 'zod';"],
    ['kiosk/drivers/transports', "import 'serialport';"],
    ['kiosk/preload', "import 'electron';"],
    ['relay', "import '../common/db.js';"],
    ['kiosk/renderer', "import '../shared/api.js';"],
  ];

  it('refuses every planted violation and allows the controls', () => {
    const planted = [...refused, ...allowed].map(([dir, code], i) => {
      const file = `${dir}/__planted_${process.pid}_${i}.ts`;
      writeFileSync(join(root, file), `${code}\nexport {};\n`);
      return file;
    });
    let report: { summary: { violations: { from: string; to: string; rule: { name: string } }[] } };
    try {
      const run = spawnSync(
        process.execPath,
        [
          join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
          '--config',
          '.dependency-cruiser.cjs',
          '--output-type',
          'json',
          ...planted,
        ],
        { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      report = JSON.parse(run.stdout) as typeof report;
    } finally {
      for (const f of planted) rmSync(join(root, f), { force: true });
    }
    const violating = new Set(report.summary.violations.map((v) => v.from));
    planted.forEach((file, i) => {
      const [dir, code] = [...refused, ...allowed][i]!;
      expect(violating.has(file), `${dir}: ${code}`).toBe(i < refused.length);
    });
  }, 120_000);
});

/**
 * One error class (`CodedError`, protocol/errors/coded.ts): every error the product throws carries a documented
 * code. Source files outside tests may neither declare another error class on `Error` nor glue a `code` onto a
 * bare `Error`. The exceptions are listed with their reason.
 */
describe('errors are CodedErrors with documented codes', () => {
  const EXEMPT = new Map([
    ['protocol/errors/coded.ts', 'the class itself'],
    ['relay/ops/dashboard/web/api.ts', 'the browser side: carries the code the server answered, as received'],
    ['relay/cli.ts', 'UsageError: control flow to the usage text, never leaves the command'],
    [
      'common/db-thread.ts',
      'carries PostgreSQL SQLSTATE codes across the worker boundary, like node-postgres',
    ],
  ]);
  const sources = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts', '*.mjs'], { cwd: root })
    .stdout.toString()
    .split('\n')
    .filter((f) => f !== '' && !/\.test\.ts$|\.spec\.ts$|\/testing\/|^tests\//.test(f));

  it('finds the source files', () => expect(sources.length).toBeGreaterThan(200));

  it('no other error class and no code glued onto a bare Error', () => {
    const offenders: string[] = [];
    for (const f of sources) {
      if (EXEMPT.has(f)) continue;
      const text = readFileSync(join(root, f), 'utf8');
      if (/extends (Type|Range)?Error\b/.test(text)) offenders.push(`${f}: declares an error class on Error`);
      if (/Object\.assign\(\s*new (Type|Range)?Error\(/.test(text))
        offenders.push(`${f}: glues a code onto Error`);
    }
    expect(offenders).toEqual([]);
  });

  it('the check sees a planted offender', () => {
    expect(/extends (Type|Range)?Error\b/.test('class X extends Error {}')).toBe(true);
    expect(
      /Object\.assign\(\s*new (Type|Range)?Error\(/.test("Object.assign(new Error('x'), { code })"),
    ).toBe(true);
  });

  it('a CodedError keeps its code, message, cause and subclass name', async () => {
    const { CodedError, codeOf, coded } = await import('../protocol/errors/index.js');
    class PartError extends CodedError {}
    const cause = new Error('low level');
    const e = new PartError('DEVICE_DISCONNECTED', 'the reader went away', { cause });
    expect([e.code, e.message, e.cause, e.name, e instanceof CodedError]).toEqual([
      'DEVICE_DISCONNECTED',
      'the reader went away',
      cause,
      'PartError',
      true,
    ]);
    expect(coded('CHANNEL_CLOSED', 'x').code).toBe('CHANNEL_CLOSED');
    expect(codeOf(e, 'KIOSK_INTERNAL')).toBe('DEVICE_DISCONNECTED');
    expect(codeOf(Object.assign(new Error('x'), { code: 'ENOENT' }), 'KIOSK_INTERNAL')).toBe(
      'KIOSK_INTERNAL',
    );
  });
});
