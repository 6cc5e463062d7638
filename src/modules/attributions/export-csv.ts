/**
 * The export of the current allocations in the format of « Importer des attributions » (so that
 * export → edit → import round-trips), and the downloadable model. Written by the house's CSV writer
 * (shared/csv.ts: `;`, BOM, formulas neutralised).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { selectRows } from '../../infra/db/index.js';
import type { users } from '../../infra/db/schema.js';
import { writeCsv } from '../../shared/csv.js';
import { formatPercentNumber } from '../../shared/format.js';
import { currentCampaign } from '../campagnes/repository.js';
import { EXPORT_COLUMNS, REQUIRED_COLUMNS } from './import-csv-read.js';
import { arrayParam } from '../../infra/db/sql.js';
import { employerSirets } from './scope.js';

type User = typeof users.$inferSelect;

/**
 * The current allocations of every SIRET the person may allocate for (available ones, with an
 * envelope, not a member of a group: those follow their reference SIRET), in the import format. A
 * SIRET without allocation gets one line with only its SIRET (« aucune attribution »), to fill in.
 */
export async function exportAttributions(ctx: AppContext, user: User): Promise<{ annee: number; csv: string; sirets: number } | null> {
  const annee = (await currentCampaign(ctx)).annee;
  const mine = await employerSirets(ctx, user, annee);
  if (mine.length === 0) return null;
  const usable = mine.filter((m) => m.indisponible === null);
  const list = arrayParam(usable.map((m) => m.siret));
  const data = await ctx.db.transaction(async (tx) => {
    const withEnvelope = await selectRows<{ siret: string }>(
      tx,
      sql`select e.siret from enveloppes e where e.annee = ${annee} and e.siret = any(${list}::text[])
          and not exists (select 1 from groupe_membres m join groupes g on g.id = m.groupe_id where m.annee = ${annee} and m.siret = e.siret and g.siret_reference <> e.siret)
          order by e.siret`,
    );
    const lines = await selectRows<{
      siret_employeur: string;
      points_base: number;
      statut: string;
      siret: string;
      nom: string;
      parent_id: string | number | null;
      uai: string | null;
      shared: boolean;
      code_commune: string | null;
      cfd: string | null;
      rncp: string | null;
      intitule: string | null;
    }>(
      tx,
      sql`select a.siret_employeur, a.points_base, a.statut, e.siret, e.nom, e.parent_id,
            (select min(u.uai) from ref_etablissement_uais u where u.etablissement_id = e.id) as uai,
            exists (select 1 from ref_etablissements o where o.annee = e.annee and o.siret = e.siret and o.id <> e.id) as shared,
            f.code_commune, d.cfd, d.rncp, d.intitule
          from attributions a
          join ref_etablissements e on e.id = a.etablissement_id
          left join ref_formations f on f.id = a.formation_id
          left join ref_diplomes d on d.id = f.diplome_id
          where a.annee = ${annee} and a.siret_employeur = any(${list}::text[])
          order by a.siret_employeur, a.id`,
    );
    return { withEnvelope: withEnvelope.map((r) => r.siret), lines };
  });
  const nameOf = new Map(usable.map((m) => [m.siret, m.denomination ?? '']));
  const bySiret = new Map<string, string[][]>();
  for (const l of data.lines) {
    const formation = l.intitule === null ? '' : (l.cfd ?? l.rncp ?? l.intitule);
    // the UAI only when the SIRET alone does not designate the row (a composante sharing its SIRET)
    const uai = l.parent_id !== null && l.shared ? (l.uai ?? '') : '';
    const row = [
      l.siret_employeur,
      l.siret,
      formation,
      formatPercentNumber(Number(l.points_base)),
      uai,
      l.intitule === null ? '' : (l.code_commune ?? ''),
      nameOf.get(l.siret_employeur) ?? '',
      l.nom,
      l.intitule ?? '',
      l.statut === 'validee' ? 'validée' : 'enregistrée',
    ];
    bySiret.set(l.siret_employeur, [...(bySiret.get(l.siret_employeur) ?? []), row]);
  }
  const out: string[][] = [];
  for (const siret of data.withEnvelope)
    out.push(...(bySiret.get(siret) ?? [[siret, '', '', '', '', '', nameOf.get(siret) ?? '', '', '', '']]));
  return { annee, csv: writeCsv(EXPORT_COLUMNS, out), sirets: data.withEnvelope.length };
}

/** The downloadable model: the header and two example lines (to replace by real SIRETs). */
export function modelCsv(): string {
  return writeCsv(REQUIRED_COLUMNS, [
    ['SIRET de votre client (14 chiffres)', 'SIRET de l’établissement habilité', '', '60'],
    ['SIRET de votre client (14 chiffres)', 'SIRET de l’établissement habilité', 'code CFD ou RNCP de la formation', '40'],
  ]);
}
