/**
 * The funds the collectors actually transferred, per employer SIRET (docs/encaissements-format.md): a
 * wave pays an employer's allocations only once its funds are received (R. 6241-28-2,
 * docs/regles.md#versements). `npm run cli -- import-encaissements <année> <fichiers…>`: all or nothing,
 * a French report line per refused line, re-runnable (one transfer per SIRET, collector and day: the same
 * file again changes nothing; a corrected amount replaces the earlier one, audited).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sql } from 'drizzle-orm';
import { isValidSiret, compactInput } from '../../domain/identifiers.js';
import type { Cents } from '../../domain/money.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Db } from '../../infra/db/index.js';
import { encaissements } from '../../infra/db/schema-versements.js';
import { readCsv } from '../../shared/csv.js';
import { decodeText } from '../../shared/text-decoding.js';
import { parseDay, parseEuroAmount, quoteValue } from '../enveloppes/values.js';

export interface Encaissement {
  fichier: string;
  line: number;
  siret: string;
  collecteur: 'URSSAF' | 'MSA';
  montantCents: Cents;
  recuLe: string;
}

export interface EncaissementsReport {
  annee: number;
  lines: number;
  inserted: number;
  updated: number;
  unchanged: number;
  totalCents: Cents;
  rejected: { fichier: string; line: number; message: string }[];
  /** SIRETs of the campaign's funds received without an envelope (the reconciliation lists them as differences) */
  withoutEnvelope: string[];
}

const COLUMNS = ['siret', 'collecteur', 'montant', 'date_versement'] as const;
const ALIASES: Record<string, (typeof COLUMNS)[number]> = { date: 'date_versement', recu_le: 'date_versement', organisme: 'collecteur' };

/** Reads one file (bytes: UTF-8 or Windows-1252, `;` or `,`): the transfers, and the refused lines. */
export function readEncaissements(
  bytes: Uint8Array | string,
  fichier: string,
): { lines: Encaissement[]; rejected: EncaissementsReport['rejected'] } {
  const lines: Encaissement[] = [];
  const rejected: EncaissementsReport['rejected'] = [];
  const reject = (line: number, message: string) => rejected.push({ fichier, line, message });
  const { records, issues } = readCsv(decodeText(bytes).text, { delimiters: [';', ','] });
  for (const i of issues) reject(i.line, i.message);
  const [head, ...rows] = records;
  if (!head) {
    reject(1, 'Le fichier est vide : il doit commencer par l’en-tête « siret;collecteur;montant;date_versement ».');
    return { lines, rejected };
  }
  const names = head.cells.map((c) =>
    c
      .trim()
      .toLowerCase()
      .replace(/^\uFEFF/, ''),
  );
  const index = Object.fromEntries(COLUMNS.map((c) => [c, names.findIndex((n) => n === c || ALIASES[n] === c)]));
  const missing = COLUMNS.filter((c) => index[c]! < 0);
  if (missing.length) {
    reject(head.line, `Colonne(s) manquante(s) : ${missing.join(', ')} (en-tête attendu : siret;collecteur;montant;date_versement).`);
    return { lines, rejected };
  }
  for (const r of rows) {
    const cell = (c: (typeof COLUMNS)[number]) => (r.cells[index[c]!] ?? '').trim();
    const l = readLine(cell, fichier, r.line);
    if ('message' in l) reject(r.line, l.message);
    else lines.push(l);
  }
  return { lines, rejected };
}

function readLine(cell: (c: (typeof COLUMNS)[number]) => string, fichier: string, line: number): Encaissement | { message: string } {
  const siret = compactInput(cell('siret'));
  if (!isValidSiret(siret)) return { message: `Le SIRET ${quoteValue(cell('siret'))} n’est pas valide (14 chiffres, clé de contrôle).` };
  const collecteur = cell('collecteur').toUpperCase();
  if (collecteur !== 'URSSAF' && collecteur !== 'MSA')
    return { message: `Le collecteur ${quoteValue(cell('collecteur'))} n’est ni URSSAF ni MSA.` };
  const montant = parseEuroAmount(cell('montant'));
  if (!montant.ok) return { message: montant.message };
  if (montant.value === 0n) return { message: 'Le montant versé est nul : une ligne par versement reçu.' };
  const day = parseDay(cell('date_versement'));
  if (!day.ok) return { message: day.message };
  return { fichier, line, siret, collecteur, montantCents: montant.value, recuLe: day.value };
}

/** The same transfer twice in the files (same SIRET, collector and day): refused, the operator chooses. */
function duplicates(lines: readonly Encaissement[]): EncaissementsReport['rejected'] {
  const seen = new Map<string, Encaissement>();
  const out: EncaissementsReport['rejected'] = [];
  for (const l of lines) {
    const k = referenceOf(l);
    const first = seen.get(k);
    if (first)
      out.push({
        fichier: l.fichier,
        line: l.line,
        message: `Versement déjà présent (${first.fichier} ligne ${first.line}) : même SIRET, même collecteur, même jour.`,
      });
    else seen.set(k, l);
  }
  return out;
}

const WRITE_BATCH = 1000;

const referenceOf = (l: Pick<Encaissement, 'siret' | 'collecteur' | 'recuLe'>) => `${l.siret}:${l.collecteur}:${l.recuLe}`;

/** Reads and checks every file; refusals go into the report. */
function readAll(files: readonly string[], report: EncaissementsReport): Encaissement[] {
  const all: Encaissement[] = [];
  for (const path of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      report.rejected.push({ fichier: basename(path), line: 0, message: 'Fichier illisible ou introuvable.' });
      continue;
    }
    const r = readEncaissements(bytes, basename(path));
    all.push(...r.lines);
    report.rejected.push(...r.rejected);
  }
  return all;
}

/**
 * Imports the files for campaign `annee`: every line checked first; one refused line and nothing is
 * written. Then one transaction upserts the transfers (keyed by SIRET, collector and day) and audits.
 */
export async function importEncaissements(
  db: Db,
  annee: number,
  files: readonly string[],
  now: Date,
  /** the operator's agent who imports from the browser (« Imports »), for the audit trail */
  agentId: string | null = null,
): Promise<EncaissementsReport> {
  const report: EncaissementsReport = {
    annee,
    lines: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    totalCents: 0n,
    rejected: [],
    withoutEnvelope: [],
  };
  const all = readAll(files, report);
  report.rejected.push(...duplicates(all));
  report.lines = all.length;
  if (report.rejected.length) return report;
  await db.transaction(async (tx) => {
    const before = new Map(
      (
        await selectRows<{ reference: string; montant_cents: string }>(
          tx,
          sql`select reference, montant_cents::text from ${encaissements} where annee = ${annee}`,
        )
      ).map((r) => [r.reference, BigInt(r.montant_cents)]),
    );
    const changed: (typeof encaissements.$inferInsert)[] = [];
    for (const l of all) {
      const reference = referenceOf(l);
      const was = before.get(reference);
      report.totalCents += l.montantCents;
      if (was === l.montantCents) report.unchanged++;
      else {
        if (was === undefined) report.inserted++;
        else report.updated++;
        const { siret, collecteur, montantCents, recuLe, fichier } = l;
        changed.push({ annee, siret, collecteur, montantCents, recuLe, fichier, reference, importeLe: now });
      }
    }
    // national files hold hundreds of thousands of lines: written by batches of WRITE_BATCH rows
    for (let i = 0; i < changed.length; i += WRITE_BATCH)
      await tx
        .insert(encaissements)
        .values(changed.slice(i, i + WRITE_BATCH))
        .onConflictDoUpdate({
          target: [encaissements.annee, encaissements.reference],
          set: { montantCents: sql`excluded.montant_cents`, fichier: sql`excluded.fichier`, importeLe: sql`excluded.importe_le` },
        });
    report.withoutEnvelope = (
      await selectRows<{ siret: string }>(
        tx,
        sql`select distinct c.siret from ${encaissements} c
             where c.annee = ${annee} and not exists (select 1 from enveloppes e where e.annee = c.annee and e.siret = c.siret)
             order by c.siret`,
      )
    ).map((r) => r.siret);
    await audit(
      tx,
      { now: () => now },
      {
        action: 'encaissements.imported',
        actorAgentId: agentId,
        details: {
          annee,
          fichiers: files.map((f) => basename(f)),
          lignes: all.length,
          inserted: report.inserted,
          updated: report.updated,
          totalCents: String(report.totalCents),
        },
      },
    );
  });
  return report;
}
