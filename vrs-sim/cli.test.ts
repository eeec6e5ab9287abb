import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, runCli, type CliIo } from './cli.js';
import { loadFixtures } from './seed/fixtures.js';

const taro = loadFixtures().find((f) => f.id === 'taro');

describe('npm run vrs -- <command>', { timeout: 600_000 }, () => {
  let dir: string;
  const run = async (argv: string[], stdin = ''): Promise<{ code: number; out: string[] }> => {
    const out: string[] = [];
    const io: CliIo = {
      out: (l) => out.push(l),
      err: () => undefined,
      env: {},
      readStdin: async () => stdin,
    };
    const code = await runCli([...argv, '--state-dir', dir], io);
    if (typeof code !== 'number') throw new Error('a command, not serve, expected');
    return { code, out };
  };
  const json = (r: { out: string[] }) => JSON.parse(r.out.join('\n')) as Record<string, unknown>;
  /** Credential files issued by the administrator command, by role. */
  const cred: Record<string, string> = {};
  const as = (role: string) => ['--credential', cred[role]!];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vrs-cli-'));
    const r = await run([
      'seed',
      '--per-municipality',
      '30',
      '--seed',
      'cli',
      '--municipality',
      '131016',
      '--municipality',
      '131041',
    ]);
    expect(json(r)).toMatchObject({ inserted: 61 });
    for (const role of ['municipality:131016', 'municipality:131041', 'prefecture:13', 'national']) {
      const file = join(dir, `${role.replace(':', '-')}.cred`);
      const issued = json(await run(['credential', 'issue', '--role', role, '--out', file]));
      expect(issued).toMatchObject({ role, file });
      cred[role] = file;
    }
  }, 600_000);

  it('takes a role only from a credential, never from --role', async () => {
    if (!taro) throw new Error('fixture expected');
    // The attack of issue 12: naming the role on the command line.
    await expect(run(['lookup', '--role', 'municipality:131016'], taro.myNumber)).rejects.toMatchObject({
      code: 'CLI_BAD_ARGUMENT',
    });
    await expect(run(['counts', '--role', 'national'])).rejects.toMatchObject({ code: 'CLI_BAD_ARGUMENT' });
    await expect(run(['lookup'], taro.myNumber)).rejects.toMatchObject({ code: 'VRS_CREDENTIAL_INVALID' });
    // A forged token, another id, a file others can read, a revoked credential: all refused.
    const good = JSON.parse(readFileSync(cred['municipality:131016']!, 'utf8')) as Record<string, string>;
    const forged = join(dir, 'forged.cred');
    writeFileSync(forged, JSON.stringify({ ...good, token: 'A'.repeat(43) }), { mode: 0o600 });
    await expect(run(['lookup', '--credential', forged], taro.myNumber)).rejects.toMatchObject({
      code: 'VRS_CREDENTIAL_INVALID',
    });
    const relabelled = join(dir, 'relabelled.cred');
    const national = JSON.parse(readFileSync(cred['national']!, 'utf8')) as Record<string, string>;
    writeFileSync(relabelled, JSON.stringify({ ...national, role: 'municipality:131016' }), { mode: 0o600 });
    await expect(run(['lookup', '--credential', relabelled], taro.myNumber)).rejects.toMatchObject({
      code: 'VRS_FORBIDDEN',
    });
    const open = join(dir, 'open.cred');
    writeFileSync(open, JSON.stringify(good), { mode: 0o600 });
    chmodSync(open, 0o644);
    await expect(run(['lookup', '--credential', open], taro.myNumber)).rejects.toMatchObject({
      code: 'VRS_CREDENTIAL_INVALID',
    });
    const spare = join(dir, 'spare.cred');
    const issued = json(await run(['credential', 'issue', '--role', 'municipality:131016', '--out', spare]));
    expect(json(await run(['credential', 'revoke', String(issued['id'])]))).toEqual({
      id: issued['id'],
      revoked: true,
    });
    await expect(run(['lookup', '--credential', spare], taro.myNumber)).rejects.toMatchObject({
      code: 'VRS_CREDENTIAL_INVALID',
    });
    const list = JSON.parse((await run(['credential', 'list'])).out.join('')) as {
      id: string;
      revoked: boolean;
    }[];
    expect(list.find((c) => c.id === issued['id'])?.revoked).toBe(true);
    expect(JSON.stringify(list)).not.toContain(good['token']);
  });

  it('suppresses cells under 10 for prefectures and the nation, and says so', async () => {
    for (const role of ['prefecture:13', 'national']) {
      const r = json(await run(['counts', ...as(role)])) as {
        suppression: { minimumCell: number; note: string };
        municipalities: {
          residentsByDoseCount: (number | null)[];
          doses: number | null;
          suppressed: boolean;
        }[];
      };
      expect(r.suppression.minimumCell).toBe(10);
      expect(r.suppression.note).toMatch(/suppressed/);
      for (const m of r.municipalities)
        for (const n of m.residentsByDoseCount) expect(n === null || n === 0 || n >= 10).toBe(true);
      expect(r.municipalities.some((m) => m.suppressed && m.doses === null)).toBe(true);
    }
    const own = json(await run(['counts', ...as('municipality:131041')])) as {
      suppression?: unknown;
      municipalities: { residentsByDoseCount: number[] }[];
    };
    expect(own.suppression).toBeUndefined();
    expect(own.municipalities[0]!.residentsByDoseCount.reduce((a, b) => a + b, 0)).toBe(30);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows counts per role', async () => {
    const r = json(await run(['counts', ...as('prefecture:13')])) as {
      municipalities: { municipality: string; residents: number }[];
    };
    expect(r.municipalities.map((m) => [m.municipality, m.residents])).toEqual([
      ['131016', 31],
      ['131041', 30],
    ]);
    await expect(run(['counts'])).rejects.toBeInstanceOf(CliError);
    await expect(
      run(['credential', 'issue', '--role', 'root', '--out', join(dir, 'root.cred')]),
    ).rejects.toMatchObject({ code: 'CLI_BAD_ARGUMENT' });
  });

  it('looks a resident up for its municipality only, reading the number from stdin', async () => {
    if (!taro) throw new Error('fixture expected');
    const own = await run(['lookup', ...as('municipality:131016')], taro.myNumber + '\n');
    expect(json(own)).toMatchObject({ ok: true, record: { name: taro.name } });
    const other = await run(['lookup', ...as('municipality:131041')], taro.myNumber);
    expect(json(other)).toEqual({ ok: false, code: 'VRS_NO_RECORD' });
    await expect(run(['lookup', ...as('national')], taro.myNumber)).rejects.toMatchObject({
      code: 'VRS_FORBIDDEN',
    });
  });

  it('crypto-shreds a municipality: lookups fail for good, the key file is gone', async () => {
    if (!taro) throw new Error('fixture expected');
    expect(json(await run(['shred', '131016']))).toEqual({
      municipality: '131016',
      keyDestroyed: true,
      shredded: true,
      recorded: true,
    });
    expect(readdirSync(join(dir, 'keys'))).not.toContain('131016.json');
    const after = await run(['lookup', ...as('municipality:131016')], taro.myNumber);
    expect(json(after)).toEqual({ ok: false, code: 'VRS_DATA_SHREDDED' });
    const counts = json(await run(['counts', ...as('municipality:131016')])) as {
      municipalities: { shredded: boolean; residents: number }[];
    };
    expect(counts.municipalities[0]).toMatchObject({ shredded: true, residents: 31 });
    // Seeding again does not resurrect it: a coded refusal, not a stack trace.
    await expect(run(['seed', '--per-municipality', '5', '--municipality', '131016'])).rejects.toMatchObject({
      code: 'VRS_DATA_SHREDDED',
    });
    // Deleting the tombstone changes nothing: the database recorded the shredding; no key is made.
    rmSync(join(dir, 'keys', '131016.shredded'));
    const again = await run(['lookup', ...as('municipality:131016')], taro.myNumber);
    expect(json(again)).toEqual({ ok: false, code: 'VRS_DATA_SHREDDED' });
    expect(readdirSync(join(dir, 'keys'))).not.toContain('131016.json');
    await expect(run(['seed', '--per-municipality', '5', '--municipality', '131016'])).rejects.toBeInstanceOf(
      CliError,
    );
    expect(readdirSync(join(dir, 'keys'))).toContain('131016.shredded');
    await expect(run(['shred', '999999'])).rejects.toMatchObject({ code: 'CLI_BAD_ARGUMENT' });
  });

  it('rotates the signing key and reports unknown certificates on revoke', async () => {
    const a = json(await run(['rotate-key']));
    const b = json(await run(['rotate-key']));
    expect(a['activeKid']).not.toEqual(b['activeKid']);
    const r = await run(['revoke', 'JP131016-20240101-AAAAAAAAAAAA']);
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({ revoked: false });
  });
});
