/**
 * An employer SIRET's choices for a campaign as the « Synthèse » shows them: the crédits à répartir,
 * every allocation with its percentage, expected amount and status, the calendar, the group. The
 * changes go through `changeChoices` (choix.ts), the only write path.
 */
import { checkCalendar, expectedAmountsFor } from '../../domain/attribution-rules.js';
import { phaseAt, type Campaign, type CampaignPhase } from '../../domain/campagne.js';
import { jourDeVersement } from '../../domain/jour-versement.js';
import type { Jour } from '../../domain/jours.js';
import { FULL_BP, type Cents } from '../../domain/money.js';
import { queryPrepared, type Db, type Tx } from '../../infra/db/index.js';
import { campaignFromRow, campaignOf, presetOrDefault } from '../campagnes/repository.js';
import { describedOf, TARGET_COLUMNS, TARGET_JOINS, type DescribedTarget, type TargetRow } from './targets.js';

type Q = Db | Tx;

export interface EnvelopeView {
  collecteur: string;
  soldeCents: Cents;
  deductionsCents: Cents;
  fraisCents: Cents;
  reportCents: Cents;
  creditsCents: Cents;
  partage: boolean;
  declarantNom: string | null;
  deposeLe: Date | null;
}

export interface SyntheseLine {
  id: number;
  etablissementId: number;
  formationId: number | null;
  pointsBase: number;
  statut: 'enregistree' | 'validee';
  valideeLe: Date | null;
  /** null when the target left the referential (cannot happen within a year; kept defensive) */
  target: DescribedTarget | null;
  /** expected euros (largest remainder over all lines in id order, as the establishments see them) */
  montantCents: Cents | null;
  /** what issued, unreturned transfers paid on the line, by payment day (« Versé le … », docs/regles.md#suivi-des-versements) */
  versements: LinePayment[];
}

export interface LinePayment {
  jour: Jour;
  cents: Cents;
}

export interface GroupInfo {
  id: number;
  nom: string;
  reference: string;
  role: 'reference' | 'membre';
  membres: string[];
}

export interface Synthese {
  annee: number;
  siret: string;
  campaign: Campaign;
  phase: CampaignPhase;
  /** may the SIRET change its choices now (calendar, lock), and if not why */
  modifiable: { ok: true; periode: number } | { ok: false; message: string; reference: string };
  enveloppe: EnvelopeView | null;
  lines: SyntheseLine[];
  totalBp: number;
  nationalBp: number;
  resteBp: number;
  attribueCents: Cents;
  nonAttribueCents: Cents | null;
  /** lines saved but not validated yet */
  aValider: number;
  version: number;
  validationTotalePeriode: number | null;
  groupe: GroupInfo | null;
}

/** The campaign calendar of `annee` (operator's, else the arrêté's preset). */
export async function calendarOf(db: Q, annee: number): Promise<Campaign> {
  return (await campaignOf(db, annee)) ?? presetOrDefault(annee);
}

/** Pure: the calendar answer shown on the Synthèse. */
function modifiableAt(campaign: Campaign, now: Date, validationTotalePeriode: number | null): Synthese['modifiable'] {
  const c = checkCalendar({ campaign, now, validatedFullInPeriod: validationTotalePeriode });
  return c.ok ? { ok: true, periode: c.periode } : { ok: false, message: c.errors[0]!.message, reference: c.errors[0]!.reference };
}

interface SyntheseRow {
  env: {
    collecteur: string;
    solde: string;
    deductions: string;
    frais: string;
    report: string;
    credits: string;
    partage: boolean;
    declarant_nom: string | null;
    depose_le: string | null;
  } | null;
  st: { version: number; validation_totale_periode: number | null } | null;
  grp: { id: number; nom: string; reference: string; membres: string[] } | null;
  camp: Parameters<typeof campaignFromRow>[0] | null;
  lines:
    | (TargetRow & {
        id: number;
        points_base: number;
        statut: string;
        validee_le: string | null;
        verse: { d: string; e: string; c: string }[] | null;
      })[]
    | null;
}

/**
 * Everything the Synthèse shows, in ONE statement (measured in bench/allocations.ts: seven round trips
 * cost more than the work itself): the envelope, the choices' state, the group, the operator's
 * calendar, and the lines joined to their referential rows (place, parent, formation, diploma) with
 * what issued waves paid on each (`lignes_versees` by its primary key, transfers not returned; read only
 * for validated lines — only those are paid — and once the campaign has an issued wave, a condition
 * the planner evaluates once per statement: bench/synthese-versements.ts).
 */
export const SYNTHESE_SQL = `
  with lines as (
    select t.id, t.points_base, t.statut, t.validee_le, ${TARGET_COLUMNS},
      case when t.statut = 'validee' and exists (select 1 from vagues_versement w where w.annee = $1 and w.statut = 'emise') then
      (select json_agg(json_build_object('d', v.date_execution, 'e', v.emise_le, 'c', lv.montant_cents::text) order by v.emise_le)
         from lignes_versees lv join vagues_versement v on v.id = lv.vague_id join virements vi on vi.id = lv.virement_id
        where lv.attribution_id = t.id and v.statut = 'emise' and vi.statut <> 'rejete') end as verse
    from attributions t ${TARGET_JOINS}
    where t.annee = $1 and t.siret_employeur = $2)
  select
    (select json_build_object('collecteur', collecteur, 'solde', solde_cents::text, 'deductions', deductions_cents::text, 'frais', frais_cents::text,
            'report', report_cents::text, 'credits', credits_cents::text, 'partage', partage_coordonnees, 'declarant_nom', declarant_nom, 'depose_le', depose_le)
       from enveloppes where annee = $1 and siret = $2) as env,
    (select json_build_object('version', version, 'validation_totale_periode', validation_totale_periode)
       from choix_employeurs where annee = $1 and siret = $2) as st,
    (select json_build_object('id', g.id, 'nom', g.nom, 'reference', g.siret_reference,
            'membres', (select coalesce(json_agg(m2.siret order by m2.siret), '[]') from groupe_membres m2 where m2.groupe_id = g.id and m2.siret <> g.siret_reference))
       from groupe_membres m join groupes g on g.id = m.groupe_id where m.annee = $1 and m.siret = $2) as grp,
    (select json_build_object('annee', annee, 'etablissementsOuverture', etablissements_ouverture, 'employeursOuverture', employeurs_ouverture,
            'periodes', periodes, 'vagues', vagues, 'reliquat', reliquat, 'source', source)
       from campagnes where annee = $1) as camp,
    (select json_agg(l order by l.id) from lines l) as lines`;

const asJson = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/** The Synthèse of `siret` for campaign `annee`, as of `now`. */
export async function loadSynthese(db: Q, now: Date, annee: number, siret: string): Promise<Synthese> {
  const [row] = await queryPrepared(db, 'soltea_synthese_v1', SYNTHESE_SQL, [annee, siret]);
  if (!row) throw new Error('synthèse : aucune ligne');
  const e = asJson<SyntheseRow['env']>(row.env);
  const st = asJson<SyntheseRow['st']>(row.st);
  const g = asJson<SyntheseRow['grp']>(row.grp);
  const camp = asJson<SyntheseRow['camp']>(row.camp);
  const rows = asJson<SyntheseRow['lines']>(row.lines) ?? [];
  const campaign = camp ? campaignFromRow(camp) : presetOrDefault(annee);
  const enveloppe: EnvelopeView | null = e
    ? {
        collecteur: e.collecteur,
        soldeCents: BigInt(e.solde),
        deductionsCents: BigInt(e.deductions),
        fraisCents: BigInt(e.frais),
        reportCents: BigInt(e.report),
        creditsCents: BigInt(e.credits),
        partage: e.partage,
        declarantNom: e.declarant_nom,
        deposeLe: e.depose_le ? new Date(e.depose_le) : null,
      }
    : null;
  const amounts = enveloppe
    ? expectedAmountsFor(
        enveloppe.creditsCents,
        rows.map((l) => ({ bp: l.points_base })),
      )
    : null;
  const lines: SyntheseLine[] = rows.map((l, i) => ({
    id: Number(l.id),
    etablissementId: Number(l.etablissement_id),
    formationId: l.formation_id === null ? null : Number(l.formation_id),
    pointsBase: l.points_base,
    statut: l.statut === 'validee' ? 'validee' : 'enregistree',
    valideeLe: l.validee_le ? new Date(l.validee_le) : null,
    target: describedOf(l),
    montantCents: amounts ? amounts.montantsCents[i]! : null,
    versements: (l.verse ?? []).map((v) => ({ jour: jourDeVersement(v.d, new Date(v.e)), cents: BigInt(v.c) })),
  }));
  const totalBp = lines.reduce((x, l) => x + l.pointsBase, 0);
  const validationTotalePeriode = st?.validation_totale_periode ?? null;
  return {
    annee,
    siret,
    campaign,
    phase: phaseAt(campaign, now),
    modifiable: modifiableAt(campaign, now, validationTotalePeriode),
    enveloppe,
    lines,
    totalBp,
    nationalBp: lines.reduce((x, l) => x + (l.target?.national ? l.pointsBase : 0), 0),
    resteBp: FULL_BP - totalBp,
    attribueCents: amounts?.attribueCents ?? 0n,
    nonAttribueCents: amounts?.nonAttribueCents ?? null,
    aValider: lines.filter((l) => l.statut !== 'validee').length,
    version: st?.version ?? 0,
    validationTotalePeriode,
    groupe: g
      ? { id: Number(g.id), nom: g.nom, reference: g.reference, role: g.reference === siret ? 'reference' : 'membre', membres: g.membres }
      : null,
  };
}
