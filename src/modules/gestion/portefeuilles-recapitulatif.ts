/**
 * « Récapitulatif » of a tiers-déclarant's portefeuilles: every portefeuille, client company and chosen
 * établissement with its declarations; on screen 50 clients a page, whole for print and CSV.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { selectRows } from '../../infra/db/index.js';
import { writeCsv } from '../../shared/csv.js';
import { typeLabel } from './portefeuilles-repository.js';
import { sqlList } from '../../infra/db/sql.js';

export interface RecapRow {
  portefeuille: string;
  siren: string | null;
  raisonSociale: string | null;
  activeCount: number | null;
  /** the registry's count of the client's open établissements, when it says */
  registryOpen: number | null;
  /** the client's type (« Mono-établissement »…), null on the line of an empty portefeuille */
  type: string | null;
  siret: string | null;
  /** codes separated by commas */
  declarations: string | null;
}

type RecapRecord = Omit<RecapRow, 'type'>;
const withType = (r: RecapRecord): RecapRow => ({ ...r, type: r.siren ? typeLabel(r.activeCount ?? 0, r.registryOpen) : null });

/** « Récapitulatif »: every portefeuille, client and chosen établissement with its declarations, one query. */
export async function recapitulatif(ctx: AppContext, espaceId: string, portefeuilleIds?: readonly string[]): Promise<RecapRow[]> {
  if (portefeuilleIds && portefeuilleIds.length === 0) return [];
  const rows = await selectRows<RecapRecord>(
    ctx.db,
    sql`
    with counts as (
      select x.siren, count(*)::int as n from etablissements x
      where x.etat_administratif = 'A' and x.siren in (select c.siren from portefeuille_clients c where c.espace_id = ${espaceId})
      group by x.siren
    ), decl as (
      select ed.siret, string_agg(ed.declaration_code, ',' order by ed.declaration_code) as codes
      from etablissement_declarations ed where ed.espace_id = ${espaceId} group by ed.siret
    )
    select p.name as portefeuille, c.siren, e.raison_sociale as "raisonSociale", coalesce(counts.n, 0) as "activeCount",
      e.nombre_etablissements_ouverts as "registryOpen", pe.siret, decl.codes as declarations
    from portefeuilles p
    left join portefeuille_clients c on c.portefeuille_id = p.id
    left join entreprises e on e.siren = c.siren
    left join counts on counts.siren = c.siren
    left join portefeuille_etablissements pe on pe.portefeuille_id = p.id and pe.siren = c.siren
    left join decl on decl.siret = pe.siret
    where p.espace_id = ${espaceId} ${portefeuilleIds ? sql`and p.id in (${sqlList(portefeuilleIds)})` : sql``}
    order by p.is_default desc, lower(p.name), p.id, e.raison_sociale, c.siren, pe.siret`,
  );
  return rows.map(withType);
}

export const RECAP_PAGE_SIZE = 50;

export interface RecapPage {
  rows: RecapRow[];
  /** clients (and empty portefeuilles) in the whole récapitulatif */
  total: number;
  page: number;
  pages: number;
}

/**
 * One page of the récapitulatif for the HTML page: 50 clients (an empty portefeuille counts as one
 * line), of one portefeuille or of all; the same rows and order as `recapitulatif`, which the CSV and
 * print versions keep using for the full list.
 */
export async function recapitulatifPage(
  ctx: AppContext,
  espaceId: string,
  opts: { portefeuilleId?: string; page: number },
): Promise<RecapPage> {
  const units = sql`
    select p.id as pid, p.name, p.is_default, c.siren, e.raison_sociale, e.nombre_etablissements_ouverts
    from portefeuilles p
    left join portefeuille_clients c on c.portefeuille_id = p.id
    left join entreprises e on e.siren = c.siren
    where p.espace_id = ${espaceId} ${opts.portefeuilleId ? sql`and p.id = ${opts.portefeuilleId}` : sql``}`;
  const [cnt] = await selectRows<{ n: number | string }>(ctx.db, sql`select count(*)::int as n from (${units}) u`);
  const total = Number(cnt?.n ?? 0);
  const pages = Math.max(1, Math.ceil(total / RECAP_PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.trunc(opts.page) || 1), pages);
  if (total === 0) return { rows: [], total, page, pages };
  const rows = await selectRows<RecapRecord>(
    ctx.db,
    sql`
    with page as (
      select * from (${units}) u order by u.is_default desc, lower(u.name), u.pid, u.raison_sociale, u.siren
      limit ${RECAP_PAGE_SIZE} offset ${(page - 1) * RECAP_PAGE_SIZE}
    )
    select page.name as portefeuille, page.siren, page.raison_sociale as "raisonSociale",
      (case when page.siren is null then 0 else (select count(*) from etablissements x where x.siren = page.siren and x.etat_administratif = 'A') end)::int as "activeCount",
      page.nombre_etablissements_ouverts as "registryOpen", pe.siret,
      (select string_agg(ed.declaration_code, ',' order by ed.declaration_code) from etablissement_declarations ed where ed.espace_id = ${espaceId} and ed.siret = pe.siret) as declarations
    from page
    left join portefeuille_etablissements pe on pe.portefeuille_id = page.pid and pe.siren = page.siren
    order by page.is_default desc, lower(page.name), page.pid, page.raison_sociale, page.siren, pe.siret`,
  );
  return { rows: rows.map(withType), total, page, pages };
}

/** The récapitulatif as a spreadsheet file (`;`, BOM, formulas neutralised). */
export function recapCsv(rows: readonly RecapRow[]): string {
  return writeCsv(
    ['portefeuille', 'siren', 'raison sociale', 'type', 'siret', 'déclarations'],
    rows.map((r) => [
      r.portefeuille,
      r.siren ?? '',
      r.raisonSociale ?? '',
      r.type ?? '',
      r.siret ?? '',
      (r.declarations ?? '').split(',').filter(Boolean).join(','),
    ]),
  );
}
