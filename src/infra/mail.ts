/**
 * Mail: every message is written to `mail_outbox` in the same transaction as the change that causes
 * it, then a deliverer sends due rows over SMTP (SMTP_URL). Without SMTP, in development, the outbox
 * stays readable in the browser (/dev/boite-mail, with DEV_TOOLS=1).
 *
 * Reliability (ADR 0002):
 * - several instances deliver at once without sending a row twice: each row is claimed with
 *   `FOR UPDATE SKIP LOCKED` and stays locked while it is sent, in a transaction of its own;
 * - a failure (SMTP down, a refusal) is retried with exponential back-off (30 s, 1 min, 2 min… capped at
 *   1 hour), up to MAX_ATTEMPTS, then the row is marked as given up with its last error, and the
 *   deliverer says so on the error output;
 * - a message may carry a `dedupeKey`: one message per event and person, even when the event is
 *   processed twice (after a crash, by two instances);
 * - sending is throttled (MAIL_RATE_PER_SECOND): every instance takes a slot of the second from
 *   `mail_debit` before it claims a row, so all instances together send at most that many mails per
 *   second of the clock; a flush stops when the second's budget is spent, the timer resumes it;
 * - attachments (the récapitulatif's PDF) are stored with the row, base64; a row whose attachment is
 *   built later (out of the writing transaction) is queued « held » (`MAIL_HELD`) and released by the
 *   deliverer's `prepare` step, which builds it just before the rows are claimed;
 * - a crash between the SMTP acceptance and the commit sends that one message again at the next try:
 *   SMTP cannot do better than « at least once » (the window is one message).
 */
import { and, desc, eq, gt, isNull, lt, lte, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Db, Tx } from './db/index.js';
import { mailOutbox } from './db/schema.js';
import { mailDebit } from './db/schema-messages.js';
import type { Clock } from './clock.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** one message per event and person: a second message with the same key is not queued */
  dedupeKey?: string;
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** The `next_attempt_at` of a mail queued before its attachment is built: never due until `prepare` releases it. */
export const MAIL_HELD = new Date('9999-12-31T00:00:00Z');

/** Tries before giving up (MAIL_MAX_ATTEMPTS): with the back-off below, about ten hours of an SMTP server down. */
export const MAX_ATTEMPTS = 15;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 3_600_000;

/** The wait before try `attempts + 1`, after `attempts` failures. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/** Attachments as the outbox stores them (base64 in jsonb). */
export function storedAttachments(list: readonly MailAttachment[] | undefined) {
  return list?.map((a) => ({ filename: a.filename, contentType: a.contentType, base64: Buffer.from(a.content).toString('base64') }));
}

export async function queueMail(tx: Tx, clock: Clock, mail: Mail): Promise<void> {
  const now = clock.now();
  await tx
    .insert(mailOutbox)
    .values({
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      dedupeKey: mail.dedupeKey ?? null,
      createdAt: now,
      nextAttemptAt: now,
      attachments: storedAttachments(mail.attachments),
    })
    .onConflictDoNothing({ target: mailOutbox.dedupeKey });
}

export interface MailDeliverer {
  /** Sends every due mail now (after a request commits, on the timer, and in tests). */
  flush(): Promise<number>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

/** Failures in a row after which a flush stops (the server is down: the rows wait for their back-off). */
const FAILURES_BEFORE_PAUSE = 20;

/** The SMTP URL with connection, greeting and socket time-outs unless it sets them itself. */
function withTimeouts(smtpUrl: string): string {
  const u = new URL(smtpUrl);
  const timeouts: [string, string][] = [
    ['connectionTimeout', '10000'],
    ['greetingTimeout', '10000'],
    ['socketTimeout', '30000'],
  ];
  for (const [k, v] of timeouts) if (!u.searchParams.has(k)) u.searchParams.set(k, v);
  return u.toString();
}

/** The next due row, locked for this transaction (`FOR UPDATE SKIP LOCKED`: another instance takes another row), or null. */
export async function claimDue(tx: Tx, clock: Clock): Promise<OutboxRow | null> {
  const [row] = await tx
    .select()
    .from(mailOutbox)
    .where(and(isNull(mailOutbox.sentAt), isNull(mailOutbox.gaveUpAt), lte(mailOutbox.nextAttemptAt, clock.now())))
    .orderBy(mailOutbox.nextAttemptAt, mailOutbox.id)
    .limit(1)
    .for('update', { skipLocked: true });
  return row ?? null;
}

type OutboxRow = typeof mailOutbox.$inferSelect;

interface Sending {
  db: Db;
  clock: Clock;
  from: string;
  transport: Transporter;
  maxAttempts: number;
}

/**
 * Claims one due row, sends it and records the outcome, in one short transaction: a crash between the
 * SMTP acceptance and the commit leaves only that message to be sent again; a crash between the claim
 * and the send leaves the row as it was. Null when nothing is due.
 */
async function deliverOne(s: Sending): Promise<'sent' | 'failed' | null> {
  return s.db.transaction(async (tx) => {
    const row = await claimDue(tx, s.clock);
    if (!row) return null;
    try {
      await s.transport.sendMail({
        from: s.from,
        to: row.to,
        subject: row.subject,
        text: row.text,
        ...(row.attachments?.length
          ? {
              attachments: row.attachments.map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: Buffer.from(a.base64, 'base64'),
              })),
            }
          : {}),
      });
    } catch (e) {
      await recordFailure(tx, s, row, e instanceof Error ? e.message.slice(0, 500) : 'erreur');
      return 'failed';
    }
    await tx
      .update(mailOutbox)
      .set({ sentAt: s.clock.now(), attempts: row.attempts + 1 })
      .where(eq(mailOutbox.id, row.id));
    return 'sent';
  });
}

const secondOf = (clock: Clock) => new Date(Math.floor(clock.now().getTime() / 1000) * 1000);

/**
 * Takes one slot of the current second's sending budget, shared by every instance (its own statement,
 * so no lock is held while mailing); false when the second's `rate` mails are already started.
 */
export async function takeSendingSlot(db: Db, clock: Clock, rate: number): Promise<boolean> {
  const rows = await db
    .insert(mailDebit)
    .values({ seconde: secondOf(clock), envois: 1 })
    .onConflictDoUpdate({ target: mailDebit.seconde, set: { envois: sql`${mailDebit.envois} + 1` }, setWhere: lt(mailDebit.envois, rate) })
    .returning({ envois: mailDebit.envois });
  return rows.length > 0;
}

/** Gives back a slot taken for nothing (no row was due), and forgets the seconds past. */
async function returnSendingSlot(db: Db, clock: Clock): Promise<void> {
  const second = secondOf(clock);
  await db
    .update(mailDebit)
    .set({ envois: sql`${mailDebit.envois} - 1` })
    .where(and(eq(mailDebit.seconde, second), gt(mailDebit.envois, 0)));
  await db.delete(mailDebit).where(lt(mailDebit.seconde, new Date(second.getTime() - 60_000)));
}

/** The next try after the back-off, or the row given up after MAX_ATTEMPTS (said on the error output, for the operator). */
async function recordFailure(tx: Tx, s: Pick<Sending, 'clock' | 'maxAttempts'>, row: OutboxRow, error: string): Promise<void> {
  const attempts = row.attempts + 1;
  const failedAt = s.clock.now();
  const givenUp = attempts >= s.maxAttempts;
  await tx
    .update(mailOutbox)
    .set({
      attempts,
      lastError: error,
      nextAttemptAt: new Date(failedAt.getTime() + retryDelayMs(attempts)),
      gaveUpAt: givenUp ? failedAt : null,
    })
    .where(eq(mailOutbox.id, row.id));
  if (givenUp) process.stderr.write(`Courriel n° ${row.id} abandonné après ${attempts} essais (« ${row.subject} ») : ${error}\n`);
}

export interface DelivererOptions {
  /** mails per second, all instances together (MAIL_RATE_PER_SECOND); 0: no limit */
  ratePerSecond?: number;
  /** tries before a mail is given up (MAIL_MAX_ATTEMPTS) */
  maxAttempts?: number;
  /**
   * Run before each flush, SMTP or not: completes the held mails (`MAIL_HELD`: e.g. builds the
   * récapitulatif's PDF, attributions/recapitulatif.ts) and releases them; its error is said on the error
   * output and the flush goes on.
   */
  prepare?: () => Promise<unknown>;
}

/** The deliverer's `prepare` step (held mails completed), its error said on the error output. */
async function prepareHeld(prepare: DelivererOptions['prepare']): Promise<void> {
  await prepare?.().catch((e: unknown) => {
    process.stderr.write(`Courriels à compléter : ${e instanceof Error ? e.message : String(e)}\n`);
  });
}

export function createMailDeliverer(
  db: Db,
  clock: Clock,
  smtpUrl: string | undefined,
  from: string,
  opts: DelivererOptions = {},
): MailDeliverer {
  // Short timeouts: a batch's rows stay locked while they are sent, and a hung server must not hold them.
  const transport = smtpUrl ? nodemailer.createTransport(withTimeouts(smtpUrl)) : null;
  const rate = opts.ratePerSecond ?? 0;
  const sending = transport ? { db, clock, from, transport, maxAttempts: opts.maxAttempts ?? MAX_ATTEMPTS } : null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = false;
  /** the last flush stopped because the second's budget was spent: the timer comes back at the next second */
  let budgetSpent = false;

  async function deliverDue(): Promise<number> {
    budgetSpent = false;
    await prepareHeld(opts.prepare);
    if (!sending) return 0;
    let sent = 0;
    // stop when nothing is due, after FAILURES_BEFORE_PAUSE failures in a row (the server is down: wait for
    // the back-off), when the second's budget is spent, or when the instance stops (the message in flight
    // completes, the others wait for another)
    for (let failures = 0; failures < FAILURES_BEFORE_PAUSE && !stopped;) {
      if (rate > 0 && !(await takeSendingSlot(db, clock, rate))) {
        budgetSpent = true;
        break;
      }
      const outcome = await deliverOne(sending);
      if (outcome === null) {
        if (rate > 0) await returnSendingSlot(db, clock);
        break;
      }
      if (outcome === 'sent') {
        sent++;
        failures = 0;
      } else failures++;
    }
    return sent;
  }

  function flush(): Promise<number> {
    if (running) return running.then(() => flush());
    running = deliverDue().finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(intervalMs: number) {
    const wait = budgetSpent ? 1000 - (clock.now().getTime() % 1000) : intervalMs;
    timer = setTimeout(() => {
      void flush()
        .catch(() => undefined)
        .finally(() => {
          if (!stopped) schedule(intervalMs);
        });
    }, wait);
    timer.unref();
  }

  return {
    flush,
    start(intervalMs = 2000) {
      if (!transport || timer || intervalMs <= 0) return;
      schedule(intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running.catch(() => undefined);
      transport?.close();
    },
  };
}

export async function listOutbox(db: Db, limit = 50) {
  return db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).limit(limit);
}

/** The outbox's backlog: mails waiting (due or in back-off) and mails given up. */
export async function outboxBacklog(db: Db): Promise<{ waiting: number; gaveUp: number }> {
  const [r] = await db
    .select({
      waiting: sql<number>`count(*) filter (where ${mailOutbox.sentAt} is null and ${mailOutbox.gaveUpAt} is null)`.mapWith(Number),
      gaveUp: sql<number>`count(*) filter (where ${mailOutbox.gaveUpAt} is not null)`.mapWith(Number),
    })
    .from(mailOutbox);
  return r ?? { waiting: 0, gaveUp: 0 };
}
