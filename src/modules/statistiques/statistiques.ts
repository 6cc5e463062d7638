/**
 * The campaign's statistics (docs/regles.md#statistiques): for the operator's agents (/operateur/statistiques)
 * every figure of a campaign — collected, fees, crédits à répartir, allocated (and its share of the crédits),
 * validated, paid, unpayable, reliquat —, the allocation lines broken down by region, département, category
 * (L. 6241-5), list and niveau, and day by day; for everyone (/soltea/chiffres) the totals of a past
 * campaign by region and category and the reliquat's split. Amounts are bigint cents; every breakdown adds
 * up to the campaign's totals, to the cent. Read-only.
 */
import type { AppContext } from '../../app-context.js';
import { addDays, parisDayOf, parisEndOfDay, type Jour } from '../../domain/jours.js';
import type { Cents } from '../../domain/money.js';
import { libelleCategorie, LISTES, NIVEAUX } from '../../domain/referentiel.js';
import { campaignOf, listCampaigns, presetOrDefault } from '../campagnes/repository.js';
import { departementName, regionName } from '../referentiel/territoires.js';
import {
  agregatsLignes,
  refreshSummaries,
  reliquatCalcule,
  totauxEmployeurs,
  type Agregat,
  type Groupement,
  type ReliquatCalcule,
} from './donnees.js';

/** The five breakdowns of the allocation lines, in the page's order. */
export const VENTILATIONS = ['region', 'departement', 'categorie', 'liste', 'niveau'] as const;
export type Ventilation = (typeof VENTILATIONS)[number];

export const VENTILATION_TITRES: Record<Ventilation, string> = {
  region: 'Par région de l’établissement',
  departement: 'Par département de l’établissement',
  categorie: 'Par catégorie d’établissement (article L. 6241-5 du code du travail)',
  liste: 'Par liste (régionale ou nationale)',
  niveau: 'Par niveau de la formation',
};

/** One row of a breakdown: its key, its label and the figures of its allocation lines. */
export interface LigneVentilee {
  cle: string;
  libelle: string;
  lignes: number;
  alloueCents: Cents;
  valideCents: Cents;
  verseCents: Cents;
  nonVersableCents: Cents;
}

/** One day of the campaign: the amounts of the lines validated (and last saved) that day, and since the start. */
export interface JourStatistique {
  jour: Jour;
  valideCents: Cents;
  valideCumulCents: Cents;
  enregistreCents: Cents;
  enregistreCumulCents: Cents;
}

export interface StatistiquesView {
  annee: number;
  calculeLe: Date;
  employeurs: number;
  lignes: number;
  collecteCents: Cents;
  fraisCents: Cents;
  creditsCents: Cents;
  alloueCents: Cents;
  /** allocated ÷ crédits à répartir, in basis points (rounded down), null without crédits */
  partAlloueeBp: number | null;
  valideCents: Cents;
  verseCents: Cents;
  nonVersableCents: Cents;
  reliquat: (Omit<ReliquatCalcule, 'parRegion'> & { parRegion: (ReliquatCalcule['parRegion'][number] & { libelle: string })[] }) | null;
  ventilations: Record<Ventilation, LigneVentilee[]>;
  jours: JourStatistique[];
}

const INCONNU: Record<Ventilation, string> = {
  region: 'Région non renseignée',
  departement: 'Département non renseigné',
  categorie: 'Catégorie non renseignée',
  liste: 'Liste non renseignée',
  niveau: 'Niveau non renseigné',
};

/** The label of a breakdown's key. */
export function libelleDe(v: Ventilation, cle: string): string {
  if (cle === '') return INCONNU[v];
  switch (v) {
    case 'region':
      return regionName(cle) ?? `Région ${cle}`;
    case 'departement':
      return `${cle} ${departementName(cle) ?? ''}`.trim();
    case 'categorie':
      return `${cle} ${libelleCategorie(cle)}`;
    case 'liste':
      return LISTES.find((l) => l.code === cle)?.libelle ?? cle;
    case 'niveau':
      return cle === 'etablissement'
        ? 'Établissement (sans formation désignée)'
        : (NIVEAUX.find((n) => String(n.niveau) === cle)?.libelle ?? `Niveau ${cle}`);
  }
}

const ventilee = (v: Ventilation, a: Agregat): LigneVentilee => ({
  cle: a.cle,
  libelle: libelleDe(v, a.cle),
  lignes: a.lignes,
  alloueCents: a.alloueCents,
  valideCents: a.valideCents,
  verseCents: a.verseCents,
  nonVersableCents: a.nonVersableCents,
});

/** Known keys in code order, the unknown one ('') last. */
const byKey = (a: { cle: string }, b: { cle: string }) =>
  a.cle === '' ? 1 : b.cle === '' ? -1 : a.cle.localeCompare(b.cle, 'fr', { numeric: true });

/**
 * Every day from the employers' opening to the last period's end (or today, when earlier), and any other
 * day a line was saved or validated, with the day's amounts and the running totals.
 */
function daySeries(agregats: Agregat[], debut: Jour, fin: Jour): JourStatistique[] {
  const of = (g: Groupement) => new Map(agregats.filter((a) => a.groupement === g && a.cle !== '').map((a) => [a.cle, a]));
  const valides = of('jour_validation');
  const enregistres = of('jour_enregistrement');
  const days = new Set<Jour>([...valides.keys(), ...enregistres.keys()]);
  for (let d = debut; d <= fin; d = addDays(d, 1)) days.add(d);
  let valideCumul = 0n;
  let enregistreCumul = 0n;
  return [...days].sort().map((jour) => {
    const valideCents = valides.get(jour)?.valideCents ?? 0n;
    const enregistreCents = enregistres.get(jour)?.alloueCents ?? 0n;
    valideCumul += valideCents;
    enregistreCumul += enregistreCents;
    return { jour, valideCents, valideCumulCents: valideCumul, enregistreCents, enregistreCumulCents: enregistreCumul };
  });
}

/** The statistics of campaign `annee`, as of now: the summaries brought up to date, then read in one snapshot. */
export async function campaignStatistics(ctx: AppContext, annee: number): Promise<StatistiquesView> {
  await refreshSummaries(ctx.db, annee);
  const { agregats, employeurs, reliquat } = await ctx.db.transaction(
    async (tx) => ({
      agregats: await agregatsLignes(tx, annee),
      employeurs: await totauxEmployeurs(tx, annee),
      reliquat: await reliquatCalcule(tx, annee),
    }),
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  const campaign = (await campaignOf(ctx.db, annee)) ?? presetOrDefault(annee);
  const now = ctx.clock.now();
  const lastDay = campaign.periodes.reduce((d, p) => (p.fin > d ? p.fin : d), campaign.employeursOuverture);
  const today = parisDayOf(now);
  const total = agregats.find((a) => a.groupement === 'total');
  const alloueCents = total?.alloueCents ?? 0n;
  const ventilations = Object.fromEntries(
    VENTILATIONS.map((v) => [
      v,
      agregats
        .filter((a) => a.groupement === v)
        .map((a) => ventilee(v, a))
        .sort(byKey),
    ]),
  ) as Record<Ventilation, LigneVentilee[]>;
  return {
    annee,
    calculeLe: now,
    ...employeurs,
    lignes: total?.lignes ?? 0,
    alloueCents,
    partAlloueeBp: employeurs.creditsCents > 0n ? Number((alloueCents * 10_000n) / employeurs.creditsCents) : null,
    valideCents: total?.valideCents ?? 0n,
    verseCents: total?.verseCents ?? 0n,
    nonVersableCents: total?.nonVersableCents ?? 0n,
    reliquat: reliquat
      ? { ...reliquat, parRegion: reliquat.parRegion.map((g) => ({ ...g, libelle: libelleDe('region', g.region) })) }
      : null,
    ventilations,
    jours: daySeries(agregats, campaign.employeursOuverture, today < lastDay ? today : lastDay),
  };
}

/**
 * The campaigns whose allocation periods are all over at `now`, most recent first: what the public page
 * shows (their figures no longer move but for payments and the reliquat).
 */
export async function pastCampaigns(ctx: AppContext): Promise<number[]> {
  const now = ctx.clock.now().getTime();
  return (await listCampaigns(ctx.db))
    .map((s) => s.campaign)
    .filter((c) => c.periodes.length > 0 && c.periodes.every((p) => parisEndOfDay(p.fin).getTime() < now))
    .map((c) => c.annee)
    .sort((a, b) => b - a);
}
