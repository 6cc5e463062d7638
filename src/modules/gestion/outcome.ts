/**
 * How the « Gestion » use cases turn a refusal met inside a transaction into an answer: the work throws
 * a `ProblemError` (which rolls the transaction back) and the caller gets `{ ok: false, problem }`.
 */
import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../infra/db/index.js';
import { ProblemError, type Failure, type Outcome, type Problem } from '../../shared/problem.js';

/** A unique index refused the row (two concurrent additions of the same thing): PostgreSQL 23505. */
export function isUniqueViolation(e: unknown): boolean {
  for (let x: unknown = e, i = 0; x && i < 4; x = (x as { cause?: unknown }).cause, i++)
    if ((x as { code?: unknown }).code === '23505') return true;
  return false;
}

/**
 * Runs `work` in one transaction. A `ProblemError` thrown inside rolls it back and comes back as a
 * failure; so does a unique violation when `onUnique` says which problem it is.
 */
export async function inTransaction<T extends object>(
  ctx: AppContext,
  work: (tx: Tx) => Promise<Outcome<T>>,
  onUnique?: () => Problem,
): Promise<Outcome<T>> {
  try {
    return await ctx.db.transaction(work);
  } catch (e) {
    if (e instanceof ProblemError) return { ok: false, problem: e.problem };
    if (onUnique && isUniqueViolation(e)) return { ok: false, problem: onUnique() };
    throw e;
  }
}

/** The value of a use case that throws its refusals (`ProblemError`), or the failure. */
export async function attempt<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | Failure> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    if (e instanceof ProblemError) return { ok: false, problem: e.problem };
    throw e;
  }
}
