/**
 * What-ifs for bench/allocations.ts (not application code): the same work as
 * src/modules/attributions/choix.ts in fewer statements, to measure what fewer round trips would give.
 *
 * - `loadSyntheseOneStatement`: the « Synthèse » of loadSynthese in ONE statement instead of seven (five
 *   in parallel, then the two of describeTargets): the envelope, the choices' state, the group, the
 *   operator's calendar and the lines joined to their referential rows (place, parent, formation,
 *   diploma), each as JSON. Same rows, same described targets, same amounts: `sameSynthese` checks it
 *   against loadSynthese on sampled employers before it is measured. `prepared`: as a named prepared
 *   statement on the pool (planned once per connection instead of at every call).
 * - `modifierSixRoundTrips`: changeChoices kind 'modifier' in 6 round trips instead of 14: begin; the
 *   locked state with the envelope, group and calendar; the lines with their described targets; the
 *   update of the line; the version bump and the audit event in one statement; commit. Same rules
 *   (applyChange, checkCalendar, checkShares), same rows written. Groups are left to changeChoices
 *   (the reference SIRET of a group answers « not measured »).
 */
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { checkCalendar, checkShares, expectedAmountsFor, type ProposedAllocation } from '../src/domain/attribution-rules.js';
import { campaignPreset, phaseAt, type Campaign } from '../src/domain/campagne.js';
import { FULL_BP, formatPercent } from '../src/domain/money.js';
import type { Clock } from '../src/infra/clock.js';
import type { Db } from '../src/infra/db/index.js';
import { applyChange, type Actor, type ChangeResult, type Synthese, type SyntheseLine } from '../src/modules/attributions/choix.js';
import type { DescribedTarget } from '../src/modules/attributions/targets.js';

interface Row {
  env: { collecteur: string; solde: string; deductions: string; frais: string; report: string; credits: string; partage: boolean; declarant_nom: string | null; depose_le: string | null } | null;
  st: { version: number; validation_totale_periode: number | null } | null;
  grp: { id: number; nom: string; reference: string; membres: string[] } | null;
  camp: { annee: number; etablissements_ouverture: string; employeurs_ouverture: string; periodes: Campaign['periodes']; vagues: Campaign['vagues']; reliquat: string; source: string | null } | null;
  lines:
    | {
        id: number;
        etablissement_id: number;
        formation_id: number | null;
        points_base: number;
        statut: string;
        validee_le: string | null;
        siret: string | null;
        nom: string | null;
        commune: string | null;
        liste: string | null;
        parent_id: number | null;
        p_siret: string | null;
        p_nom: string | null;
        p_liste: string | null;
        f_etab: number | null;
        intitule: string | null;
      }[]
    | null;
}

/** the lines with their referential rows (also written as a drizzle template in modifierSixRoundTrips) */
const LINES_SQL = `
      select a.id, a.etablissement_id, a.formation_id, a.points_base, a.statut, a.validee_le,
             e.siret, e.nom, e.commune, e.liste, e.parent_id, p.siret as p_siret, p.nom as p_nom, p.liste as p_liste,
             f.etablissement_id as f_etab, d.intitule
      from attributions a
      left join ref_etablissements e on e.id = a.etablissement_id and e.annee = $1
      left join ref_etablissements p on p.id = e.parent_id
      left join ref_formations f on f.id = a.formation_id and f.annee = $1
      left join ref_diplomes d on d.id = f.diplome_id
      where a.annee = $1 and a.siret_employeur = $2`;
const SYNTHESE_SQL = `
    with lines as (${LINES_SQL})
    select
      (select json_build_object('collecteur', collecteur, 'solde', solde_cents::text, 'deductions', deductions_cents::text, 'frais', frais_cents::text,
              'report', report_cents::text, 'credits', credits_cents::text, 'partage', partage_coordonnees, 'declarant_nom', declarant_nom, 'depose_le', depose_le)
         from enveloppes where annee = $1 and siret = $2) as env,
      (select json_build_object('version', version, 'validation_totale_periode', validation_totale_periode)
         from choix_employeurs where annee = $1 and siret = $2) as st,
      (select json_build_object('id', g.id, 'nom', g.nom, 'reference', g.siret_reference,
              'membres', (select coalesce(json_agg(m2.siret order by m2.siret), '[]') from groupe_membres m2 where m2.groupe_id = g.id))
         from groupe_membres m join groupes g on g.id = m.groupe_id where m.annee = $1 and m.siret = $2) as grp,
      (select row_to_json(c) from campagnes c where c.annee = $1) as camp,
      (select json_agg(l order by l.id) from lines l) as lines`;

const poolOf = (db: Db) => (db as unknown as { $client: pg.Pool }).$client;

type LineJson = NonNullable<Row['lines']>[number];

function campaignFrom(camp: Row['camp'], annee: number): Campaign {
  return camp
    ? {
        annee: camp.annee,
        etablissementsOuverture: camp.etablissements_ouverture,
        employeursOuverture: camp.employeurs_ouverture,
        periodes: camp.periodes,
        vagues: camp.vagues,
        reliquat: camp.reliquat,
        ...(camp.source ? { source: camp.source } : {}),
      }
    : (campaignPreset(annee) ?? { ...campaignPreset(2025)!, annee });
}

/** The target of a line as describeTargets gives it, or null when it is not in the year's referential. */
function describedOf(l: Omit<LineJson, 'id' | 'points_base' | 'statut' | 'validee_le'>): DescribedTarget | null {
  if (l.siret === null) return null;
  const base = { etablissementId: l.etablissement_id, siret: l.siret, national: l.liste === 'nationale' || l.p_liste === 'nationale', etablissementSiret: l.p_siret ?? l.siret, etablissementNom: l.p_nom ?? l.nom!, commune: l.commune };
  if (l.formation_id) return l.intitule !== null && l.f_etab === l.etablissement_id ? { ...base, formationId: l.formation_id, kind: 'formation', libelle: `${l.nom} — ${l.intitule}` } : null;
  return { ...base, formationId: null, kind: l.parent_id === null ? 'etablissement' : 'composante', libelle: l.nom! };
}

export async function loadSyntheseOneStatement(db: Db, now: Date, annee: number, siret: string, prepared = false): Promise<Synthese> {
  const r = await poolOf(db).query<Row>(prepared ? { name: 'bench_synthese', text: SYNTHESE_SQL, values: [annee, siret] } : { text: SYNTHESE_SQL, values: [annee, siret] });
  const row = r.rows[0]!;
  const campaign = campaignFrom(row.camp, annee);
  const e = row.env;
  const enveloppe = e
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
  const rows = row.lines ?? [];
  const amounts = enveloppe ? expectedAmountsFor(enveloppe.creditsCents, rows.map((l) => ({ bp: l.points_base }))) : null;
  const lines: SyntheseLine[] = rows.map((l, i) => {
    const target = describedOf(l);
    return {
      id: l.id,
      etablissementId: l.etablissement_id,
      formationId: l.formation_id,
      pointsBase: l.points_base,
      statut: l.statut === 'validee' ? 'validee' : 'enregistree',
      valideeLe: l.validee_le ? new Date(l.validee_le) : null,
      target,
      montantCents: amounts ? amounts.montantsCents[i]! : null,
    };
  });
  const totalBp = lines.reduce((s, l) => s + l.pointsBase, 0);
  const validationTotalePeriode = row.st?.validation_totale_periode ?? null;
  const cal = checkCalendar({ campaign, now, validatedFullInPeriod: validationTotalePeriode });
  const g = row.grp;
  return {
    annee,
    siret,
    campaign,
    phase: phaseAt(campaign, now),
    modifiable: cal.ok ? { ok: true, periode: cal.periode } : { ok: false, message: cal.errors[0]!.message, reference: cal.errors[0]!.reference },
    enveloppe,
    lines,
    totalBp,
    nationalBp: lines.reduce((s, l) => s + (l.target?.national ? l.pointsBase : 0), 0),
    resteBp: FULL_BP - totalBp,
    attribueCents: amounts?.attribueCents ?? 0n,
    nonAttribueCents: amounts?.nonAttribueCents ?? null,
    aValider: lines.filter((l) => l.statut !== 'validee').length,
    version: row.st?.version ?? 0,
    validationTotalePeriode,
    groupe: g ? { id: g.id, nom: g.nom, reference: g.reference, role: g.reference === siret ? 'reference' : 'membre', membres: g.membres.filter((s) => s !== g.reference) } : null,
  };
}

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
export async function modifierSixRoundTrips(ctx: { db: Db; clock: Clock }, input: { annee: number; siret: string; actor: Actor; id: number; bp: number }): Promise<ChangeResult> {
  const { annee, siret, actor } = input;
  const now = ctx.clock.now();
  const rows = async <T>(tx: Parameters<Parameters<Db['transaction']>[0]>[0], q: ReturnType<typeof sql>) => ((await tx.execute(q)) as unknown as { rows: T[] }).rows;
  return ctx.db.transaction(async (tx) => {
    type State = { version: number; validation_totale_periode: number | null; has_env: boolean; grp: { nom: string; reference: string } | null; camp: Row['camp'] };
    const stateSql = sql`select c.version, c.validation_totale_periode,
          exists (select 1 from enveloppes where annee = ${annee} and siret = ${siret}) as has_env,
          (select json_build_object('nom', g.nom, 'reference', g.siret_reference) from groupe_membres m join groupes g on g.id = m.groupe_id where m.annee = ${annee} and m.siret = ${siret}) as grp,
          (select row_to_json(x) from campagnes x where x.annee = ${annee}) as camp
        from choix_employeurs c where c.annee = ${annee} and c.siret = ${siret} for update of c`;
    let [st] = await rows<State>(tx, stateSql);
    if (!st) {
      await tx.execute(sql`insert into choix_employeurs (annee, siret, version, updated_at) values (${annee}, ${siret}, 0, ${now}) on conflict do nothing`);
      [st] = await rows<State>(tx, stateSql);
    }
    if (!st!.has_env) return { ok: false, status: 400, errors: [{ code: 'sans_enveloppe', message: 'Aucun solde (what-if)' }] };
    if (st!.grp) return { ok: false, status: 409, errors: [{ code: 'groupe', message: 'groupe : non mesuré (what-if)' }] };
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
    const current = lines.map((l) => ({ id: Number(l.id), etablissementId: Number(l.etablissement_id), formationId: l.formation_id === null ? null : Number(l.formation_id), pointsBase: l.points_base, statut: l.statut, valideeLe: l.validee_le as Date | null }));
    const applied = applyChange(current, { kind: 'modifier', id: input.id, bp: input.bp });
    if (!applied.ok) return { ok: false, status: applied.status, errors: applied.errors };
    const campaign = campaignFrom(st!.camp, annee);
    const cal = checkCalendar({ campaign, now, validatedFullInPeriod: st!.validation_totale_periode });
    if (!cal.ok) return { ok: false, status: 400, errors: cal.errors };
    const described = new Map(lines.map((l) => [`${l.etablissement_id}:${l.formation_id ?? 0}`, describedOf({ ...l, etablissement_id: Number(l.etablissement_id), formation_id: l.formation_id === null ? null : Number(l.formation_id), f_etab: l.f_etab === null ? null : Number(l.f_etab), parent_id: l.parent_id })]));
    const proposed: ProposedAllocation[] = [];
    for (const l of applied.lines) {
      const d = described.get(`${l.etablissementId}:${l.formationId ?? 0}`);
      if (!d) return { ok: false, status: 400, errors: [{ code: 'cible_invalide', message: 'cible invalide (what-if)' }] };
      proposed.push({ target: { etablissementId: l.etablissementId, formationId: l.formationId, kind: d.kind, libelle: d.libelle }, bp: l.bp, national: d.national });
    }
    const shares = checkShares(proposed);
    if (!shares.ok) return { ok: false, status: 400, errors: shares.errors };
    const old = current.find((l) => l.id === input.id)!;
    if (old.pointsBase === input.bp) return { ok: true, version: st!.version, changed: false, added: 0, updated: 0, removed: 0, validated: 0, membres: 0 };
    await tx.execute(sql`update attributions set points_base = ${input.bp}, statut = 'enregistree', validee_le = null, valide_periode = null, updated_at = ${now}, updated_by = ${actor.userId} where id = ${input.id}`);
    const details = {
      annee,
      siret,
      action: 'modifier',
      source: 'bench',
      total: formatPercent(shares.summary.totalBp),
      lignes: applied.lines.map((l) => ({ etablissementId: l.etablissementId, formationId: l.formationId, pourcentage: formatPercent(l.bp), statut: l.statut })),
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
