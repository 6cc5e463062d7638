/**
 * Resident memory of the demo server as a person trying it runs it, for the whole process tree (npm,
 * the launcher, the child processes, the portal): `npm start` (scripts/start.mjs: the release, built
 * first when the sources are newer; a new PGlite folder prepared in a child process that exits), beside
 * a baseline measured in the same run, `node --import tsx src/main.ts` (the sources through tsx and the
 * seeding in the portal's own process, the way `npm start` ran before). Each way is started twice on
 * the same data: the first start on an empty folder (the cluster, migrations, the demo data set), then
 * a restart on what it left (what every later `npm start` does). Each start: the tree's RSS (the sum of
 * VmRSS over the process and its descendants, from /proc) sampled every 100 ms while it starts (peak,
 * and the console line printed at that moment), idle, then a short login + menu load and again. PGlite
 * keeps its data in a temporary PGLITE_DIR; with BENCH_DATABASE_URL a fresh PostgreSQL database is used.
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
  /** RSS of the process and all its descendants (npm's child, the launcher's children, the esbuild service of tsx) */
  treeRssMb: number;
  /** every process of the tree with its RSS, the root first */
  processes: string[];
}

export interface DemoServerStart {
  /** how it was started: `npm start`, or the baseline */
  way: string;
  label: string;
  readyMs: number;
  /** highest RSS of the whole tree seen while starting, the processes then, and the last console line printed before it */
  startPeak: { treeMb: number; atMs: number; duringLine: string; processes: string };
  /** highest RSS of the whole tree sampled during the load */
  loadPeakTreeMb: number;
  idle: ProcMemory;
  afterLoad: ProcMemory;
  /** tree RSS samples while starting: [ms since spawn, MB] */
  timeline: [number, number][];
}

/** A way to start the demo server: the command, run from the repository. */
export interface StartWay {
  label: string;
  command: string[];
}

export const START_WAYS: StartWay[] = [
  { label: 'npm start', command: ['npm', 'start'] },
  { label: 'baseline: node --import tsx src/main.ts', command: [process.execPath, '--import', 'tsx', 'src/main.ts'] },
];

export interface DemoServerMemory {
  database: 'pglite' | 'postgres';
  starts: DemoServerStart[];
  phases: PhaseResult[];
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

export function procMemory(pid: number): ProcMemory {
  const kids = descendants(pid);
  const kidsKb = kids.reduce((a, k) => a + (statusKb(k.pid, 'VmRSS') || 0), 0);
  return {
    rssMb: statusKb(pid, 'VmRSS') / 1024,
    peakRssMb: statusKb(pid, 'VmHWM') / 1024,
    treeRssMb: (statusKb(pid, 'VmRSS') + kidsKb) / 1024,
    processes: [{ pid, name: 'root' }, ...kids].map((k) => `${k.name} ${Math.round(statusKb(k.pid, 'VmRSS') / 1024)} MB`),
  };
}

interface Opts {
  root: string;
  logins: number;
  menuRequests: number;
  timeLimitMs: number;
}

async function oneStart(
  loadgen: LoadGenerator,
  way: StartWay,
  label: string,
  env: NodeJS.ProcessEnv,
  opts: Opts,
  phases: PhaseResult[],
): Promise<DemoServerStart> {
  const t0 = performance.now();
  // its own process group, so that the whole tree is stopped at the end
  const child = spawn(way.command[0]!, way.command.slice(1), { cwd: opts.root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let lastLine = '(before any output)';
  const timeline: [number, number][] = [];
  const startPeak = { treeMb: 0, atMs: 0, duringLine: '', processes: '' };
  let ready = false;
  let loadPeakTreeMb = 0;
  const sampler = setInterval(() => {
    try {
      const m = procMemory(child.pid!);
      const at = Math.round(performance.now() - t0);
      if (ready) loadPeakTreeMb = Math.max(loadPeakTreeMb, m.treeRssMb);
      else timeline.push([at, Math.round(m.treeRssMb)]);
      if (!ready && m.treeRssMb > startPeak.treeMb)
        Object.assign(startPeak, { treeMb: m.treeRssMb, atMs: at, duringLine: lastLine, processes: m.processes.join(', ') });
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
    ready = true;
    await new Promise((r) => setTimeout(r, 1000));
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
        { name: `${way.label} (${label}): login` },
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
          { name: `${way.label} (${label}): menu ${kind}` },
        ),
      );
    }
    const afterLoad = procMemory(child.pid!);
    clearInterval(sampler);
    loadPeakTreeMb = Math.round(Math.max(loadPeakTreeMb, afterLoad.treeRssMb));
    return {
      way: way.label,
      label,
      readyMs,
      startPeak: { ...startPeak, treeMb: Math.round(startPeak.treeMb) },
      loadPeakTreeMb,
      idle,
      afterLoad,
      timeline,
    };
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  }
}

export async function measureDemoServer(loadgen: LoadGenerator, opts: Opts & { postgresBaseUrl?: string }): Promise<DemoServerMemory> {
  const starts: DemoServerStart[] = [];
  const phases: PhaseResult[] = [];
  // BENCH_MEMORY_BASELINE=0: `npm start` alone, to measure a change quickly (the baseline takes as long again)
  const ways = process.env.BENCH_MEMORY_BASELINE === '0' ? START_WAYS.slice(0, 1) : START_WAYS;
  for (const way of ways) {
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
    try {
      starts.push(await oneStart(loadgen, way, 'first start', env, opts, phases));
      starts.push(await oneStart(loadgen, way, 'restart', env, opts, phases));
    } finally {
      if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
      if (pg) await pg.drop();
    }
  }
  return { database: opts.postgresBaseUrl ? 'postgres' : 'pglite', starts, phases };
}
