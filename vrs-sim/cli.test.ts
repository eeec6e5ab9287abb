import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, runCli, type CliIo } from './cli.js';
import { loadFixtures } from './seed/fixtures.js';

const taro = loadFixtures().find((f) => f.id === 'taro');

describe('npm run vrs -- <command>', () => {
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
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows counts per role', async () => {
    const r = json(await run(['counts', '--role', 'prefecture:13'])) as {
      municipalities: { municipality: string; residents: number }[];
    };
    expect(r.municipalities.map((m) => [m.municipality, m.residents])).toEqual([
      ['131016', 31],
      ['131041', 30],
    ]);
    await expect(run(['counts'])).rejects.toBeInstanceOf(CliError);
    await expect(run(['counts', '--role', 'root'])).rejects.toMatchObject({ code: 'CLI_BAD_ARGUMENT' });
  });

  it('looks a resident up for its municipality only, reading the number from stdin', async () => {
    if (!taro) throw new Error('fixture expected');
    const own = await run(['lookup', '--role', 'municipality:131016'], taro.myNumber + '\n');
    expect(json(own)).toMatchObject({ ok: true, record: { name: taro.name } });
    const other = await run(['lookup', '--role', 'municipality:131041'], taro.myNumber);
    expect(json(other)).toEqual({ ok: false, code: 'VRS_NO_RECORD' });
    await expect(run(['lookup', '--role', 'national'], taro.myNumber)).rejects.toMatchObject({
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
    const after = await run(['lookup', '--role', 'municipality:131016'], taro.myNumber);
    expect(json(after)).toEqual({ ok: false, code: 'VRS_DATA_SHREDDED' });
    const counts = json(await run(['counts', '--role', 'municipality:131016'])) as {
      municipalities: { shredded: boolean; residents: number }[];
    };
    expect(counts.municipalities[0]).toMatchObject({ shredded: true, residents: 31 });
    // Seeding again does not resurrect it: a coded refusal, not a stack trace.
    await expect(run(['seed', '--per-municipality', '5', '--municipality', '131016'])).rejects.toMatchObject({
      code: 'VRS_DATA_SHREDDED',
    });
    // Deleting the tombstone changes nothing: the database recorded the shredding; no key is made.
    rmSync(join(dir, 'keys', '131016.shredded'));
    const again = await run(['lookup', '--role', 'municipality:131016'], taro.myNumber);
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
