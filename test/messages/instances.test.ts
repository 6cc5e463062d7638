/**
 * Two application instances running the messages' queue at once (PostgreSQL only: two processes on one
 * database). Both are the real program of `npm start` (src/main.ts) with their scheduler every second
 * and their deliverer every 100 ms, on a demo clock (DEMO_NOW) 7 days before period 1 of 2025 ends, and
 * a slow SMTP server: the openings, the period-end reminders and a récapitulatif waiting in the outbox
 * are each sent exactly once, every message of the outbox is sent, and the events are processed once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageEvenements } from '../../src/infra/db/schema-messages.js';
import { changeChoices } from '../../src/modules/attributions/choix.js';
import { ensureCommunes } from '../../src/modules/referentiel/communes.js';
import { selectRows } from '../../src/infra/db/index.js';
import { sql } from 'drizzle-orm';
import { createHarness, type Harness } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { ANNEE } from '../attributions/fixtures.js';
import { freePort, killAllChildren, sleep, spawnTs, type Child } from '../faults/processes.js';
import { testSmtp } from '../faults/smtp.js';
import { databaseUrl } from '../faults/stores.js';
import { outboxRows, seedMessagesWorld, type MessagesWorld } from './fixtures.js';

const PG = process.env.TEST_DATABASE_URL;
const smtp = testSmtp({ delayMs: 60 });
let h: Harness;
let m: MessagesWorld;
let url = '';

beforeAll(async () => {
  if (!PG) return;
  await smtp.start();
  h = await createHarness();
  m = await seedMessagesWorld(h);
  await ensureCommunes(h.ctx.db);
  h.clock.set(new Date('2025-06-10T08:00:00Z'));
  const lycee = { etablissementId: m.w.lyceeId, formationId: null };
  const actor = (userId: string) => ({ userId, espaceId: '00000000-0000-0000-0000-000000000000' });
  await changeChoices(h.ctx, {
    annee: ANNEE,
    siret: m.A.siret,
    actor: actor(m.alice.id),
    expectedVersion: null,
    change: { kind: 'remplacer', items: [{ target: lycee, bp: 5000 }], valider: false },
  });
  // B validates 100 %: its récapitulatif waits in the outbox (nobody flushed it)
  await changeChoices(h.ctx, {
    annee: ANNEE,
    siret: m.B.siret,
    actor: actor(m.bruno.id),
    expectedVersion: null,
    change: { kind: 'remplacer', items: [{ target: lycee, bp: 10_000 }], valider: true },
  });
  const [db] = await selectRows<{ name: string }>(h.ctx.db, sql`select current_database() as name`);
  url = databaseUrl(PG, db!.name);
}, 120_000);

afterAll(async () => {
  killAllChildren();
  if (h) await stopHarness(h);
  await smtp.stop();
});

async function instance(): Promise<Child> {
  const child = spawnTs('src/main.ts', [], {
    NODE_ENV: 'development',
    DATABASE_URL: url,
    DEMO_SEED: '0',
    DEMO_NOW: '2025-06-20T06:00:00Z',
    SMTP_URL: smtp.url(),
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    SESSION_SECRET: 'une-phrase-secrete-de-test-assez-longue-0123',
    MESSAGES_INTERVAL_S: '1',
    MAIL_INTERVAL_MS: '100',
    MAIL_RATE_PER_SECOND: '50',
  });
  await child.waitFor(/Portail prêt/, 60_000);
  return child;
}

describe.skipIf(!PG)('two instances running the queue at once (PostgreSQL)', () => {
  it('send each message exactly once', { timeout: 120_000 }, async () => {
    const [one, two] = await Promise.all([instance(), instance()]);
    const expected = [
      ['ouverture-etablissements:2025', [m.lea.email, m.leon.email]],
      ['ouverture-employeurs:2025', [m.alice.email, m.bruno.email]],
      ['fin-periode:2025:1:j7:employeurs', [m.alice.email]],
      ['fin-periode:2025:1:j7:etablissements', [m.lea.email, m.leon.email]],
      ['recapitulatif:2025:', [m.bruno.email]],
    ] as const;
    const total = expected.reduce((n, [, to]) => n + to.length, 0);
    for (let waited = 0; ; waited += 200) {
      const rows = await outboxRows(h.ctx.db, '');
      if (rows.length >= total && rows.every((r) => r.sentAt)) break;
      if (waited > 60_000) throw new Error(`${smtp.received.length} courriels reçus en 60 s\n${one.output()}\n${two.output()}`);
      await sleep(200);
    }
    // a few more rounds of both schedulers and deliverers: nothing more
    await sleep(2500);
    one.kill('SIGTERM');
    two.kill('SIGTERM');
    await Promise.all([one.exited, two.exited]);

    for (const [key, to] of expected) {
      const rows = await outboxRows(h.ctx.db, key);
      expect(rows.map((r) => r.to).sort(), key).toEqual([...to].sort());
      for (const r of rows) expect(r, key).toMatchObject({ attempts: 1, sentAt: expect.any(Date) });
    }
    // each message of the outbox received once, and nothing else
    const received = smtp.received.map((x) => `${x.to} ${x.subject}`);
    expect(received).toHaveLength(total);
    expect(new Set(received).size).toBe(total);
    const events = await h.ctx.db.select().from(messageEvenements);
    expect(
      events
        .map((e) => e.cle)
        .filter((c) => !c.startsWith('resume:'))
        .sort(),
    ).toEqual(
      expected
        .slice(0, 4)
        .map(([k]) => k)
        .sort(),
    );
  });
});
