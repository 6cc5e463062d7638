import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INITIAL_LOCKOUT_STATE,
  LOGIN_LOCKOUT_POLICY,
  SECRET_ANSWER_LOCKOUT_POLICY,
  TOKEN_LIFETIMES,
  evaluateLockout,
  expiresAt,
  isExpired,
  registerFailure,
  registerSuccess,
  type LockoutPolicy,
  type LockoutState,
  type TokenKind,
} from './tokens.js';

const T0 = new Date('2026-05-04T08:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const H = 60 * MIN;

describe('TOKEN_LIFETIMES', () => {
  it('has the expected durations in milliseconds', () => {
    expect(TOKEN_LIFETIMES).toEqual({
      emailValidation: 48 * 3_600_000,
      passwordResetLink: 3_600_000,
      adminReset: 12 * 3_600_000,
      inscriptionDraft: 3_600_000,
    });
  });
});

describe('expiresAt / isExpired', () => {
  it('e-mail validation link: valid for 48 h, expired at the 48th hour', () => {
    expect(expiresAt(T0, 'emailValidation').toISOString()).toBe('2026-05-06T08:00:00.000Z');
    expect(isExpired(T0, 'emailValidation', at(48 * H - 1))).toBe(false);
    expect(isExpired(T0, 'emailValidation', at(48 * H))).toBe(true);
  });
  it('password reset link: 1 h', () => {
    expect(isExpired(T0, 'passwordResetLink', at(59 * MIN))).toBe(false);
    expect(isExpired(T0, 'passwordResetLink', at(61 * MIN))).toBe(true);
  });
  it('admin reset: 12 h; inscription draft: 1 h', () => {
    expect(isExpired(T0, 'adminReset', at(11 * H))).toBe(false);
    expect(isExpired(T0, 'adminReset', at(12 * H))).toBe(true);
    expect(isExpired(T0, 'inscriptionDraft', at(30 * MIN))).toBe(false);
    expect(isExpired(T0, 'inscriptionDraft', at(H))).toBe(true);
  });
  it('invalid dates are treated as expired', () => {
    expect(isExpired(new Date('nope'), 'adminReset', T0)).toBe(true);
    expect(isExpired(T0, 'adminReset', new Date(Number.NaN))).toBe(true);
  });
  it('does not mutate its input', () => {
    const issued = new Date(T0.getTime());
    expiresAt(issued, 'adminReset');
    expect(issued.getTime()).toBe(T0.getTime());
  });
  it('property: isExpired(now) ⇔ now ≥ expiresAt', () => {
    const kinds = Object.keys(TOKEN_LIFETIMES) as TokenKind[];
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.integer({ min: -H, max: 100 * H }), (kind, offset) => {
        const now = at(offset);
        return isExpired(T0, kind, now) === now.getTime() >= expiresAt(T0, kind).getTime();
      }),
    );
  });
});

describe('lockout', () => {
  const fail = (state: LockoutState, ms: number, policy: LockoutPolicy = LOGIN_LOCKOUT_POLICY) => registerFailure(state, at(ms), policy);

  it('policies', () => {
    expect(LOGIN_LOCKOUT_POLICY).toEqual({ maxFailures: 5, lockMinutes: 15 });
    expect(SECRET_ANSWER_LOCKOUT_POLICY).toEqual({ maxFailures: 5, lockMinutes: 60 });
  });

  it('initial state is unlocked', () => {
    expect(evaluateLockout(INITIAL_LOCKOUT_STATE, T0, LOGIN_LOCKOUT_POLICY)).toEqual({ locked: false, unlockAt: null });
  });

  it('locks on the 5th consecutive failure for 15 minutes (login)', () => {
    let s: LockoutState = INITIAL_LOCKOUT_STATE;
    for (let i = 0; i < 4; i++) {
      s = fail(s, i * MIN);
      expect(evaluateLockout(s, at(i * MIN), LOGIN_LOCKOUT_POLICY).locked).toBe(false);
    }
    expect(s.failures).toBe(4);
    s = fail(s, 4 * MIN);
    expect(s.failures).toBe(5);
    expect(s.lastFailureAt?.toISOString()).toBe(at(4 * MIN).toISOString());
    expect(s.lockedUntil?.toISOString()).toBe(at(19 * MIN).toISOString());
    expect(evaluateLockout(s, at(4 * MIN), LOGIN_LOCKOUT_POLICY)).toEqual({ locked: true, unlockAt: at(19 * MIN) });
    expect(evaluateLockout(s, at(19 * MIN - 1), LOGIN_LOCKOUT_POLICY).locked).toBe(true);
    expect(evaluateLockout(s, at(19 * MIN), LOGIN_LOCKOUT_POLICY)).toEqual({ locked: false, unlockAt: null });
  });

  it('secret answer: 5 wrong answers → 60 minutes', () => {
    let s: LockoutState = INITIAL_LOCKOUT_STATE;
    for (let i = 0; i < 5; i++) s = fail(s, i * 1000, SECRET_ANSWER_LOCKOUT_POLICY);
    expect(evaluateLockout(s, at(4000), SECRET_ANSWER_LOCKOUT_POLICY)).toEqual({ locked: true, unlockAt: at(4000 + 60 * MIN) });
    expect(evaluateLockout(s, at(4000 + 60 * MIN - 1), SECRET_ANSWER_LOCKOUT_POLICY).locked).toBe(true);
    expect(evaluateLockout(s, at(4000 + 60 * MIN), SECRET_ANSWER_LOCKOUT_POLICY).locked).toBe(false);
  });

  it('failures during the lock neither count nor extend it', () => {
    let s: LockoutState = INITIAL_LOCKOUT_STATE;
    for (let i = 0; i < 5; i++) s = fail(s, 0);
    const locked = s;
    s = fail(s, 10 * MIN);
    expect(s).toEqual(locked);
    expect(s).not.toBe(locked);
  });

  it('the counter restarts after the lock expires', () => {
    let s: LockoutState = INITIAL_LOCKOUT_STATE;
    for (let i = 0; i < 5; i++) s = fail(s, 0);
    s = fail(s, 15 * MIN); // first failure after unlock
    expect(s).toEqual({ failures: 1, lastFailureAt: at(15 * MIN), lockedUntil: null });
    for (let i = 0; i < 3; i++) s = fail(s, 16 * MIN);
    expect(evaluateLockout(s, at(16 * MIN), LOGIN_LOCKOUT_POLICY).locked).toBe(false);
    s = fail(s, 17 * MIN);
    expect(evaluateLockout(s, at(17 * MIN), LOGIN_LOCKOUT_POLICY)).toEqual({ locked: true, unlockAt: at(32 * MIN) });
  });

  it('a success resets the counter', () => {
    let s: LockoutState = INITIAL_LOCKOUT_STATE;
    for (let i = 0; i < 4; i++) s = fail(s, 0);
    s = registerSuccess(s, at(MIN));
    expect(s).toEqual(INITIAL_LOCKOUT_STATE);
    s = fail(s, 2 * MIN);
    expect(s.failures).toBe(1);
  });

  it('a success while locked does not lift the lock', () => {
    let s: LockoutState = INITIAL_LOCKOUT_STATE;
    for (let i = 0; i < 5; i++) s = fail(s, 0);
    expect(evaluateLockout(registerSuccess(s, at(MIN)), at(MIN), LOGIN_LOCKOUT_POLICY).locked).toBe(true);
  });

  it('does not mutate the input state', () => {
    const s: LockoutState = { failures: 4, lastFailureAt: at(0), lockedUntil: null };
    const copy = structuredClone(s);
    registerFailure(s, at(MIN), LOGIN_LOCKOUT_POLICY);
    expect(s).toEqual(copy);
  });

  it('property: locked exactly when maxFailures failures happened within the current lock window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 * MIN }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 90 }),
        (gaps, maxFailures, lockMinutes) => {
          const policy = { maxFailures, lockMinutes };
          let s: LockoutState = INITIAL_LOCKOUT_STATE;
          let t = 0;
          // Reference model: counts failures since the last (expired) lock.
          let count = 0;
          let lockEnd = -Infinity;
          let everLocked = false;
          for (const g of gaps) {
            t += g;
            s = registerFailure(s, at(t), policy);
            if (t < lockEnd) continue;
            if (everLocked) {
              count = 0;
              everLocked = false;
            }
            count += 1;
            if (count >= maxFailures) {
              lockEnd = t + lockMinutes * MIN;
              everLocked = true;
            }
            if (s.failures !== count) return false;
          }
          const status = evaluateLockout(s, at(t), policy);
          return (
            status.locked === t < lockEnd &&
            (status.locked ? status.unlockAt?.getTime() === at(lockEnd).getTime() : status.unlockAt === null)
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
