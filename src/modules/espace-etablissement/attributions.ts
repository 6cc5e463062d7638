/**
 * « Attributions reçues »: what employers have allocated, for the current campaign, to the
 * establishment, its composantes and their formations (article R. 6241-25 3° du code du travail: the
 * establishment is told the origin of its funds, docs/regles.md#origine-des-fonds).
 *
 * - The employer is named (raison sociale, SIRET) only when its envelope says « partage de
 *   coordonnées »; otherwise « Employeur (identité non partagée) ».
 * - Expected amount: the employer's crédits à répartir split over ALL its allocations of the
 *   campaign by largest remainder (`expectedAmounts`, src/domain/money.ts), the allocations taken in
 *   the order of their id, so that what each establishment sees adds up, to the cent, with what the
 *   employer and the other establishments see. An employer without an envelope yet has no amount.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { formatSiret } from '../../domain/identifiers.js';
import { expectedAmounts, FULL_BP, type Cents } from '../../domain/money.js';
import { writeCsv } from '../../shared/csv.js';
import { formatEurosPlain, formatPercent } from '../../shared/format.js';
import {
  attributionLineColumns,
  attributions,
  enveloppes,
  entreprises,
  etablissements,
  refDiplomes,
  refEtablissements,
  refFormations,
} from '../../infra/db/schema.js';
import type { Establishment } from './access.js';
import { placeIds } from './etablissement.js';

export const ANONYMOUS_EMPLOYER = 'Employeur (identité non partagée)';

export interface AllocationRow {
  id: number;
  siretEmployeur: string;
  etablissementId: number;
  formationId: number | null;
  pointsBase: number;
  statut: string;
}

export interface EmployerInfo {
  creditsCents: Cents | null;
  partage: boolean;
  raisonSociale: string | null;
}

export interface ReceivedLine {
  id: number;
  /** null when the employer did not agree to share its identity */
  employeur: { siret: string; raisonSociale: string } | null;
  etablissementId: number;
  formationId: number | null;
  pointsBase: number;
  /** null while the employer has no envelope */
  montantCents: Cents | null;
  statut: string;
}

/**
 * Pure: the lines of `ours` among every allocation of the employers concerned, each with its expected
 * amount. `all` holds every allocation of these employers for the campaign (any establishment).
 */
export function receivedLines(
  all: readonly AllocationRow[],
  employers: ReadonlyMap<string, EmployerInfo>,
  ours: ReadonlySet<number>,
): { lines: ReceivedLine[]; employeurs: number; anonymes: number } {
  const byEmployer = new Map<string, AllocationRow[]>();
  for (const a of [...all].sort((x, y) => x.id - y.id)) {
    const list = byEmployer.get(a.siretEmployeur) ?? [];
    list.push(a);
    byEmployer.set(a.siretEmployeur, list);
  }
  const out: ReceivedLine[] = [];
  let employeurs = 0;
  let anonymes = 0;
  for (const [siret, list] of byEmployer) {
    const info = employers.get(siret);
    if (list.some((a) => ours.has(a.etablissementId))) {
      employeurs++;
      if (!info?.partage) anonymes++;
    }
    const total = list.reduce((s, a) => s + a.pointsBase, 0);
    const amounts =
      info?.creditsCents != null && total <= FULL_BP
        ? expectedAmounts(
            info.creditsCents,
            list.map((a) => a.pointsBase),
          )
        : null;
    list.forEach((a, i) => {
      if (!ours.has(a.etablissementId)) return;
      out.push({
        id: a.id,
        employeur: info?.partage ? { siret, raisonSociale: info.raisonSociale ?? formatSiret(siret) } : null,
        etablissementId: a.etablissementId,
        formationId: a.formationId,
        pointsBase: a.pointsBase,
        montantCents: amounts ? amounts[i]! : null,
        statut: a.statut,
      });
    });
  }
  return { lines: out, employeurs, anonymes };
}

export interface ReceivedLineView extends ReceivedLine {
  /** the employer's name, or « Employeur (identité non partagée) » */
  employeurNom: string;
  beneficiaire: string;
  formation: string | null;
  statutLibelle: string;
}

export interface ReceivedView {
  annee: number;
  lines: ReceivedLineView[];
  totalCents: Cents;
  employeurs: number;
  /** employers whose identity is not shared */
  anonymes: number;
  /** lines whose employer has no envelope yet */
  sansMontant: number;
}

export const STATUT_LIBELLES: Record<string, string> = { validee: 'Validée', enregistree: 'Enregistrée, non validée' };

export async function loadReceived(ctx: AppContext, etab: Establishment): Promise<ReceivedView> {
  const ids = await placeIds(ctx, etab);
  const all = await employersAllocations(ctx, etab.annee, ids);
  const employers = await employerInfos(ctx, etab.annee, [...new Set(all.map((a) => a.siretEmployeur))]);
  const { lines, employeurs, anonymes } = receivedLines(all, employers, new Set(ids));
  const named = await nameLines(ctx, ids, lines);
  return {
    annee: etab.annee,
    lines: named,
    totalCents: named.reduce((s, l) => s + (l.montantCents ?? 0n), 0n),
    employeurs,
    anonymes,
    sansMontant: named.filter((l) => l.montantCents === null).length,
  };
}

/** Every allocation of the campaign of the employers who chose one of `ids` (any establishment). */
function employersAllocations(ctx: AppContext, annee: number, ids: number[]): Promise<AllocationRow[]> {
  const employerSirets = ctx.db
    .selectDistinct({ s: attributions.siretEmployeur })
    .from(attributions)
    .where(and(eq(attributions.annee, annee), inArray(attributions.etablissementId, ids)));
  return ctx.db
    .select({ ...attributionLineColumns, siretEmployeur: attributions.siretEmployeur })
    .from(attributions)
    .where(and(eq(attributions.annee, annee), inArray(attributions.siretEmployeur, employerSirets)))
    .orderBy(asc(attributions.id));
}

/** Each employer's crédits and whether it shares its identity (then its name). */
export async function employerInfos(ctx: AppContext, annee: number, sirets: string[]): Promise<Map<string, EmployerInfo>> {
  const employers = new Map<string, EmployerInfo>();
  if (!sirets.length) return employers;
  const env = await ctx.db
    .select({ siret: enveloppes.siret, credits: enveloppes.creditsCents, partage: enveloppes.partageCoordonnees })
    .from(enveloppes)
    .where(and(eq(enveloppes.annee, annee), inArray(enveloppes.siret, sirets)));
  const partageurs = env.filter((e) => e.partage).map((e) => e.siret);
  const names = partageurs.length
    ? await ctx.db
        .select({ siret: etablissements.siret, denomination: etablissements.denomination, raisonSociale: entreprises.raisonSociale })
        .from(etablissements)
        .innerJoin(entreprises, eq(entreprises.siren, etablissements.siren))
        .where(inArray(etablissements.siret, partageurs))
    : [];
  const nameOf = new Map(names.map((n) => [n.siret, n.raisonSociale || n.denomination]));
  for (const s of sirets) {
    const e = env.find((x) => x.siret === s);
    employers.set(s, { creditsCents: e?.credits ?? null, partage: e?.partage ?? false, raisonSociale: nameOf.get(s) ?? null });
  }
  return employers;
}

/** The lines with their beneficiary, formation and labels, named employers first (by name), then the others. */
async function nameLines(ctx: AppContext, ids: number[], lines: ReceivedLine[]): Promise<ReceivedLineView[]> {
  const places = await ctx.db
    .select({ id: refEtablissements.id, nom: refEtablissements.nom })
    .from(refEtablissements)
    .where(inArray(refEtablissements.id, ids));
  const placeName = new Map(places.map((p) => [p.id, p.nom]));
  const formationIds = [...new Set(lines.map((l) => l.formationId).filter((x): x is number => x !== null))];
  const formations = formationIds.length
    ? await ctx.db
        .select({ id: refFormations.id, intitule: refDiplomes.intitule })
        .from(refFormations)
        .innerJoin(refDiplomes, eq(refDiplomes.id, refFormations.diplomeId))
        .where(inArray(refFormations.id, formationIds))
    : [];
  const formationName = new Map(formations.map((f) => [f.id, f.intitule]));
  return lines
    .map((l) => ({
      ...l,
      employeurNom: l.employeur?.raisonSociale ?? ANONYMOUS_EMPLOYER,
      beneficiaire: placeName.get(l.etablissementId) ?? '',
      formation: l.formationId ? (formationName.get(l.formationId) ?? null) : null,
      statutLibelle: STATUT_LIBELLES[l.statut] ?? l.statut,
    }))
    .sort((a, b) => {
      const an = a.employeur?.raisonSociale ?? '\uffff';
      const bn = b.employeur?.raisonSociale ?? '\uffff';
      return an === bn ? a.id - b.id : an.localeCompare(bn, 'fr');
    });
}

export function receivedCsv(v: ReceivedView): string {
  const header = ['Campagne', 'Employeur', 'SIRET employeur', 'Bénéficiaire', 'Formation', 'Pourcentage', 'Montant attendu (€)', 'Statut'];
  const rows = v.lines.map((l) => [
    String(v.annee),
    l.employeurNom,
    l.employeur?.siret ?? '',
    l.beneficiaire,
    l.formation ?? '',
    formatPercent(l.pointsBase).replace('\u00a0', ' '),
    l.montantCents === null ? '' : formatEurosPlain(l.montantCents),
    l.statutLibelle,
  ]);
  return writeCsv(header, rows);
}
