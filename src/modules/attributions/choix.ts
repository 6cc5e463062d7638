/**
 * An employer SIRET's choices for a campaign: the only path by which allocations are written (screens,
 * JSON API, the tiers-déclarants' CSV import, « Répliquer les fléchages », « Mes groupes »). The
 * Synthèse reads them (synthese.ts).
 *
 * Every change is one transaction that
 * 1. locks the SIRET's row of `choix_employeurs` (created on first use): two people of the same
 *    company, or a person and an import, are serialised, so the rules are checked on what is really
 *    there and the total can never exceed 100 %;
 * 2. compares the version the form was built from (`expectedVersion`) with the row's: a stale form
 *    is refused (`version_perimee`) instead of silently overwriting the other person's change;
 * 3. builds the whole new set of allocations (apply-change.ts), checks every rule
 *    (domain/attribution-rules.ts: calendar, lock after 100 % validated in period 1, percentages,
 *    100 % total, 30 % liste nationale, targets of the campaign's referential; docs/regles.md#limites-attribution
 *    and docs/regles.md#calendrier; a line already paid is neither changed nor removed, lignes-versees.ts)
 *    and writes only when all pass: nothing is ever saved half-way;
 * 4. copies the result to the members when the SIRET is the reference of a group (« Mes groupes »),
 *    each member checked with its own calendar state first;
 * 5. bumps the version and writes the audit trail.
 * Its statements and their number are measured (bench/allocations.ts): keep them as they are.
 *
 * Statuses: a line saved from the fiche or modified is « enregistrée »; « Enregistrer vos attributions »
 * validates every line (« validée »), which is what the payment waves pay. The period in which a SIRET
 * validated 100 % of its funds is kept for the lock rule.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { checkCalendar, checkShares, type AllocationRuleError, type ProposedAllocation } from '../../domain/attribution-rules.js';
import type { Campaign } from '../../domain/campagne.js';
import { FULL_BP } from '../../domain/money.js';
import { formatPercent } from '../../shared/format.js';
import { audit, type AuditAction } from '../../infra/audit.js';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { attributionLineColumns, attributions, choixEmployeurs, enveloppes } from '../../infra/db/schema.js';
import {
  applyChange,
  refusal,
  refusalOf,
  type ChangeError,
  type ChangeFailure,
  type ChoiceChange,
  type DesiredLine,
  type LineRow,
} from './apply-change.js';
import { paidLinesRefusal } from './lignes-versees.js';
import { queueRecapitulatif } from './recapitulatif.js';
import { outOfScope } from './scope.js';
import { calendarOf, type EnvelopeView, type GroupInfo } from './synthese.js';
import { describeTargets, targetMapKey } from './targets.js';

type Q = Db | Tx;

export interface Actor {
  userId: string;
  espaceId: string;
  ip?: string | null;
}

export type ChangeResult =
  | { ok: true; version: number; changed: boolean; added: number; updated: number; removed: number; validated: number; membres: number }
  | ChangeFailure;

export const STALE_MESSAGE =
  'Vos attributions ont été modifiées entre-temps (par une autre personne de votre entreprise, ou dans un autre onglet) : votre saisie n’a pas été enregistrée. La page affiche maintenant vos attributions à jour ; recommencez votre modification.';

/** An employer SIRET's allocation lines of the campaign, in id order. */
export async function linesOf(db: Q, annee: number, siret: string): Promise<LineRow[]> {
  return db
    .select(attributionLineColumns)
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

async function groupOf(db: Q, annee: number, siret: string): Promise<GroupInfo | null> {
  const [m] = await selectRows<{ id: number | string; nom: string; reference: string; membres: unknown }>(
    db,
    sql`
    select g.id, g.nom, g.siret_reference as reference,
           (select coalesce(json_agg(m2.siret order by m2.siret), '[]') from groupe_membres m2 where m2.groupe_id = g.id and m2.siret <> g.siret_reference) as membres
    from groupe_membres m join groupes g on g.id = m.groupe_id where m.annee = ${annee} and m.siret = ${siret}`,
  );
  if (!m) return null;
  const membres = typeof m.membres === 'string' ? (JSON.parse(m.membres) as string[]) : (m.membres as string[]);
  return { id: Number(m.id), nom: m.nom, reference: m.reference, role: m.reference === siret ? 'reference' : 'membre', membres };
}

/**
 * Locks the SIRET's choices for the transaction and returns their state: one `select … for update`
 * when the row exists (the usual case: no write, one round trip); otherwise the row is created first
 * (`on conflict do nothing`: two people's first change create it once) and then locked. A second
 * transaction waits on the lock, then reads what the first committed.
 */
export async function lockChoix(
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
 * check (API clients that send the whole set), the lock still serialises.
 */
export async function changeChoices(ctx: Pick<AppContext, 'db' | 'clock'>, input: ChangeInput, txIn?: Tx): Promise<ChangeResult> {
  const run = (tx: Tx) => applyAndWrite(ctx, input, tx);
  return txIn ? run(txIn) : ctx.db.transaction(run);
}

export interface ChangeInput {
  annee: number;
  siret: string;
  actor: Actor;
  expectedVersion: number | null;
  change: ChoiceChange;
  source?: string;
}

/** The steps of a change, in one transaction: refusals first, then the lock, the rules, the members, the writes. */
async function applyAndWrite(ctx: Pick<AppContext, 'db' | 'clock'>, input: ChangeInput, tx: Tx): Promise<ChangeResult> {
  const { annee, siret, change } = input;
  const now = ctx.clock.now();
  const env = await envelopeOf(tx, annee, siret);
  if (!env)
    return refusalOf(
      'invalid',
      'sans_enveloppe',
      `Aucun solde de taxe d’apprentissage n’a été transmis par l’Urssaf ou la MSA pour ce SIRET pour la campagne ${annee} : il n’y a rien à répartir.`,
    );
  const groupe = await groupOf(tx, annee, siret);
  if (groupe?.role === 'membre')
    return refusalOf(
      'conflict',
      'groupe_membre',
      `Ce SIRET fait partie du groupe « ${groupe.nom} » : ses attributions sont celles du SIRET de référence ${groupe.reference}. Modifiez-les depuis le SIRET de référence, ou retirez ce SIRET du groupe dans « Mes groupes ».`,
    );
  const state = await lockChoix(tx, annee, siret, now);
  if (input.expectedVersion !== null && input.expectedVersion !== state.version)
    return refusalOf('conflict', 'version_perimee', STALE_MESSAGE);
  const current = await linesOf(tx, annee, siret);
  const applied = applyChange(current, change);
  if (!applied.ok) return applied;
  const paid = await paidLinesRefusal(tx, current, applied.lines);
  if (paid) return paid;
  const campaign = await calendarOf(tx, annee);
  const checked = await checkLines(tx, annee, campaign, now, state.validationTotalePeriode, applied.lines, itemIndexOf(change));
  if (!checked.ok) return refusal('invalid', checked.errors);
  // the members of a group take the same set: each must be allowed to change now
  const membres = groupe?.role === 'reference' ? groupe : null;
  const members = await lockMembers(tx, { annee, actor: input.actor, now }, membres, campaign);
  if (!members.ok) return members;
  for (const m of members.states) {
    const held = await paidLinesRefusal(tx, m.current, applied.lines);
    if (held) return held;
  }
  const written = { now, version: state.version, validationTotalePeriode: state.validationTotalePeriode, current, checked };
  return writeChange(ctx, tx, input, applied.lines, written, membres, members.states);
}

/** Where an item of the change is in the list it came with (its messages name « Ligne n »). */
function itemIndexOf(change: ChoiceChange): (l: DesiredLine) => number | undefined {
  const items = 'items' in change ? change.items : [];
  return (l) => {
    const i = items.findIndex((it) => it.target.etablissementId === l.etablissementId && (it.target.formationId ?? null) === l.formationId);
    return i < 0 ? undefined : i;
  };
}

interface MemberState {
  siret: string;
  current: LineRow[];
  validationTotalePeriode: number | null;
}

/**
 * The members of the group whose reference changes: the actor may still act for each (scope.ts: a
 * member whose habilitation was removed, or a client whose DSN rule no longer holds, refuses the change
 * for the whole group, naming the SIRET), each has an envelope and may change now; locked, read.
 */
async function lockMembers(
  tx: Tx,
  at: { annee: number; actor: Actor; now: Date },
  groupe: GroupInfo | null,
  campaign: Campaign,
): Promise<{ ok: true; states: MemberState[] } | ChangeFailure> {
  const { annee, now } = at;
  const states: MemberState[] = [];
  const outside = groupe?.membres.length ? await outOfScope(tx, at.actor, annee, groupe.membres, now) : new Map<string, string>();
  if (outside.size > 0)
    return refusal(
      'invalid',
      [...outside].map(([siret, why]) => ({
        code: 'groupe_hors_perimetre',
        message: `SIRET ${siret} du groupe « ${groupe!.nom} » : vous ne pouvez plus agir pour ce SIRET (${why}). Rien n’a été enregistré, ni pour le SIRET de référence ni pour les autres SIRET du groupe ; un administrateur de l’entreprise peut retirer ce SIRET du groupe dans « Mes groupes ».`,
      })),
    );
  for (const m of groupe?.membres ?? []) {
    const mEnv = await envelopeOf(tx, annee, m);
    if (!mEnv)
      return refusalOf(
        'invalid',
        'groupe_sans_enveloppe',
        `Le SIRET ${m} du groupe « ${groupe!.nom} » n’a pas de solde à répartir pour la campagne ${annee} : retirez-le du groupe.`,
      );
    const ms = await lockChoix(tx, annee, m, now);
    const cal = checkCalendar({ campaign, now, validatedFullInPeriod: ms.validationTotalePeriode });
    if (!cal.ok)
      return refusal(
        'invalid',
        cal.errors.map((e) => ({ ...toChangeError(e), message: `SIRET ${m} du groupe : ${e.message}` })),
      );
    states.push({ siret: m, current: await linesOf(tx, annee, m), validationTotalePeriode: ms.validationTotalePeriode });
  }
  return { ok: true, states };
}

/** Writes the SIRET's new set, its version and validation state, the members' copies, and the audit trail. */
async function writeChange(
  ctx: Pick<AppContext, 'clock'>,
  tx: Tx,
  input: ChangeInput,
  lines: readonly DesiredLine[],
  s: {
    now: Date;
    version: number;
    validationTotalePeriode: number | null;
    current: LineRow[];
    checked: { periode: number; summary: { totalBp: number } };
  },
  groupe: GroupInfo | null,
  members: readonly MemberState[],
): Promise<ChangeResult> {
  const { annee, siret } = input;
  const { now, checked } = s;
  const userId = input.actor.userId;
  const counts = await writeLines(tx, annee, siret, s.current, lines, now, userId, checked.periode);
  const changed = counts.added + counts.updated + counts.removed > 0;
  const fullyValidated = lines.length > 0 && lines.every((l) => l.statut === 'validee') && checked.summary.totalBp === FULL_BP;
  const nextValidation = (prev: number | null) => (fullyValidated ? (prev ?? checked.periode) : null);
  const version = changed ? s.version + 1 : s.version;
  await tx
    .update(choixEmployeurs)
    .set({
      version,
      validationTotalePeriode: nextValidation(s.validationTotalePeriode),
      ...(counts.validated ? { valideLe: now } : {}),
      updatedAt: now,
      updatedBy: userId,
    })
    .where(and(eq(choixEmployeurs.annee, annee), eq(choixEmployeurs.siret, siret)));
  for (const m of members) {
    const c = await writeLines(tx, annee, m.siret, m.current, lines, now, userId, checked.periode);
    if (c.added + c.updated + c.removed)
      await tx
        .update(choixEmployeurs)
        .set({
          version: sql`${choixEmployeurs.version} + 1`,
          validationTotalePeriode: nextValidation(m.validationTotalePeriode),
          ...(c.validated ? { valideLe: now } : {}),
          updatedAt: now,
          updatedBy: userId,
        })
        .where(and(eq(choixEmployeurs.annee, annee), eq(choixEmployeurs.siret, m.siret)));
  }
  if (changed) await auditChange(ctx, tx, input, lines, checked.summary.totalBp, groupe);
  // « Valider mon attribution »: the récapitulatif to the person who validated (recapitulatif.ts)
  if (counts.validated) await queueRecapitulatif(ctx, tx, { annee, siret, userId, version });
  return { ok: true, version, changed, ...counts, membres: members.length };
}

async function auditChange(
  ctx: Pick<AppContext, 'clock'>,
  tx: Tx,
  input: ChangeInput,
  lines: readonly DesiredLine[],
  totalBp: number,
  groupe: GroupInfo | null,
) {
  await auditEmployer(tx, ctx.clock, input, 'attributions.changed', {
    action: input.change.kind,
    source: input.source ?? 'ecran',
    total: formatPercent(totalBp),
    lignes: lines.map((l) => ({
      etablissementId: l.etablissementId,
      formationId: l.formationId,
      pourcentage: formatPercent(l.bp),
      statut: l.statut,
    })),
    ...(groupe?.membres.length ? { groupe: groupe.nom, membres: groupe.membres } : {}),
  });
}

/** Audits an employer's change of its allocations: the person who acted, and the campaign and SIRET first in the details. */
export function auditEmployer(
  tx: Tx,
  clock: AppContext['clock'],
  input: { actor: Actor; annee: number; siret: string },
  action: AuditAction,
  details: Record<string, unknown>,
): Promise<void> {
  return audit(tx, clock, {
    action,
    actorUserId: input.actor.userId,
    espaceId: input.actor.espaceId,
    ip: input.actor.ip ?? null,
    details: { annee: input.annee, siret: input.siret, ...details },
  });
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
