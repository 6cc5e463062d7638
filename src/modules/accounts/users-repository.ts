import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../infra/db/index.js';
import { users } from '../../infra/db/schema.js';
import { loginKey } from './login-key.js';

/** Statuses that hold a login triplet (a refused or removed person frees it). */
const LIVE = ['email_pending', 'active', 'candidat', 'suspended'];

export async function findUserByTriplet(tx: Tx, siret: string, nom: string, prenom: string) {
  const [row] = await tx
    .select()
    .from(users)
    .where(and(eq(users.siret, siret), eq(users.loginKey, loginKey(nom, prenom)), inArray(users.status, LIVE)));
  return row ?? null;
}

export async function findUserById(tx: Tx, id: string) {
  const [row] = await tx.select().from(users).where(eq(users.id, id));
  return row ?? null;
}

export async function listAdministrators(tx: Tx, espaceId: string) {
  return tx
    .select()
    .from(users)
    .where(and(eq(users.espaceId, espaceId), eq(users.role, 'administrateur'), eq(users.status, 'active')));
}
