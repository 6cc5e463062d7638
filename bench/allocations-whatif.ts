/**
 * What-ifs for bench/allocations.ts (not application code): the same work as
 * src/modules/attributions/choix.ts in fewer statements, to measure what fewer round trips would give.
 * (The first what-if, the Synthèse in one prepared statement, measured better and became loadSynthese.)
 *
 * - `modifierSixRoundTrips`: changeChoices kind 'modifier' in 6 round trips instead of about 11: begin;
 *   the locked state with the envelope, group and calendar; the lines with their described targets; the
 *   update of the line; the version bump and the audit event in one statement; commit. Same rules
 *   (applyChange, checkCalendar, checkShares), same rows written (`sameSynthese` after both, checked on
 *   sampled employers before it is measured). Groups are left to changeChoices (the reference SIRET of
 *   a group answers « not measured »).
 */
import { sql } from 'drizzle-orm';
import { checkCalendar, checkShares, type ProposedAllocation } from '../src/domain/attribution-rules.js';
import { formatPercent } from '../src/shared/format.js';
import type { Clock } from '../src/infra/clock.js';
import type { Db } from '../src/infra/db/index.js';
import { applyChange, refusal, refusalOf } from '../src/modules/attributions/apply-change.js';
import type { Actor, ChangeResult } from '../src/modules/attributions/choix.js';
import type { Synthese } from '../src/modules/attributions/synthese.js';
import { describedOf, type TargetRow } from '../src/modules/attributions/targets.js';

type LineJson = TargetRow & { id: number; points_base: number; statut: string; validee_le: Date | null };
import { campaignFromRow, presetOrDefault } from '../src/modules/campagnes/repository.js';

/** The two Synthèses serialised the same way (bigint and dates as strings): equal or the first difference. */
export function sameSynthese(a: Synthese, b: Synthese): string | null {
  const norm = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  const ka = norm(a);
  const kb = norm(b);
  if (ka === kb) return null;
  let i = 0;
  while (i < ka.length && ka[i] === kb[i]) i++;
  return `…${ka.slice(Math.max(0, i - 60), i + 60)}… ≠ …${kb.slice(Math.max(0, i - 60), i + 60)}…`;
}

/** changeChoices({ kind: 'modifier', id, bp }, expectedVersion null) in 6 round trips (see the file comment). */
export async function modifierSixRoundTrips(
  ctx: { db: Db; clock: Clock },
  input: { annee: number; siret: string; actor: Actor; id: number; bp: number },
): Promise<ChangeResult> {
  const { annee, siret, actor } = input;
  const now = ctx.clock.now();
  const rows = async <T>(tx: Parameters<Parameters<Db['transaction']>[0]>[0], q: ReturnType<typeof sql>) =>
    ((await tx.execute(q)) as unknown as { rows: T[] }).rows;
  return ctx.db.transaction(async (tx) => {
    type State = {
      version: number;
      validation_totale_periode: number | null;
      has_env: boolean;
      grp: { nom: string; reference: string } | null;
      camp: Parameters<typeof campaignFromRow>[0] | null;
    };
    const stateSql = sql`select c.version, c.validation_totale_periode,
          exists (select 1 from enveloppes where annee = ${annee} and siret = ${siret}) as has_env,
          (select json_build_object('nom', g.nom, 'reference', g.siret_reference) from groupe_membres m join groupes g on g.id = m.groupe_id where m.annee = ${annee} and m.siret = ${siret}) as grp,
          (select json_build_object('annee', annee, 'etablissementsOuverture', etablissements_ouverture, 'employeursOuverture', employeurs_ouverture,
                  'periodes', periodes, 'vagues', vagues, 'reliquat', reliquat, 'source', source) from campagnes where annee = ${annee}) as camp
        from choix_employeurs c where c.annee = ${annee} and c.siret = ${siret} for update of c`;
    let [st] = await rows<State>(tx, stateSql);
    if (!st) {
      await tx.execute(
        sql`insert into choix_employeurs (annee, siret, version, updated_at) values (${annee}, ${siret}, 0, ${now}) on conflict do nothing`,
      );
      [st] = await rows<State>(tx, stateSql);
    }
    if (!st!.has_env) return refusalOf('invalid', 'sans_enveloppe', 'Aucun solde (what-if)');
    if (st!.grp) return refusalOf('conflict', 'groupe', 'groupe : non mesuré (what-if)');
    const lines = await rows<LineJson>(
      tx,
      sql`select a.id, a.etablissement_id, a.formation_id, a.points_base, a.statut, a.validee_le,
                 e.siret, e.nom, e.commune, e.liste, e.parent_id, p.siret as p_siret, p.nom as p_nom, p.liste as p_liste,
                 f.etablissement_id as f_etab, d.intitule
          from attributions a
          left join ref_etablissements e on e.id = a.etablissement_id and e.annee = ${annee}
          left join ref_etablissements p on p.id = e.parent_id
          left join ref_formations f on f.id = a.formation_id and f.annee = ${annee}
          left join ref_diplomes d on d.id = f.diplome_id
          where a.annee = ${annee} and a.siret_employeur = ${siret}
          order by a.id`,
    );
    const current = lines.map((l) => ({
      id: Number(l.id),
      etablissementId: Number(l.etablissement_id),
      formationId: l.formation_id === null ? null : Number(l.formation_id),
      pointsBase: l.points_base,
      statut: l.statut,
      valideeLe: l.validee_le,
    }));
    const applied = applyChange(current, { kind: 'modifier', id: input.id, bp: input.bp });
    if (!applied.ok) return applied;
    const campaign = st!.camp ? campaignFromRow(st!.camp) : presetOrDefault(annee);
    const cal = checkCalendar({ campaign, now, validatedFullInPeriod: st!.validation_totale_periode });
    if (!cal.ok) return refusal('invalid', cal.errors);
    const described = new Map(lines.map((l) => [`${l.etablissement_id}:${l.formation_id ?? 0}`, describedOf(l)]));
    const proposed: ProposedAllocation[] = [];
    for (const l of applied.lines) {
      const d = described.get(`${l.etablissementId}:${l.formationId ?? 0}`);
      if (!d) return refusalOf('invalid', 'cible_invalide', 'cible invalide (what-if)');
      proposed.push({
        target: { etablissementId: l.etablissementId, formationId: l.formationId, kind: d.kind, libelle: d.libelle },
        bp: l.bp,
        national: d.national,
      });
    }
    const shares = checkShares(proposed);
    if (!shares.ok) return refusal('invalid', shares.errors);
    const old = current.find((l) => l.id === input.id)!;
    if (old.pointsBase === input.bp)
      return { ok: true, version: st!.version, changed: false, added: 0, updated: 0, removed: 0, validated: 0, membres: 0 };
    await tx.execute(
      sql`update attributions set points_base = ${input.bp}, statut = 'enregistree', validee_le = null, valide_periode = null, updated_at = ${now}, updated_by = ${actor.userId} where id = ${input.id}`,
    );
    const details = {
      annee,
      siret,
      action: 'modifier',
      source: 'bench',
      total: formatPercent(shares.summary.totalBp),
      lignes: applied.lines.map((l) => ({
        etablissementId: l.etablissementId,
        formationId: l.formationId,
        pourcentage: formatPercent(l.bp),
        statut: l.statut,
      })),
    };
    const [v] = await rows<{ version: number }>(
      tx,
      sql`with u as (update choix_employeurs set version = version + 1, validation_totale_periode = null, updated_at = ${now}, updated_by = ${actor.userId}
                     where annee = ${annee} and siret = ${siret} returning version),
               a as (insert into audit_events (at, action, actor_user_id, espace_id, ip, details)
                     values (${now}, 'attributions.changed', ${actor.userId}, ${actor.espaceId}, ${actor.ip ?? null}, ${JSON.stringify(details)}::jsonb))
          select version from u`,
    );
    return { ok: true, version: v!.version, changed: true, added: 0, updated: 1, removed: 0, validated: 0, membres: 0 };
  });
}
