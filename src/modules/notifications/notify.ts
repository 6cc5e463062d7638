/**
 * Notifications a user must know about (the tableau de bord of the menu personnalisé): a line there, and a mail
 * when asked. Written in the caller's transaction, so a rolled-back change notifies nobody.
 */
import { inArray } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../infra/db/index.js';
import { notifications, users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';

export async function notify(tx: Tx, ctx: AppContext, userIds: readonly string[], text: string, mail?: { subject: string }): Promise<void> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return;
  const now = ctx.clock.now();
  await tx.insert(notifications).values(ids.map((userId) => ({ userId, at: now, text })));
  if (!mail) return;
  const people = await tx
    .select({ email: users.email, nom: users.nom, prenom: users.prenom, status: users.status })
    .from(users)
    .where(inArray(users.id, ids));
  for (const p of people.filter((x) => x.status === 'active'))
    await queueMail(tx, ctx.clock, {
      to: p.email,
      subject: mail.subject,
      text: `Bonjour ${p.prenom} ${p.nom},\n\n${text}\n\nnet-entreprises`,
    });
}
