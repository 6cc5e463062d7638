/**
 * A person's choices about optional messages (docs/messages.md): the daily digest of the allocations
 * their establishments received, on unless they turn it off in their establishment space (« Mes
 * courriels »). The scheduler reads the same table (messages/audiences.ts).
 */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { preferencesMessages } from '../../infra/db/schema-messages.js';

/** Does the person receive the daily digest (yes unless turned off)? */
export async function receivesDigest(ctx: Pick<AppContext, 'db'>, userId: string): Promise<boolean> {
  const [p] = await ctx.db
    .select({ on: preferencesMessages.resumeQuotidien })
    .from(preferencesMessages)
    .where(eq(preferencesMessages.userId, userId));
  return p?.on ?? true;
}

/** Turns the daily digest on or off for the person. */
export async function setDigest(ctx: Pick<AppContext, 'db' | 'clock'>, userId: string, on: boolean): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db
    .insert(preferencesMessages)
    .values({ userId, resumeQuotidien: on, updatedAt: now })
    .onConflictDoUpdate({ target: preferencesMessages.userId, set: { resumeQuotidien: on, updatedAt: now } });
}
