/**
 * What the operator sees of the messages' queue (`/operateur/messages`): the mails waiting and given up,
 * the last mails given up with their error, and the last calendar events turned into messages.
 */
import { desc, isNotNull } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { mailOutbox } from '../../infra/db/schema.js';
import { messageEvenements } from '../../infra/db/schema-messages.js';
import { outboxBacklog } from '../../infra/mail.js';

export interface QueueOverview {
  waiting: number;
  gaveUp: number;
  abandonnes: { id: number; to: string; subject: string; attempts: number; lastError: string | null; gaveUpAt: Date }[];
  evenements: { cle: string; traiteLe: Date; messages: number }[];
}

export const OVERVIEW_ROWS = 50;

export async function queueOverview(ctx: Pick<AppContext, 'db'>): Promise<QueueOverview> {
  const [backlog, abandonnes, evenements] = await Promise.all([
    outboxBacklog(ctx.db),
    ctx.db
      .select({
        id: mailOutbox.id,
        to: mailOutbox.to,
        subject: mailOutbox.subject,
        attempts: mailOutbox.attempts,
        lastError: mailOutbox.lastError,
        gaveUpAt: mailOutbox.gaveUpAt,
      })
      .from(mailOutbox)
      .where(isNotNull(mailOutbox.gaveUpAt))
      .orderBy(desc(mailOutbox.gaveUpAt), desc(mailOutbox.id))
      .limit(OVERVIEW_ROWS),
    ctx.db
      .select({ cle: messageEvenements.cle, traiteLe: messageEvenements.traiteLe, messages: messageEvenements.messages })
      .from(messageEvenements)
      .orderBy(desc(messageEvenements.traiteLe), desc(messageEvenements.cle))
      .limit(OVERVIEW_ROWS),
  ]);
  return { ...backlog, abandonnes: abandonnes.map((a) => ({ ...a, gaveUpAt: a.gaveUpAt! })), evenements };
}
