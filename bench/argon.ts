/**
 * Baseline measured in the same run as the login load: how many argon2id verifies per second this
 * machine does through the application's own verifySecret (@node-rs/argon2, libuv thread pool), with
 * 1 … UV_THREADPOOL_SIZE verifies in flight. The level equal to the pool size is the login ceiling:
 * the server can never run more verifies at once than it has pool threads.
 */
import { availableParallelism } from 'node:os';
import { verifySecret } from '../src/infra/crypto.js';
import { summarize, type LatencySummary } from './stats.js';

export interface ArgonLevel {
  concurrency: number;
  verifies: number;
  elapsedMs: number;
  perSecond: number;
  latency: LatencySummary;
  /** CPU time of this process per verify (all threads), ms */
  cpuMsPerVerify: number;
}

export interface ArgonBaseline {
  threadPoolSize: number;
  cores: number;
  levels: ArgonLevel[];
  /** single verify, nothing else in flight */
  singleP50Ms: number;
  /** verifies/s at concurrency = thread pool size */
  ceilingPerSecond: number;
  /** best verifies/s at any level */
  bestPerSecond: number;
}

export function threadPoolSize(): number {
  const v = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(v) && v > 0 ? Math.min(v, 1024) : 4;
}

async function level(hash: string, password: string, concurrency: number, count: number, timeLimitMs: number): Promise<ArgonLevel> {
  // warm-up: one round at this concurrency
  await Promise.all(Array.from({ length: concurrency }, () => verifySecret(hash, password)));
  const latencies: number[] = [];
  let issued = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < count && performance.now() - t0 < timeLimitMs) {
        issued++;
        const s = performance.now();
        const ok = await verifySecret(hash, password);
        latencies.push(performance.now() - s);
        if (!ok) throw new Error('argon2 baseline: verify returned false');
      }
    }),
  );
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    concurrency,
    verifies: latencies.length,
    elapsedMs,
    perSecond: (latencies.length / elapsedMs) * 1000,
    latency: summarize(latencies),
    cpuMsPerVerify: (cpu.user + cpu.system) / 1000 / latencies.length,
  };
}

/** All levels 1 … pool size, or `only` one level (used to measure the ceiling again after a load). */
export async function argonBaseline(
  hash: string,
  password: string,
  opts: { perLevel?: number; timeLimitMs?: number; only?: number } = {},
): Promise<ArgonBaseline> {
  const pool = threadPoolSize();
  const levels: ArgonLevel[] = [];
  for (let c = opts.only ?? 1; c <= (opts.only ?? pool); c++)
    levels.push(await level(hash, password, c, Math.max(opts.perLevel ?? 40, 10 * c), opts.timeLimitMs ?? 15_000));
  return {
    threadPoolSize: pool,
    cores: availableParallelism(),
    levels,
    singleP50Ms: levels.find((l) => l.concurrency === 1)?.latency.p50 ?? Number.NaN,
    ceilingPerSecond: levels.find((l) => l.concurrency === pool)?.perSecond ?? Number.NaN,
    bestPerSecond: Math.max(...levels.map((l) => l.perSecond)),
  };
}
