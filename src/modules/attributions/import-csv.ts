/**
 * « Importer des attributions »: tiers-déclarants act for their clients from a CSV file with a
 * line-by-line report, all or nothing (docs/regles.md#tiers-declarants). Format:
 * docs/attributions-csv-format.md; its export (export-csv.ts) round-trips.
 *
 * Three layers:
 * - pure: the file (bytes or text) → lines with their physical line numbers (import-csv-read.ts), and
 *   the lines → targets and basis points, given what the database knows (import-csv-resolve.ts);
 * - look-ups, set-based: the referential rows of the SIRETs named in the file, their UAIs, and the
 *   formations matching the codes of the file (a handful of queries whatever the file's size);
 * - the use case `importAttributions`: the person's SIRETs (attributions/scope.ts, the tiers-déclarant
 *   rule included), every line checked, then ONE transaction in which `changeChoices` (the only write
 *   path of allocations) replaces the set of each SIRET of the file. Any refusal — a line, or a rule
 *   of one SIRET (100 %, 30 % liste nationale, lock) — rolls the whole file back, and the report names
 *   every problem with the file's line numbers.
 *
 * A SIRET absent from the file is untouched. A SIRET whose lines equal its current allocations is not
 * written (nothing changes, and a re-import of an export does not trip over a locked SIRET).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { checkCalendar } from '../../domain/attribution-rules.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import type { users } from '../../infra/db/schema.js';
import { failure, type Failure } from '../../shared/problem.js';
import { currentCampaign } from '../campagnes/repository.js';
import type { ChangeError, TargetShare } from './apply-change.js';
import { changeChoices } from './choix.js';
import { readAttributionsCsv, type ReportLine } from './import-csv-read.js';
import { loadReferentialFor, resolveLines, type ResolvedFile, type ResolvedLine } from './import-csv-resolve.js';
import { employerSirets, type EmployerSiret } from './scope.js';
import { calendarOf } from './synthese.js';
import { targetMapKey } from './targets.js';

type User = typeof users.$inferSelect;

export interface ClientSummary {
  siret: string;
  denomination: string | null;
  lignes: number;
  totalBp: number;
  statut: 'modifie' | 'inchange';
  ajoutees: number;
  modifiees: number;
  supprimees: number;
  /** members of its group that received the same allocations */
  membres: number;
}

/** A refused file: the problem (its report as the extension member `rapport`) and the report itself. */
export type ImportFailure = Failure & { report: ReportLine[] };

export type ImportOutcome = { ok: true; annee: number; lignes: number; clients: ClientSummary[]; modifies: number } | ImportFailure;

export const NO_EMPLOYER_MESSAGE =
  'Ce service ne vous est pas ouvert : vous n’êtes habilité à « SOLTéA - Employeurs » pour aucun établissement, ou le délai d’accès de 24 heures n’est pas écoulé.';
export const REJECTED_MESSAGE =
  'Le fichier contient des erreurs : aucune attribution n’a été enregistrée. Corrigez les lignes ci-dessous puis importez à nouveau le fichier complet.';

/** The refusal of a person who may allocate for no SIRET. */
export const notOpen = (): ImportFailure => ({ ...failure('forbidden', 'service_non_ouvert', NO_EMPLOYER_MESSAGE), report: [] });

/** A refused file, with its line-by-line report. */
export function rejected(message: string, report: ReportLine[], code = 'fichier_refuse'): ImportFailure {
  return {
    ...failure('invalid', code, message, { extra: { rapport: report.map((r) => ({ ligne: r.line, message: r.message })) } }),
    report,
  };
}

/** « lignes 3 à 7 », « lignes 3, 5 et 9 », « ligne 4 » (at most 10 numbers listed). */
export function describeLines(numbers: readonly number[]): string {
  const n = [...numbers].sort((a, b) => a - b);
  if (n.length === 0) return '';
  if (n.length === 1) return `ligne ${n[0]}`;
  if (n[n.length - 1]! - n[0]! === n.length - 1) return `lignes ${n[0]} à ${n[n.length - 1]}`;
  if (n.length > 10) return `lignes ${n.slice(0, 10).join(', ')}… (${n.length} lignes)`;
  return `lignes ${n.slice(0, -1).join(', ')} et ${n[n.length - 1]}`;
}

/** A refusal of `changeChoices` for one SIRET → report lines with the file's line numbers. */
function mapErrors(siret: string, lines: readonly ResolvedLine[], firstLine: number, errors: readonly ChangeError[]): ReportLine[] {
  return errors.map((e) => {
    const at = e.index !== undefined ? lines[e.index] : undefined;
    const message = e.message.replace(/^Ligne \d+ : /, '');
    if (at) return { line: at.line, message: `SIRET employeur ${siret} : ${message}` };
    const where = lines.length ? describeLines(lines.map((l) => l.line)) : `ligne ${firstLine}`;
    return { line: lines[0]?.line ?? firstLine, message: `SIRET employeur ${siret} (${where}) : ${message}` };
  });
}

async function currentLines(tx: Tx, annee: number, siret: string) {
  return selectRows<{ etablissement_id: string | number; formation_id: string | number | null; points_base: number; statut: string }>(
    tx,
    sql`select etablissement_id, formation_id, points_base, statut from attributions where annee = ${annee} and siret_employeur = ${siret}`,
  );
}

/** True when the file's lines for a SIRET are exactly what it has (and, when validating, all validated). */
function sameAsCurrent(current: Awaited<ReturnType<typeof currentLines>>, wanted: readonly ResolvedLine[], valider: boolean): boolean {
  if (current.length !== wanted.length) return false;
  const have = new Map(
    current.map((c) => [targetMapKey(Number(c.etablissement_id), c.formation_id === null ? null : Number(c.formation_id)), c]),
  );
  return wanted.every((w) => {
    const c = have.get(targetMapKey(w.target.etablissementId, w.target.formationId));
    return c !== undefined && Number(c.points_base) === w.bp && (!valider || c.statut === 'validee');
  });
}

/**
 * Imports `input` (the file's bytes or text) for `user`: all or nothing. `valider`: the lines are
 * validated in the same step (« Valider les attributions », default on the form).
 */
export async function importAttributions(
  ctx: AppContext,
  user: User,
  input: { content: string | Uint8Array; valider: boolean; ip?: string | null },
): Promise<ImportOutcome> {
  const campaign = await currentCampaign(ctx);
  const annee = campaign.annee;
  const mine = await employerSirets(ctx, user, annee);
  if (mine.length === 0) return notOpen();
  const read = readAttributionsCsv(input.content);
  if (!read.ok) return rejected(REJECTED_MESSAGE, read.report);

  const calendar = checkCalendar({ campaign: await calendarOf(ctx.db, annee), now: ctx.clock.now(), validatedFullInPeriod: null });
  if (!calendar.ok) return rejected(`${calendar.errors[0]!.message} Aucune attribution n’a été enregistrée.`, [], calendar.errors[0]!.code);

  const employers = new Map(mine.map((m) => [m.siret, m]));
  const lookups = await loadReferentialFor(ctx.db, annee, read.lines);
  const resolved = resolveLines(read.lines, { annee, employers, ...lookups });
  if (!resolved.ok) return rejected(REJECTED_MESSAGE, resolved.report);
  const file = resolved.file;
  const run = { annee, user, employers, file, valider: input.valider, ip: input.ip ?? null, encoding: read.encoding };
  try {
    const clients = await ctx.db.transaction((tx) => applyFile(ctx, tx, run));
    return { ok: true, annee, lignes: file.lines, clients, modifies: clients.filter((c) => c.statut === 'modifie').length };
  } catch (e) {
    if (e instanceof Rejected) return rejected(REJECTED_MESSAGE, e.report);
    throw e;
  }
}

interface ImportRun {
  annee: number;
  user: User;
  employers: ReadonlyMap<string, EmployerSiret>;
  file: ResolvedFile;
  valider: boolean;
  ip: string | null;
  encoding: string;
}

/** Rolls the transaction back, keeping the report of every refusal. */
class Rejected extends Error {
  constructor(readonly report: ReportLine[]) {
    super('import rejected');
  }
}

/**
 * Inside the import's transaction, each SIRET of the file (in one order for every import: no deadlock
 * between two) through the write path; any refusal throws the report of all of them (rolled back).
 */
async function applyFile(ctx: AppContext, tx: Tx, run: ImportRun): Promise<ClientSummary[]> {
  const report: ReportLine[] = [];
  const out: ClientSummary[] = [];
  for (const siret of [...run.file.bySiret.keys()].sort()) {
    const r = await applySiret(ctx, tx, run, siret);
    if ('report' in r) report.push(...r.report);
    else out.push(r);
  }
  if (report.length) throw new Rejected(report.sort((a, b) => a.line - b.line));
  await auditImport(ctx, tx, run, out);
  return out;
}

/** One SIRET of the file: untouched when its lines are what it has, else its whole set replaced. */
async function applySiret(ctx: AppContext, tx: Tx, run: ImportRun, siret: string): Promise<ClientSummary | { report: ReportLine[] }> {
  const lines = run.file.bySiret.get(siret)!;
  const base = {
    siret,
    denomination: run.employers.get(siret)?.denomination ?? null,
    lignes: lines.length,
    totalBp: lines.reduce((s, l) => s + l.bp, 0),
  };
  if (sameAsCurrent(await currentLines(tx, run.annee, siret), lines, run.valider))
    return { ...base, statut: 'inchange', ajoutees: 0, modifiees: 0, supprimees: 0, membres: 0 };
  const items: TargetShare[] = lines.map((l) => ({ target: l.target, bp: l.bp }));
  const actor = { userId: run.user.id, espaceId: run.user.espaceId, ip: run.ip };
  const r = await changeChoices(
    ctx,
    {
      annee: run.annee,
      siret,
      actor,
      expectedVersion: null,
      change: { kind: 'remplacer', items, valider: run.valider },
      source: 'import_csv',
    },
    tx,
  );
  if (!r.ok) return { report: mapErrors(siret, lines, run.file.firstLine.get(siret)!, r.errors) };
  return {
    ...base,
    statut: r.changed || r.validated ? 'modifie' : 'inchange',
    ajoutees: r.added,
    modifiees: r.updated,
    supprimees: r.removed,
    membres: r.membres,
  };
}

async function auditImport(ctx: AppContext, tx: Tx, run: ImportRun, out: readonly ClientSummary[]) {
  const modifies = out.filter((c) => c.statut === 'modifie').length;
  await audit(tx, ctx.clock, {
    action: 'attributions.imported',
    actorUserId: run.user.id,
    espaceId: run.user.espaceId,
    ip: run.ip,
    details: {
      annee: run.annee,
      source: 'import_csv',
      lignes: run.file.lines,
      clients: out.length,
      modifies,
      inchanges: out.length - modifies,
      valider: run.valider,
      encodage: run.encoding,
    },
  });
}
