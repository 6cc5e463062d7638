/**
 * Counters kept in the database, shared by every instance (ADR 0002): login attempts, secret answers,
 * rate limits by client address and by target. Each count is ONE statement (an upsert whose update is
 * conditional: `ON CONFLICT DO UPDATE … WHERE allowed`), so concurrent requests are all counted and an
 * attempt over the limit is refused before anything else runs — never counted after the fact.
 *
 * Three shapes:
 * - `fixed`: at most `max` attempts per window that starts at the first one (a login from one address
 *   on one account: 5 per 15 minutes; a rate limit: N per minute);
 * - `progressive`: after `max` attempts in the window, each further attempt must wait a delay that
 *   doubles (1 s, 2 s, 4 s… capped at `maxDelaySeconds`) — used where a hard lock would let an attacker
 *   keep the real person out (an account attacked from many addresses);
 * - the older `registerFailure` / `isLocked` lock of a key after N failures (secret answers, bank codes).
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { AttemptPolicy } from '../domain/tokens.js';
import { selectRows, type Db, type Tx } from './db/index.js';
import { throttles } from './db/schema.js';

export interface ThrottlePolicy {
  maxFailures: number;
  lockMinutes: number;
}

export interface AttemptRequest {
  key: string;
  policy: AttemptPolicy;
}

/** Refused keys, each with the instant from which a new attempt may be allowed. */
export type AttemptOutcome = { allowed: true } | { allowed: false; refused: { key: string; retryAt: Date }[] };

const iso = (d: Date) => d.toISOString();

/** The upsert of one key: counts the attempt when its policy allows it, returns the key when it did. */
function countStatement(r: AttemptRequest, now: Date): SQL {
  const windowStart = new Date(now.getTime() - r.policy.windowSeconds * 1000);
  const expired = sql`throttles.window_started_at <= ${iso(windowStart)}::timestamptz`;
  const allowed =
    r.policy.kind === 'fixed'
      ? sql`(${expired} or throttles.failures < ${r.policy.max}::int)`
      : sql`(${expired} or throttles.failures < ${r.policy.max}::int or throttles.last_failure_at <= ${iso(now)}::timestamptz
             - make_interval(secs => least(${r.policy.maxDelaySeconds}::int, power(2, throttles.failures - ${r.policy.max}::int))))`;
  return sql`insert into throttles (key, failures, window_started_at, last_failure_at)
      values (${r.key}, 1, ${iso(now)}::timestamptz, ${iso(now)}::timestamptz)
    on conflict (key) do update set
      failures = case when ${expired} then 1 else throttles.failures + 1 end,
      window_started_at = case when ${expired} then ${iso(now)}::timestamptz else throttles.window_started_at end,
      last_failure_at = ${iso(now)}::timestamptz,
      locked_until = null
    where ${allowed}
    returning key`;
}

/** When a refused key may try again: the end of its window, or the end of its progressive delay. */
function retryStatement(r: AttemptRequest): SQL {
  const window = sql`window_started_at + make_interval(secs => ${r.policy.windowSeconds}::int)`;
  const at =
    r.policy.kind === 'fixed'
      ? window
      : sql`least(${window}, last_failure_at + make_interval(secs => least(${r.policy.maxDelaySeconds}::int, power(2, failures - ${r.policy.max}::int))))`;
  return sql`select ${r.key}::text as key, ${at} as retry_at from throttles where key = ${r.key}`;
}

/**
 * Counts one attempt on each key at once, in one statement: every key whose policy allows it counts the
 * attempt; the attempt may proceed only when all of them allowed it. Refused keys are not counted.
 */
export async function takeAttempts(
  tx: Tx,
  now: Date,
  requests: readonly AttemptRequest[],
  opts: { durable: boolean } = { durable: true },
): Promise<AttemptOutcome> {
  if (requests.length === 0) return { allowed: true };
  const ctes = sql.join(
    requests.map((r, i) => sql`${sql.raw(`c${i}`)} as (${countStatement(r, now)})`),
    sql`, `,
  );
  const union = sql.join(
    requests.map((_, i) => sql`select key from ${sql.raw(`c${i}`)}`),
    sql` union all `,
  );
  // not durable: the statement's own (implicit) transaction commits without waiting for the disk
  const statement = opts.durable
    ? sql`with ${ctes} ${union}`
    : sql`with ${ctes}, lazy as materialized (select set_config('synchronous_commit', 'off', true) as off) select k.key from (${union}) k, lazy`;
  const counted = new Set((await selectRows<{ key: string }>(tx, statement)).map((r) => r.key));
  const refusedRequests = requests.filter((r) => !counted.has(r.key));
  if (refusedRequests.length === 0) return { allowed: true };
  const refused = [];
  for (const r of refusedRequests) {
    const [row] = await selectRows<{ key: string; retry_at: string | Date }>(tx, retryStatement(r));
    refused.push({ key: r.key, retryAt: row ? new Date(row.retry_at) : now });
  }
  return { allowed: false, refused };
}

/**
 * {@link takeAttempts} for the routes' rate limits (ADR 0008): the count is committed without waiting for
 * the disk (`synchronous_commit = off` for its own statement's transaction: one round trip). A crash of the database may forget the
 * last fraction of a second of counts (at most three `wal_writer_delay`), which a flood limit can afford;
 * waiting for the disk cost a public search several milliseconds on a busy machine. Login and
 * second-factor counters keep `takeAttempts` and its durable commit. Outside any transaction only: inside
 * one, the setting would hold for that whole transaction.
 */
export async function takeRateAttempts(db: Db, now: Date, requests: readonly AttemptRequest[]): Promise<AttemptOutcome> {
  return takeAttempts(db, now, requests, { durable: false });
}

/** Takes back one attempt of `key` (a success from a shared address: it was not a guess). */
export async function forgiveAttempt(tx: Tx, key: string): Promise<void> {
  await tx
    .update(throttles)
    .set({ failures: sql`greatest(${throttles.failures} - 1, 0)` })
    .where(eq(throttles.key, key));
}

/**
 * After a success: the key starts afresh, unless it is over its limit — a success never lifts a block
 * that other (concurrent) attempts put in force.
 */
export async function settleSuccess(tx: Tx, key: string, max: number): Promise<void> {
  await tx
    .update(throttles)
    .set({ failures: 0 })
    .where(sql`${throttles.key} = ${key} and ${throttles.failures} < ${max}`);
}

/** A rate limit: at most `limit` calls per window for `key`; the outcome says until when a refused one waits. */
export async function takeRate(tx: Tx, key: string, now: Date, limit: number, windowSeconds: number): Promise<AttemptOutcome> {
  return takeAttempts(tx, now, [{ key, policy: { kind: 'fixed', max: limit, windowSeconds } }]);
}

/** A rate limit as a yes/no: true when the call is allowed. */
export async function consumeRate(tx: Tx, key: string, now: Date, limit: number, windowSeconds: number): Promise<boolean> {
  return (await takeRate(tx, key, now, limit, windowSeconds)).allowed;
}

// ── locks after repeated failures (secret answers, bank codes) ────────────────────────────────────

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
        failures: sql`case when ${throttles.lockedUntil} is not null and ${throttles.lockedUntil} <= ${iso(now)}::timestamptz then 1 else ${throttles.failures} + 1 end`,
        lastFailureAt: now,
        lockedUntil: sql`case
          when ${throttles.lockedUntil} is not null and ${throttles.lockedUntil} > ${iso(now)}::timestamptz then ${throttles.lockedUntil}
          when ${throttles.lockedUntil} is not null and ${throttles.lockedUntil} <= ${iso(now)}::timestamptz then null
          when ${throttles.failures} + 1 >= ${policy.maxFailures} then ${iso(lockUntil)}::timestamptz
          else null end`,
      },
    })
    .returning({ lockedUntil: throttles.lockedUntil });
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

export async function clearFailures(tx: Tx, key: string): Promise<void> {
  await tx.delete(throttles).where(eq(throttles.key, key));
}

/** Removes counters that no window can use any more (called now and then: they are re-created on use). */
export async function purgeThrottles(tx: Tx, olderThan: Date): Promise<void> {
  await tx.execute(
    sql`delete from throttles where coalesce(last_failure_at, window_started_at) < ${iso(olderThan)}::timestamptz and (locked_until is null or locked_until < ${iso(olderThan)}::timestamptz)`,
  );
}
