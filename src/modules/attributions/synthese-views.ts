/** The Synthèse as programs read it (JSON) and as spreadsheets read it (CSV). */
import { writeCsv } from '../../shared/csv.js';
import { formatEurosPlain, formatPercent } from '../../shared/format.js';
import type { Synthese } from './synthese.js';

/** « 12,5 % » with an ordinary space. */
const percentText = (bp: number) => formatPercent(bp).replace('\u00a0', ' ');

export function syntheseJson(s: Synthese) {
  const cents = (c: bigint | null) => (c === null ? null : Number(c));
  return {
    campagne: s.annee,
    siret: s.siret,
    version: s.version,
    phase: s.phase.phase,
    modifiable: s.modifiable.ok
      ? { ok: true, periode: s.modifiable.periode }
      : { ok: false, message: s.modifiable.message, reference: s.modifiable.reference },
    enveloppe: s.enveloppe
      ? {
          collecteur: s.enveloppe.collecteur,
          soldeCentimes: cents(s.enveloppe.soldeCents),
          deductionsCentimes: cents(s.enveloppe.deductionsCents),
          fraisCentimes: cents(s.enveloppe.fraisCents),
          reportCentimes: cents(s.enveloppe.reportCents),
          creditsCentimes: cents(s.enveloppe.creditsCents),
          partageCoordonnees: s.enveloppe.partage,
        }
      : null,
    attributions: s.lines.map((l) => ({
      id: l.id,
      etablissementId: l.etablissementId,
      formationId: l.formationId,
      beneficiaire: l.target
        ? { siret: l.target.siret, libelle: l.target.libelle, type: l.target.kind, listeNationale: l.target.national }
        : null,
      pointsDeBase: l.pointsBase,
      pourcentage: percentText(l.pointsBase),
      montantAttenduCentimes: cents(l.montantCents),
      statut: l.statut,
      valideeLe: l.valideeLe?.toISOString() ?? null,
      versements: l.versements.map((v) => ({ date: v.jour, montantCentimes: Number(v.cents) })),
    })),
    totalPointsDeBase: s.totalBp,
    listeNationalePointsDeBase: s.nationalBp,
    restePointsDeBase: s.resteBp,
    attribueCentimes: cents(s.attribueCents),
    nonAttribueCentimes: cents(s.nonAttribueCents),
    aEnregistrer: s.aValider,
    validationTotalePeriode: s.validationTotalePeriode,
    groupe: s.groupe,
  };
}

const CSV_HEADER = [
  'Campagne',
  'SIRET employeur',
  'SIRET bénéficiaire',
  'Bénéficiaire',
  'Formation',
  'Liste',
  'Pourcentage',
  'Montant attendu (€)',
  'Statut',
];

export function syntheseCsv(s: Synthese): string {
  const rows = s.lines.map((l) => [
    String(s.annee),
    s.siret,
    l.target?.siret ?? '',
    l.target?.kind === 'formation' ? l.target.libelle.split(' — ')[0]! : (l.target?.libelle ?? ''),
    l.target?.kind === 'formation' ? l.target.libelle.split(' — ').slice(1).join(' — ') : '',
    l.target?.national ? 'Nationale' : 'Régionale',
    percentText(l.pointsBase),
    l.montantCents === null ? '' : formatEurosPlain(l.montantCents),
    l.statut === 'validee' ? 'Validée' : 'Enregistrée, non validée',
  ]);
  return writeCsv(CSV_HEADER, rows);
}
