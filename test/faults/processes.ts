/**
 * Child processes of the fault tests: the real entry points (src/main.ts, src/cli.ts, or a small
 * script calling one use case) run by Node with tsx's loader — `node --import tsx <entry>`, one
 * process, so that a signal reaches the program itself and not a launcher in front of it (`npm run`
 * and the `tsx` command each start one more process, which a SIGKILL would leave running).
 *
 * Every child is bounded in time (killed after `maxMs`) and remembered until it exits:
 * `killAllChildren()` in an afterAll ends whatever a failed test left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (children run there, as an operator would). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Variables of the test process that must not leak into a child: each child says what it needs. */
const OWN_VARIABLES = [
  'DATABASE_URL',
  'TEST_DATABASE_URL',
  'PGLITE_DIR',
  'NODE_ENV',
  'PORT',
  'HOST',
  'SMTP_URL',
  'DEMO_SEED',
  'DEMO_NOW',
  'DEV_TOOLS',
  'SESSION_SECRET',
  'SECRETS_KEY',
  'PUBLIC_URL',
  'LOG_LEVEL',
  'DATABASE_POOL_MAX',
  'TRUST_PROXY',
  'VITEST',
  'VITEST_POOL_ID',
  'VITEST_WORKER_ID',
];

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** milliseconds since the child was started */
  atMs: number;
}

export interface Child {
  readonly pid: number;
  /** stdout and stderr, interleaved as they arrived */
  output(): string;
  /** resolves with the milliseconds since start at which `re` first appeared in the output */
  waitFor(re: RegExp, timeoutMs: number): Promise<number>;
  /** milliseconds since the child was started */
  elapsed(): number;
  /** true until the process has exited */
  alive(): boolean;
  readonly exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * What production requires besides the database and SMTP (src/infra/config.ts, docs/deploiement.md),
 * with test values: spread into the settings of an instance started with NODE_ENV=production.
 */
export const PRODUCTION_SETTINGS = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://portail.example.fr',
  SESSION_SECRET: 'une-phrase-secrete-de-test-assez-longue-0123',
  SECRETS_KEY: 'une-autre-phrase-secrete-de-test-assez-longue',
  SEPA_DEBTOR_IBAN: 'FR7630001007941234567890185',
  SEPA_DEBTOR_BIC: 'BDFEFRPPXXX',
  SEPA_DEBTOR_NAME: 'Caisse des depots',
} as const;

const children = new Set<ChildProcess>();

/** SIGKILLs every child still running (afterAll of each fault test file). */
export function killAllChildren(): void {
  for (const p of children) p.kill('SIGKILL');
  children.clear();
}

/** Starts `node --import tsx <entry> <args…>` in the repository with `env` (undefined: removed). */
export function spawnTs(entry: string, args: readonly string[], env: Record<string, string | undefined>, maxMs = 60_000): Child {
  return spawnNode(['--import', 'tsx', entry, ...args], env, maxMs);
}

/** Starts `node <args…>` in the repository with `env` (undefined: removed). */
export function spawnNode(nodeArgs: readonly string[], env: Record<string, string | undefined>, maxMs = 60_000): Child {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const k of OWN_VARIABLES) delete childEnv[k];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const started = performance.now();
  const proc = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: maxMs,
    killSignal: 'SIGKILL',
  });
  children.add(proc);
  let text = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const w of [...watchers]) w();
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const elapsed = () => Math.round(performance.now() - started);
  const exited = new Promise<Exit>((resolve) => {
    proc.on('exit', (code, signal) => {
      children.delete(proc);
      const exit = { code, signal, atMs: elapsed() };
      // the pipes may still hold the last lines: let them drain before saying it exited
      setImmediate(() => {
        for (const w of [...watchers]) w();
        resolve(exit);
      });
    });
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const w of [...watchers]) w();
  });
  return {
    pid: proc.pid ?? -1,
    output: () => text,
    elapsed,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    exited,
    kill: (signal) => void proc.kill(signal),
    waitFor: (re, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${re} after ${timeoutMs} ms; output:\n${text.slice(-3000)}`)), timeoutMs);
        const check = () => {
          if (re.test(text)) finish(null, elapsed());
          else if (gone) finish(new Error(`exited without ${re}; output:\n${text.slice(-3000)}`));
        };
        const finish = (e: Error | null, at = 0) => {
          clearTimeout(timer);
          watchers.delete(check);
          if (e) reject(e);
          else resolve(at);
        };
        watchers.add(check);
        check();
      }),
  };
}

/** A TCP port nobody listens on now (the kernel's choice, released at once). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The seed of this run's random choices: FAULTS_SEED to replay one, else a new one (printed by the tests). */
export function faultSeed(): number {
  const given = Number(process.env.FAULTS_SEED);
  return Number.isInteger(given) && given > 0 ? given : 1 + Math.floor(Math.random() * 2_000_000_000);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
