import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` `parseArgs` for our command lines, which take base64url keys and key ids: one in 64 of those
 * starts with `-`, which `parseArgs` reads as an option (`revoke -Xb3…` failed with "Unknown option '-X'",
 * `--relay-key -Xb3…` with "argument is ambiguous"). Here the value after a string option is always its
 * value, and an argument with a single leading dash (other than a declared short flag) is a positional.
 * Anything starting with `--` is still an option, so a misspelt one is still refused.
 */
export function parseCliArgs<O extends Options>(argv: readonly string[], options: O) {
  const shorts = new Set(
    Object.values(options).flatMap((o) => (o.short === undefined ? [] : [`-${o.short}`])),
  );
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const name = a.slice(2).split('=')[0] as string;
      if (!a.includes('=') && options[name]?.type === 'string' && i + 1 < argv.length) {
        flags.push(`${a}=${argv[++i] as string}`);
      } else {
        flags.push(a);
      }
    } else if (shorts.has(a)) {
      flags.push(a);
    } else {
      positionals.push(a);
    }
  }
  return parseArgs({ args: [...flags, '--', ...positionals], options, allowPositionals: true, strict: true });
}
