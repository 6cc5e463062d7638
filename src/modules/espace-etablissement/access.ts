/**
 * Who may enter an establishment's space, and which establishment it is.
 *
 * A user enters the space of a SIRET when « SOLTéA – Etablissements » is open for them on that SIRET
 * (habilitated, declared in their espace, access delay over: `openSiretsFor`), AND the SIRET belongs to
 * their own company (same SIREN as their espace) or to a client company that accepted the mandate of
 * their tiers-déclarant and has not revoked it (docs/regles.md#tiers-declarants, accounts/mandats.ts),
 * AND the SIRET is a habilitated establishment of the current campaign (the latest `annee` of the
 * referential). Every use case of this module starts from `loadEstablishment`, so a SIRET typed in a
 * URL or a form that is not one of the user's answers « introuvable » (404), whatever exists in the
 * database.
 */
import { and, asc, desc, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { Db, Tx } from '../../infra/db/index.js';
import { espaces, etablissements, refEtablissements, users } from '../../infra/db/schema.js';
import { failure, type Failure, type Outcome } from '../../shared/problem.js';
import { acceptedMandatSirens } from '../accounts/mandats.js';
import { openSiretsFor } from '../accounts/menu.js';

export const DECLARATION = 'SOLTEA_ETABLISSEMENTS';

type User = typeof users.$inferSelect;
export type RefEtablissement = typeof refEtablissements.$inferSelect;

/** The current campaign: the latest year of the referential of habilitated establishments. */
export async function currentCampaignYear(db: Db | Tx): Promise<number | null> {
  const [r] = await db.select({ annee: max(refEtablissements.annee) }).from(refEtablissements);
  return r?.annee ?? null;
}

export interface EstablishmentChoice {
  siret: string;
  nom: string;
  commune: string | null;
  /** in the referential of the current campaign */
  habilite: boolean;
}

const NOT_OPEN =
  'Ce service ne vous est pas ouvert : vous n’êtes habilité à « SOLTéA - Etablissements » pour aucun établissement, ou le délai d’accès de 24 heures n’est pas écoulé, ou (tiers déclarant) aucun de vos clients n’a accepté votre mandat. Votre administrateur gère vos habilitations ; les mandats se suivent dans la composition de vos portefeuilles.';

/**
 * The SIRETs open to the user for the establishment space: `openSiretsFor`, kept to the user's own
 * company and to the clients whose mandate of the user's tiers-déclarant is accepted and not revoked.
 */
export async function establishmentSirets(ctx: AppContext, user: User): Promise<{ siret: string }[]> {
  const open = await openSiretsFor(ctx, user, DECLARATION);
  if (open.length === 0) return [];
  const [espace] = await ctx.db.select({ siren: espaces.siren, kind: espaces.kind }).from(espaces).where(eq(espaces.id, user.espaceId));
  if (!espace) return [];
  const clients = open.map((o) => o.siret.slice(0, 9)).filter((siren) => siren !== espace.siren);
  const mandated = espace.kind === 'tiers_declarant' ? await acceptedMandatSirens(ctx.db, user.espaceId, clients) : new Set<string>();
  return open.filter((o) => o.siret.slice(0, 9) === espace.siren || mandated.has(o.siret.slice(0, 9)));
}

/**
 * The SIRETs open to the user for the declaration, habilitated ones and the others; refused when none
 * is open (no habilitation, or the access delay still running: docs/regles.md#habilitations).
 */
export async function userEstablishments(
  ctx: AppContext,
  user: User,
): Promise<Outcome<{ annee: number | null; choices: EstablishmentChoice[] }>> {
  const open = await establishmentSirets(ctx, user);
  if (open.length === 0) return failure('forbidden', 'service_non_ouvert', NOT_OPEN);
  const annee = await currentCampaignYear(ctx.db);
  const sirets = open.map((o) => o.siret);
  const refs = annee
    ? await ctx.db
        .select({ siret: refEtablissements.siret, nom: refEtablissements.nom, commune: refEtablissements.commune })
        .from(refEtablissements)
        .where(and(eq(refEtablissements.annee, annee), inArray(refEtablissements.siret, sirets), isNull(refEtablissements.parentId)))
    : [];
  const registry = await ctx.db
    .select({ siret: etablissements.siret, nom: etablissements.denomination, commune: etablissements.libelleCommune })
    .from(etablissements)
    .where(inArray(etablissements.siret, sirets));
  const bySiret = new Map(refs.map((r) => [r.siret, r]));
  const reg = new Map(registry.map((r) => [r.siret, r]));
  return {
    ok: true,
    annee,
    choices: sirets.map((siret) => {
      const r = bySiret.get(siret);
      const g = reg.get(siret);
      return { siret, nom: r?.nom ?? g?.nom ?? siret, commune: r?.commune ?? g?.commune ?? null, habilite: Boolean(r) };
    }),
  };
}

export interface Establishment {
  siret: string;
  annee: number;
  ref: RefEtablissement;
}

export interface Space {
  etab: Establishment;
  /** the user may open several establishments' spaces */
  several: boolean;
}

/** Open to the user, but not habilitated for the current campaign: what the refusal page names. */
export interface NotHabilitated {
  siret: string;
  nom: string;
  annee: number | null;
}

export type LoadResult = ({ ok: true } & Space) | (Failure & { nonHabilite?: NotHabilitated });

/** Not one of the user's establishments (or no such establishment: the answer is the same). */
export const NOT_FOUND = failure('not_found', 'etablissement_introuvable', 'Établissement introuvable.');

/** The establishment behind `siret` for this user, or why not (another's SIRET is « introuvable »). */
export async function loadEstablishment(ctx: AppContext, user: User, siret: string): Promise<LoadResult> {
  if (!/^\d{14}$/.test(siret)) return NOT_FOUND;
  const open = await establishmentSirets(ctx, user);
  if (!open.some((o) => o.siret === siret)) return NOT_FOUND;
  const annee = await currentCampaignYear(ctx.db);
  const [ref] = annee
    ? await ctx.db
        .select()
        .from(refEtablissements)
        .where(and(eq(refEtablissements.annee, annee), eq(refEtablissements.siret, siret), isNull(refEtablissements.parentId)))
        .orderBy(asc(refEtablissements.id))
        .limit(1)
    : [];
  if (!ref || !annee) {
    const [g] = await ctx.db.select({ nom: etablissements.denomination }).from(etablissements).where(eq(etablissements.siret, siret));
    return { ...notHabilitated(annee), nonHabilite: { siret, nom: g?.nom ?? siret, annee } };
  }
  return { ok: true, etab: { siret, annee, ref }, several: open.length > 1 };
}

const notHabilitated = (annee: number | null): Failure =>
  failure(
    'forbidden',
    'etablissement_non_habilite',
    `Cet établissement ne figure pas sur les listes des établissements habilités${annee ? ` de la campagne ${annee}` : ''} : il n’a pas d’espace établissement.`,
  );

export interface Administrator {
  id: string;
  nom: string;
  prenom: string;
  email: string;
}

/**
 * The administrators told about the establishment's changes and sent its bank code: those of the
 * espace of the SIRET's own company (SIREN), and only those, never the acting user's (a tiers-déclarant
 * must not receive its client's code: docs/regles.md#coordonnees-bancaires). None when that company
 * has no espace or no active administrator with a validated address: the code then goes by post.
 */
export async function establishmentAdministrators(tx: Db | Tx, siret: string): Promise<Administrator[]> {
  return tx
    .select({ id: users.id, nom: users.nom, prenom: users.prenom, email: users.email })
    .from(users)
    .innerJoin(espaces, eq(espaces.id, users.espaceId))
    .where(
      and(
        eq(espaces.siren, siret.slice(0, 9)),
        eq(users.role, 'administrateur'),
        eq(users.status, 'active'),
        sql`${users.emailValidatedAt} is not null`,
      ),
    )
    .orderBy(asc(users.nom), asc(users.prenom), desc(users.createdAt));
}

/** The espace of the SIRET's company, if it has one (for the audit trail of operator actions). */
export async function owningEspaceId(tx: Db | Tx, siret: string): Promise<string | null> {
  const [e] = await tx
    .select({ id: espaces.id })
    .from(espaces)
    .where(eq(espaces.siren, siret.slice(0, 9)));
  return e?.id ?? null;
}
