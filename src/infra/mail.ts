/**
 * Mail: every message is written to `mail_outbox` in the same transaction as the change that causes
 * it, then a deliverer sends pending rows over SMTP (SMTP_URL). Without SMTP, in development, the
 * outbox stays readable in the browser at /dev/boite-mail. Several instances can deliver at once:
 * rows are claimed with FOR UPDATE SKIP LOCKED.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Db, Tx } from './db/index.js';
import { mailOutbox } from './db/schema.js';
import type { Clock } from './clock.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export async function queueMail(tx: Tx, clock: Clock, mail: Mail): Promise<void> {
  await tx.insert(mailOutbox).values({ ...mail, createdAt: clock.now() });
}

export interface MailDeliverer {
  /** Sends every pending mail now (used after a request commits, and by tests). */
  flush(): Promise<number>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

export function createMailDeliverer(db: Db, clock: Clock, smtpUrl: string | undefined, from: string): MailDeliverer {
  const transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  async function deliverBatch(): Promise<number> {
    if (!transport) return 0;
    let sent = 0;
    for (;;) {
      const batch = await db.transaction(async (tx) => {
        const rows = await tx
          .select()
          .from(mailOutbox)
          .where(and(isNull(mailOutbox.sentAt), sql`${mailOutbox.attempts} < 5`))
          .orderBy(mailOutbox.id)
          .limit(20)
          .for('update', { skipLocked: true });
        for (const row of rows) {
          try {
            await transport.sendMail({ from, to: row.to, subject: row.subject, text: row.text });
            await tx
              .update(mailOutbox)
              .set({ sentAt: clock.now(), attempts: row.attempts + 1 })
              .where(eq(mailOutbox.id, row.id));
            sent++;
          } catch (e) {
            await tx
              .update(mailOutbox)
              .set({ attempts: row.attempts + 1, lastError: e instanceof Error ? e.message.slice(0, 500) : 'erreur' })
              .where(eq(mailOutbox.id, row.id));
          }
        }
        return rows.length;
      });
      if (batch < 20) return sent;
    }
  }

  function flush(): Promise<number> {
    if (running) return running.then(() => flush());
    running = deliverBatch().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    flush,
    start(intervalMs = 2000) {
      if (!transport || timer) return;
      timer = setInterval(() => void flush().catch(() => undefined), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (running) await running.catch(() => undefined);
      transport?.close();
    },
  };
}

export async function listOutbox(db: Db, limit = 50) {
  return db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).limit(limit);
}
