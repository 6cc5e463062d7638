/**
 * An employer SIRET's choices for a campaign (PRODUCT.md §4.4): read them as the « Synthèse » shows
 * them, and change them — the only path by which allocations are written (screens, JSON API, the
 * tiers-déclarants' CSV import, « Répliquer les fléchages », « Mes groupes »).
 *
 * Every change is one transaction that
 * 1. locks the SIRET's row of `choix_employeurs` (created on first use): two people of the same
 *    company, or a person and an import, are serialised, so the rules are checked on what is really
 *    there and the total can never exceed 100 %;
 * 2. compares the version the form was built from (`expectedVersion`) with the row's: a stale form
 *    is refused (409) instead of silently overwriting the other person's change;
 * 3. builds the whole new set of allocations, checks every rule (domain/attribution-rules.ts: calendar,
 *    lock after 100 % validated in period 1, percentages, 100 % total, 30 % liste nationale, targets of
 *    the campaign's referential) and writes only when all pass: nothing is ever saved half-way;
 * 4. copies the result to the members when the SIRET is the reference of a group (« Mes groupes »),
 *    each member checked with its own calendar state first;
 * 5. bumps the version and writes the audit trail.
 *
 * Statuses: a line saved from the fiche or modified is « enregistrée »; « Enregistrer vos attributions »
 * validates every line (« validée »), which is what the payment waves pay. The period in which a SIRET
 * validated 100 % of its funds is kept for the lock rule.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import {
  checkCalendar,
  checkShares,
  expectedAmountsFor,
  targetKey,
  type AllocationRuleError,
  type ProposedAllocation,
} from '../../domain/attribution-rules.js';
import { phaseAt, type Campaign, type CampaignPhase } from '../../domain/campagne.js';
import { FULL_BP, type Cents } from '../../domain/money.js';
import { formatPercent } from '../../shared/format.js';
import { audit } from '../../infra/audit.js';
import { queryPrepared, type Db, type Tx } from '../../infra/db/index.js';
import { attributions, choixEmployeurs, enveloppes } from '../../infra/db/schema.js';
import { campaignFromRow, campaignOf, presetOrDefault } from '../campagnes/repository.js';
import {
  describedOf,
  describeTargets,
  TARGET_COLUMNS,
  TARGET_JOINS,
  targetMapKey,
  type DescribedTarget,
  type TargetRow,
} from './targets.js';

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

interface LineRow {
  id: number;
  etablissementId: number;
  formationId: number | null;
  pointsBase: number;
  statut: string;
  valideeLe: Date | null;
}

async function linesOf(db: Q, annee: number, siret: string): Promise<LineRow[]> {
  return db
    .select({
      id: attributions.id,
      etablissementId: attributions.etablissementId,
      formationId: attributions.formationId,
      pointsBase: attributions.pointsBase,
      statut: attributions.statut,
      valideeLe: attributions.valideeLe,
    })
    .from(attributions)
    .where(and(eq(attributions.annee, annee), eq(attributions.siretEmployeur, siret)))
    .orderBy(asc(attributions.id));
}

async function envelopeOf(db: Q, annee: number, siret: string): Promise<EnvelopeView | null> {
  const [e] = await db
    .select({
      collecteur: enveloppes.collecteur,
      soldeCents: enveloppes.soldeCents,
      deductionsCents: enveloppes.deductionsCents,
      fraisCents: enveloppes.fraisCents,
      reportCents: enveloppes.reportCents,
      creditsCents: enveloppes.creditsCents,
      partage: enveloppes.partageCoordonnees,
      declarantNom: enveloppes.declarantNom,
      deposeLe: enveloppes.deposeLe,
    })
    .from(enveloppes)
    .where(and(eq(enveloppes.annee, annee), eq(enveloppes.siret, siret)));
  return e ?? null;
}

export async function groupOf(db: Q, annee: number, siret: string): Promise<GroupInfo | null> {
  const r = (await db.execute(sql`
    select g.id, g.nom, g.siret_reference as reference,
           (select coalesce(json_agg(m2.siret order by m2.siret), '[]') from groupe_membres m2 where m2.groupe_id = g.id and m2.siret <> g.siret_reference) as membres
    from groupe_membres m join groupes g on g.id = m.groupe_id where m.annee = ${annee} and m.siret = ${siret}`)) as unknown as {
    rows: { id: number | string; nom: string; reference: string; membres: unknown }[];
  };
  const m = r.rows[0];
  if (!m) return null;
  const membres = typeof m.membres === 'string' ? (JSON.parse(m.membres) as string[]) : (m.membres as string[]);
  return { id: Number(m.id), nom: m.nom, reference: m.reference, role: m.reference === siret ? 'reference' : 'membre', membres };
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
  lines: (TargetRow & { id: number; points_base: number; statut: string; validee_le: string | null })[] | null;
}

/**
 * Everything the Synthèse shows, in ONE statement (measured in bench/allocations.ts: seven round trips
 * cost more than the work itself): the envelope, the choices' state, the group, the operator's
 * calendar, and the lines joined to their referential rows (place, parent, formation, diploma).
 */
const SYNTHESE_SQL = `
  with lines as (
    select t.id, t.points_base, t.statut, t.validee_le, ${TARGET_COLUMNS}
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

// ── changes ──────────────────────────────────────────────────────────────────────────────────────

export interface TargetShare {
  target: { etablissementId: number; formationId: number | null };
  bp: number;
}

export type ChoiceChange =
  /**
   * « Enregistrer mes choix » on an establishment's page: new targets added; a target already chosen
   * takes the new percentage; the targets of `retirer` (that establishment's, left unticked) are removed
   */
  | { kind: 'ajouter'; items: TargetShare[]; retirer?: TargetShare['target'][] }
  /** « Répliquer les fléchages »: like `ajouter`, but targets already chosen keep their percentage */
  | { kind: 'completer'; items: TargetShare[] }
  /** « Modifier » then « Valider mon attribution » in the Synthèse */
  | { kind: 'modifier'; id: number; bp: number }
  | { kind: 'supprimer'; id: number }
  /** the whole set at once (API, CSV import); `valider` validates it in the same step */
  | { kind: 'remplacer'; items: TargetShare[]; valider: boolean }
  /** « Enregistrer vos attributions »: every line validated */
  | { kind: 'valider' };

export interface Actor {
  userId: string;
  espaceId: string;
  ip?: string | null;
}

export interface ChangeError {
  code: string;
  message: string;
  reference?: string;
  /** index of the item of the change the message is about */
  index?: number;
}

export type ChangeResult =
  | { ok: true; version: number; changed: boolean; added: number; updated: number; removed: number; validated: number; membres: number }
  | { ok: false; status: 400 | 403 | 404 | 409; errors: ChangeError[] };

const fail = (status: 400 | 403 | 404 | 409, code: string, message: string, reference?: string): ChangeResult => ({
  ok: false,
  status,
  errors: [{ code, message, ...(reference ? { reference } : {}) }],
});

export const STALE_MESSAGE =
  'Vos attributions ont été modifiées entre-temps (par une autre personne de votre entreprise, ou dans un autre onglet) : votre saisie n’a pas été enregistrée. La page affiche maintenant vos attributions à jour ; recommencez votre modification.';

interface DesiredLine {
  etablissementId: number;
  formationId: number | null;
  bp: number;
  statut: 'enregistree' | 'validee';
}

/**
 * Locks the SIRET's choices for the transaction and returns their state: one `select … for update`
 * when the row exists (the usual case: no write, one round trip); otherwise the row is created first
 * (`on conflict do nothing`: two people's first change create it once) and then locked. A second
 * transaction waits on the lock, then reads what the first committed.
 */
async function lockChoix(
  tx: Tx,
  annee: number,
  siret: string,
  now: Date,
): Promise<{ version: number; validationTotalePeriode: number | null }> {
  const read = () =>
    tx
      .select({ version: choixEmployeurs.version, validationTotalePeriode: choixEmployeurs.validationTotalePeriode })
      .from(choixEmployeurs)
      .where(and(eq(choixEmployeurs.annee, annee), eq(choixEmployeurs.siret, siret)))
      .for('update');
  const [row] = await read();
  if (row) return row;
  await tx.insert(choixEmployeurs).values({ annee, siret, version: 0, updatedAt: now }).onConflictDoNothing();
  const [created] = await read();
  return created!;
}

/** Pure: the desired set after `change`, or the error. Lines keep their order (ids); new ones come last. */
export function applyChange(
  current: readonly LineRow[],
  change: ChoiceChange,
): { ok: true; lines: DesiredLine[] } | { ok: false; status: 400 | 404; errors: ChangeError[] } {
  const asDesired = (l: LineRow): DesiredLine => ({
    etablissementId: l.etablissementId,
    formationId: l.formationId,
    bp: l.pointsBase,
    statut: l.statut === 'validee' ? 'validee' : 'enregistree',
  });
  const lines = current.map(asDesired);
  const byKey = new Map(lines.map((l, i) => [targetMapKey(l.etablissementId, l.formationId), i]));
  switch (change.kind) {
    case 'ajouter':
    case 'completer': {
      const retirer =
        change.kind === 'ajouter'
          ? new Set((change.retirer ?? []).map((t) => targetMapKey(t.etablissementId, t.formationId)))
          : new Set<string>();
      if (change.items.length === 0 && ![...byKey.keys()].some((k) => retirer.has(k)))
        return {
          ok: false,
          status: 400,
          errors: [
            {
              code: 'aucun_choix',
              message: 'Choisissez au moins un établissement, une composante ou une formation, avec son pourcentage.',
            },
          ],
        };
      for (const it of change.items) {
        const k = targetMapKey(it.target.etablissementId, it.target.formationId);
        const i = byKey.get(k);
        if (i === undefined) {
          byKey.set(k, lines.length);
          lines.push({ etablissementId: it.target.etablissementId, formationId: it.target.formationId, bp: it.bp, statut: 'enregistree' });
        } else if (change.kind === 'ajouter' && lines[i]!.bp !== it.bp) lines[i] = { ...lines[i]!, bp: it.bp, statut: 'enregistree' };
      }
      return { ok: true, lines: retirer.size ? lines.filter((l) => !retirer.has(targetMapKey(l.etablissementId, l.formationId))) : lines };
    }
    case 'modifier': {
      const i = current.findIndex((l) => l.id === change.id);
      if (i < 0)
        return {
          ok: false,
          status: 404,
          errors: [{ code: 'ligne_introuvable', message: 'Cette attribution n’existe plus : elle a peut-être été supprimée entre-temps.' }],
        };
      if (lines[i]!.bp !== change.bp) lines[i] = { ...lines[i]!, bp: change.bp, statut: 'enregistree' };
      return { ok: true, lines };
    }
    case 'supprimer': {
      const i = current.findIndex((l) => l.id === change.id);
      if (i < 0)
        return {
          ok: false,
          status: 404,
          errors: [{ code: 'ligne_introuvable', message: 'Cette attribution n’existe plus : elle a peut-être été supprimée entre-temps.' }],
        };
      lines.splice(i, 1);
      return { ok: true, lines };
    }
    case 'remplacer': {
      const out: DesiredLine[] = [];
      for (const it of change.items) {
        const k = targetMapKey(it.target.etablissementId, it.target.formationId);
        const i = byKey.get(k);
        const old = i === undefined ? undefined : lines[i];
        out.push({
          etablissementId: it.target.etablissementId,
          formationId: it.target.formationId,
          bp: it.bp,
          statut: change.valider ? 'validee' : old && old.bp === it.bp ? old.statut : 'enregistree',
        });
      }
      // the current lines first (ids kept), then the new ones, in the order given
      const rank = (l: DesiredLine) => byKey.get(targetMapKey(l.etablissementId, l.formationId)) ?? Number.MAX_SAFE_INTEGER;
      return {
        ok: true,
        lines: out
          .map((l, i) => ({ l, i }))
          .sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i)
          .map((x) => x.l),
      };
    }
    case 'valider': {
      if (lines.length === 0)
        return {
          ok: false,
          status: 400,
          errors: [{ code: 'aucun_choix', message: 'Vous n’avez encore choisi aucun établissement : il n’y a rien à enregistrer.' }],
        };
      return { ok: true, lines: lines.map((l) => ({ ...l, statut: 'validee' })) };
    }
  }
}

/** Checks `lines` for one SIRET: targets of the year, calendar and shares. */
async function checkLines(
  tx: Tx,
  annee: number,
  campaign: Campaign,
  now: Date,
  validationTotalePeriode: number | null,
  lines: readonly DesiredLine[],
  itemIndex: (l: DesiredLine) => number | undefined,
) {
  const cal = checkCalendar({ campaign, now, validatedFullInPeriod: validationTotalePeriode });
  if (!cal.ok) return { ok: false as const, errors: cal.errors.map(toChangeError) };
  const described = await describeTargets(tx, annee, lines);
  const errors: ChangeError[] = [];
  const proposed: ProposedAllocation[] = [];
  for (const l of lines) {
    const d = described.get(targetMapKey(l.etablissementId, l.formationId));
    if (!d) {
      const index = itemIndex(l);
      errors.push({
        code: 'cible_invalide',
        message: `${index !== undefined ? `Ligne ${index + 1} : ` : ''}cet établissement, cette composante ou cette formation n’est pas habilité pour la campagne ${annee}.`,
        reference: 'Article R. 6241-25 1° du code du travail',
        ...(index !== undefined ? { index } : {}),
      });
      continue;
    }
    proposed.push({
      target: { etablissementId: l.etablissementId, formationId: l.formationId, kind: d.kind, libelle: d.libelle },
      bp: l.bp,
      national: d.national,
    });
  }
  if (errors.length) return { ok: false as const, errors };
  const shares = checkShares(proposed);
  if (!shares.ok) return { ok: false as const, errors: shares.errors.map(toChangeError) };
  return { ok: true as const, periode: cal.periode, summary: shares.summary };
}

const toChangeError = (e: AllocationRuleError): ChangeError => ({
  code: e.code,
  message: e.message,
  reference: e.reference,
  ...(e.index !== undefined ? { index: e.index } : {}),
});

/** Writes `lines` as the SIRET's set (delete / update / insert by target), returns the counts. */
async function writeLines(
  tx: Tx,
  annee: number,
  siret: string,
  current: readonly LineRow[],
  lines: readonly DesiredLine[],
  now: Date,
  userId: string,
  periode: number,
) {
  const want = new Map(lines.map((l) => [targetMapKey(l.etablissementId, l.formationId), l]));
  const have = new Map(current.map((l) => [targetMapKey(l.etablissementId, l.formationId), l]));
  const gone = current.filter((l) => !want.has(targetMapKey(l.etablissementId, l.formationId))).map((l) => l.id);
  let updated = 0;
  let added = 0;
  let validated = 0;
  if (gone.length) await tx.delete(attributions).where(inArray(attributions.id, gone));
  const inserts: (typeof attributions.$inferInsert)[] = [];
  for (const [k, l] of want) {
    const old = have.get(k);
    const becomesValid = l.statut === 'validee' && (!old || old.statut !== 'validee' || old.pointsBase !== l.bp);
    if (becomesValid) validated++;
    const validation =
      l.statut === 'validee' ? (becomesValid ? { valideeLe: now, validePeriode: periode } : {}) : { valideeLe: null, validePeriode: null };
    if (!old) {
      added++;
      inserts.push({
        annee,
        siretEmployeur: siret,
        etablissementId: l.etablissementId,
        formationId: l.formationId,
        pointsBase: l.bp,
        statut: l.statut,
        valideeLe: null,
        validePeriode: null,
        ...validation,
        updatedAt: now,
        updatedBy: userId,
      });
    } else if (old.pointsBase !== l.bp || old.statut !== l.statut) {
      updated++;
      await tx
        .update(attributions)
        .set({ pointsBase: l.bp, statut: l.statut, ...validation, updatedAt: now, updatedBy: userId })
        .where(eq(attributions.id, old.id));
    }
  }
  if (inserts.length) await tx.insert(attributions).values(inserts);
  return { added, updated, removed: gone.length, validated };
}

/**
 * Applies `change` to the choices of `siret` for campaign `annee`, by `actor`, all or nothing. The
 * caller has checked the actor may act for the SIRET (scope.ts). `expectedVersion` null: no stale-form
 * check (API clients that send the whole set), the lock still serialises.
 */
export async function changeChoices(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { annee: number; siret: string; actor: Actor; expectedVersion: number | null; change: ChoiceChange; source?: string },
  txIn?: Tx,
): Promise<ChangeResult> {
  const run = async (tx: Tx): Promise<ChangeResult> => {
    const { annee, siret, change } = input;
    const now = ctx.clock.now();
    const env = await envelopeOf(tx, annee, siret);
    if (!env)
      return fail(
        400,
        'sans_enveloppe',
        `Aucun solde de taxe d’apprentissage n’a été transmis par l’Urssaf ou la MSA pour ce SIRET pour la campagne ${annee} : il n’y a rien à répartir.`,
      );
    const groupe = await groupOf(tx, annee, siret);
    if (groupe?.role === 'membre')
      return fail(
        409,
        'groupe_membre',
        `Ce SIRET fait partie du groupe « ${groupe.nom} » : ses attributions sont celles du SIRET de référence ${groupe.reference}. Modifiez-les depuis le SIRET de référence, ou retirez ce SIRET du groupe dans « Mes groupes ».`,
      );
    const state = await lockChoix(tx, annee, siret, now);
    if (input.expectedVersion !== null && input.expectedVersion !== state.version) return fail(409, 'version_perimee', STALE_MESSAGE);
    const current = await linesOf(tx, annee, siret);
    const applied = applyChange(current, change);
    if (!applied.ok) return { ok: false, status: applied.status, errors: applied.errors };
    const items = 'items' in change ? change.items : [];
    const itemIndex = (l: DesiredLine) => {
      const i = items.findIndex(
        (it) => it.target.etablissementId === l.etablissementId && (it.target.formationId ?? null) === l.formationId,
      );
      return i < 0 ? undefined : i;
    };
    const campaign = await calendarOf(tx, annee);
    const checked = await checkLines(tx, annee, campaign, now, state.validationTotalePeriode, applied.lines, itemIndex);
    if (!checked.ok) return { ok: false, status: 400, errors: checked.errors };

    // the members of a group take the same set: each must be allowed to change now
    const membres = groupe?.role === 'reference' ? groupe.membres : [];
    const memberStates: { siret: string; current: LineRow[]; validationTotalePeriode: number | null }[] = [];
    for (const m of membres) {
      const mEnv = await envelopeOf(tx, annee, m);
      if (!mEnv)
        return fail(
          400,
          'groupe_sans_enveloppe',
          `Le SIRET ${m} du groupe « ${groupe!.nom} » n’a pas de solde à répartir pour la campagne ${annee} : retirez-le du groupe.`,
        );
      const ms = await lockChoix(tx, annee, m, now);
      const cal = checkCalendar({ campaign, now, validatedFullInPeriod: ms.validationTotalePeriode });
      if (!cal.ok)
        return {
          ok: false,
          status: 400,
          errors: cal.errors.map((e) => ({ ...toChangeError(e), message: `SIRET ${m} du groupe : ${e.message}` })),
        };
      memberStates.push({ siret: m, current: await linesOf(tx, annee, m), validationTotalePeriode: ms.validationTotalePeriode });
    }

    const counts = await writeLines(tx, annee, siret, current, applied.lines, now, input.actor.userId, checked.periode);
    const changed = counts.added + counts.updated + counts.removed > 0;
    const fullyValidated =
      applied.lines.length > 0 && applied.lines.every((l) => l.statut === 'validee') && checked.summary.totalBp === FULL_BP;
    const nextValidation = (prev: number | null) => (fullyValidated ? (prev ?? checked.periode) : null);
    const version = changed ? state.version + 1 : state.version;
    await tx
      .update(choixEmployeurs)
      .set({
        version,
        validationTotalePeriode: nextValidation(state.validationTotalePeriode),
        ...(counts.validated ? { valideLe: now } : {}),
        updatedAt: now,
        updatedBy: input.actor.userId,
      })
      .where(and(eq(choixEmployeurs.annee, annee), eq(choixEmployeurs.siret, siret)));
    for (const m of memberStates) {
      const c = await writeLines(tx, annee, m.siret, m.current, applied.lines, now, input.actor.userId, checked.periode);
      if (c.added + c.updated + c.removed)
        await tx
          .update(choixEmployeurs)
          .set({
            version: sql`${choixEmployeurs.version} + 1`,
            validationTotalePeriode: nextValidation(m.validationTotalePeriode),
            ...(c.validated ? { valideLe: now } : {}),
            updatedAt: now,
            updatedBy: input.actor.userId,
          })
          .where(and(eq(choixEmployeurs.annee, annee), eq(choixEmployeurs.siret, m.siret)));
    }
    if (changed)
      await audit(tx, ctx.clock, {
        action: 'attributions.changed',
        actorUserId: input.actor.userId,
        espaceId: input.actor.espaceId,
        ip: input.actor.ip ?? null,
        details: {
          annee,
          siret,
          action: change.kind,
          source: input.source ?? 'ecran',
          total: formatPercent(checked.summary.totalBp),
          lignes: applied.lines.map((l) => ({
            etablissementId: l.etablissementId,
            formationId: l.formationId,
            pourcentage: formatPercent(l.bp),
            statut: l.statut,
          })),
          ...(membres.length ? { groupe: groupe!.nom, membres } : {}),
        },
      });
    return { ok: true, version, changed, ...counts, membres: membres.length };
  };
  return txIn ? run(txIn) : ctx.db.transaction(run);
}

/** « Partage de coordonnées »: the employer agrees (or no longer agrees) to be named to the establishments it chose. */
export async function setPartage(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  annee: number,
  siret: string,
  partage: boolean,
  actor: Actor,
): Promise<boolean> {
  return ctx.db.transaction(async (tx: Tx) => {
    const r = await tx
      .update(enveloppes)
      .set({ partageCoordonnees: partage })
      .where(and(eq(enveloppes.annee, annee), eq(enveloppes.siret, siret)))
      .returning({ siret: enveloppes.siret });
    if (r.length === 0) return false;
    await audit(tx, ctx.clock, {
      action: 'attributions.partage_changed',
      actorUserId: actor.userId,
      espaceId: actor.espaceId,
      ip: actor.ip ?? null,
      details: { annee, siret, partage },
    });
    return true;
  });
}
