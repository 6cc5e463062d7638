/** Messages between the benchmark (server process) and the load generator (child process). */

export interface Triplet {
  siret: string;
  nom: string;
  prenom: string;
}

export type Job =
  | {
      type: 'login';
      baseUrl: string;
      users: Triplet[];
      password: string;
      /** index of the first user: request n logs in as users[(offset + n) % users.length] */
      offset: number;
      clients: number;
      total: number;
      timeLimitMs: number;
    }
  | { type: 'sessions'; baseUrl: string; users: Triplet[]; password: string; concurrency: number }
  | ChargeJob
  | {
      type: 'get';
      baseUrl: string;
      path: string;
      accept: string;
      /** one session cookie per client (null: anonymous) */
      sids: (string | null)[];
      total: number;
      timeLimitMs: number;
      /** a string every good answer contains */
      expect?: string;
      /** the status every good answer has (200) */
      expectStatus?: number;
      /**
       * Paced (open-loop) mode: each client sends one request every intervalMs (clients staggered),
       * and latency counts from the scheduled send time, so a slow answer also charges the requests
       * queued behind it (no coordinated omission). Without it: closed loop, back to back.
       */
      intervalMs?: number;
    };

/** The closing-day rush (bench/charge.ts): virtual employers each running their scenario (bench/charge-employer.ts). */
export interface ChargeJob {
  type: 'charge';
  baseUrl: string;
  employers: Triplet[];
  password: string;
  /** how long the employers act: no action starts after this (the ones in flight finish) */
  seconds: number;
  /** the employers start spread over this many milliseconds */
  rampMs: number;
  /** mean think time between two actions of one employer (uniform, ± 50 %) */
  thinkMs: number;
  /** Synthèse-to-validation rounds per visit (log in, rounds, log out) */
  roundsPerVisit: number;
  /** the seed of the employers' choices and think times (the same for every phase of a run) */
  seed: number;
}

/**
 * One request of the rush: [action, start (epoch ms), end (epoch ms), status (0: no answer), instance
 * that answered (x-charge-server, set by HAProxy; '' when direct), error text or '', employer's index].
 */
export type ChargeRecord = [action: string, start: number, end: number, status: number, server: string, error: string, employer: number];

/** The allocations as an acknowledged write gave them back: version and `etablissementId:formationId:pointsBase:statut`, sorted. */
export interface AckedState {
  version: number;
  lines: string[];
  at: number;
}

export interface ChargeEmployerResult {
  siret: string;
  /** the last write the portal acknowledged (200 with the Synthèse), or null */
  lastAck: AckedState | null;
  /** a write sent after lastAck got no answer (connection lost, 502): it may or may not have been applied */
  inDoubt: boolean;
  /** Synthèse pages that showed a version older than a write already acknowledged */
  staleReads: number;
  /** signed-in requests answered as if signed out (the session was lost) */
  sessionLost: number;
  /** writes refused because the version had moved (409), and writes refused by a rule (400) */
  conflicts: number;
  refusals: number;
}

export interface ChargeResult {
  records: ChargeRecord[];
  employers: ChargeEmployerResult[];
  startedAt: number;
  endedAt: number;
  /** CPU used by the load generator (user + system), ms */
  cpuMs: number;
}

export interface LoadResult {
  /** latencies of the measured (non-warm-up) requests, ms */
  latencies: number[];
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  firstError?: string;
  /** wall time of the measured part, ms */
  elapsedMs: number;
  /** CPU used by the load generator during the measured part (user+system), ms */
  cpuMs: number;
  /** bytes of the last good body */
  bodyBytes: number;
  timedOut: boolean;
}

export type Reply =
  | { type: 'result'; result: LoadResult }
  | { type: 'charge'; result: ChargeResult }
  | { type: 'sessions'; sids: string[] }
  | { type: 'error'; message: string };
