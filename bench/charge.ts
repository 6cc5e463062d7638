/**
 * The closing-day rush (`npm run bench -- charge`, bench/README.md): two portal instances behind HAProxy
 * on one PostgreSQL database, CHARGE_USERS virtual employers (200) logging in, searching, allocating
 * and validating for CHARGE_SECONDS (600), one instance killed (SIGKILL) halfway. Before that, in the
 * same run, the same mix against one instance directly: the baseline.
 *
 * Expected, and checked: no 5xx and no request without an answer, apart from the requests in flight on
 * the killed instance (reported apart); the final allocations of every employer equal its last
 * acknowledged write (no lost update); no session lost when its instance died. Printed as tables and
 * written to bench/results/<date>-charge.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  checkUpdates,
  phaseFigures,
  sessionsAcrossKill,
  slice,
  type Kill,
  type PhaseFigures,
  type SessionsAcrossKill,
  type UpdateCheck,
} from './charge-analysis.js';
import { freePort, instanceEnv, startHaproxy, startInstance, stop, type Server } from './charge-cluster.js';
import { finalStates, prepareChargeDatabase, type ChargeDatabase } from './charge-setup.js';
import type { LoadGenerator } from './loadgen-process.js';
import { machineTimes } from './phase.js';
import type { ChargeJob, ChargeResult } from './protocol.js';
import { fmt, table } from './report.js';
import { intEnv } from './stats.js';

const DEFAULT_DATABASE = 'postgres://postgres@127.0.0.1:5432/test';

export function chargeSettings() {
  const seconds = intEnv('CHARGE_SECONDS', 600, 10, 3600);
  return {
    seconds,
    users: intEnv('CHARGE_USERS', 200, 1, 2000),
    baselineSeconds: intEnv('CHARGE_BASELINE_SECONDS', Math.min(180, seconds), 10, 3600),
    thinkMs: intEnv('CHARGE_THINK_MS', 10_000, 0, 60_000),
    roundsPerVisit: intEnv('CHARGE_ROUNDS', 3, 1, 100),
    rampSeconds: intEnv('CHARGE_RAMP_SECONDS', Math.min(60, Math.round(seconds / 4)), 0, 600),
    poolMax: intEnv('CHARGE_POOL_MAX', 10, 1, 100),
    /** the kill, in % of the phase behind HAProxy */
    killAtPct: intEnv('CHARGE_KILL_AT_PCT', 50, 1, 99),
    seed: intEnv('CHARGE_SEED', 1, 0, 1_000_000),
  };
}
type Settings = ReturnType<typeof chargeSettings>;

interface Machine {
  loadavgStart: number[];
  loadavgEnd: number[];
  /** share of both cores busy during the phase (everything on the machine) */
  busyPct: number;
}

async function measured<T>(f: () => Promise<T>): Promise<{ value: T; machine: Machine }> {
  const la = () => loadavg().map((v) => Math.round(v * 100) / 100);
  const loadavgStart = la();
  const a = machineTimes();
  const value = await f();
  const b = machineTimes();
  return {
    value,
    machine: { loadavgStart, loadavgEnd: la(), busyPct: Math.round(((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100) },
  };
}

export interface ChargeReport {
  machine: { cpus: number; node: string; loadavgBefore: number[]; startedAt: string };
  settings: Settings;
  database: string;
  setup: ChargeDatabase['timings'];
  baseline: PhaseFigures & { machine: Machine };
  cluster: PhaseFigures & { machine: Machine; beforeKill: PhaseFigures; afterKill: PhaseFigures };
  kill: { at: string; server: string; afterSeconds: number; detectedAfterMs: number | null; sessions: SessionsAcrossKill };
  updates: UpdateCheck;
}

const log = (s = '') => console.log(s);

export async function runCharge(loadgen: LoadGenerator, root: string, resultsDir: string, stamp: string): Promise<ChargeReport> {
  const s = chargeSettings();
  const base = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE;
  log(
    `\n▶ charge: ${s.users} employers, ${s.baselineSeconds} s on one instance, then ${s.seconds} s on two behind HAProxy (one killed at ${s.killAtPct} %); instances: src/main.ts with NODE_ENV=development (the demo clock), libraries in their ${process.env.NODE_ENV} build…`,
  );
  const db = await prepareChargeDatabase(base, s.users);
  log(`  ${db.label}: demo data set ${fmt(db.timings.seedMs / 1000)} s, ${s.users} employers ${fmt(db.timings.employersMs)} ms`);
  const servers: Server[] = [];
  const logDir = join(resultsDir, `${stamp}-charge-logs`);
  mkdirSync(logDir, { recursive: true });
  try {
    const env = instanceEnv(db.url, s.poolMax);
    const a = await startInstance(root, 'a', env, logDir);
    const b = await startInstance(root, 'b', env, logDir);
    servers.push(a, b);
    const lb = await startHaproxy(root, { lb: await freePort(), a: a.port, b: b.port }, logDir);
    servers.push(lb);
    log(`  instances a :${a.port}, b :${b.port} (pool ${s.poolMax} each), HAProxy :${lb.port}; their output in ${logDir}`);
    const job = (baseUrl: string, seconds: number): ChargeJob => ({
      type: 'charge',
      baseUrl,
      employers: db.employers,
      password: db.password,
      seconds,
      rampMs: s.rampSeconds * 1000,
      thinkMs: s.thinkMs,
      roundsPerVisit: s.roundsPerVisit,
      seed: s.seed,
    });

    log(`\n▶ baseline: the same mix on instance a directly, ${s.baselineSeconds} s…`);
    const baseline = await measured(() => loadgen.charge(job(`http://127.0.0.1:${a.port}`, s.baselineSeconds)));
    log(
      `\n▶ two instances behind HAProxy, ${s.seconds} s; instance b killed (SIGKILL) after ${Math.round((s.seconds * s.killAtPct) / 100)} s…`,
    );
    let killAt = 0;
    const timer = setTimeout(
      () => {
        killAt = Date.now();
        b.proc.kill('SIGKILL');
        log(`  ${new Date(killAt).toISOString()} instance b killed`);
      },
      (s.seconds * 1000 * s.killAtPct) / 100,
    );
    const cluster = await measured(() => loadgen.charge(job(`http://127.0.0.1:${lb.port}`, s.seconds)));
    clearTimeout(timer);
    const finals = await finalStates(
      db.url,
      db.employers.map((e) => e.siret),
    );
    const down = lb.lines.find((l) => l.at >= killAt && /instances\/b is DOWN/.test(l.text));
    return report(
      s,
      db,
      baseline,
      cluster,
      { at: killAt, detectedAt: down?.at ?? null },
      checkUpdates([baseline.value, cluster.value], finals),
    );
  } finally {
    for (const srv of servers.reverse()) await stop(srv);
    await db.drop();
  }
}

function report(
  s: Settings,
  db: ChargeDatabase,
  baseline: { value: ChargeResult; machine: Machine },
  cluster: { value: ChargeResult; machine: Machine },
  kill: { at: number; detectedAt: number | null },
  updates: UpdateCheck,
): ChargeReport {
  // without a DOWN line from HAProxy, the window is taken as 5 s (two failed checks take about 2)
  const k: Kill = { at: kill.at, server: 'b', downAt: kill.detectedAt ?? kill.at + 5000 };
  return {
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadavgBefore: baseline.machine.loadavgStart,
      startedAt: new Date(baseline.value.startedAt).toISOString(),
    },
    settings: s,
    database: db.label,
    setup: db.timings,
    baseline: { ...phaseFigures('one instance (baseline)', baseline.value), machine: baseline.machine },
    cluster: {
      ...phaseFigures('two instances, HAProxy', cluster.value, k),
      machine: cluster.machine,
      beforeKill: phaseFigures('before the kill', slice(cluster.value, cluster.value.startedAt, kill.at), k),
      afterKill: phaseFigures('after the kill', slice(cluster.value, kill.at, cluster.value.endedAt), k),
    },
    kill: {
      at: new Date(kill.at).toISOString(),
      server: 'b',
      afterSeconds: Math.round((kill.at - cluster.value.startedAt) / 100) / 10,
      detectedAfterMs: kill.detectedAt === null ? null : kill.detectedAt - kill.at,
      sessions: sessionsAcrossKill(cluster.value, k),
    },
    updates,
  };
}

export function printCharge(r: ChargeReport, resultsDir: string, stamp: string): string {
  const c = r.cluster;
  const byName = (p: PhaseFigures, action: string) => p.actions.find((a) => a.action === action);
  const actions = [...new Set([...r.baseline.actions, ...c.actions].map((a) => a.action))];
  log(`\n═══ Closing-day rush: ${r.settings.users} employers on ${r.database} ═══\n`);
  log(
    table(
      [
        'action',
        'one instance req/s',
        'p50 ms',
        'p95 ms',
        'two + HAProxy req/s',
        'p50 ms',
        'p95 ms',
        'p95 before kill',
        'p95 after kill',
        'failures',
      ],
      actions.map((name) => {
        const b = byName(r.baseline, name);
        const x = byName(c, name);
        return [
          name,
          b?.perSecond ?? '–',
          b?.latency.p50 ?? '–',
          b?.latency.p95 ?? '–',
          x?.perSecond ?? '–',
          x?.latency.p50 ?? '–',
          x?.latency.p95 ?? '–',
          byName(c.beforeKill, name)?.latency.p95 ?? '–',
          byName(c.afterKill, name)?.latency.p95 ?? '–',
          `${b?.failures ?? 0} / ${x?.failures ?? 0}`,
        ];
      }),
    ),
  );
  for (const p of [r.baseline, c])
    log(
      `\n${p.name}: ${p.requests} requests in ${p.seconds} s (${p.perSecond} req/s), machine ${p.machine.busyPct} % busy, load average ${p.machine.loadavgStart.join(' ')} → ${p.machine.loadavgEnd.join(' ')}; statuses ${JSON.stringify(p.statuses)}; sessions lost ${p.sessionLost}, stale Synthèse reads ${p.staleReads}, 409 ${p.conflicts}, refused by a rule ${p.refusals}`,
    );
  log(
    `\nKill: instance ${r.kill.server} at ${r.kill.at} (${r.kill.afterSeconds} s into the phase), marked DOWN by HAProxy after ${r.kill.detectedAfterMs ?? '?'} ms`,
  );
  const inFlight = c.inFlightAtKill.map((f) => `${f.action} ${f.status || 'no answer'} (sent ${f.fromKillStartMs} ms from the kill)`);
  log(`  requests in flight on it between the kill and HAProxy's DOWN (failed, allowed): ${inFlight.length} ${JSON.stringify(inFlight)}`);
  const ss = r.kill.sessions;
  log(
    `  sessions open at the kill and used after it: ${ss.spanning}; opened by the killed instance ${ss.openedOnKilled}, still signed in on the surviving one ${ss.kept}`,
  );
  const failures = [...r.baseline.failures, ...c.failures];
  log(`  other 5xx or unanswered requests (expected 0): ${failures.length}`);
  for (const f of failures.slice(0, 10)) log(`    ${JSON.stringify(f)}`);
  const u = r.updates;
  log(
    `\nAllocations: ${u.employers} employers, ${u.withWrites} with acknowledged writes; equal to the last acknowledged write ${u.equal}; a later write that got no answer was applied ${u.inDoubtApplied}; lost updates ${u.lost.length} (expected 0)`,
  );
  for (const l of u.lost.slice(0, 5)) log(`    ${JSON.stringify(l)}`);
  const file = join(resultsDir, `${stamp}-charge.json`);
  writeFileSync(file, JSON.stringify(r, null, 2));
  log(`\nJSON: ${file}`);
  return file;
}
