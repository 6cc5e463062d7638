/**
 * Resident memory of the demo server as operators run it: `src/main.ts` (what `npm start` runs, here
 * started as `node --import tsx src/main.ts`, a single process, so /proc/<pid> is the server itself).
 * Two starts on the same data: the first on an empty database (PGlite initdb + migrations + demo
 * data set), the second a restart on the data the first left (what every later `npm start` does).
 * Each: RSS sampled every 100 ms while it starts (peak, and the console line printed at that moment),
 * idle RSS, then a short login + menu load and RSS again. VmRSS is the resident set, VmHWM its peak.
 * PGlite keeps its data in a temporary PGLITE_DIR; with BENCH_DATABASE_URL a fresh PostgreSQL
 * database is used. Both are removed afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../src/demo/seed.js';
import type { LoadGenerator } from './loadgen-process.js';
import { runPhase, type PhaseResult } from './phase.js';
import type { Triplet } from './protocol.js';
import { createPostgresDatabase } from './setup.js';

export interface ProcMemory {
  rssMb: number;
  peakRssMb: number;
  /** RSS of the process and all its descendants (e.g. the esbuild service tsx and the asset build start) */
  treeRssMb: number;
  children: string[];
}

export interface DemoServerStart {
  label: string;
  readyMs: number;
  /** highest RSS seen while starting, and the last console line printed before it */
  startPeak: { rssMb: number; atMs: number; duringLine: string };
  idle: ProcMemory;
  afterLoad: ProcMemory;
  /** RSS samples while starting: [ms since spawn, MB] */
  timeline: [number, number][];
}

export interface DemoServerMemory {
  entry: string;
  database: 'pglite' | 'postgres';
  starts: DemoServerStart[];
  phases: PhaseResult[];
  /** highest VmHWM over all starts */
  peakRssMb: number;
}

function statusKb(pid: number, key: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  } catch {
    return Number.NaN;
  }
}

/** pids of every descendant of `pid`, from /proc/<pid>/stat (field 4 is the parent pid) */
function descendants(pid: number): { pid: number; name: string }[] {
  const parentOf = new Map<number, { ppid: number; name: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      parentOf.set(Number(entry), { ppid, name });
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; name: string }[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    for (const [child, info] of parentOf) {
      if (info.ppid === p) {
        out.push({ pid: child, name: info.name });
        queue.push(child);
      }
    }
  }
  return out;
}

function procMemory(pid: number): ProcMemory {
  const kids = descendants(pid);
  const kidsKb = kids.reduce((a, k) => a + (statusKb(k.pid, 'VmRSS') || 0), 0);
  return {
    rssMb: statusKb(pid, 'VmRSS') / 1024,
    peakRssMb: statusKb(pid, 'VmHWM') / 1024,
    treeRssMb: (statusKb(pid, 'VmRSS') + kidsKb) / 1024,
    children: kids.map((k) => `${k.name} ${Math.round(statusKb(k.pid, 'VmRSS') / 1024)} MB`),
  };
}

interface Opts {
  root: string;
  /** the entry started (default src/main.ts; BENCH_DEMO_ENTRY tries a candidate change first) */
  entry: string;
  logins: number;
  menuRequests: number;
  timeLimitMs: number;
}

async function oneStart(
  loadgen: LoadGenerator,
  label: string,
  env: NodeJS.ProcessEnv,
  opts: Opts,
  phases: PhaseResult[],
): Promise<DemoServerStart> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', opts.entry], { cwd: opts.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let lastLine = '(before any output)';
  const timeline: [number, number][] = [];
  const startPeak = { rssMb: 0, atMs: 0, duringLine: '' };
  const sampler = setInterval(() => {
    try {
      const { rssMb } = procMemory(child.pid!);
      const at = Math.round(performance.now() - t0);
      timeline.push([at, Math.round(rssMb)]);
      if (rssMb > startPeak.rssMb) Object.assign(startPeak, { rssMb, atMs: at, duringLine: lastLine });
    } catch {
      // process not there yet / gone
    }
  }, 100);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo server not ready after 240 s:\n${output}`)), 240_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        const lines = output.trim().split('\n');
        lastLine = lines[lines.length - 1]!.trim();
        const m = /Portail prêt en [^:]+: https?:\/\/[^:\s]+:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`demo server exited (${code}):\n${output}`));
      });
    });
    const readyMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(sampler);
    const idle = procMemory(child.pid!);
    const baseUrl = `http://127.0.0.1:${port}`;

    const people: Triplet[] = DEMO_ACCOUNTS.flatMap((e) =>
      e.people.filter((p) => p.status !== 'candidat').map((p) => ({ siret: e.siret, nom: p.nom, prenom: p.prenom })),
    );
    phases.push(
      await runPhase(
        loadgen,
        {
          type: 'login',
          baseUrl,
          users: people,
          password: DEMO_PASSWORD,
          offset: 0,
          clients: 20,
          total: opts.logins,
          timeLimitMs: opts.timeLimitMs,
        },
        { name: `demo server (${label}): login` },
      ),
    );
    const sids = await loadgen.sessions({ type: 'sessions', baseUrl, users: people, password: DEMO_PASSWORD, concurrency: 2 });
    const fifty = Array.from({ length: 50 }, (_, i) => sids[i % sids.length]!);
    for (const [kind, accept, expect] of [
      ['HTML', 'text/html', 'fr-tile'],
      ['JSON', 'application/json', '"declarations"'],
    ] as const) {
      phases.push(
        await runPhase(
          loadgen,
          { type: 'get', baseUrl, path: '/menu', accept, sids: fifty, total: opts.menuRequests, timeLimitMs: opts.timeLimitMs, expect },
          { name: `demo server (${label}): menu ${kind}` },
        ),
      );
    }
    const afterLoad = procMemory(child.pid!);
    return { label, readyMs, startPeak: { ...startPeak, rssMb: Math.round(startPeak.rssMb) }, idle, afterLoad, timeline };
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}

export async function measureDemoServer(loadgen: LoadGenerator, opts: Opts & { postgresBaseUrl?: string }): Promise<DemoServerMemory> {
  const pgliteDir = opts.postgresBaseUrl ? null : mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  const pg = opts.postgresBaseUrl ? await createPostgresDatabase(opts.postgresBaseUrl) : null;
  // `npm start` defaults: NODE_ENV development (React development build), dev outbox, demo data set
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DEMO_SEED: '1',
    ...(pg ? { DATABASE_URL: pg.url } : { PGLITE_DIR: pgliteDir! }),
  };
  const phases: PhaseResult[] = [];
  try {
    const starts = [await oneStart(loadgen, 'first start', env, opts, phases), await oneStart(loadgen, 'restart', env, opts, phases)];
    return {
      entry: opts.entry,
      database: pg ? 'postgres' : 'pglite',
      starts,
      phases,
      peakRssMb: Math.max(...starts.map((s) => s.afterLoad.peakRssMb)),
    };
  } finally {
    if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
    if (pg) await pg.drop();
  }
}
