/**
 * For which employer SIRETs a person may allocate (« SOLTéA - Employeurs »; docs/regles.md#tiers-declarants).
 *
 * - « SOLTéA - Employeurs » must be open to the person on the SIRET (habilitated, declared in its
 *   espace, the 24-hour access delay over: `openSiretsFor`).
 * - A tiers-déclarant acts for a client SIRET (another SIREN than its own) only when it filed that
 *   SIRET's DSN in the last six months: the envelope of the campaign names the déclarant who filed it
 *   and when (since August 2023 on the real platform; CGU SOLTéA « tiers-déclarant »). Otherwise the
 *   SIRET is listed as unavailable, with the reason, and every route answers as if it did not exist.
 *
 * Every route of the employer space starts from `loadEmployer`, so a SIRET typed in a URL, a form or a
 * CSV line that is not one of the person's answers « introuvable », whatever exists.
 */
import { and, eq, inArray, lte, or } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { Db, Tx } from '../../infra/db/index.js';
import { espaces, enveloppes, etablissementDeclarations, etablissements, habilitations, users } from '../../infra/db/schema.js';
import { openSiretsFor } from '../accounts/menu.js';

type User = typeof users.$inferSelect;

export const EMPLOYER_DECLARATION = 'SOLTEA_EMPLOYEURS';
/** a tiers-déclarant acts for clients whose DSN it filed within this many months */
export const TIERS_DSN_MONTHS = 6;

export interface EmployerSiret {
  siret: string;
  denomination: string | null;
  commune: string | null;
  /** 'propre': the person's own company; 'client': a client of its tiers-déclarant's portefeuilles */
  via: 'propre' | 'client';
  /** null when the person may allocate; otherwise why not (French, shown as is) */
  indisponible: string | null;
}

/** `now` minus `months` calendar months (UTC arithmetic; the day clamps to the month's end). */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/**
 * Pure: may a tiers-déclarant (SIREN `tiersSiren`) act for a client whose envelope says who filed the
 * DSN (`declarantSiret`) and when (`deposeLe`)? Null when it may, otherwise the French reason.
 */
export function tiersRefusal(
  tiersSiren: string,
  envelope: { declarantSiret: string | null; deposeLe: Date | null } | null,
  now: Date,
): string | null {
  if (!envelope) return 'Aucune DSN de ce client n’a été transmise pour la campagne : aucun solde n’est à répartir.';
  if (!envelope.declarantSiret || envelope.declarantSiret.slice(0, 9) !== tiersSiren)
    return 'Vous n’avez pas déposé la DSN de ce client : seul le déclarant qui l’a déposée au cours des six derniers mois, ou l’entreprise elle-même, peut répartir son solde.';
  if (!envelope.deposeLe || envelope.deposeLe.getTime() < monthsBefore(now, TIERS_DSN_MONTHS).getTime())
    return 'Votre dernier dépôt de DSN pour ce client date de plus de six mois : l’entreprise doit répartir son solde elle-même, ou vous confier à nouveau ses déclarations.';
  return null;
}

/**
 * The tiers-déclarant rule for SIRET `siret` open to a person of espace `espace`: null when they may act
 * for it (their own company, or a client whose DSN their tiers filed in the last six months), otherwise
 * the French reason. The portal (`employerSirets`) and the campaign's messages to employers
 * (messages/audiences.ts) both apply it.
 */
export function siretRefusal(
  espace: { siren: string; kind: string } | undefined,
  siret: string,
  envelope: { declarantSiret: string | null; deposeLe: Date | null } | null,
  now: Date,
): string | null {
  return espace?.kind === 'tiers_declarant' && siret.slice(0, 9) !== espace.siren ? tiersRefusal(espace.siren, envelope, now) : null;
}

/** The SIRETs open to the person for « SOLTéA - Employeurs », with the tiers-déclarant rule applied. */
export async function employerSirets(ctx: AppContext, user: User, annee: number): Promise<EmployerSiret[]> {
  const open = await openSiretsFor(ctx, user, EMPLOYER_DECLARATION);
  if (open.length === 0) return [];
  const sirets = open.map((o) => o.siret);
  const [espace] = await ctx.db.select({ siren: espaces.siren, kind: espaces.kind }).from(espaces).where(eq(espaces.id, user.espaceId));
  const [names, envs] = await Promise.all([
    ctx.db
      .select({ siret: etablissements.siret, denomination: etablissements.denomination, commune: etablissements.libelleCommune })
      .from(etablissements)
      .where(inArray(etablissements.siret, sirets)),
    ctx.db
      .select({ siret: enveloppes.siret, declarantSiret: enveloppes.declarantSiret, deposeLe: enveloppes.deposeLe })
      .from(enveloppes)
      .where(and(eq(enveloppes.annee, annee), inArray(enveloppes.siret, sirets))),
  ]);
  const nameOf = new Map(names.map((n) => [n.siret, n]));
  const envOf = new Map(envs.map((e) => [e.siret, e]));
  const now = ctx.clock.now();
  return sirets.map((siret) => {
    const client = espace?.kind === 'tiers_declarant' && siret.slice(0, 9) !== espace.siren;
    return {
      siret,
      denomination: nameOf.get(siret)?.denomination ?? null,
      commune: nameOf.get(siret)?.commune ?? null,
      via: client ? 'client' : 'propre',
      indisponible: siretRefusal(espace, siret, envOf.get(siret) ?? null, now),
    };
  });
}

/** The SIRET for this person, or null (not open, not theirs, tiers rule not met): answer 404. */
export async function loadEmployer(ctx: AppContext, user: User, siret: string, annee: number): Promise<EmployerSiret | null> {
  if (!/^\d{14}$/.test(siret)) return null;
  const all = await employerSirets(ctx, user, annee);
  const s = all.find((x) => x.siret === siret);
  return s && s.indisponible === null ? s : null;
}

const NOT_OPEN_ON_MEMBER =
  'vous n’y êtes plus habilité à « SOLTéA - Employeurs », ou la déclaration n’y est plus ouverte à votre entreprise';

/**
 * Among `sirets` (the members of a group whose reference changes), those the actor may not act for now,
 * each with the French reason: the same rules as `employerSirets` — « SOLTéA - Employeurs » open to the
 * actor on the SIRET (an active person, habilitated, the declaration in their espace, the access delay
 * over: the query of `openSiretsFor`), and, for a client SIRET of a tiers-déclarant, the DSN filed by
 * the tiers in the last six months. Read in the caller's transaction (choix.ts).
 */
export async function outOfScope(
  db: Db | Tx,
  actor: { userId: string; espaceId: string },
  annee: number,
  sirets: readonly string[],
  now: Date,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (sirets.length === 0) return out;
  const list = [...new Set(sirets)];
  const open = await db
    .select({ siret: habilitations.siret })
    .from(habilitations)
    .innerJoin(users, and(eq(users.id, habilitations.userId), eq(users.espaceId, actor.espaceId), eq(users.status, 'active')))
    .innerJoin(
      etablissementDeclarations,
      and(
        eq(etablissementDeclarations.espaceId, actor.espaceId),
        eq(etablissementDeclarations.siret, habilitations.siret),
        eq(etablissementDeclarations.declarationCode, habilitations.declarationCode),
      ),
    )
    .where(
      and(
        eq(habilitations.userId, actor.userId),
        eq(habilitations.declarationCode, EMPLOYER_DECLARATION),
        or(eq(habilitations.declarer, true), eq(habilitations.payer, true)),
        lte(etablissementDeclarations.accessibleAt, now),
        inArray(habilitations.siret, list),
      ),
    );
  const openSet = new Set(open.map((o) => o.siret));
  for (const s of list) if (!openSet.has(s)) out.set(s, NOT_OPEN_ON_MEMBER);
  const [espace] = await db.select({ siren: espaces.siren, kind: espaces.kind }).from(espaces).where(eq(espaces.id, actor.espaceId));
  const clients = list.filter((s) => openSet.has(s) && espace?.kind === 'tiers_declarant' && s.slice(0, 9) !== espace.siren);
  if (clients.length === 0 || !espace) return out;
  const envs = await db
    .select({ siret: enveloppes.siret, declarantSiret: enveloppes.declarantSiret, deposeLe: enveloppes.deposeLe })
    .from(enveloppes)
    .where(and(eq(enveloppes.annee, annee), inArray(enveloppes.siret, clients)));
  const envOf = new Map(envs.map((e) => [e.siret, e]));
  for (const s of clients) {
    const why = tiersRefusal(espace.siren, envOf.get(s) ?? null, now);
    if (why) out.set(s, why.charAt(0).toLowerCase() + why.slice(1).replace(/\.$/, ''));
  }
  return out;
}

/** SIRETs shown per page of the list of « SOLTéA - Employeurs » (a tiers-déclarant may have hundreds). */
export const EMPLOYER_PAGE_SIZE = 50;

/** Pure: the SIRETs whose SIRET (spaces ignored) or dénomination / commune (accents and case ignored) contain `filtre`. */
export function filterEmployerSirets<T extends Pick<EmployerSiret, 'siret' | 'denomination' | 'commune'>>(
  list: readonly T[],
  filtre: string,
): T[] {
  const f = fold(filtre);
  if (!f) return [...list];
  const digits = filtre.replace(/\s/g, '');
  return list.filter(
    (s) =>
      (/^\d+$/.test(digits) && s.siret.includes(digits)) || fold(s.denomination ?? '').includes(f) || fold(s.commune ?? '').includes(f),
  );
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
