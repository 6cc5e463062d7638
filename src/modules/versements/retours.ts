/**
 * « import-retours-sepa »: what the bank answered about issued transfers (docs/sepa.md#retours,
 * docs/regles.md#fonds-non-versables). Every file is read with `parseRetourBancaire` (pain.002, camt.054)
 * and every transfer it names checked first — known by its EndToEndId, of an issued wave, the amount the
 * bank quotes equal to ours — then, in one transaction under the campaigns' payment lock:
 * - a rejected transfer becomes `rejete` with the bank's reason code and its French label; each
 *   allocation line it paid gets a share `non_versables` (« rejet bancaire » and the code), and the line
 *   no longer counts as paid: a later wave pays it once the establishment has other verified bank
 *   details (lignes-dues.ts), or the employer designates another establishment (D. 6241-27-1);
 * - an accepted transfer becomes `confirme`.
 * One wrong transfer in one file and nothing changes (all or nothing); importing the same file again
 * changes nothing. The employers concerned are told in the same transaction (avis-non-versables.ts).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { rejetDetail } from '../../domain/non-versables.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { formatEurosText } from '../../shared/format.js';
import { ProblemError, problem, type Outcome } from '../../shared/problem.js';
import { tellEmployersOfUnpayable } from './avis-non-versables.js';
import { lockCampaignPayments, type AgentRef } from './preparation.js';
import { parseRetourBancaire, type RetourVirement } from './sepa-retours.js';

export interface FichierRetour {
  /** the file's name, as the messages cite it */
  nom: string;
  contenu: Uint8Array | string;
}

export interface RetoursReport {
  fichiers: number;
  /** transfers newly rejected, newly confirmed, and named again with nothing to change */
  rejetes: number;
  confirmes: number;
  inchanges: number;
  /** allocation lines that became unpayable */
  nonVersables: number;
  employeursPrevenus: number;
}

/** Messages listed at most in one refusal (the count says how many there are). */
const MAX_MESSAGES = 50;

interface Named extends RetourVirement {
  fichier: string;
}

/** A pain.002 rejecting a whole file without listing its transfers: every transfer of the wave it names is rejected. */
interface WholeRejection {
  fichier: string;
  messageId: string;
  motif: { code: string; libelle: string } | null;
}

/** Reads every file; a rejection wins over an acceptance of the same transfer (a transfer debited then returned). */
function readAll(files: readonly FichierRetour[]): { lines: Map<string, Named>; whole: WholeRejection[]; errors: string[] } {
  const lines = new Map<string, Named>();
  const whole: WholeRejection[] = [];
  const errors: string[] = [];
  for (const f of files) {
    const r = parseRetourBancaire(f.contenu);
    if (!r.ok) {
      errors.push(`${f.nom} : ${r.problem.message}`);
      continue;
    }
    if (r.retour.virements.length === 0 && r.retour.statutGroupe === 'RJCT') {
      if (r.retour.messageOrigineId) whole.push({ fichier: f.nom, messageId: r.retour.messageOrigineId, motif: r.retour.motifGroupe });
      else errors.push(`${f.nom} : la banque rejette un fichier entier sans dire lequel ; aucun virement n’est identifiable.`);
    }
    for (const v of r.retour.virements) {
      const seen = lines.get(v.endToEndId);
      if (!seen || (seen.statut === 'accepte' && v.statut === 'rejete')) lines.set(v.endToEndId, { ...v, fichier: f.nom });
    }
  }
  return { lines, whole, errors };
}

/** Adds, for each file rejected whole, a rejected line per transfer of the wave whose message id it names. */
async function expandWholeRejections(tx: Tx, whole: readonly WholeRejection[], lines: Map<string, Named>): Promise<string[]> {
  const errors: string[] = [];
  for (const x of whole) {
    const ids = await selectRows<{ id: string }>(
      tx,
      sql`select v.end_to_end_id as id from virements v join vagues_versement w on w.id = v.vague_id where w.msg_id = ${x.messageId} order by v.numero`,
    );
    if (ids.length === 0) errors.push(`${x.fichier} : le fichier de virements ${x.messageId} rejeté par la banque est inconnu.`);
    for (const { id } of ids)
      lines.set(id, {
        endToEndId: id,
        statut: 'rejete',
        motifCode: x.motif?.code ?? null,
        motifLibelle: x.motif?.libelle ?? null,
        montantCentimes: null,
        fichier: x.fichier,
      });
  }
  return errors;
}

interface TransferRow {
  id: string;
  end_to_end_id: string;
  annee: number;
  montant_cents: string;
  statut: string;
  vague_statut: string;
  numero_vague: number;
}

const transfersNamed = (tx: Tx, ids: readonly string[], lock: boolean) =>
  selectRows<TransferRow>(
    tx,
    sql`select v.id::text, v.end_to_end_id, v.annee, v.montant_cents::text, v.statut, w.statut as vague_statut, w.numero as numero_vague
          from virements v join vagues_versement w on w.id = v.vague_id
         where v.end_to_end_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
         ${lock ? sql`for update of v` : sql``}`,
  );

/** Every transfer named must be ours, issued, and of the amount the bank quotes. */
function checkNamed(lines: Map<string, Named>, known: Map<string, TransferRow>): string[] {
  const errors: string[] = [];
  for (const l of lines.values()) {
    const t = known.get(l.endToEndId);
    if (!t) errors.push(`${l.fichier} : le virement ${l.endToEndId} est inconnu (aucun virement émis ne porte cette référence).`);
    else if (t.vague_statut !== 'emise')
      errors.push(`${l.fichier} : le virement ${l.endToEndId} appartient à la vague n° ${t.numero_vague}, qui n’est pas émise.`);
    else if (l.montantCentimes !== null && l.montantCentimes !== BigInt(t.montant_cents))
      errors.push(
        `${l.fichier} : le montant du virement ${l.endToEndId} (${formatEurosText(l.montantCentimes)}) diffère du montant émis (${formatEurosText(BigInt(t.montant_cents))}).`,
      );
  }
  return errors;
}

const refused = (errors: string[]) =>
  new ProblemError(
    problem(
      'invalid',
      'retours_refuses',
      `${errors.slice(0, MAX_MESSAGES).join('\n')}${errors.length > MAX_MESSAGES ? `\n… et ${errors.length - MAX_MESSAGES} autre(s) erreur(s).` : ''}\n${errors.length} erreur(s) : rien n’a été enregistré.`,
      { extra: { erreurs: errors } },
    ),
  );

/** A rejected transfer: its status and reason, and one unpayable share per line it paid. Returns the number of shares. */
async function reject(tx: Tx, now: Date, t: TransferRow, l: Named): Promise<number> {
  await tx.execute(sql`update virements set statut = 'rejete', motif_code = ${l.motifCode}, motif_libelle = ${l.motifLibelle},
                              rejete_le = ${now.toISOString()}::timestamptz where id = ${t.id}::bigint`);
  const rows = await selectRows<{ n: number }>(
    tx,
    sql`with ins as (
          insert into non_versables (annee, vague_id, attribution_id, siret_employeur, beneficiaire_siret, montant_cents, motif, motif_detail, statut, cree_le)
          select lv.annee, lv.vague_id, lv.attribution_id, lv.siret_employeur, v.beneficiaire_siret, lv.montant_cents, 'rejet_bancaire',
                 ${rejetDetail(l.motifCode, l.motifLibelle)}, 'en_attente', ${now.toISOString()}::timestamptz
            from lignes_versees lv join virements v on v.id = lv.virement_id
           where lv.virement_id = ${t.id}::bigint
          on conflict (attribution_id, vague_id) do nothing
          returning 1)
        select count(*)::int as n from ins`,
  );
  return rows[0]?.n ?? 0;
}

/** Applies the bank's returns in `files`, all or nothing; `agent` is recorded when an agent imports them. */
export async function importRetours(
  ctx: AppContext,
  files: readonly FichierRetour[],
  agent: AgentRef | null = null,
): Promise<Outcome<{ report: RetoursReport }>> {
  const { lines, whole, errors } = readAll(files);
  if (errors.length) return { ok: false, problem: refused(errors).problem };
  try {
    const report = await ctx.db.transaction(async (tx) => {
      const unknownFiles = await expandWholeRejections(tx, whole, lines);
      if (unknownFiles.length) throw refused(unknownFiles);
      const ids = [...lines.keys()];
      const first = ids.length ? await transfersNamed(tx, ids, false) : [];
      for (const annee of [...new Set(first.map((t) => t.annee))].sort()) await lockCampaignPayments(tx, annee);
      const known = new Map((ids.length ? await transfersNamed(tx, ids, true) : []).map((t) => [t.end_to_end_id, t]));
      const wrong = checkNamed(lines, known);
      if (wrong.length) throw refused(wrong);
      const now = ctx.clock.now();
      const r: RetoursReport = { fichiers: files.length, rejetes: 0, confirmes: 0, inchanges: 0, nonVersables: 0, employeursPrevenus: 0 };
      for (const l of lines.values()) {
        const t = known.get(l.endToEndId)!;
        if (l.statut === 'rejete' && t.statut !== 'rejete') {
          r.rejetes++;
          r.nonVersables += await reject(tx, now, t, l);
        } else if (l.statut === 'accepte' && t.statut === 'emis') {
          r.confirmes++;
          await tx.execute(sql`update virements set statut = 'confirme' where id = ${t.id}::bigint`);
        } else r.inchanges++;
      }
      for (const annee of [...new Set(first.map((t) => t.annee))].sort())
        r.employeursPrevenus += await tellEmployersOfUnpayable(tx, ctx, annee);
      if (r.rejetes + r.confirmes > 0)
        await audit(tx, ctx.clock, {
          action: 'retours_sepa.importes',
          actorAgentId: agent?.id ?? null,
          details: { ...r, fichiers: files.map((f) => f.nom) },
        });
      return r;
    });
    return { ok: true, report };
  } catch (e) {
    if (e instanceof ProblemError) return { ok: false, problem: e.problem };
    throw e;
  }
}
