/**
 * Failure counters kept in the database (shared by every instance): login lockout, secret answers,
 * rate limits. Updates are single atomic statements, so concurrent failures are all counted.
 */
import { eq, sql } from 'drizzle-orm';
import type { Tx } from './db/index.js';
import { throttles } from './db/schema.js';

export interface ThrottlePolicy {
  maxFailures: number;
  lockMinutes: number;
}

export async function isLocked(tx: Tx, key: string, now: Date): Promise<Date | null> {
  const [row] = await tx.select({ lockedUntil: throttles.lockedUntil }).from(throttles).where(eq(throttles.key, key));
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

/** Counts one failure; returns the lock end when this failure (or an earlier one) locks the key. */
export async function registerFailure(tx: Tx, key: string, now: Date, policy: ThrottlePolicy): Promise<Date | null> {
  const lockUntil = new Date(now.getTime() + policy.lockMinutes * 60_000);
  // A lock that has expired starts a fresh count.
  const [row] = await tx
    .insert(throttles)
    .values({ key, failures: 1, windowStartedAt: now, lastFailureAt: now, lockedUntil: policy.maxFailures <= 1 ? lockUntil : null })
    .onConflictDoUpdate({
      target: throttles.key,
      set: {
        failures: sql`case when ${throttles.lockedUntil} is not null and ${throttles.lockedUntil} <= ${now.toISOString()}::timestamptz then 1 else ${throttles.failures} + 1 end`,
        lastFailureAt: now,
        lockedUntil: sql`case
          when ${throttles.lockedUntil} is not null and ${throttles.lockedUntil} > ${now.toISOString()}::timestamptz then ${throttles.lockedUntil}
          when ${throttles.lockedUntil} is not null and ${throttles.lockedUntil} <= ${now.toISOString()}::timestamptz then null
          when ${throttles.failures} + 1 >= ${policy.maxFailures} then ${lockUntil.toISOString()}::timestamptz
          else null end`,
      },
    })
    .returning({ lockedUntil: throttles.lockedUntil });
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

export async function clearFailures(tx: Tx, key: string): Promise<void> {
  await tx.delete(throttles).where(eq(throttles.key, key));
}

/** Fixed-window rate limit: true when the call is allowed. */
export async function consumeRate(tx: Tx, key: string, now: Date, limit: number, windowSeconds: number): Promise<boolean> {
  const windowStart = new Date(now.getTime() - windowSeconds * 1000);
  const [row] = await tx
    .insert(throttles)
    .values({ key, failures: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: throttles.key,
      set: {
        failures: sql`case when ${throttles.windowStartedAt} < ${windowStart.toISOString()}::timestamptz then 1 else ${throttles.failures} + 1 end`,
        windowStartedAt: sql`case when ${throttles.windowStartedAt} < ${windowStart.toISOString()}::timestamptz then ${now.toISOString()}::timestamptz else ${throttles.windowStartedAt} end`,
      },
    })
    .returning({ failures: throttles.failures });
  return (row?.failures ?? 0) <= limit;
}
