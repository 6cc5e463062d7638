/**
 * The servers of the closing-day rush (bench/charge.ts): portal instances (`src/main.ts`, what `npm
 * start` runs, as their own processes: `node --import tsx`, so a SIGKILL reaches the server itself) on
 * one PostgreSQL database, and HAProxy (the Debian package's binary, started here in the foreground
 * with bench/haproxy.cfg) in front of them. Every process is bounded: the harness stops them at the
 * end, and kills what is left when it exits.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CHARGE_NOW } from './charge-setup.js';

export interface Server {
  name: string;
  port: number;
  proc: ChildProcess;
  /** the process's output, with the time each line came (epoch ms) */
  lines: { at: number; text: string }[];
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** HAProxy's path, or an error saying how to install it (it is not an npm dependency). */
export function haproxyBinary(): string {
  for (const candidate of ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', 'haproxy']) {
    try {
      const v = execFileSync(candidate, ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      if (/HA-?Proxy version/i.test(v)) return candidate;
    } catch {
      // not there
    }
  }
  throw new Error('HAProxy is required for the rush (bench/README.md): on Debian 12, `apt-get install -y haproxy` (2.6).');
}

function track(name: string, port: number, proc: ChildProcess, logFile: string): Server {
  const server: Server = { name, port, proc, lines: [] };
  const log = createWriteStream(logFile);
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  const onData = (d: Buffer) => {
    log.write(d);
    const at = Date.now();
    for (const text of d.toString().split('\n')) if (text.trim()) server.lines.push({ at, text });
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  proc.once('exit', () => log.end());
  return server;
}

/** The variables every instance shares: one database, one session secret (the anonymous CSRF token is signed with it), the demo clock. */
export function instanceEnv(databaseUrl: string, poolMax: number): Record<string, string> {
  return {
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: String(poolMax),
    DEMO_SEED: '0',
    DEMO_NOW: CHARGE_NOW,
    HOST: '127.0.0.1',
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    TRUST_PROXY: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CHARGE_LIBRARIES_NODE_ENV: process.env.NODE_ENV === 'development' ? 'development' : 'production',
  };
}

export async function startInstance(root: string, name: string, env: Record<string, string>, logDir: string): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', '--import', './bench/charge-preload.ts', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = track(name, port, proc, join(logDir, `instance-${name}.log`));
  const deadline = Date.now() + 180_000;
  while (!server.lines.some((l) => /Portail prêt en/.test(l.text))) {
    if (proc.exitCode !== null || Date.now() > deadline)
      throw new Error(`instance ${name} did not start:\n${server.lines.map((l) => l.text).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return server;
}

export async function startHaproxy(root: string, ports: { lb: number; a: number; b: number }, logDir: string): Promise<Server> {
  const bin = haproxyBinary();
  const env = { CHARGE_LB_PORT: String(ports.lb), CHARGE_PORT_A: String(ports.a), CHARGE_PORT_B: String(ports.b) };
  execFileSync(bin, ['-c', '-q', '-f', 'bench/haproxy.cfg'], { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
  const proc = spawn(bin, ['-db', '-f', 'bench/haproxy.cfg'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = track('haproxy', ports.lb, proc, join(logDir, 'haproxy.log'));
  // ready when both instances answer through it
  const seen = new Set<string>();
  const deadline = Date.now() + 30_000;
  while (seen.size < 2) {
    if (proc.exitCode !== null || Date.now() > deadline)
      throw new Error(`HAProxy did not reach both instances:\n${server.lines.map((l) => l.text).join('\n')}`);
    try {
      const r = await fetch(`http://127.0.0.1:${ports.lb}/api/ready`, { signal: AbortSignal.timeout(2000) });
      const s = r.headers.get('x-charge-server');
      if (r.status === 200 && s) seen.add(s);
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return server;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stop(server: Server, graceMs = 25_000): Promise<void> {
  const p = server.proc;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
