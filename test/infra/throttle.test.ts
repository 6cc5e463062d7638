/**
 * The counters of infra/throttle.ts on a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL):
 * each attempt is counted by one statement, so parallel attempts never pass the limit, a success never
 * lifts a block in force, windows and progressive delays run as documented.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/infra/db/index.js';
import { migrateDatabase } from '../../src/infra/db/index.js';
import type { AttemptPolicy } from '../../src/domain/tokens.js';
import { settleSuccess, takeAttempts } from '../../src/infra/throttle.js';
import { freshDatabase } from '../harness.js';

let database: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ database, drop } = await freshDatabase());
  await migrateDatabase(database);
});
afterAll(() => drop());

const fixed: AttemptPolicy = { kind: 'fixed', max: 5, windowSeconds: 900 };
const t0 = new Date('2026-05-04T08:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const take = (key: string, now: Date, policy: AttemptPolicy = fixed) => takeAttempts(database.db, now, [{ key, policy }]);

describe('fixed window', () => {
  it('20 parallel attempts: exactly 5 pass, the others are refused until the window ends', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => take('k:parallel', t0)));
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(5);
    const refused = outcomes.find((o) => !o.allowed);
    expect(refused && !refused.allowed && refused.refused[0]!.retryAt).toEqual(at(900));
    expect((await take('k:parallel', at(899))).allowed).toBe(false);
    expect((await take('k:parallel', at(900))).allowed).toBe(true);
  });

  it('a success starts afresh below the limit, but never lifts a block in force', async () => {
    for (let i = 0; i < 3; i++) expect((await take('k:ok', t0)).allowed).toBe(true);
    await settleSuccess(database.db, 'k:ok', 5);
    for (let i = 0; i < 5; i++) expect((await take('k:ok', at(1))).allowed).toBe(true);
    expect((await take('k:ok', at(2))).allowed).toBe(false);
    await settleSuccess(database.db, 'k:ok', 5);
    expect((await take('k:ok', at(3))).allowed).toBe(false);
  });

  it('several keys at once: allowed only when every key allows; a refused key is not counted', async () => {
    const ip: AttemptPolicy = { kind: 'fixed', max: 2, windowSeconds: 60 };
    const both = () =>
      takeAttempts(database.db, t0, [
        { key: 'k:ip', policy: ip },
        { key: 'k:account', policy: fixed },
      ]);
    expect((await both()).allowed).toBe(true);
    expect((await both()).allowed).toBe(true);
    const third = await both();
    expect(third.allowed).toBe(false);
    expect(!third.allowed && third.refused.map((r) => r.key)).toEqual(['k:ip']);
    // the account key counted the third attempt (it allowed it), the address key did not
    for (let i = 0; i < 2; i++) expect((await take('k:account', t0)).allowed).toBe(true);
    expect((await take('k:account', t0)).allowed).toBe(false);
  });
});

describe('progressive delays', () => {
  const progressive: AttemptPolicy = { kind: 'progressive', max: 3, windowSeconds: 900, maxDelaySeconds: 60 };
  it('after the free attempts, each one waits a doubling delay, capped', async () => {
    for (let i = 0; i < 3; i++) expect((await take('k:prog', t0, progressive)).allowed).toBe(true);
    // 4th: the last attempt was at t0, the delay after 3 is 2^0 = 1 s
    const early = await take('k:prog', t0, progressive);
    expect(early.allowed).toBe(false);
    expect(!early.allowed && early.refused[0]!.retryAt).toEqual(at(1));
    expect((await take('k:prog', at(1), progressive)).allowed).toBe(true); // 4th counted at t0+1
    expect((await take('k:prog', at(2), progressive)).allowed).toBe(false); // needs 2 s after the 4th
    expect((await take('k:prog', at(3), progressive)).allowed).toBe(true); // 5th at t0+3
    expect((await take('k:prog', at(6), progressive)).allowed).toBe(false); // needs 4 s
    expect((await take('k:prog', at(7), progressive)).allowed).toBe(true);
    // a real person is never kept out longer than the cap
    let now = 7;
    for (let i = 0; i < 6; i++) {
      now += 60;
      expect((await take('k:prog', at(now), progressive)).allowed).toBe(true);
    }
  });
});
