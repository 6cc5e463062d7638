/**
 * « Rapprochement » of a campaign (docs/regles.md#rapprochement, ADR 0007 §7): collected = fees + paid
 * + reliquat paid + carried over, to the cent, with every difference listed. The database gives each
 * employer SIRET's ledger in one statement — what the collectors transferred, its envelope, the expected
 * amounts of its lines (largest remainder, as the Synthèse and `lignes-dues.ts` compute them), what issued
 * and unreturned transfers paid on them, its unpayable shares — and the rule (`reconcileCampaign`,
 * src/domain/rapprochement.ts) adds them up. The operator's page (/operateur) renders
 * `RapprochementView`; the command line prints it (`npm run cli -- rapprochement <année> [--csv]`).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { formatSiret } from '../../domain/identifiers.js';
import type { Cents } from '../../domain/money.js';
import { reconcileCampaign, type EcartCode, type EmployerLedger, type PartReste, type Rapprochement } from '../../domain/rapprochement.js';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { writeCsv } from '../../shared/csv.js';
import { formatEurosPlain, formatEurosText } from '../../shared/format.js';
import { exactCte, verseCte } from './lignes-dues.js';

export const PART_LIBELLES: Record<PartReste, string> = {
  non_attribue: 'Crédits non attribués par les employeurs (réserve du reliquat)',
  non_versable_reliquat: 'Parts non versables non re-désignées (réserve du reliquat)',
  reliquat_verse: 'Moins : reliquat versé, pris sur sa réserve',
  non_versable_en_attente: 'Parts non versables en attente de re-désignation',
  a_verser: 'Attribué, pas encore versé (non validé, vague à venir, virement rejeté)',
  fonds_incomplets: 'Fonds reçus d’employeurs dont le dû n’est pas encore reçu en entier',
};

const ECART_LIBELLES: Record<EcartCode, string> = {
  recu_sans_enveloppe: 'Fonds reçus sans enveloppe pour la campagne',
  recu_au_dela_du_du: 'Reçu plus que le dû de l’enveloppe (solde net moins frais des collecteurs)',
  enveloppe_incoherente: 'Enveloppe : le dû au fonds diffère des crédits à répartir plus les frais de l’opérateur',
  ligne_versee_au_dela: 'Ligne d’attribution versée au-delà de son montant attendu',
  verse_plus_que_recu: 'Versé plus que les fonds reçus de l’employeur',
  virements_et_lignes: 'Les virements émis diffèrent de la somme des lignes qu’ils paient',
  reliquat_au_dela: 'Reliquat versé au-delà de sa réserve (crédits non attribués et parts non versables)',
};

export interface EcartView {
  code: EcartCode;
  libelle: string;
  siret: string | null;
  attributionId: number | null;
  cents: Cents;
}

/** What the operator's page and the command line show. */
export interface RapprochementView {
  annee: number;
  calculeLe: Date;
  collecteCents: Cents;
  fraisCents: Cents;
  verseCents: Cents;
  reliquatVerseCents: Cents;
  reste: { part: PartReste; libelle: string; cents: Cents }[];
  resteCents: Cents;
  ecartCents: Cents;
  /** the identity holds to the cent and nothing is listed */
  equilibre: boolean;
  ecarts: EcartView[];
  employeurs: number;
  employeursFinances: number;
}

interface LedgerRow {
  siret: string;
  recu: string;
  enveloppe: boolean;
  reverse: string | null;
  frais: string | null;
  credits: string | null;
  attendu: string;
  verse: string;
  reste: string;
  attente: string;
  reliquat: string;
  surverses: string | { id: number; cents: string }[] | null;
}

/**
 * Every employer SIRET of the campaign (envelope, funds received or paid lines) with its ledger. The
 * expected amounts are those of `lignesDuesStatement` (lignes-dues.ts): the same window over the same
 * order, so what is « left to pay » here is what a wave would owe.
 */
function ledgerStatement(annee: number) {
  return sql`
    with lignes as (
      select a.id, a.siret_employeur, a.points_base::bigint as bp, e.credits_cents::bigint as credits
        from attributions a
        join enveloppes e on e.annee = a.annee and e.siret = a.siret_employeur
       where a.annee = ${annee}
    ),
    ${exactCte},
    ${verseCte(annee)},
    nv as (
      select n.attribution_id,
             coalesce(sum(n.montant_cents) filter (where n.statut = 'en_attente'), 0) as attente,
             coalesce(sum(n.montant_cents) filter (where n.statut = 'reliquat'), 0) as reliquat
        from non_versables n
        join vagues_versement v on v.id = n.vague_id
       where n.annee = ${annee} and v.statut = 'emise' and n.statut in ('en_attente', 'reliquat')
       group by n.attribution_id
    ),
    par_ligne as (
      select x.id, x.siret_employeur,
             x.plancher + case when x.rang <= x.cible - x.somme_planchers then 1 else 0 end as attendu,
             coalesce(v.cents, 0) as verse, coalesce(n.attente, 0) as attente, coalesce(n.reliquat, 0) as reliquat
        from exact x
        left join verse v on v.attribution_id = x.id
        left join nv n on n.attribution_id = x.id
    ),
    capped as (
      select p.*, greatest(p.attendu - p.verse, 0) as reste,
             least(p.attente, greatest(p.attendu - p.verse, 0)) as attente_c,
             least(p.reliquat, greatest(p.attendu - p.verse, 0) - least(p.attente, greatest(p.attendu - p.verse, 0))) as reliquat_c
        from par_ligne p
    ),
    par_employeur as (
      select siret_employeur as siret, sum(attendu) as attendu, sum(verse) as verse, sum(reste) as reste,
             sum(attente_c) as attente, sum(reliquat_c) as reliquat,
             json_agg(json_build_object('id', id, 'cents', (verse - attendu)::text) order by id) filter (where verse > attendu) as surverses
        from capped group by siret_employeur
    ),
    recu as (select siret, sum(montant_cents) as cents from encaissements where annee = ${annee} group by siret),
    sirets as (
      select siret from enveloppes where annee = ${annee}
      union select siret from recu
      union select siret from par_employeur
    )
    select s.siret, coalesce(r.cents, 0)::text as recu, e.siret is not null as enveloppe,
           e.reverse_cents::text as reverse, e.frais_operateur_cents::text as frais, e.credits_cents::text as credits,
           coalesce(p.attendu, 0)::text as attendu, coalesce(p.verse, 0)::text as verse, coalesce(p.reste, 0)::text as reste,
           coalesce(p.attente, 0)::text as attente, coalesce(p.reliquat, 0)::text as reliquat, p.surverses
      from sirets s
      left join recu r on r.siret = s.siret
      left join enveloppes e on e.annee = ${annee} and e.siret = s.siret
      left join par_employeur p on p.siret = s.siret
     order by s.siret`;
}

const ledgerOf = (r: LedgerRow): EmployerLedger => {
  const surverses = (typeof r.surverses === 'string' ? (JSON.parse(r.surverses) as { id: number; cents: string }[]) : r.surverses) ?? [];
  return {
    siret: r.siret,
    recuCents: BigInt(r.recu),
    enveloppe: r.enveloppe
      ? { reverseCents: BigInt(r.reverse ?? '0'), fraisOperateurCents: BigInt(r.frais ?? '0'), creditsCents: BigInt(r.credits ?? '0') }
      : null,
    attenduCents: BigInt(r.attendu),
    verseCents: BigInt(r.verse),
    resteCents: BigInt(r.reste),
    nonVersableEnAttenteCents: BigInt(r.attente),
    nonVersableReliquatCents: BigInt(r.reliquat),
    surverses: surverses.map((s) => ({ attributionId: Number(s.id), cents: BigInt(s.cents) })),
  };
};

/** Σ transfers issued and not returned, of the allocation waves and of the reliquat's. */
async function transfersPaid(db: Db | Tx, annee: number): Promise<{ allocations: Cents; reliquat: Cents }> {
  const [r] = await selectRows<{ allocations: string; reliquat: string }>(
    db,
    sql`select coalesce(sum(vi.montant_cents) filter (where v.nature <> 'reliquat'), 0)::text as allocations,
               coalesce(sum(vi.montant_cents) filter (where v.nature = 'reliquat'), 0)::text as reliquat
          from virements vi join vagues_versement v on v.id = vi.vague_id
         where vi.annee = ${annee} and v.statut = 'emise' and vi.statut <> 'rejete'`,
  );
  return { allocations: BigInt(r?.allocations ?? '0'), reliquat: BigInt(r?.reliquat ?? '0') };
}

/**
 * The reconciliation of campaign `annee` as of now, in one transaction (repeatable read: the ledgers and
 * the transfers are read from the same snapshot, whatever a wave does meanwhile).
 */
export async function reconcile(ctx: AppContext, annee: number): Promise<{ ok: true; view: RapprochementView }> {
  const { rows, paid } = await ctx.db.transaction(
    async (tx) => {
      const rows = await selectRows<LedgerRow>(tx, ledgerStatement(annee));
      return { rows, paid: await transfersPaid(tx, annee) };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  const r = reconcileCampaign(rows.map(ledgerOf), paid.allocations, paid.reliquat);
  return { ok: true, view: viewOf(annee, ctx.clock.now(), r, rows.length) };
}

function viewOf(annee: number, calculeLe: Date, r: Rapprochement, employeurs: number): RapprochementView {
  return {
    annee,
    calculeLe,
    collecteCents: r.collecteCents,
    fraisCents: r.fraisCents,
    verseCents: r.verseCents,
    reliquatVerseCents: r.reliquatVerseCents,
    reste: r.reste.map((p) => ({ ...p, libelle: PART_LIBELLES[p.part] })),
    resteCents: r.resteCents,
    ecartCents: r.ecartCents,
    equilibre: r.equilibre,
    ecarts: r.ecarts.map((e) => ({ ...e, libelle: ECART_LIBELLES[e.code] })),
    employeurs,
    employeursFinances: r.employeursFinances,
  };
}

/** The reconciliation as lines of text (the command line). */
export function rapprochementText(v: RapprochementView): string[] {
  const eur = formatEurosText;
  const lines = [
    `Rapprochement de la campagne ${v.annee} (${v.employeurs} SIRET employeurs, dont ${v.employeursFinances} aux fonds reçus en entier)`,
    `  Collecté (encaissements Urssaf et MSA)      ${eur(v.collecteCents)}`,
    `  = Frais de l’opérateur                       ${eur(v.fraisCents)}`,
    `  + Versé aux établissements                   ${eur(v.verseCents)}`,
    `  + Reliquat versé                             ${eur(v.reliquatVerseCents)}`,
    `  + Reste au fonds (reporté)                   ${eur(v.resteCents)}`,
    ...v.reste.map((p) => `      ${p.libelle} : ${eur(p.cents)}`),
    v.equilibre ? '  Égalité vérifiée au centime, aucun écart.' : `  Écart : ${eur(v.ecartCents)} ; ${v.ecarts.length} écart(s) listé(s) :`,
  ];
  for (const e of v.ecarts)
    lines.push(
      `    ${e.libelle}${e.siret ? ` — SIRET ${formatSiret(e.siret)}` : ''}${e.attributionId ? ` — ligne ${e.attributionId}` : ''} : ${eur(e.cents)}`,
    );
  return lines;
}

/** The reconciliation in CSV (shared/csv.ts): the identity's terms, then each difference. */
export function rapprochementCsv(v: RapprochementView): string {
  const row = (rubrique: string, detail: string, cents: Cents, siret = '', ligne = '') => [
    String(v.annee),
    rubrique,
    detail,
    siret,
    ligne,
    formatEurosPlain(cents),
  ];
  return writeCsv(
    ['Campagne', 'Rubrique', 'Détail', 'SIRET', 'Ligne d’attribution', 'Montant (€)'],
    [
      row('Collecté', 'Encaissements Urssaf et MSA', v.collecteCents),
      row('Frais', 'Frais de l’opérateur', v.fraisCents),
      row('Versé', 'Virements des attributions émis, non rejetés', v.verseCents),
      row('Reliquat versé', 'Virements du reliquat émis, non rejetés', v.reliquatVerseCents),
      ...v.reste.map((p) => row('Reste au fonds', p.libelle, p.cents)),
      row('Écart', 'Collecté − (frais + versé + reliquat versé + reste au fonds)', v.ecartCents),
      ...v.ecarts.map((e) => row('Écart listé', e.libelle, e.cents, e.siret ?? '', e.attributionId ? String(e.attributionId) : '')),
    ],
  );
}
