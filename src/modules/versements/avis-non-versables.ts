/**
 * Employers are told of their shares that could not be paid (D. 6241-27-1, docs/regles.md#fonds-non-versables):
 * once per share, a line of their tableau de bord and a mail to the people who allocate for the SIRET,
 * with the deadline to designate another establishment. Called in the transaction that makes shares
 * unpayable for good — the issue of a wave (vagues.ts) and the import of the bank's returns
 * (retours.ts) — so a rolled-back change tells nobody; `employeur_prevenu` makes it once.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { redesignationDeadline } from '../../domain/campagne.js';
import { formatJour } from '../../domain/jours.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { formatEurosText } from '../../shared/format.js';
import { campaignOf, presetOrDefault } from '../campagnes/repository.js';
import { notify } from '../notifications/notify.js';

/** The people told for an employer SIRET: those habilitated to « SOLTéA - Employeurs » on it, and its company's administrators. */
async function employerPeople(tx: Tx, sirets: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await selectRows<{ siret: string; id: string }>(
    tx,
    sql`select h.siret, u.id::text as id
          from habilitations h join users u on u.id = h.user_id and u.status = 'active'
         where h.declaration_code = 'SOLTEA_EMPLOYEURS' and (h.declarer or h.payer)
           and h.siret in (select jsonb_array_elements_text(${JSON.stringify(sirets)}::jsonb))
        union
        select s.siret, u.id::text
          from jsonb_array_elements_text(${JSON.stringify(sirets)}::jsonb) as s(siret)
          join espaces e on e.siren = substr(s.siret, 1, 9)
          join users u on u.espace_id = e.id and u.role = 'administrateur' and u.status = 'active'`,
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.siret, [...(out.get(r.siret) ?? []), r.id]);
  return out;
}

/**
 * Tells every employer of campaign `annee` with a share `en_attente` of an issued wave not told yet,
 * then marks those shares told. Returns the number of employer SIRETs told.
 */
export async function tellEmployersOfUnpayable(tx: Tx, ctx: AppContext, annee: number): Promise<number> {
  const shares = await selectRows<{ siret: string; n: number; cents: string }>(
    tx,
    sql`select nv.siret_employeur as siret, count(*)::int as n, sum(nv.montant_cents)::text as cents
          from non_versables nv join vagues_versement v on v.id = nv.vague_id and v.statut = 'emise'
         where nv.annee = ${annee} and nv.statut = 'en_attente' and not nv.employeur_prevenu
         group by nv.siret_employeur order by nv.siret_employeur`,
  );
  if (shares.length === 0) return 0;
  const deadline = formatJour(redesignationDeadline((await campaignOf(tx, annee)) ?? presetOrDefault(annee)));
  const people = await employerPeople(
    tx,
    shares.map((s) => s.siret),
  );
  for (const s of shares) {
    const parts =
      s.n > 1 ? `${s.n} parts de vos attributions n’ont pas pu être versées` : 'Une part de vos attributions n’a pas pu être versée';
    const text =
      `SOLTéA – campagne ${annee}, SIRET ${s.siret} : ${parts} (${formatEurosText(BigInt(s.cents))}). ` +
      `La Synthèse indique « Non versable » et le motif sur chaque ligne concernée. Vous pouvez attribuer ces montants à un autre établissement habilité jusqu’au ${deadline} inclus (« Redésigner ») ; ` +
      `à défaut, ils rejoindront les fonds non affectés (article D. 6241-27-1 du code du travail).`;
    await notify(tx, ctx, people.get(s.siret) ?? [], text, { subject: `SOLTéA : attribution non versable (SIRET ${s.siret})` });
  }
  await tx.execute(sql`
    update non_versables nv set employeur_prevenu = true
      from vagues_versement v
     where v.id = nv.vague_id and v.statut = 'emise' and nv.annee = ${annee} and nv.statut = 'en_attente' and not nv.employeur_prevenu`);
  return shares.length;
}
