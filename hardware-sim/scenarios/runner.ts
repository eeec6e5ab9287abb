import { readFileSync } from 'node:fs';
import { CodedError } from '../../protocol/errors/index.js';
import { parse as parseYaml } from 'yaml';
import { ScenarioSchema, type Scenario, type Step } from './schema.js';

export class ScenarioError extends CodedError<
  'SCENARIO_INVALID' | 'SCENARIO_STEP_FAILED' | 'SCENARIO_EXPECTATION_FAILED' | 'SCENARIO_TIMEOUT'
> {
  constructor(
    code: 'SCENARIO_INVALID' | 'SCENARIO_STEP_FAILED' | 'SCENARIO_EXPECTATION_FAILED' | 'SCENARIO_TIMEOUT',
    message: string,
    readonly step?: number,
  ) {
    super(code, message);
  }
}

/** Reads a scenario file (YAML or JSON; JSON is YAML) and validates it. */
export function loadScenario(path: string): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ScenarioError('SCENARIO_INVALID', `cannot read ${path}: ${(err as Error).message}`);
  }
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success)
    throw new ScenarioError(
      'SCENARIO_INVALID',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  return parsed.data;
}

interface SimEventLite {
  seq: number;
  device: string;
  event: string;
}

/** Runs the steps against a panel URL, one after the other; throws `ScenarioError` at the first failure. */
export async function runScenario(
  scenario: Scenario,
  panelUrl: string,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const base = panelUrl.replace(/\/$/, '');
  const call = async (method: string, path: string, body?: unknown, step?: number): Promise<unknown> => {
    const res = await fetch(base + path, {
      method,
      // The panel takes changes as JSON only.
      headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const data: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const code = (data as { error?: { code?: string } } | null)?.error?.code ?? `HTTP_${res.status}`;
      throw new ScenarioError('SCENARIO_STEP_FAILED', `${method} ${path} → ${code}`, step);
    }
    return data;
  };
  log(`scenario: ${scenario.name}`);
  // `waitFor` matches events after this mark: the scenario's start, then the event the last waitFor saw.
  const start = (await call('GET', '/api/events')) as SimEventLite[];
  const mark = { seq: start.at(-1)?.seq ?? 0 };
  for (const [i, step] of scenario.steps.entries()) {
    const n = i + 1;
    log(`  step ${n}: ${JSON.stringify(step)}`);
    await runStep(step, n, call, mark);
  }
  log('  ok');
}

type Call = (method: string, path: string, body?: unknown, step?: number) => Promise<unknown>;

async function runStep(step: Step, n: number, call: Call, mark: { seq: number }): Promise<void> {
  if ('card' in step) await call('POST', '/api/card', step.card, n);
  else if ('removeCard' in step) await call('DELETE', '/api/card', undefined, n);
  else if ('pinTries' in step) await call('POST', '/api/card/pin-tries', { remaining: step.pinTries }, n);
  else if ('lockCard' in step) await call('POST', '/api/card/lock', undefined, n);
  else if ('keys' in step) await call('POST', '/api/pinpad/keys', { keys: step.keys }, n);
  else if ('coins' in step) for (const yen of step.coins) await call('POST', '/api/coins', { yen }, n);
  else if ('notes' in step) for (const yen of step.notes) await call('POST', '/api/notes', { yen }, n);
  else if ('noteFault' in step) await call('POST', '/api/note-validator/fault', { fault: step.noteFault }, n);
  else if ('fault' in step) await call('POST', '/api/printer/fault', { kind: step.fault }, n);
  else if ('acceptorFault' in step)
    await call('POST', '/api/coin-acceptor/fault', { fault: step.acceptorFault }, n);
  else if ('hopper' in step) await call('POST', '/api/hopper', step.hopper, n);
  else if ('unplug' in step) await call('POST', `/api/${step.unplug}/unplug`, undefined, n);
  else if ('plug' in step) await call('POST', `/api/${step.plug}/plug`, undefined, n);
  else if ('clearJobs' in step) await call('DELETE', '/api/printer/jobs', undefined, n);
  else if ('wait' in step) await new Promise((r) => setTimeout(r, step.wait));
  else if ('waitFor' in step) await waitFor(step.waitFor, n, call, mark);
  else if ('expect' in step) await check(step.expect, n, call);
  else {
    const never: never = step;
    throw new ScenarioError('SCENARIO_INVALID', `unknown step ${JSON.stringify(never)}`, n);
  }
}

/** Waits for a device event that happened after the mark (so one caused by an earlier step counts). */
async function waitFor(
  w: { device: string; event: string; timeoutMs: number },
  n: number,
  call: Call,
  mark: { seq: number },
) {
  const deadline = Date.now() + w.timeoutMs;
  while (Date.now() < deadline) {
    const recent = (await call('GET', '/api/events', undefined, n)) as SimEventLite[];
    const hit = recent.find((e) => e.seq > mark.seq && e.device === w.device && e.event === w.event);
    if (hit) {
      mark.seq = hit.seq;
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ScenarioError('SCENARIO_TIMEOUT', `no ${w.device} ${w.event} within ${w.timeoutMs} ms`, n);
}

async function check(e: Extract<Step, { expect: unknown }>['expect'], n: number, call: Call) {
  const state = (await call('GET', '/api/state', undefined, n)) as Record<string, Record<string, unknown>>;
  const fail = (what: string, want: unknown, got: unknown) => {
    throw new ScenarioError(
      'SCENARIO_EXPECTATION_FAILED',
      `${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
      n,
    );
  };
  if (e.printerJobs !== undefined || e.printedPages !== undefined) {
    const jobs = (await call('GET', '/api/printer/jobs', undefined, n)) as {
      status: string;
      pagesPrinted: number;
    }[];
    const printed = jobs.filter((j) => j.status === 'printed');
    if (e.printerJobs !== undefined && printed.length !== e.printerJobs)
      fail('printed jobs', e.printerJobs, printed.length);
    const pages = printed.reduce((s, j) => s + j.pagesPrinted, 0);
    if (e.printedPages !== undefined && pages !== e.printedPages)
      fail('printed pages', e.printedPages, pages);
  }
  if (e.printerCondition !== undefined && state['printer']?.['condition'] !== e.printerCondition)
    fail('printer condition', e.printerCondition, state['printer']?.['condition']);
  if (e.cardPresent !== undefined && state['reader']?.['present'] !== e.cardPresent)
    fail('card present', e.cardPresent, state['reader']?.['present']);
  if (e.hopperCoins !== undefined && state['hopper']?.['coins'] !== e.hopperCoins)
    fail('hopper coins', e.hopperCoins, state['hopper']?.['coins']);
  if (e.acceptedYen !== undefined && state['coin-acceptor']?.['acceptedYen'] !== e.acceptedYen)
    fail('accepted yen', e.acceptedYen, state['coin-acceptor']?.['acceptedYen']);
  for (const [device, want] of Object.entries(e.plugged ?? {}))
    if (state[device]?.['plugged'] !== want) fail(`${device} plugged`, want, state[device]?.['plugged']);
}
