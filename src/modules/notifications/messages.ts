/**
 * Messages to named people, one per event and person: a tableau de bord line and a mail, each with the
 * message's key (`notifications.cle`, `mail_outbox.dedupe_key`, both unique), so queuing the same
 * message twice — a second run, another instance — leaves one. Written in the caller's transaction, in
 * batches (an event may concern hundreds of thousands of people).
 */
import type { Tx } from '../../infra/db/index.js';
import { mailOutbox, notifications } from '../../infra/db/schema.js';
import { MAIL_HELD, storedAttachments, type MailAttachment } from '../../infra/mail.js';

export interface PersonMessage {
  /** unique per event and person, e.g. `fin-periode:2025:1:j7:employeurs:<user id>` */
  cle: string;
  person: { user_id: string; email: string; prenom: string; nom: string };
  /** the tableau de bord line */
  line: string;
  subject: string;
  /** the mail's body, without greeting and signature */
  body: string;
  attachments?: MailAttachment[];
  /** the mail waits (`MAIL_HELD`) until its attachment is built out of the caller's transaction */
  held?: boolean;
}

const BATCH = 500;

/** Queues the lines and mails; returns how many mails were queued (those already queued are skipped). */
export async function queueMessages(tx: Tx, now: Date, messages: readonly PersonMessage[]): Promise<number> {
  let queued = 0;
  for (let i = 0; i < messages.length; i += BATCH) {
    const batch = messages.slice(i, i + BATCH);
    await tx
      .insert(notifications)
      .values(batch.map((m) => ({ userId: m.person.user_id, at: now, text: m.line, cle: m.cle })))
      .onConflictDoNothing({ target: notifications.cle });
    const mails = await tx
      .insert(mailOutbox)
      .values(
        batch.map((m) => ({
          to: m.person.email,
          subject: m.subject,
          text: `Bonjour ${m.person.prenom} ${m.person.nom},\n\n${m.body}\n\nnet-entreprises`,
          dedupeKey: m.cle,
          createdAt: now,
          nextAttemptAt: m.held ? MAIL_HELD : now,
          attachments: storedAttachments(m.attachments),
        })),
      )
      .onConflictDoNothing({ target: mailOutbox.dedupeKey })
      .returning({ id: mailOutbox.id });
    queued += mails.length;
  }
  return queued;
}
