/**
 * Pure rules for the life of one-time tokens and for account lockout.
 *
 * Time is always passed in (`now`), never read here: callers use the injected Clock
 * (src/infra/clock.ts) and tests move a ManualClock instead of sleeping.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Token lifetimes, in milliseconds.
 * - emailValidation: link sent to confirm the e-mail address at sign-up (48 h).
 * - passwordResetLink: « mot de passe oublié » link (1 h), short-lived as recommended by
 *   the OWASP Forgot Password Cheat Sheet and OWASP ASVS 4.0.3 V2.5.
 * - adminReset: temporary password / link issued when an administrator resets an
 *   account (12 h).
 * - inscriptionDraft: unfinished sign-up form kept server-side (1 h).
 */
export const TOKEN_LIFETIMES = {
  emailValidation: 48 * HOUR,
  passwordResetLink: 1 * HOUR,
  adminReset: 12 * HOUR,
  inscriptionDraft: 1 * HOUR,
} as const satisfies Record<string, number>;

export type TokenKind = keyof typeof TOKEN_LIFETIMES;

/** Instant after which a token of this kind, issued at `issuedAt`, is no longer accepted. */
export function expiresAt(issuedAt: Date, kind: TokenKind): Date {
  return new Date(issuedAt.getTime() + TOKEN_LIFETIMES[kind]);
}

/**
 * True when the token is expired at `now`. The expiry instant itself is expired
 * (validity interval is [issuedAt, expiresAt[). An invalid date is treated as expired
 * (fail closed).
 */
export function isExpired(issuedAt: Date, kind: TokenKind, now: Date): boolean {
  const issued = issuedAt.getTime();
  const t = now.getTime();
  if (Number.isNaN(issued) || Number.isNaN(t)) return true;
  return t >= issued + TOKEN_LIFETIMES[kind];
}

// ---------------------------------------------------------------------------
// Lockout
// Reference: OWASP ASVS 4.0.3 V2.2.1 (anti-automation: rate limiting / soft lockout of
// an account after repeated failed attempts) and NIST SP 800-63B §5.2.2 (limit
// consecutive failed attempts). Net-entreprises guide: after 5 wrong answers to the
// secret question, the reset is blocked for 60 minutes.
// The counter counts consecutive failures; reaching `maxFailures` locks the account for
// `lockMinutes`; failures while locked are ignored (they neither extend the lock nor
// count); the first failure after the lock expired starts a new count from 1.
// ---------------------------------------------------------------------------

export interface LockoutPolicy {
  maxFailures: number;
  lockMinutes: number;
}

export interface LockoutState {
  failures: number;
  lastFailureAt: Date | null;
  lockedUntil: Date | null;
}

export interface LockoutStatus {
  locked: boolean;
  unlockAt: Date | null;
}

/** Login: 5 consecutive failures → 15 minutes (OWASP ASVS 4.0.3 V2.2.1). */
export const LOGIN_LOCKOUT_POLICY: Readonly<LockoutPolicy> = { maxFailures: 5, lockMinutes: 15 };

/**
 * How many attempts a counter allows (counted in the database, src/infra/throttle.ts): `fixed`, at most
 * `max` per window starting at the first; `progressive`, after `max` each further attempt waits a
 * doubling delay (1 s, 2 s, 4 s…) capped at `maxDelaySeconds` — a slowdown, never a lock.
 */
export type AttemptPolicy =
  | { kind: 'fixed'; max: number; windowSeconds: number }
  | { kind: 'progressive'; max: number; windowSeconds: number; maxDelaySeconds: number };

/**
 * Login, three counters at once (docs/regles.md#comptes; OWASP ASVS v5 6.3.1, 6.3.2):
 * - one account from one address: 5 attempts per 15 minutes — the lockout the guide describes, which
 *   an attacker elsewhere cannot use to keep the real person out;
 * - one address over all accounts: 30 per 15 minutes (password spraying);
 * - one account from all addresses: after 10 per 15 minutes, progressive delays up to one minute (an
 *   attack from many addresses is slowed down, the real person waits a minute at most).
 */
export const LOGIN_PER_ACCOUNT_AND_ADDRESS: Readonly<AttemptPolicy> = { kind: 'fixed', max: 5, windowSeconds: 15 * 60 };
export const LOGIN_PER_ADDRESS: Readonly<AttemptPolicy> = { kind: 'fixed', max: 30, windowSeconds: 15 * 60 };
export const LOGIN_PER_ACCOUNT: Readonly<AttemptPolicy> = { kind: 'progressive', max: 10, windowSeconds: 15 * 60, maxDelaySeconds: 60 };

/** Secret answer: 5 wrong answers → 60 minutes (net-entreprises guide). */
export const SECRET_ANSWER_LOCKOUT_POLICY: Readonly<LockoutPolicy> = { maxFailures: 5, lockMinutes: 60 };

export const INITIAL_LOCKOUT_STATE: Readonly<LockoutState> = { failures: 0, lastFailureAt: null, lockedUntil: null };

function isLockedAt(state: LockoutState, now: Date): boolean {
  return state.lockedUntil !== null && now.getTime() < state.lockedUntil.getTime();
}

/** Whether the account is locked at `now`, and until when. */
export function evaluateLockout(state: LockoutState, now: Date, _policy: LockoutPolicy): LockoutStatus {
  // The policy is accepted for symmetry with registerFailure: the lock instant is stored
  // in the state, so a policy change never shortens or extends a lock already in force.
  return isLockedAt(state, now)
    ? { locked: true, unlockAt: new Date((state.lockedUntil as Date).getTime()) }
    : { locked: false, unlockAt: null };
}

/** New state after a failed attempt at `now` (the input state is not modified). */
export function registerFailure(state: LockoutState, now: Date, policy: LockoutPolicy): LockoutState {
  if (isLockedAt(state, now)) {
    return { ...state };
  }
  const previous = state.lockedUntil !== null ? 0 : state.failures; // lock expired → new count
  const failures = previous + 1;
  const lockedUntil = failures >= policy.maxFailures ? new Date(now.getTime() + policy.lockMinutes * MINUTE) : null;
  return { failures, lastFailureAt: new Date(now.getTime()), lockedUntil };
}

/** New state after a successful attempt: the counter is reset (a lock in force is kept). */
export function registerSuccess(state: LockoutState, now: Date): LockoutState {
  if (isLockedAt(state, now)) return { ...state };
  return { ...INITIAL_LOCKOUT_STATE };
}
