/**
 * The outbox as a queue (src/infra/mail.ts): a crash between the claim and the send leaves the message
 * to be sent once; a failing SMTP server is retried with exponential back-off, and a mail is given up
 * after MAIL_MAX_ATTEMPTS tries, marked and counted; the sending budget (MAIL_RATE_PER_SECOND) holds
 * whatever the number of flushes, and a second that passes gives a new budget.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mailDebit } from '../../src/infra/db/schema-messages.js';
import { claimDue, createMailDeliverer, outboxBacklog, queueMail, retryDelayMs } from '../../src/infra/mail.js';
import { loadConfig } from '../../src/infra/config.js';
import { tick } from '../../src/modules/messages/scheduler.js';
import { createHarness, type Harness } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { newAgent, signInAgent } from '../operateur/helpers.js';
import { Client } from '../harness.js';
import { outboxRows, seedMessagesWorld, type MessagesWorld } from './fixtures.js';

const FROM = 'net-entreprises <ne-pas-repondre@net-entreprises.localhost>';
let h: Harness;
let m: MessagesWorld;

beforeAll(async () => {
  h = await createHarness();
  m = await seedMessagesWorld(h);
});
afterAll(async () => stopHarness(h));

const row = async (key: string) => (await outboxRows(h.ctx.db, key))[0]!;

describe('a crash between the claim and the send', () => {
  it('leaves the message in the queue, sent once at the next run; a second run of the scheduler queues nothing', async () => {
    h.clock.set(new Date('2025-05-19T06:00:00Z'));
    await tick(h.ctx);
    const keys = (await outboxRows(h.ctx.db, 'ouverture-etablissements:2025:')).map((r) => r.dedupeKey);
    expect(keys).toHaveLength(2);
    // an instance claims both rows, then dies before sending: its transaction never commits
    await expect(
      h.ctx.db.transaction(async (tx) => {
        expect(await claimDue(tx, h.clock)).not.toBeNull();
        expect(await claimDue(tx, h.clock)).not.toBeNull();
        throw new Error('processus tué');
      }),
    ).rejects.toThrow('processus tué');
    for (const k of keys) expect(await row(k!)).toMatchObject({ sentAt: null, attempts: 0 });
    // the scheduler runs again (the same instant, and later): still the same two messages
    await tick(h.ctx);
    h.clock.advance(60_000);
    await tick(h.ctx);
    const mails = await h.takeMails();
    expect(mails.map((x) => x.to).sort()).toEqual([m.lea.email, m.leon.email].sort());
    for (const k of keys) expect(await row(k!)).toMatchObject({ attempts: 1, sentAt: expect.any(Date) });
    await h.ctx.mail.flush();
    expect(await h.takeMails()).toEqual([]);
  });
});

describe('an SMTP server that fails', () => {
  it('is retried with exponential back-off, then the mail goes once; after MAIL_MAX_ATTEMPTS tries it is given up and counted', async () => {
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // nothing listens on port 1: every try fails at once
    const down = createMailDeliverer(h.ctx.db, h.clock, 'smtp://127.0.0.1:1', FROM, { maxAttempts: 4 });
    try {
      await queueMail(h.ctx.db, h.clock, { to: 'retour@exemple.fr', subject: 'Essai', text: 'Bonjour.', dedupeKey: 'essai:retour' });
      await queueMail(h.ctx.db, h.clock, { to: 'perdu@exemple.fr', subject: 'Essai', text: 'Bonjour.', dedupeKey: 'essai:perdu' });
      await down.flush();
      for (const k of ['essai:retour', 'essai:perdu']) {
        const r = await row(k);
        expect(r).toMatchObject({ attempts: 1, sentAt: null, gaveUpAt: null });
        expect(r.lastError).toMatch(/ECONNREFUSED/);
        expect(r.nextAttemptAt.getTime()).toBe(h.clock.now().getTime() + retryDelayMs(1));
      }
      // nothing before the back-off
      h.clock.advance(retryDelayMs(1) - 1000);
      await down.flush();
      expect((await row('essai:retour')).attempts).toBe(1);
      h.clock.advance(1000);
      await down.flush();
      expect((await row('essai:retour')).attempts).toBe(2);
      // the server is back for the first one: it goes once
      h.clock.advance(retryDelayMs(2));
      await h.ctx.mail.flush();
      expect((await h.takeMails()).map((x) => x.to).sort()).toEqual(['perdu@exemple.fr', 'retour@exemple.fr']);
      expect(await row('essai:retour')).toMatchObject({ attempts: 3, sentAt: expect.any(Date) });

      await queueMail(h.ctx.db, h.clock, { to: 'abandon@exemple.fr', subject: 'Essai', text: 'Bonjour.', dedupeKey: 'essai:abandon' });
      for (let attempt = 1; attempt <= 4; attempt++) {
        await down.flush();
        h.clock.advance(retryDelayMs(attempt));
      }
      const dead = await row('essai:abandon');
      expect(dead).toMatchObject({ attempts: 4, sentAt: null, gaveUpAt: expect.any(Date) });
      expect(await outboxBacklog(h.ctx.db)).toMatchObject({ gaveUp: 1 });
      expect(said.mock.calls.map((c) => String(c[0])).join('')).toContain(`Courriel n° ${dead.id} abandonné après 4 essais`);
      // never tried again
      h.clock.advance(86_400_000);
      await h.ctx.mail.flush();
      expect((await row('essai:abandon')).attempts).toBe(4);
    } finally {
      said.mockRestore();
      await down.stop();
    }
  });

  it('MAIL_MAX_ATTEMPTS and MAIL_RATE_PER_SECOND are read from the environment, with a clear message when wrong', () => {
    const c = loadConfig({ NODE_ENV: 'test', MAIL_RATE_PER_SECOND: '5', MAIL_MAX_ATTEMPTS: '8', MESSAGES_INTERVAL_S: '0' });
    expect(c).toMatchObject({ MAIL_RATE_PER_SECOND: 5, MAIL_MAX_ATTEMPTS: 8, MESSAGES_INTERVAL_S: 0, MAIL_INTERVAL_MS: 2000 });
    expect(loadConfig({ NODE_ENV: 'test' })).toMatchObject({ MAIL_RATE_PER_SECOND: 10, MAIL_MAX_ATTEMPTS: 15, MESSAGES_INTERVAL_S: 300 });
    expect(() => loadConfig({ NODE_ENV: 'test', MAIL_RATE_PER_SECOND: 'beaucoup' })).toThrow(
      'MAIL_RATE_PER_SECOND doit être un nombre entier',
    );
    expect(() => loadConfig({ NODE_ENV: 'test', MAIL_MAX_ATTEMPTS: '0' })).toThrow('MAIL_MAX_ATTEMPTS vaut au moins 1');
  });
});

describe('the operator sees the queue', () => {
  it('« Messages »: the backlog, the mails given up with their error, the events processed; agents only', async () => {
    const agent = await signInAgent(h, await newAgent(h, 'valideur'));
    const page = await agent.get('/operateur/messages');
    expect(page.statusCode).toBe(200);
    const text = page.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('1 courriel abandonné après trop d’échecs');
    expect(text).toMatch(/abandon@exemple\.fr Essai 4 .*ECONNREFUSED/);
    expect(text).toMatch(/ouverture-etablissements:2025 \d{2}\/\d{2}\/2025 à 08:00 2/);
    const json = await agent.get('/operateur/messages', 'application/json');
    expect(json.json()).toMatchObject({ gaveUp: 1, abandonnes: [{ to: 'abandon@exemple.fr', attempts: 4 }] });
    // a company's user is not an agent
    const anonymous = await new Client(h).get('/operateur/messages', 'application/json');
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('the sending budget', () => {
  it('sends at most N mails per second of the clock, all flushes together, and resumes the next second', async () => {
    const smtpUrl = `smtp://127.0.0.1:${h.smtpPort}`;
    const one = createMailDeliverer(h.ctx.db, h.clock, smtpUrl, FROM, { ratePerSecond: 2 });
    const two = createMailDeliverer(h.ctx.db, h.clock, smtpUrl, FROM, { ratePerSecond: 2 });
    try {
      h.clock.set(new Date('2025-07-01T08:00:00.250Z'));
      for (let i = 0; i < 5; i++) await queueMail(h.ctx.db, h.clock, { to: `debit-${i}@exemple.fr`, subject: 'Débit', text: 'Bonjour.' });
      const sent: number[] = [];
      sent.push((await one.flush()) + (await two.flush()));
      expect(sent).toEqual([2]);
      // the same second: nothing more, from either
      h.clock.advance(500);
      expect((await one.flush()) + (await two.flush())).toBe(0);
      const [budget] = await h.ctx.db
        .select()
        .from(mailDebit)
        .where(eq(mailDebit.seconde, new Date('2025-07-01T08:00:00Z')));
      expect(budget?.envois).toBe(2);
      h.clock.advance(500);
      sent.push((await two.flush()) + (await one.flush()));
      h.clock.advance(1000);
      sent.push((await one.flush()) + (await two.flush()));
      expect(sent).toEqual([2, 2, 1]);
      expect((await h.takeMails()).filter((x) => x.subject === 'Débit')).toHaveLength(5);
      // a flush that finds nothing gives its slot back
      h.clock.advance(1000);
      expect(await one.flush()).toBe(0);
      const [idle] = await h.ctx.db
        .select()
        .from(mailDebit)
        .where(eq(mailDebit.seconde, new Date('2025-07-01T08:00:03Z')));
      expect(idle?.envois ?? 0).toBe(0);
    } finally {
      await one.stop();
      await two.stop();
    }
  });
});
