/**
 * The establishments are told of each payment (docs/regles.md#suivi-des-versements; PRODUCT §5 « e-mails
 * at each event a user must know about »): when a wave is issued, in the issuing transaction, each
 * beneficiary's administrators — those of the espace of the SIRET's own company, as for the bank code
 * (docs/regles.md#coordonnees-bancaires) — get a line on their tableau de bord and a mail with the amount,
 * the day and the label; a beneficiary without an administrator is mailed at the contacts of its public
 * fiche. One mail per transfer and address (the outbox's dedupe key), so issuing again sends nothing twice.
 * Set-based: three statements per wave, whatever its number of transfers.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { ibanLast4 } from '../../domain/coordonnees-bancaires.js';
import { formatSiret } from '../../domain/identifiers.js';
import { jourDeVersement } from '../../domain/jour-versement.js';
import { formatJour } from '../../domain/jours.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { mailOutbox, notifications } from '../../infra/db/schema.js';
import { formatEurosText } from '../../shared/format.js';
import { publicUrl } from '../../shared/urls.js';

/** What the mails say of the wave (vagues.ts `WaveRow`). */
export interface IssuedWave {
  id: number;
  annee: number;
  nature: string;
  dateExecution: string;
}

interface Recipient {
  virement: string;
  siret: string;
  nom: string;
  montant: string;
  libelle: string;
  iban: string;
  /** the SIRET of the establishment space that shows the transfer (the parent's for a composante) */
  espace: string;
  user_id: string | null;
  prenom: string | null;
  nom_personne: string | null;
  email: string;
}

/** Every (transfer, address) of the wave: the administrators, or the fiche's contacts when there is none. */
function recipients(tx: Tx, w: IssuedWave): Promise<Recipient[]> {
  return selectRows<Recipient>(
    tx,
    sql`
    with v as (
      select vi.id, vi.beneficiaire_siret as siret, vi.beneficiaire_nom as nom, vi.montant_cents, vi.libelle, vi.iban,
             coalesce((select coalesce(p.siret, r.siret) from ref_etablissements r left join ref_etablissements p on p.id = r.parent_id
                        where r.annee = ${w.annee} and r.siret = vi.beneficiaire_siret order by r.parent_id nulls first, r.id limit 1),
                      vi.beneficiaire_siret) as espace
        from virements vi where vi.vague_id = ${w.id} and vi.statut = 'emis'
    ),
    admins as (
      select v.id, u.id as user_id, u.prenom, u.nom as nom_personne, u.email
        from v join espaces e on e.siren = substr(v.siret, 1, 9)
        join users u on u.espace_id = e.id
       where u.role = 'administrateur' and u.status = 'active' and u.email_validated_at is not null
    ),
    contacts as (
      select v.id, null::uuid as user_id, null::text as prenom, null::text as nom_personne, c->>'courriel' as email
        from v join etablissement_profils ep on ep.siret = v.siret
        cross join lateral jsonb_array_elements(ep.contacts) c
       where not exists (select 1 from admins a where a.id = v.id) and coalesce(c->>'courriel', '') <> ''
    ),
    dest as (select * from admins union all select * from contacts)
    select distinct on (v.id, lower(d.email)) v.id::text as virement, v.siret, v.nom, v.montant_cents::text as montant, v.libelle, v.iban,
           v.espace, d.user_id::text, d.prenom, d.nom_personne, d.email
      from v join dest d on d.id = v.id
     order by v.id, lower(d.email), d.user_id nulls last`,
  );
}

/** The tableau de bord line and the mail's body (without its greeting). */
function message(ctx: AppContext, w: IssuedWave, r: Recipient, jour: string): { line: string; body: string } {
  const montant = formatEurosText(BigInt(r.montant));
  const titre =
    w.nature === 'reliquat' ? 'au titre du reliquat (fonds non attribués, R. 6241-28)' : 'au titre du solde de la taxe d’apprentissage';
  const line = `SOLTéA – SIRET ${formatSiret(r.siret)} : la Caisse des Dépôts a versé ${montant} le ${formatJour(jour)}, ${titre} de la campagne ${w.annee} (libellé « ${r.libelle} »).`;
  const body =
    `La Caisse des Dépôts a versé ${montant} à ${r.nom} (SIRET ${formatSiret(r.siret)}) le ${formatJour(jour)}, ${titre} de la campagne ${w.annee}.\n\n` +
    `Libellé du virement : ${r.libelle}\n` +
    `Compte crédité : IBAN se terminant par ${ibanLast4(r.iban)}\n\n` +
    `Le détail de vos versements et l’origine des fonds, par employeur, dans votre espace établissement : ${publicUrl(ctx, `/soltea/etablissement/${r.espace}/versements`)}`;
  return { line, body };
}

const BATCH = 1000;

/** Tells every beneficiary of the issued wave `w` (call it inside the issuing transaction). */
export async function notifyPayments(tx: Tx, ctx: AppContext, w: IssuedWave, issuedAt: Date): Promise<number> {
  const list = await recipients(tx, w);
  const jour = jourDeVersement(w.dateExecution, issuedAt);
  const now = ctx.clock.now();
  const lines: (typeof notifications.$inferInsert)[] = [];
  const mails: (typeof mailOutbox.$inferInsert)[] = [];
  for (const r of list) {
    const m = message(ctx, w, r, jour);
    if (r.user_id) lines.push({ userId: r.user_id, at: now, text: m.line });
    const hello = r.user_id ? `Bonjour ${r.prenom} ${r.nom_personne},` : 'Bonjour,';
    mails.push({
      to: r.email,
      subject: `SOLTéA : versement de ${formatEurosText(BigInt(r.montant))} le ${formatJour(jour)}`,
      text: `${hello}\n\n${m.body}\n\nnet-entreprises`,
      dedupeKey: `versement:${r.virement}:${r.email.toLowerCase()}`,
      createdAt: now,
      nextAttemptAt: now,
    });
  }
  for (let i = 0; i < lines.length; i += BATCH) await tx.insert(notifications).values(lines.slice(i, i + BATCH));
  for (let i = 0; i < mails.length; i += BATCH)
    await tx
      .insert(mailOutbox)
      .values(mails.slice(i, i + BATCH))
      .onConflictDoNothing({ target: mailOutbox.dedupeKey });
  return mails.length;
}
