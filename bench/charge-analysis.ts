/**
 * What the closing-day rush's records say (bench/charge.ts): per action, throughput and latencies;
 * every failure classified (answered 5xx, or no answer), with the ones in flight on the killed
 * instance apart; the final allocations against the last acknowledged write of each employer.
 */
import type { FinalState } from './charge-setup.js';
import { CHARGE_ACTIONS } from './charge-employer.js';
import type { AckedState, ChargeEmployerResult, ChargeRecord, ChargeResult } from './protocol.js';
import { round, summarize, type LatencySummary } from './stats.js';

export interface ActionFigures {
  action: string;
  /** answered with a status below 500 (a 409 or a rule's 400 is an answer, not a failure) */
  answered: number;
  perSecond: number;
  latency: LatencySummary;
  /** status ≥ 500 or no answer, outside the kill */
  failures: number;
}

export interface Failure {
  action: string;
  status: number;
  server: string;
  error: string;
  /** ms from the kill to the request's start (negative: started before) and end */
  fromKillStartMs: number | null;
  fromKillEndMs: number | null;
}

export interface PhaseFigures {
  name: string;
  seconds: number;
  requests: number;
  perSecond: number;
  actions: ActionFigures[];
  statuses: Record<string, number>;
  /** failures of requests in flight on the killed instance when it was killed */
  inFlightAtKill: Failure[];
  /** every other failure: none is expected */
  failures: Failure[];
  sessionLost: number;
  staleReads: number;
  conflicts: number;
  refusals: number;
  loadGeneratorCpuMs: number;
}

const isFailure = (r: ChargeRecord) => r[3] === 0 || r[3] >= 500;

function actionFigures(records: readonly ChargeRecord[], seconds: number): ActionFigures[] {
  const names = [...CHARGE_ACTIONS, ...new Set(records.map((r) => r[0]).filter((a) => !(CHARGE_ACTIONS as readonly string[]).includes(a)))];
  return names
    .map((action) => {
      const mine = records.filter((r) => r[0] === action);
      const ok = mine.filter((r) => !isFailure(r));
      return {
        action,
        answered: ok.length,
        perSecond: round(ok.length / seconds, 2),
        latency: summarize(ok.map((r) => r[2] - r[1])),
        failures: mine.length - ok.length,
      };
    })
    .filter((a) => a.answered + a.failures > 0);
}

/** The kill: when, which instance, and when HAProxy took it out of the pool (its health checks failed). */
export interface Kill {
  at: number;
  server: string;
  /** when HAProxy logged the instance DOWN (the end of the kill window) */
  downAt: number;
}

/**
 * A failure is « in flight on the killed instance » when it was on that instance (HAProxy names it)
 * or got no answer at all, and the request was under way during the kill window: sent before HAProxy
 * took the instance out, answered (or cut) after the kill.
 */
export function phaseFigures(name: string, r: ChargeResult, kill?: Kill): PhaseFigures {
  const seconds = (r.endedAt - r.startedAt) / 1000;
  const statuses: Record<string, number> = {};
  const inFlightAtKill: Failure[] = [];
  const failures: Failure[] = [];
  for (const rec of r.records) {
    const key = rec[3] === 0 ? 'no answer' : String(rec[3]);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (!isFailure(rec)) continue;
    const f: Failure = {
      action: rec[0],
      status: rec[3],
      server: rec[4],
      error: rec[5],
      fromKillStartMs: kill ? rec[1] - kill.at : null,
      fromKillEndMs: kill ? rec[2] - kill.at : null,
    };
    const inFlight = kill && rec[1] <= kill.downAt && rec[2] >= kill.at && (rec[4] === kill.server || rec[3] === 0);
    (inFlight ? inFlightAtKill : failures).push(f);
  }
  const sum = (f: (e: ChargeEmployerResult) => number) => r.employers.reduce((a, e) => a + f(e), 0);
  const figures = actionFigures(r.records, seconds);
  for (const a of figures) a.failures -= inFlightAtKill.filter((f) => f.action === a.action).length;
  return {
    name,
    seconds: round(seconds, 1),
    requests: r.records.length,
    perSecond: round(r.records.length / seconds, 1),
    actions: figures,
    statuses,
    inFlightAtKill,
    failures,
    sessionLost: sum((e) => e.sessionLost),
    staleReads: sum((e) => e.staleReads),
    conflicts: sum((e) => e.conflicts),
    refusals: sum((e) => e.refusals),
    loadGeneratorCpuMs: Math.round(r.cpuMs),
  };
}

/** The records of a phase between two instants (before / after the kill). */
export function slice(r: ChargeResult, from: number, to: number): ChargeResult {
  return { ...r, records: r.records.filter((x) => x[1] >= from && x[1] < to), startedAt: from, endedAt: to };
}

export interface UpdateCheck {
  employers: number;
  /** employers with at least one acknowledged write */
  withWrites: number;
  /** the database holds exactly the last acknowledged write */
  equal: number;
  /** the database holds a later state, explained by a write that got no answer after the last acknowledged one */
  inDoubtApplied: number;
  /** the database holds an older state than acknowledged, or another one: a lost update */
  lost: { siret: string; acked: AckedState | null; final: FinalState; inDoubt: boolean }[];
}

/** Each employer's final allocations against the last write acknowledged to it (the later phase's first). */
export function checkUpdates(phases: ChargeResult[], finals: Map<string, FinalState>): UpdateCheck {
  const last = new Map<string, { acked: AckedState | null; inDoubt: boolean }>();
  for (const p of phases)
    for (const e of p.employers) {
      const before = last.get(e.siret);
      if (e.lastAck || !before) last.set(e.siret, { acked: e.lastAck ?? before?.acked ?? null, inDoubt: e.inDoubt });
      else if (e.inDoubt) before.inDoubt = true;
    }
  const out: UpdateCheck = { employers: finals.size, withWrites: 0, equal: 0, inDoubtApplied: 0, lost: [] };
  for (const [siret, final] of finals) {
    const { acked, inDoubt } = last.get(siret) ?? { acked: null, inDoubt: false };
    if (acked) out.withWrites++;
    const ackVersion = acked?.version ?? 0;
    const same = final.version === ackVersion && final.lines.join('|') === (acked?.lines ?? []).join('|');
    if (same) out.equal++;
    else if (final.version > ackVersion && inDoubt) out.inDoubtApplied++;
    else out.lost.push({ siret, acked, final, inDoubt });
  }
  return out;
}

export interface SessionsAcrossKill {
  /** sessions opened before the kill and used by a signed-in request after it */
  spanning: number;
  /** of which opened by the killed instance (its login answer came from it) */
  openedOnKilled: number;
  /** of those, how many kept working on the surviving instance (every signed-in request after the kill answered 200) */
  kept: number;
}

const SIGNED_IN = new Set(['synthèse', 'recherche', 'cibles', 'attribuer', 'supprimer', 'valider']);

/**
 * For each employer, the session open at the kill (its last login before it) and the signed-in
 * requests it made after the kill with that session (until its next login): was it still recognised?
 * A request that failed for the kill itself is left out; a session lost shows as a 401 or a 303.
 */
export function sessionsAcrossKill(r: ChargeResult, kill: Kill): SessionsAcrossKill {
  const out: SessionsAcrossKill = { spanning: 0, openedOnKilled: 0, kept: 0 };
  const byEmployer = new Map<number, ChargeRecord[]>();
  for (const rec of r.records) {
    const list = byEmployer.get(rec[6]) ?? [];
    list.push(rec);
    byEmployer.set(rec[6], list);
  }
  for (const recs of byEmployer.values()) {
    recs.sort((a, b) => a[1] - b[1]);
    const login = recs.filter((x) => x[0] === 'connexion' && x[2] < kill.at && x[3] === 200).pop();
    if (!login) continue;
    const nextLogin = recs.find((x) => x[0] === 'connexion' && x[1] > login[1]);
    const after = recs.filter((x) => SIGNED_IN.has(x[0]) && x[1] > kill.downAt && (!nextLogin || x[1] < nextLogin[1]));
    if (after.length === 0) continue;
    out.spanning++;
    if (login[4] !== kill.server) continue;
    out.openedOnKilled++;
    if (after.every((x) => x[3] !== 401 && x[3] !== 303)) out.kept++;
  }
  return out;
}
