import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The dedicated line between the store and the center, as network namespaces on this machine:
 *
 *   kiosk ns  [line 198.18.0.1] ══veth══ [tok  middle ns  tor] ══veth══ [line 198.18.0.2]  relay ns
 *                                         line.py: delay, jitter, loss
 *                                         htb on tok and tor: bandwidth; tok down: the line cut
 *
 * Every interface is created inside its namespace (nothing is added to the host's own namespace), the only
 * addresses are 198.18.0.1 and .2 (RFC 2544's benchmarking range) and no namespace has a route anywhere
 * else, so nothing the processes inside send can leave. Deleting the namespaces deletes everything.
 *
 * The impairments come from a userspace Ethernet bridge (tests/netline/line.py, AF_PACKET raw sockets):
 * this kernel has no netem qdisc, and a TCP proxy would hide what a lossy line does to TCP (retransmission
 * timeouts, the handshake's lost SYN) behind two healthy loopback connections. Frames pass unchanged, so
 * the kiosk's and the relay's kernels run real TCP over a real lossy, slow line. Offloads are turned off on
 * every veth (ethtool): a segmentation-offloaded 64 KB "frame" or one with its checksum left for the NIC
 * would otherwise reach the bridge and not survive being written out again.
 */

export const KIOSK_ADDRESS = '198.18.0.1';
export const RELAY_ADDRESS = '198.18.0.2';
const PREFIX = 'netline-';

export interface LineSettings {
  /** One-way delay in ms (a round trip is twice this). */
  delayMs: number;
  /** Uniform ± jitter around the delay, ms (frames are never reordered). */
  jitterMs: number;
  /** Probability of dropping each frame, each direction. */
  loss: number;
}

function run(args: string[], allowFail = false): { ok: boolean; out: string } {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  const ok = r.status === 0;
  if (!ok && !allowFail)
    throw new Error(`${args.join(' ')}: exit ${String(r.status)}: ${(r.stderr ?? '').trim().slice(0, 300)}`);
  return { ok, out: r.stdout ?? '' };
}

function which(cmd: string): boolean {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, cmd)));
}

/**
 * Whether this machine can build the line: root (CAP_NET_ADMIN), `ip`, `tc`, `ethtool` and `python3`, and
 * a namespace can actually be created. The reason is shown as the tests' skip reason.
 */
export function lineAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0)
    return { ok: false, reason: 'not root: network namespaces need CAP_NET_ADMIN (CI runs as root)' };
  for (const c of ['ip', 'tc', 'ethtool', 'python3'])
    if (!which(c))
      return { ok: false, reason: `${c} missing (scripts/ensure-debian-packages.sh installs it)` };
  const probe = `${PREFIX}probe-${process.pid}`;
  const r = run(['ip', 'netns', 'add', probe], true);
  if (!r.ok) return { ok: false, reason: 'ip netns add failed: no CAP_NET_ADMIN here' };
  run(['ip', 'netns', 'del', probe], true);
  return { ok: true };
}

/** Deletes namespaces left by a netline run whose process is gone (a killed test). */
export function removeLeftovers(): void {
  const names = run(['ip', 'netns', 'list'], true)
    .out.split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(PREFIX));
  for (const n of names) {
    const pid = Number(/-(\d+)-\d+$/.exec(n)?.[1] ?? /probe-(\d+)$/.exec(n)?.[1]);
    let alive = false;
    try {
      if (Number.isInteger(pid)) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (!alive) run(['ip', 'netns', 'del', n], true);
  }
}

let lines = 0;

/** A JSON-lines child process in a namespace. */
export interface NsProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first JSON line for which `match` is true (rejects when the process exits first). */
  next<T = Record<string, unknown>>(match: (m: Record<string, unknown>) => boolean): Promise<T>;
  /** Every JSON line so far. */
  readonly lines: Record<string, unknown>[];
  send(msg: unknown): void;
  stop(): Promise<void>;
}

function jsonLines(child: ChildProcessWithoutNullStreams, name: string): NsProcess {
  const seen: Record<string, unknown>[] = [];
  const waiters = new Set<{
    match: (m: Record<string, unknown>) => boolean;
    resolve: (m: unknown) => void;
  }>();
  let exited: string | null = null;
  const failures = new Set<(err: Error) => void>();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    seen.push(m);
    for (const w of [...waiters])
      if (w.match(m)) {
        waiters.delete(w);
        w.resolve(m);
      }
  });
  child.on('exit', (code, signal) => {
    exited = `${name} exited (${code ?? signal ?? '?'}): ${stderr.trim().slice(-1500)}`;
    for (const f of failures) f(new Error(exited));
  });
  return {
    child,
    lines: seen,
    next<T>(match: (m: Record<string, unknown>) => boolean): Promise<T> {
      const found = seen.find(match);
      if (found) return Promise.resolve(found as T);
      if (exited !== null) return Promise.reject(new Error(exited));
      return new Promise<T>((resolve, reject) => {
        const w = { match, resolve: (m: unknown) => (failures.delete(fail), resolve(m as T)) };
        const fail = (err: Error) => (waiters.delete(w), reject(err));
        failures.add(fail);
        waiters.add(w);
      });
    },
    send(msg) {
      if (exited === null) child.stdin.write(JSON.stringify(msg) + '\n');
    },
    async stop() {
      if (exited !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
    },
  };
}

/** The line: three namespaces, the bridge, and what a test does to it. */
export class Line {
  readonly kioskNs: string;
  readonly relayNs: string;
  readonly middleNs: string;
  #bridge: ChildProcessWithoutNullStreams | null = null;
  #bridgeSet: (() => void)[] = [];
  #procs: NsProcess[] = [];
  #closed = false;

  private constructor(id: string) {
    this.kioskNs = `${PREFIX}k-${id}`;
    this.middleNs = `${PREFIX}m-${id}`;
    this.relayNs = `${PREFIX}r-${id}`;
  }

  /** Builds the namespaces and starts the bridge (a clean line until `set`). Removes leftovers first. */
  static async open(): Promise<Line> {
    removeLeftovers();
    const line = new Line(`${process.pid}-${lines++}`);
    try {
      await line.#build();
    } catch (err) {
      await line.close();
      throw err;
    }
    return line;
  }

  async #build(): Promise<void> {
    const { kioskNs: k, middleNs: m, relayNs: r } = this;
    for (const ns of [k, m, r]) {
      run(['ip', 'netns', 'add', ns]);
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    run(['ip', 'link', 'add', 'line', 'netns', k, 'type', 'veth', 'peer', 'name', 'tok', 'netns', m]);
    run(['ip', 'link', 'add', 'line', 'netns', r, 'type', 'veth', 'peer', 'name', 'tor', 'netns', m]);
    run(['ip', '-n', k, 'addr', 'add', `${KIOSK_ADDRESS}/30`, 'dev', 'line']);
    run(['ip', '-n', r, 'addr', 'add', `${RELAY_ADDRESS}/30`, 'dev', 'line']);
    for (const [ns, dev] of [
      [k, 'line'],
      [r, 'line'],
      [m, 'tok'],
      [m, 'tor'],
    ] as const) {
      run([
        'ip',
        'netns',
        'exec',
        ns,
        'ethtool',
        '-K',
        dev,
        'tx',
        'off',
        'tso',
        'off',
        'gso',
        'off',
        'gro',
        'off',
      ]);
      run(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    }
    const bridge = spawn(
      'ip',
      ['netns', 'exec', m, 'python3', '-u', join(import.meta.dirname, 'line.py'), 'tok', 'tor'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.#bridge = bridge;
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: bridge.stdout });
      bridge.once('exit', (c) => reject(new Error(`line.py exited (${String(c)})`)));
      rl.on('line', (l) => {
        if (l === 'ready') resolve();
        else if (l === 'set') this.#bridgeSet.shift()?.();
      });
    });
  }

  /** Latency, jitter and loss on the bridge (resolves once the bridge applied them). */
  set(s: LineSettings): Promise<void> {
    const b = this.#bridge;
    if (!b) throw new Error('line closed');
    return new Promise<void>((resolve) => {
      this.#bridgeSet.push(resolve);
      b.stdin.write(JSON.stringify(s) + '\n');
    });
  }

  /**
   * Shapes both directions to `kbit` with htb (burst: one full frame; queue: the default 1000 frames,
   * as a line's modem buffers). 0 removes the shaping.
   */
  shape(kbit: number): void {
    for (const dev of ['tok', 'tor']) {
      run(['tc', '-n', this.middleNs, 'qdisc', 'del', 'dev', dev, 'root'], true);
      if (kbit === 0) continue;
      run([
        'tc',
        '-n',
        this.middleNs,
        'qdisc',
        'add',
        'dev',
        dev,
        'root',
        'handle',
        '1:',
        'htb',
        'default',
        '10',
      ]);
      run([
        'tc',
        '-n',
        this.middleNs,
        'class',
        'add',
        'dev',
        dev,
        'parent',
        '1:',
        'classid',
        '1:10',
        'htb',
        'rate',
        `${kbit}kbit`,
        'ceil',
        `${kbit}kbit`,
        'burst',
        '1600',
        'cburst',
        '1600',
      ]);
    }
  }

  /** Cuts the line: the store's side of the middle is down (frames in either direction are lost). */
  cut(): void {
    run(['ip', '-n', this.middleNs, 'link', 'set', 'tok', 'down']);
  }

  restore(): void {
    run(['ip', '-n', this.middleNs, 'link', 'set', 'tok', 'up']);
  }

  /** Runs `node --import tsx script` inside a namespace, JSON lines on stdout, commands on stdin. */
  spawnNode(ns: string, script: string, env: Record<string, string> = {}, trace = false): NsProcess {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const name = script.split('/').pop() ?? script;
    const p = jsonLines(child, name);
    if (trace)
      child.stdout.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d.toString('utf8')}`));
    this.#procs.push(p);
    return p;
  }

  /** Stops the processes and the bridge, deletes the namespaces (safe to call twice, and after a failure). */
  async close(): Promise<Record<string, number> | null> {
    if (this.#closed) return null;
    this.#closed = true;
    await Promise.all(this.#procs.map((p) => p.stop().catch(() => undefined)));
    let counters: Record<string, number> | null = null;
    const b = this.#bridge;
    if (b && b.exitCode === null) {
      const out: string[] = [];
      b.stdout.on('data', (d: Buffer) => out.push(d.toString('utf8')));
      const gone = new Promise<void>((r) => b.once('exit', () => r()));
      b.stdin.end();
      await gone;
      const last = out.join('').trim().split('\n').pop() ?? '';
      try {
        counters = JSON.parse(last) as Record<string, number>;
      } catch {
        counters = null;
      }
    }
    for (const ns of [this.kioskNs, this.middleNs, this.relayNs]) run(['ip', 'netns', 'del', ns], true);
    return counters;
  }
}
