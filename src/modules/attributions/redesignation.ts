/**
 * « Redésigner » (D. 6241-27-1, docs/regles.md#fonds-non-versables): a share of the employer's
 * allocations that could not be paid (no verified bank details, establishment closed, transfer rejected
 * by the bank) may be given to another habilitated establishment until the campaign's re-designation
 * deadline (`redesignationFin`, by default the day before the reliquat); afterwards it joins the
 * reliquat. The allocation line moves to the new establishment with its share and its validation, so the
 * next wave pays it there: what earlier waves paid on it stays paid and is never paid again (the wave
 * pays the expected amount minus what was paid, lignes-dues.ts).
 *
 * A write of the allocations outside the calendar's periods, so a use case of its own beside
 * `changeChoices` (ADR 0003) with the same safeguards: the campaign's payment lock (no wave is prepared
 * or issued meanwhile), the SIRET's `choix_employeurs` row locked and its version bumped (a form open
 * elsewhere becomes stale), the target checked against the campaign's referential, the shares' rules
 * (30 % liste nationale) on the whole new set, and the audit trail in the same transaction.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { checkShares } from '../../domain/attribution-rules.js';
import { redesignationDeadline } from '../../domain/campagne.js';
import { formatJour } from '../../domain/jours.js';
import { redesignationOpen } from '../../domain/non-versables.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { ProblemError, problem, type Outcome } from '../../shared/problem.js';
import { lockCampaignPayments } from '../versements/preparation.js';
import { auditEmployer, lockChoix, STALE_MESSAGE, type Actor } from './choix.js';
import { calendarOf } from './synthese.js';
import { describeTargets, targetMapKey } from './targets.js';

export interface RedesignationInput {
  annee: number;
  /** the employer SIRET (the caller checked the actor may act for it: scope.ts) */
  siret: string;
  actor: Actor;
  /** the `non_versables` row */
  nonVersableId: number;
  /** the SIRET of the habilitated establishment (or composante) chosen */
  nouveauSiret: string;
  /** the choices' version the form was built from; null: no stale-form check (API) */
  expectedVersion: number | null;
}

const refuse = (kind: 'invalid' | 'conflict' | 'not_found', code: string, message: string) =>
  new ProblemError(problem(kind, code, message));

export const SHARE_NOT_FOUND =
  'Cette part non versable est introuvable : elle a peut-être déjà été redésignée, ou versée par une vague suivante.';

interface ShareRow {
  attribution_id: string;
  montant_cents: string;
  etablissement_id: string;
  formation_id: string | null;
  ancien_nom: string | null;
}

/** The share `en_attente` of an issued wave, of this SIRET only (another company's id: not found). */
async function lockedShare(tx: Tx, input: RedesignationInput): Promise<ShareRow> {
  const [row] = await selectRows<ShareRow>(
    tx,
    sql`select nv.attribution_id::text, nv.montant_cents::text, a.etablissement_id::text, a.formation_id::text, e.nom as ancien_nom
          from non_versables nv
          join vagues_versement v on v.id = nv.vague_id and v.statut = 'emise'
          join attributions a on a.id = nv.attribution_id
          left join ref_etablissements e on e.id = a.etablissement_id
         where nv.id = ${input.nonVersableId} and nv.annee = ${input.annee} and nv.siret_employeur = ${input.siret} and nv.statut = 'en_attente'
         for update of nv, a`,
  );
  if (!row) throw refuse('not_found', 'non_versable_introuvable', SHARE_NOT_FOUND);
  return row;
}

/** The habilitated establishment or composante of the campaign with this SIRET, described, or a refusal. */
async function newTarget(tx: Tx, annee: number, siret: string) {
  const [ref] = await selectRows<{ id: string }>(
    tx,
    sql`select id::text from ref_etablissements where annee = ${annee} and siret = ${siret}`,
  );
  const described = ref ? await describeTargets(tx, annee, [{ etablissementId: Number(ref.id), formationId: null }]) : null;
  const d = described?.get(targetMapKey(Number(ref!.id), null));
  if (!d)
    throw refuse(
      'invalid',
      'cible_invalide',
      `Aucun établissement habilité pour la campagne ${annee} ne porte le SIRET ${siret} : choisissez un établissement dans la recherche.`,
    );
  return d;
}

/** The shares' rules on the SIRET's whole set once the line has moved (30 % liste nationale). */
async function checkNewSet(tx: Tx, annee: number, siret: string, ligneId: number, moved: { etablissementId: number }) {
  const lines = await selectRows<{ id: string; etablissement_id: string; formation_id: string | null; bp: number }>(
    tx,
    sql`select id::text, etablissement_id::text, formation_id::text, points_base as bp from attributions where annee = ${annee} and siret_employeur = ${siret} order by id`,
  );
  const set = lines.map((l) =>
    Number(l.id) === ligneId
      ? { etablissementId: moved.etablissementId, formationId: null, bp: l.bp }
      : { etablissementId: Number(l.etablissement_id), formationId: l.formation_id === null ? null : Number(l.formation_id), bp: l.bp },
  );
  const described = await describeTargets(tx, annee, set);
  const shares = checkShares(
    set.map((l) => {
      const d = described.get(targetMapKey(l.etablissementId, l.formationId));
      return {
        target: { etablissementId: l.etablissementId, formationId: l.formationId, ...(d ? { libelle: d.libelle } : {}) },
        bp: l.bp,
        national: d?.national ?? false,
      };
    }),
  );
  if (!shares.ok) throw new ProblemError(problem('invalid', shares.errors[0]!.code, shares.errors.map((e) => e.message).join(' ')));
}

/** Gives the unpayable share to another establishment: the line moves, the share becomes `redesignee`. */
export async function redesignateShare(ctx: AppContext, input: RedesignationInput): Promise<Outcome<{ ligneId: number; version: number }>> {
  try {
    const done = await ctx.db.transaction(async (tx) => {
      const now = ctx.clock.now();
      const campaign = await calendarOf(tx, input.annee);
      if (!redesignationOpen(campaign, now))
        throw refuse(
          'conflict',
          'redesignation_close',
          `Le délai pour attribuer une part non versable à un autre établissement a pris fin le ${formatJour(redesignationDeadline(campaign))} : cette part rejoint les fonds non affectés (article D. 6241-27-1 du code du travail).`,
        );
      await lockCampaignPayments(tx, input.annee);
      const state = await lockChoix(tx, input.annee, input.siret, now);
      if (input.expectedVersion !== null && input.expectedVersion !== state.version)
        throw refuse('conflict', 'version_perimee', STALE_MESSAGE);
      const share = await lockedShare(tx, input);
      const ligneId = Number(share.attribution_id);
      const target = await newTarget(tx, input.annee, input.nouveauSiret);
      const [taken] = await selectRows<{ id: string }>(
        tx,
        sql`select id::text from attributions where annee = ${input.annee} and siret_employeur = ${input.siret} and etablissement_id = ${target.etablissementId} and formation_id is null`,
      );
      if (taken)
        throw refuse(
          'conflict',
          taken.id === share.attribution_id ? 'meme_etablissement' : 'deja_attribue',
          taken.id === share.attribution_id
            ? 'Cette part ne peut pas être versée à cet établissement : choisissez-en un autre.'
            : `Vous attribuez déjà une part de vos fonds à « ${target.libelle} » : choisissez un autre établissement.`,
        );
      await checkNewSet(tx, input.annee, input.siret, ligneId, target);
      await tx.execute(sql`update attributions set etablissement_id = ${target.etablissementId}, formation_id = null,
                                  updated_at = ${now.toISOString()}::timestamptz, updated_by = ${input.actor.userId}::uuid where id = ${ligneId}`);
      await tx.execute(sql`update non_versables set statut = 'redesignee', decide_le = ${now.toISOString()}::timestamptz, decide_par = ${input.actor.userId}::uuid
                            where attribution_id = ${ligneId} and statut = 'en_attente'`);
      const version = state.version + 1;
      await tx.execute(sql`update choix_employeurs set version = ${version}, updated_at = ${now.toISOString()}::timestamptz, updated_by = ${input.actor.userId}::uuid
                            where annee = ${input.annee} and siret = ${input.siret}`);
      await auditEmployer(tx, ctx.clock, input, 'non_versable.redesigne', {
        ligneId,
        montantCents: share.montant_cents,
        ancien: share.ancien_nom,
        nouveau: { siret: target.siret, libelle: target.libelle },
      });
      return { ligneId, version };
    });
    return { ok: true, ...done };
  } catch (e) {
    if (e instanceof ProblemError) return { ok: false, problem: e.problem };
    throw e;
  }
}
