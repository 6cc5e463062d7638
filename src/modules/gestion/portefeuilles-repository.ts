/**
 * What every use case of « Gérer vos portefeuilles » reads first: the portefeuille of the caller's
 * espace (any other espace's id, or a malformed one, is « introuvable »), one of its client companies,
 * its declarations; and how they say no.
 */
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../infra/db/index.js';
import { entreprises, portefeuilleClients, portefeuilleDeclarations, portefeuilles } from '../../infra/db/schema.js';
import { problem, ProblemError } from '../../shared/problem.js';
import { sortByCatalogue } from './declarations.js';

export type Portefeuille = typeof portefeuilles.$inferSelect;

export interface Meta {
  ip?: string;
}

export const PORTEFEUILLE_NOT_FOUND = problem('not_found', 'portefeuille_introuvable', 'Ce portefeuille est introuvable.');
export const CLIENT_NOT_FOUND = problem('not_found', 'entreprise_hors_portefeuille', 'Cette entreprise n’est pas dans ce portefeuille.');
export const portefeuilleNotFound = () => new ProblemError(PORTEFEUILLE_NOT_FOUND);
export const clientNotFound = () => new ProblemError(CLIENT_NOT_FOUND);

/** A refusal of a form, its message shown beside `field` (or above the form). */
export const refusal = (kind: 'invalid' | 'conflict', code: string, message: string, field = '_form') =>
  new ProblemError(problem(kind, code, message, { errors: { [field]: message } }));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

/**
 * « Mono-établissement » or « Multi-établissements »: the registry's count of the company's open
 * établissements (a registry file may list only some of them), else those listed active.
 */
export const typeLabel = (activeCount: number, registryOpen: number | null) =>
  Math.max(activeCount, registryOpen ?? 0) > 1 ? 'Multi-établissements' : 'Mono-établissement';

/** The portefeuille `id` of the espace, or null (any other espace's id, or a malformed one, is « not found »). */
export async function findPortefeuille(tx: Tx, espaceId: string, id: string, opts: { lock?: boolean } = {}): Promise<Portefeuille | null> {
  if (!isUuid(id)) return null;
  const q = tx
    .select()
    .from(portefeuilles)
    .where(and(eq(portefeuilles.id, id), eq(portefeuilles.espaceId, espaceId)));
  const [p] = opts.lock ? await q.for('update') : await q;
  return p ?? null;
}

/** One client of the portefeuille with its company's name, or null. */
export async function findClient(tx: Tx, portefeuilleId: string, siren: string) {
  if (!/^\d{9}$/.test(siren)) return null;
  const [c] = await tx
    .select({ siren: portefeuilleClients.siren, raisonSociale: entreprises.raisonSociale })
    .from(portefeuilleClients)
    .innerJoin(entreprises, eq(entreprises.siren, portefeuilleClients.siren))
    .where(and(eq(portefeuilleClients.portefeuilleId, portefeuilleId), eq(portefeuilleClients.siren, siren)));
  return c ?? null;
}

/** The portefeuille `id` of the admin's espace and its client `siren`, both locked for a change; else « introuvable » (thrown). */
export async function lockedClient(tx: Tx, espaceId: string, id: string, siren: string) {
  const p = await findPortefeuille(tx, espaceId, id, { lock: true });
  if (!p) throw portefeuilleNotFound();
  const c = await findClient(tx, p.id, siren);
  if (!c) throw clientNotFound();
  return { p, c };
}

/** The portefeuille `id` of the espace, locked for a change; else « introuvable » (thrown). */
export async function lockedPortefeuille(tx: Tx, espaceId: string, id: string): Promise<Portefeuille> {
  const p = await findPortefeuille(tx, espaceId, id, { lock: true });
  if (!p) throw portefeuilleNotFound();
  return p;
}

/** The declarations chosen for the portefeuille, in catalogue order. */
export async function declarationsOfPortefeuille(tx: Tx, portefeuilleId: string): Promise<string[]> {
  const rows = await tx
    .select({ code: portefeuilleDeclarations.declarationCode })
    .from(portefeuilleDeclarations)
    .where(eq(portefeuilleDeclarations.portefeuilleId, portefeuilleId));
  return sortByCatalogue(rows).map((r) => r.code);
}
