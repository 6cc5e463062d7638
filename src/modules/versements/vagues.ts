/**
 * A prepared wave's way out (docs/regles.md#versements, ADR 0007): a **different** agent with the
 * valideur role approves it (four eyes) — refused when bank details changed since the preparation,
 * the wave then keeps the verified details it was approved with; then its SEPA file is issued: written
 * from the transfers as approved, its SHA-256 recorded, and it can be written again identical at any
 * time. Each change of state is one transaction under the campaign's lock: approving or issuing again
 * does nothing twice.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { formatJour, parisStartOfDay } from '../../domain/jours.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { failure, ProblemError, problem, type Outcome } from '../../shared/problem.js';
import { waveName } from '../../domain/versements.js';
import { notifyPayments } from './avis-versements.js';
import { tellEmployersOfUnpayable } from './avis-non-versables.js';
import { lockCampaignPayments, type AgentRef } from './preparation.js';
import { writePain001To, type VirementSepa } from './sepa-pain001.js';

export interface WaveRow {
  id: number;
  annee: number;
  numero: number;
  nature: string;
  dateExecution: string;
  statut: 'preparee' | 'approuvee' | 'emise' | 'annulee';
  prepareePar: string | null;
  approuveePar: string | null;
  emiseLe: Date | null;
  msgId: string;
  nbVirements: number;
  totalCents: bigint;
  fichierNom: string | null;
  fichierSha256: string | null;
}

const refuse = (kind: 'invalid' | 'conflict' | 'forbidden' | 'not_found', code: string, message: string) =>
  new ProblemError(problem(kind, code, message));

async function lockedWave(tx: Tx, vagueId: number): Promise<WaveRow> {
  const [w] = await selectRows<Record<string, unknown>>(tx, sql`select * from vagues_versement where id = ${vagueId} for update`);
  if (!w) throw refuse('not_found', 'vague_introuvable', 'Cette vague de versement est introuvable.');
  return waveOf(w);
}

export function waveOf(w: Record<string, unknown>): WaveRow {
  return {
    id: Number(w.id),
    annee: Number(w.annee),
    numero: Number(w.numero),
    nature: String(w.nature),
    dateExecution: String(w.date_execution),
    statut: w.statut as WaveRow['statut'],
    prepareePar: (w.preparee_par as string | null) ?? null,
    approuveePar: (w.approuvee_par as string | null) ?? null,
    emiseLe: w.emise_le ? new Date(w.emise_le as string) : null,
    msgId: String(w.msg_id),
    nbVirements: Number(w.nb_virements),
    totalCents: BigInt(String(w.total_cents)),
    fichierNom: (w.fichier_nom as string | null) ?? null,
    fichierSha256: (w.fichier_sha256 as string | null) ?? null,
  };
}

async function inTransaction<T extends object>(ctx: AppContext, work: (tx: Tx) => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, ...(await ctx.db.transaction(work)) };
  } catch (e) {
    if (e instanceof ProblemError) return { ok: false, problem: e.problem };
    throw e;
  }
}

/** The beneficiaries whose current verified bank details are no longer those the wave was prepared with. */
async function changedDetails(tx: Tx, vagueId: number): Promise<string[]> {
  const rows = await selectRows<{ siret: string }>(
    tx,
    sql`select v.beneficiaire_siret as siret from virements v
          left join coordonnees_bancaires c on c.siret = v.beneficiaire_siret and c.remplacee_le is null and c.statut = 'verifiee'
         where v.vague_id = ${vagueId} and (c.id is null or c.id <> v.coordonnees_id)
         order by v.beneficiaire_siret`,
  );
  return rows.map((r) => r.siret);
}

/** « Approuver »: a valideur other than the one who prepared it, on or after the wave's date, bank details unchanged. */
export async function approveWave(ctx: AppContext, agent: AgentRef, vagueId: number): Promise<Outcome<{ wave: WaveRow }>> {
  if (agent.role !== 'valideur') return failure('forbidden', 'role_valideur', 'L’approbation d’une vague est réservée aux valideurs.');
  return inTransaction(ctx, async (tx) => {
    const first = await lockedWave(tx, vagueId);
    await lockCampaignPayments(tx, first.annee);
    const w = await lockedWave(tx, vagueId);
    if (w.statut === 'approuvee' || w.statut === 'emise')
      throw refuse(
        'conflict',
        'vague_deja_approuvee',
        `La ${waveName(w.numero)} est déjà ${w.statut === 'emise' ? 'émise' : 'approuvée'}.`,
      );
    if (w.statut !== 'preparee') throw refuse('conflict', 'vague_annulee', `La ${waveName(w.numero)} est annulée : préparez-la à nouveau.`);
    if (w.prepareePar === agent.id)
      throw refuse(
        'forbidden',
        'quatre_yeux',
        'Vous avez préparé cette vague : un autre agent, valideur, doit l’approuver (principe des quatre yeux).',
      );
    if (ctx.clock.now() < parisStartOfDay(w.dateExecution))
      throw refuse(
        'conflict',
        'vague_avant_sa_date',
        `La ${waveName(w.numero)} ne peut être approuvée qu’à partir du ${formatJour(w.dateExecution)}.`,
      );
    const changed = await changedDetails(tx, vagueId);
    if (changed.length)
      throw refuse(
        'conflict',
        'coordonnees_modifiees',
        `Les coordonnées bancaires de ${changed.length} établissement(s) ont changé depuis la préparation (${changed.slice(0, 5).join(', ')}${changed.length > 5 ? '…' : ''}) : préparez la vague à nouveau.`,
      );
    await tx.execute(
      sql`update vagues_versement set statut = 'approuvee', approuvee_le = ${ctx.clock.now().toISOString()}::timestamptz, approuvee_par = ${agent.id}::uuid where id = ${vagueId}`,
    );
    await audit(tx, ctx.clock, {
      action: 'vague.approuvee',
      actorAgentId: agent.id,
      details: { annee: w.annee, numero: w.numero, vagueId, msgId: w.msgId, virements: w.nbVirements, totalCents: String(w.totalCents) },
    });
    return { wave: { ...w, statut: 'approuvee' as const, approuveePar: agent.id } };
  });
}

/** « Annuler » a wave prepared or approved (not issued): its transfers and unpaid shares go; the lines are free again. */
export async function cancelWave(ctx: AppContext, agent: AgentRef, vagueId: number): Promise<Outcome<{ wave: WaveRow }>> {
  return inTransaction(ctx, async (tx) => {
    const w = await lockedWave(tx, vagueId);
    await lockCampaignPayments(tx, w.annee);
    if (w.statut === 'emise')
      throw refuse('conflict', 'vague_emise', `La ${waveName(w.numero)} est émise : elle ne peut plus être annulée.`);
    if (w.statut === 'annulee') return { wave: w };
    await tx.execute(sql`delete from non_versables where vague_id = ${vagueId}`);
    await tx.execute(sql`delete from lignes_versees where vague_id = ${vagueId}`);
    await tx.execute(sql`delete from virements where vague_id = ${vagueId}`);
    await tx.execute(
      sql`update vagues_versement set statut = 'annulee', annulee_le = ${ctx.clock.now().toISOString()}::timestamptz where id = ${vagueId}`,
    );
    await audit(tx, ctx.clock, {
      action: 'vague.annulee',
      actorAgentId: agent.id,
      details: { annee: w.annee, numero: w.numero, vagueId, msgId: w.msgId },
    });
    return { wave: { ...w, statut: 'annulee' as const } };
  });
}

/** The transfers of a wave, in the file's order (n° virement), as the SEPA writer takes them. */
async function* transfersOf(db: Db | Tx, vagueId: number): AsyncGenerator<VirementSepa> {
  const BATCH = 2000;
  for (let after = 0; ;) {
    const rows = await selectRows<{
      numero: number;
      end_to_end_id: string;
      montant_cents: string;
      titulaire: string;
      iban: string;
      bic: string;
      libelle: string;
    }>(
      db,
      sql`select numero, end_to_end_id, montant_cents::text, titulaire, iban, bic, libelle from virements
           where vague_id = ${vagueId} and numero > ${after} order by numero limit ${BATCH}`,
    );
    for (const r of rows)
      yield {
        id: r.end_to_end_id,
        montantCentimes: BigInt(r.montant_cents),
        nom: r.titulaire,
        iban: r.iban,
        bic: r.bic || null,
        libelle: r.libelle,
      };
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.numero;
  }
}

/**
 * The file's `CreDtTm`: the start, in Paris, of the wave's day — the earliest instant it may be prepared.
 * A function of the wave alone, never of the clock at issue: a resumed or repeated issue, and every
 * « Télécharger », write the same bytes (ADR 0007, docs/sepa.md#stabilite).
 */
export const waveFileCreatedAt = (w: Pick<WaveRow, 'dateExecution'>): Date => parisStartOfDay(w.dateExecution);

/** Writes the wave's SEPA file into `out`, identical each time; `db` may be the issue's transaction. */
export async function writeWaveFile(ctx: AppContext, db: Db | Tx, w: WaveRow, out: Writable) {
  const d = ctx.config.sepaDebtor;
  return writePain001To(
    out,
    {
      messageId: w.msgId,
      lotId: `${w.msgId}-1`,
      creeLe: waveFileCreatedAt(w),
      dateExecution: w.dateExecution,
      donneurOrdre: { nom: d.name, iban: d.iban, bic: d.bic },
      nombreVirements: w.nbVirements,
      totalCentimes: w.totalCents,
    },
    transfersOf(db, w.id),
  );
}

/** A sink that only hashes (issue computes the file's SHA-256 without keeping it). */
function hashSink(): { out: Writable; sha: () => string } {
  const hash = createHash('sha256');
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done();
    },
  });
  return { out, sha: () => hash.digest('hex') };
}

/**
 * An issued wave settles the earlier unpaid shares of the lines it names: 'versee' when it pays the line,
 * 'remplacee' when the line is unpayable again (the new row, of this wave, is the one the employer sees).
 * So a line has at most one share 'en_attente' among issued waves.
 */
async function settleEarlierUnpayable(tx: Tx, w: WaveRow, at: Date) {
  await tx.execute(sql`
    update non_versables nv
       set statut = case when exists (select 1 from lignes_versees lv where lv.vague_id = ${w.id} and lv.attribution_id = nv.attribution_id)
                         then 'versee' else 'remplacee' end,
           decide_le = ${at.toISOString()}::timestamptz
     where nv.annee = ${w.annee} and nv.statut = 'en_attente' and nv.vague_id <> ${w.id}
       and nv.attribution_id in (select attribution_id from lignes_versees where vague_id = ${w.id}
                                 union select attribution_id from non_versables where vague_id = ${w.id})`);
}

/** The file's name; the reliquat's wave (numero 0, reliquat.ts) is named so. */
export const waveFileName = (w: Pick<WaveRow, 'annee' | 'numero' | 'msgId'>) =>
  `soltea-${w.annee}-${w.numero === 0 ? 'reliquat' : `vague-${w.numero}`}-${w.msgId}.xml`;

/**
 * « Émettre le fichier »: the approved wave's SEPA file is written (valid by construction, its control
 * sums checked as it streams), its SHA-256 recorded with the issue's instant, the transfers marked issued,
 * each beneficiary told by mail (avis-versements.ts), and each employer with a share that could not be
 * paid told once (avis-non-versables.ts).
 * Issuing an issued wave again changes nothing and answers the same file.
 */
export async function issueWave(ctx: AppContext, agent: AgentRef, vagueId: number): Promise<Outcome<{ wave: WaveRow }>> {
  return inTransaction(ctx, async (tx) => {
    const w0 = await lockedWave(tx, vagueId);
    await lockCampaignPayments(tx, w0.annee);
    const w = await lockedWave(tx, vagueId);
    if (w.statut === 'emise') return { wave: w };
    if (w.statut !== 'approuvee')
      throw refuse('conflict', 'vague_non_approuvee', `La ${waveName(w.numero)} doit être approuvée par un valideur avant d’être émise.`);
    const issuedAt = new Date(Math.floor(ctx.clock.now().getTime() / 1000) * 1000);
    // a wave without transfer (everything due is unpayable) is closed without a file: a pain.001 holds at least one
    let sha: string | null = null;
    let name: string | null = null;
    if (w.nbVirements > 0) {
      const sink = hashSink();
      await writeWaveFile(ctx, tx, w, sink.out);
      sha = sink.sha();
      name = waveFileName(w);
    }
    await tx.execute(sql`update vagues_versement set statut = 'emise', emise_le = ${issuedAt.toISOString()}::timestamptz, emise_par = ${agent.id}::uuid,
                          fichier_nom = ${name}, fichier_sha256 = ${sha} where id = ${vagueId}`);
    await tx.execute(sql`update virements set statut = 'emis' where vague_id = ${vagueId} and statut = 'prevu'`);
    await settleEarlierUnpayable(tx, w, issuedAt);
    await notifyPayments(tx, ctx, w, issuedAt);
    const employeursPrevenus = await tellEmployersOfUnpayable(tx, ctx, w.annee);
    await audit(tx, ctx.clock, {
      action: 'vague.emise',
      actorAgentId: agent.id,
      details: { annee: w.annee, numero: w.numero, vagueId, msgId: w.msgId, fichier: name, sha256: sha, employeursPrevenus },
    });
    return { wave: { ...w, statut: 'emise' as const, emiseLe: issuedAt, fichierNom: name, fichierSha256: sha } };
  });
}
