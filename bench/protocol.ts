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
      clients: number;
      total: number;
      warmup: number;
      timeLimitMs: number;
    }
  | { type: 'sessions'; baseUrl: string; users: Triplet[]; password: string; concurrency: number }
  | {
      type: 'get';
      baseUrl: string;
      path: string;
      accept: string;
      /** one session cookie per client (null: anonymous) */
      sids: (string | null)[];
      total: number;
      warmup: number;
      timeLimitMs: number;
      /** a string every good answer contains */
      expect?: string;
    };

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

export type Reply = { type: 'result'; result: LoadResult } | { type: 'sessions'; sids: string[] } | { type: 'error'; message: string };
