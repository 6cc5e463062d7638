/**
 * One measured load phase: the load generator's latencies plus what the server process saw meanwhile
 * (its CPU, its event-loop utilisation and delay, the whole machine's CPU), and optionally a profile.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { LoadGenerator } from './loadgen-process.js';
import { Profiler, type ProfileSummary } from './profile.js';
import type { Job } from './protocol.js';
import { median, summarize, type LatencySummary } from './stats.js';

export interface PhaseResult {
  name: string;
  clients: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  firstError?: string;
  timedOut: boolean;
  elapsedMs: number;
  perSecond: number;
  latency: LatencySummary;
  bodyBytes: number;
  /** server process CPU (main thread + libuv pool + PGlite when in use) per request, ms */
  serverCpuMsPerRequest: number;
  loadgenCpuMsPerRequest: number;
  /** share of all cores busy on the machine (everything, including PostgreSQL and other programs) */
  machineBusyPct: number;
  /** server main thread: share of the time the event loop was busy (1 = saturated) */
  eventLoopUtilization: number;
  eventLoopDelayP99Ms: number;
  profile?: ProfileSummary;
}

export function machineTimes() {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

export interface PhaseOptions {
  name: string;
  profileDir?: string;
}

export async function runPhase(
  loadgen: LoadGenerator,
  job: Exclude<Job, { type: 'sessions' | 'charge' }>,
  opts: PhaseOptions,
): Promise<PhaseResult> {
  const profiler = opts.profileDir ? new Profiler() : null;
  if (profiler) await profiler.start();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const m0 = machineTimes();
  const r = await loadgen.run(job);
  const m1 = machineTimes();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  delay.disable();
  const profile = profiler
    ? await profiler.stop(join(opts.profileDir!, `${opts.name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`))
    : undefined;
  const n = Math.max(1, r.ok + r.errors);
  return {
    name: opts.name,
    clients: job.type === 'login' ? job.clients : job.sids.length,
    requests: r.ok,
    errors: r.errors,
    statuses: r.statuses,
    firstError: r.firstError,
    timedOut: r.timedOut,
    elapsedMs: r.elapsedMs,
    perSecond: (r.ok / r.elapsedMs) * 1000,
    latency: summarize(r.latencies),
    bodyBytes: r.bodyBytes,
    serverCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / n,
    loadgenCpuMsPerRequest: r.cpuMs / n,
    machineBusyPct: ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100,
    eventLoopUtilization: elu.utilization,
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    profile,
  };
}

/** Share of all cores busy on the machine over `ms`, before the benchmark starts (other programs). */
export async function backgroundLoad(ms = 3000): Promise<number> {
  const a = machineTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = machineTimes();
  return ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100;
}

/** Several runs of one phase: the median of each figure (robust to a burst of another program's load). */
export interface RepeatedPhase extends PhaseResult {
  repeats: Omit<PhaseResult, 'profile'>[];
}

export function medianPhase(runs: PhaseResult[]): RepeatedPhase {
  const med = (f: (p: PhaseResult) => number) => median(runs.map(f));
  const first = runs[0]!;
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    ...first,
    requests: runs.reduce((a, r) => a + r.requests, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    statuses,
    firstError: runs.find((r) => r.firstError)?.firstError,
    timedOut: runs.some((r) => r.timedOut),
    elapsedMs: runs.reduce((a, r) => a + r.elapsedMs, 0),
    perSecond: med((p) => p.perSecond),
    latency: {
      count: runs.reduce((a, r) => a + r.latency.count, 0),
      min: Math.min(...runs.map((r) => r.latency.min)),
      p50: med((p) => p.latency.p50),
      p95: med((p) => p.latency.p95),
      p99: med((p) => p.latency.p99),
      max: Math.max(...runs.map((r) => r.latency.max)),
      mean: med((p) => p.latency.mean),
    },
    serverCpuMsPerRequest: med((p) => p.serverCpuMsPerRequest),
    loadgenCpuMsPerRequest: med((p) => p.loadgenCpuMsPerRequest),
    machineBusyPct: med((p) => p.machineBusyPct),
    eventLoopUtilization: med((p) => p.eventLoopUtilization),
    eventLoopDelayP99Ms: med((p) => p.eventLoopDelayP99Ms),
    profile: runs.find((r) => r.profile)?.profile,
    repeats: runs.map(({ profile: _profile, ...rest }) => rest),
  };
}

/** Runs a phase `times` times, each with its share of the requests; profiles the last run only. */
export async function repeatPhase(
  loadgen: LoadGenerator,
  times: number,
  job: (share: (total: number) => number) => Exclude<Job, { type: 'sessions' | 'charge' }>,
  opts: PhaseOptions,
): Promise<RepeatedPhase> {
  const runs: PhaseResult[] = [];
  for (let i = 0; i < times; i++) {
    const share = (total: number) => Math.max(1, Math.round(total / times));
    runs.push(await runPhase(loadgen, job(share), { name: opts.name, profileDir: i === times - 1 ? opts.profileDir : undefined }));
  }
  return medianPhase(runs);
}
