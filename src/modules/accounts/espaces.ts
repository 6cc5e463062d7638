/** The espace of a company on the portal (created by its first inscription, one per SIREN): a company, or a tiers-déclarant. */
import { eq } from 'drizzle-orm';
import type { Tx } from '../../infra/db/index.js';
import { espaces, type users } from '../../infra/db/schema.js';

export type Espace = typeof espaces.$inferSelect;

export async function espaceOf(tx: Tx, user: Pick<typeof users.$inferSelect, 'espaceId'>): Promise<Espace> {
  const [e] = await tx.select().from(espaces).where(eq(espaces.id, user.espaceId));
  if (!e) throw new Error(`espace ${user.espaceId} introuvable`);
  return e;
}
