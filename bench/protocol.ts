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
