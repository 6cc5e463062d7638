/**
 * The statistics' tables as CSV files (shared/csv.ts: BOM, « ; », amounts in euros with a decimal comma,
 * no thousands separator): one file per table of the pages, the same rows.
 */
import type { Cents } from '../../domain/money.js';
import { writeCsv } from '../../shared/csv.js';
import { formatEurosPlain, formatPercentNumber } from '../../shared/format.js';
import { VENTILATIONS, type StatistiquesView, type Ventilation } from './statistiques.js';

/** The tables that have a CSV: the campaign's figures, each breakdown, the days, the reliquat by region. */
export const TABLEAUX = ['campagne', ...VENTILATIONS, 'jours', 'reliquat'] as const;
export type Tableau = (typeof TABLEAUX)[number];

export const isTableau = (s: string): s is Tableau => (TABLEAUX as readonly string[]).includes(s);

const eur = formatEurosPlain;

/** The campaign's figures, one per line (the page's first table). */
export function figuresOf(v: StatistiquesView): { libelle: string; cents: Cents | null; texte?: string }[] {
  return [
    { libelle: 'Collecté (fonds reçus des collecteurs Urssaf et MSA)', cents: v.collecteCents },
    { libelle: 'Frais de gestion de l’opérateur', cents: v.fraisCents },
    { libelle: 'Crédits à répartir', cents: v.creditsCents },
    { libelle: 'Attribué par les employeurs', cents: v.alloueCents },
    {
      libelle: 'Part des crédits à répartir attribuée',
      cents: null,
      texte: v.partAlloueeBp === null ? '' : `${formatPercentNumber(v.partAlloueeBp)} %`,
    },
    { libelle: 'Validé par les employeurs', cents: v.valideCents },
    { libelle: 'Versé aux établissements', cents: v.verseCents },
    { libelle: 'Non versable (parts en attente de re-désignation ou versées au reliquat)', cents: v.nonVersableCents },
    { libelle: 'Reliquat à répartir', cents: v.reliquat?.poolCents ?? null, texte: v.reliquat ? undefined : 'Non calculé' },
  ];
}

function ventilationCsv(v: StatistiquesView, t: Ventilation): string {
  return writeCsv(
    ['Campagne', 'Code', 'Libellé', 'Lignes d’attribution', 'Attribué (€)', 'Validé (€)', 'Versé (€)', 'Non versable (€)'],
    v.ventilations[t].map((r) => [
      v.annee,
      r.cle,
      r.libelle,
      r.lignes,
      eur(r.alloueCents),
      eur(r.valideCents),
      eur(r.verseCents),
      eur(r.nonVersableCents),
    ]),
  );
}

/** The CSV of table `t` of the statistics `v`. */
export function statistiquesCsv(v: StatistiquesView, t: Tableau): string {
  switch (t) {
    case 'campagne':
      return writeCsv(
        ['Campagne', 'Rubrique', 'Montant (€)'],
        figuresOf(v).map((f) => [v.annee, f.libelle, f.cents === null ? (f.texte ?? '') : eur(f.cents)]),
      );
    case 'jours':
      return writeCsv(
        [
          'Campagne',
          'Jour',
          'Validé ce jour (€)',
          'Validé depuis l’ouverture (€)',
          'Enregistré ce jour (€)',
          'Enregistré depuis l’ouverture (€)',
        ],
        v.jours.map((j) => [
          v.annee,
          j.jour,
          eur(j.valideCents),
          eur(j.valideCumulCents),
          eur(j.enregistreCents),
          eur(j.enregistreCumulCents),
        ]),
      );
    case 'reliquat':
      return writeCsv(
        ['Campagne', 'Région', 'Libellé', 'Établissements', 'Parts du reliquat (€)'],
        (v.reliquat?.parRegion ?? []).map((g) => [v.annee, g.region, g.libelle, g.etablissements, eur(g.cents)]),
      );
    default:
      return ventilationCsv(v, t);
  }
}
