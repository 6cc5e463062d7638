/**
 * The SMTP server down for a while (src/infra/mail.ts, docs/architecture.md): changes that send mails
 * still succeed — the mail waits in the outbox, written in the change's transaction —, the retries
 * follow the exponential back-off (30 s, 1 min, 2 min…: the manual clock is moved, the outbox flushed),
 * and once the server is back every mail is delivered exactly once. A mail refused for good is given up
 * after MAX_ATTEMPTS tries, marked with its last error and said on the error output, not lost silently.
 *
 * Several instances (PostgreSQL only: two processes' connections on one database): two deliverers
 * flushing at the same time with a slow SMTP server never send the same mail twice, and a deliverer
 * killed while it sends leaves at most the message in flight to be sent again.
 */
import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock, systemClock } from '../../src/infra/clock.js';
import { migrateDatabase, openDatabase } from '../../src/infra/db/index.js';
import { mailOutbox } from '../../src/infra/db/schema.js';
import { createMailDeliverer, MAX_ATTEMPTS, outboxBacklog, queueMail, retryDelayMs } from '../../src/infra/mail.js';
import { Client, createHarness, linkIn, type Harness } from '../harness.js';
import { finishInscription, freshSiret, newPerson, stopHarness, walkToRecap } from '../accounts/helpers.js';
import { killAllChildren, sleep, spawnTs } from './processes.js';
import { perRecipient, testSmtp } from './smtp.js';
import { adminQuery, databaseUrl } from './stores.js';

const PG = process.env.TEST_DATABASE_URL;
const FROM = 'net-entreprises <ne-pas-repondre@net-entreprises.localhost>';
const smtp = testSmtp({ refuse: (to) => to.startsWith('inconnu') });
let h: Harness;

beforeAll(async () => {
  await smtp.start();
  h = await createHarness({ env: { SMTP_URL: smtp.url() } });
});

afterAll(async () => {
  killAllChildren();
  await stopHarness(h);
  await smtp.stop();
});

const outboxOf = (emails: string[]) => h.ctx.db.select().from(mailOutbox).where(inArray(mailOutbox.to, emails)).orderBy(mailOutbox.id);

describe('SMTP down for a while', () => {
  it('inscriptions go on, their mails wait and are retried with back-off, then each is delivered once', async () => {
    expect([1, 2, 3, 4, 5].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    await smtp.stop();
    const people = [newPerson(await freshSiret(h)), newPerson(await freshSiret(h)), newPerson(await freshSiret(h))];
    const clients: Client[] = [];
    for (const p of people) {
      const c = new Client(h);
      expect(await walkToRecap(c, p)).toBe('/inscription/profil');
      const r = await finishInscription(c);
      expect(r.statusCode, r.body).toBe(303);
      expect(r.headers.location).toBe('/inscription/validation');
      clients.push(c);
    }
    const emails = people.map((p) => p.email);
    await h.ctx.mail.flush();
    // each mail waits: one failed try, the next one 30 s later
    for (const row of await outboxOf(emails)) {
      expect(row).toMatchObject({ sentAt: null, gaveUpAt: null, attempts: 1 });
      expect(row.lastError).toMatch(/ECONNREFUSED/);
      expect(row.nextAttemptAt.getTime()).toBe(h.clock.now().getTime() + retryDelayMs(1));
    }
    // the back-off: nothing before the delay, one more try at it
    for (let attempts = 1; attempts <= 4; attempts++) {
      h.clock.advance(retryDelayMs(attempts) - 1_000);
      await h.ctx.mail.flush();
      expect((await outboxOf(emails)).map((r) => r.attempts)).toEqual([attempts, attempts, attempts]);
      h.clock.advance(1_000);
      await h.ctx.mail.flush();
      for (const row of await outboxOf(emails)) {
        expect(row.attempts).toBe(attempts + 1);
        expect(row.nextAttemptAt.getTime()).toBe(h.clock.now().getTime() + retryDelayMs(attempts + 1));
      }
    }
    expect(smtp.received).toEqual([]);

    // the server is back: at the next try every mail goes, once
    await smtp.start();
    h.clock.advance(retryDelayMs(5));
    await h.ctx.mail.flush();
    h.clock.advance(2 * 3_600_000);
    await h.ctx.mail.flush();
    await h.ctx.mail.flush();
    expect(Object.fromEntries(perRecipient(smtp.received))).toEqual(Object.fromEntries(emails.map((e) => [e, 1])));
    for (const row of await outboxOf(emails)) expect(row).toMatchObject({ attempts: 6, gaveUpAt: null, sentAt: expect.any(Date) });
    // and the mail is the one the person needed: its link validates the address
    const mail = smtp.received.find((m) => m.to === people[0]!.email)!;
    const page = await clients[0]!.get(linkIn(mail.text, '/validation-courriel?jeton='));
    expect(page.statusCode).toBe(200);
  });

  it(`a mail refused for good is given up after ${MAX_ATTEMPTS} tries, marked with its error and said`, async () => {
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await queueMail(h.ctx.db, h.clock, { to: 'inconnu@exemple.fr', subject: 'Votre demande', text: 'Bonjour.' });
      const row = async () => (await outboxOf(['inconnu@exemple.fr']))[0]!;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        await h.ctx.mail.flush();
        expect((await row()).attempts).toBe(attempt);
        if (attempt < MAX_ATTEMPTS) {
          expect((await row()).gaveUpAt).toBeNull();
          h.clock.advance(retryDelayMs(attempt));
        }
      }
      const given = await row();
      expect(given).toMatchObject({ sentAt: null, gaveUpAt: h.clock.now(), attempts: MAX_ATTEMPTS });
      expect(given.lastError).toMatch(/550/);
      // no try after that
      h.clock.advance(24 * 3_600_000);
      await h.ctx.mail.flush();
      expect((await row()).attempts).toBe(MAX_ATTEMPTS);
      expect(await outboxBacklog(h.ctx.db)).toMatchObject({ gaveUp: 1 });
      expect(said.mock.calls.map((c) => String(c[0])).join('')).toMatch(
        new RegExp(`Courriel n° ${given.id} abandonné après ${MAX_ATTEMPTS} essais \\(« Votre demande »\\) : .*550`),
      );
    } finally {
      said.mockRestore();
    }
    expect(smtp.received.filter((m) => m.to === 'inconnu@exemple.fr')).toEqual([]);
  });
});

describe('an instance stopping while it sends', () => {
  it('finishes the message in flight and leaves the others in the outbox for the next instance', { timeout: 30_000 }, async () => {
    const slow = testSmtp({ delayMs: 200 });
    await slow.start();
    try {
      const emails = Array.from({ length: 10 }, (_, i) => `arret-${i}@exemple.fr`);
      for (const to of emails) await queueMail(h.ctx.db, h.clock, { to, subject: 'Votre demande', text: 'Bonjour.' });
      const deliverer = createMailDeliverer(h.ctx.db, h.clock, slow.url(), FROM);
      const flushing = deliverer.flush();
      while (slow.received.length < 2) await sleep(5);
      const stopping = performance.now();
      await deliverer.stop();
      const stopMs = performance.now() - stopping;
      await flushing;
      const rows = await outboxOf(emails);
      const sent = rows.filter((r) => r.sentAt !== null).length;
      console.log(`stopped in ${Math.round(stopMs)} ms with ${sent} of ${emails.length} mails sent`);
      expect(sent).toBeLessThanOrEqual(3);
      expect(slow.received).toHaveLength(sent);
      expect(rows.filter((r) => r.sentAt === null).every((r) => r.attempts === 0)).toBe(true);
      expect(stopMs).toBeLessThan(2_000);
    } finally {
      await slow.stop();
    }
    // the next instance sends the rest
    await h.ctx.mail.flush();
    expect(await outboxBacklog(h.ctx.db)).toMatchObject({ waiting: 0 });
  });
});

/** A new PostgreSQL database for the instances below, dropped at the end. */
async function newDatabase(): Promise<{ url: string; drop(): Promise<undefined> }> {
  const name = `f_mail_${randomBytes(4).toString('hex')}`;
  await adminQuery(PG!, `create database ${name}`);
  const url = databaseUrl(PG!, name);
  const database = await openDatabase({ url, poolSize: 2 });
  await migrateDatabase(database);
  await database.close();
  return { url, drop: async () => void (await adminQuery(PG!, `drop database if exists ${name} with (force)`)) };
}

describe.skipIf(!PG)('two instances delivering the same outbox (PostgreSQL)', () => {
  let url = '';
  let drop = async () => undefined;
  beforeAll(async () => void ({ url, drop } = await newDatabase()));
  afterAll(async () => drop());

  it('flushing at the same time with a slow SMTP server, they never send a mail twice', { timeout: 60_000 }, async () => {
    const slow = testSmtp({ delayMs: 40 });
    await slow.start();
    const a = await openDatabase({ url, poolSize: 2 });
    const b = await openDatabase({ url, poolSize: 2 });
    try {
      const clock = new ManualClock(new Date('2026-05-04T08:00:00Z'));
      const emails = Array.from({ length: 30 }, (_, i) => `destinataire-${i}@exemple.fr`);
      for (const to of emails) await queueMail(a.db, clock, { to, subject: 'Votre demande', text: 'Bonjour.' });
      const one = createMailDeliverer(a.db, clock, slow.url(), FROM);
      const two = createMailDeliverer(b.db, clock, slow.url(), FROM);
      const [sentByOne, sentByTwo] = await Promise.all([one.flush(), two.flush()]);
      console.log(`two deliverers: ${sentByOne} and ${sentByTwo} mails sent`);
      expect(sentByOne + sentByTwo).toBe(30);
      expect(sentByOne).toBeGreaterThan(0);
      expect(sentByTwo).toBeGreaterThan(0);
      expect(Object.fromEntries(perRecipient(slow.received))).toEqual(Object.fromEntries(emails.map((e) => [e, 1])));
      await Promise.all([one.stop(), two.stop()]);
    } finally {
      await a.close();
      await b.close();
      await slow.stop();
    }
  });

  it('a deliverer killed while it sends leaves at most the message in flight to be sent again', { timeout: 60_000 }, async () => {
    const slow = testSmtp({ delayMs: 150 });
    await slow.start();
    try {
      const emails = Array.from({ length: 8 }, (_, i) => `interrompu-${i}@exemple.fr`);
      const queue = await openDatabase({ url, poolSize: 1 });
      for (const to of emails) await queueMail(queue.db, systemClock, { to, subject: 'Votre demande', text: 'Bonjour.' });
      await queue.close();

      const child = spawnTs('test/faults/children/deliver.ts', [], { DATABASE_URL: url, SMTP_URL: slow.url() });
      for (let waited = 0; slow.received.length < 3; waited += 5) {
        if (waited > 30_000) throw new Error(`the deliverer sent ${slow.received.length} mails in 30 s:\n${child.output()}`);
        await sleep(5);
      }
      child.kill('SIGKILL');
      await child.exited;
      const accepted = slow.received.length;

      // another instance delivers what is left
      const other = await openDatabase({ url, poolSize: 2 });
      try {
        const deliverer = createMailDeliverer(other.db, systemClock, slow.url(), FROM);
        for (let i = 0; i < 50 && (await other.db.select().from(mailOutbox).where(eq(mailOutbox.attempts, 0))).length > 0; i++) {
          await deliverer.flush();
          await sleep(100);
        }
        await deliverer.stop();
      } finally {
        await other.close();
      }
      const counts = perRecipient(slow.received);
      const twice = [...counts.values()].filter((n) => n > 1).length;
      console.log(`deliverer killed after ${accepted} mails accepted: ${twice} sent twice`);
      expect([...counts.keys()].sort()).toEqual([...emails].sort());
      expect([...counts.values()].every((n) => n <= 2)).toBe(true);
      expect(twice).toBeLessThanOrEqual(1);
    } finally {
      await slow.stop();
    }
  });
});
