/**
 * « Imports » of the operator's space: an agent gestionnaire uploads a file (registry, referential,
 * envelopes, funds received, métiers en tension) and its import runs as a job recorded in
 * `imports_operateur` (who, when, kind, file name, SHA-256, size, state, progress, counts, report). The
 * job calls the command's own use case (import-types.ts), so the browser and the command line share one
 * path, all or nothing, and the same French report.
 *
 * The job runs in the process that received the file, apart from the request: closing the page does not
 * stop it. Its progress is written to the database as it goes (at most twice a second), and read back by
 * the page. The file stays on disk (a folder of its own in the temporary directory) until the job ends.
 * If the process dies, its jobs would stay « en cours »: each start marks them failed (on PGlite, one
 * process owns the database, so every job left « en cours » is dead; on PostgreSQL, several instances
 * may run, so only jobs whose heartbeat stopped for two minutes).
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { Cents } from '../../domain/money.js';
import { audit } from '../../infra/audit.js';
import { importsOperateur } from '../../infra/db/schema-operateur.js';
import { failure, type Outcome } from '../../shared/problem.js';
import { IMPORT_TYPE_INFO, runImportType, wrongKind, type ImportType } from './import-types.js';

export type ImportState = 'en_cours' | 'reussi' | 'refuse' | 'echoue';

/** One import as the pages show it. */
export interface ImportJob {
  id: number;
  type: ImportType;
  annee: number | null;
  agent: string;
  fichier: string;
  sha256: string;
  taille: number;
  etat: ImportState;
  phase: string | null;
  fait: number;
  total: number;
  comptes: Record<string, number> | null;
  rapport: string[] | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** A file received and stored on disk, not yet read. */
export interface StoredFile {
  path: string;
  fichier: string;
  sha256: string;
  taille: number;
}

export interface StartImport {
  agentId: string;
  type: ImportType;
  annee: number | null;
  fraisCents: Cents | null;
  file: StoredFile;
  ip?: string | undefined;
}

/** This process, as the jobs it runs record it. */
const INSTANCE = randomUUID();
/** A job's heartbeat, and how long without one before another instance's job is deemed dead. */
const HEARTBEAT_MS = 15_000;
const DEAD_AFTER_MS = 2 * 60_000;
/** Progress written at most this often. */
const PROGRESS_MS = 500;
export const HISTORY_PAGE_SIZE = 20;

/** The jobs this process runs (tests and a graceful stop wait for them). */
const running = new Set<Promise<void>>();

/** Resolves once every job this process started has ended. */
export async function importsSettled(): Promise<void> {
  while (running.size) await Promise.allSettled([...running]);
}

/**
 * Checks the file against the kind chosen, records the job (audited) and starts it. The file's folder
 * now belongs to the job (removed when it ends); on a refusal the caller removes it.
 */
export async function startImport(ctx: AppContext, s: StartImport): Promise<Outcome<{ id: number }>> {
  const info = IMPORT_TYPE_INFO[s.type];
  const wrong = await wrongKind(s.type, s.file.path, s.file.fichier);
  if (wrong) return failure('unsupported_media_type', 'mauvais_fichier', wrong, { errors: { fichier: wrong } });
  if (info.annee && s.annee === null) return failure('invalid', 'annee_absente', 'Indiquez l’année de campagne.');
  const now = ctx.clock.now();
  const id = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(importsOperateur)
      .values({
        type: s.type,
        annee: info.annee ? s.annee : null,
        agentId: s.agentId,
        fichier: s.file.fichier,
        sha256: s.file.sha256,
        taille: s.file.taille,
        etat: 'en_cours',
        phase: 'En attente',
        instance: INSTANCE,
        battement: now,
        createdAt: now,
      })
      .returning({ id: importsOperateur.id });
    await audit(tx, ctx.clock, {
      action: 'operateur.import_lance',
      actorAgentId: s.agentId,
      ip: s.ip ?? null,
      details: { import: row!.id, type: s.type, annee: s.annee, fichier: s.file.fichier, sha256: s.file.sha256, taille: s.file.taille },
    });
    return row!.id;
  });
  const job = runJob(ctx, id, s).finally(() => running.delete(job));
  running.add(job);
  return { ok: true, id };
}

/** Runs one job to its end: its state, counts and report written; its file removed. */
async function runJob(ctx: AppContext, id: number, s: StartImport): Promise<void> {
  const progress = progressWriter(ctx, id);
  const heartbeat = setInterval(() => progress.beat(), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const outcome = await runImportType(ctx.db, s.type, {
      path: s.file.path,
      fichier: s.file.fichier,
      annee: s.annee,
      fraisCents: s.fraisCents,
      agentId: s.agentId,
      now: ctx.clock.now(),
      onProgress: progress.set,
    });
    await progress.settled();
    await finish(ctx, id, outcome.ok ? 'reussi' : 'refuse', outcome.comptes, outcome.rapport);
  } catch (e) {
    await progress.settled();
    const why = e instanceof Error ? e.message : String(e);
    await finish(ctx, id, 'echoue', null, [
      `L’import s’est arrêté sur une erreur technique (${why.slice(0, 300)}) : rien n’a été importé.`,
    ]).catch(() => undefined);
  } finally {
    clearInterval(heartbeat);
    await rm(dirname(s.file.path), { recursive: true, force: true });
  }
}

async function finish(ctx: AppContext, id: number, etat: ImportState, comptes: Record<string, number> | null, rapport: string[]) {
  const now = ctx.clock.now();
  await ctx.db
    .update(importsOperateur)
    .set({ etat, comptes, rapport, phase: null, finishedAt: now, battement: now })
    .where(eq(importsOperateur.id, id));
}

/**
 * The job's progress, written in the background at most every PROGRESS_MS (one write at a time, the
 * last value wins): the import never waits for it. On PGlite the writes wait for the import's
 * transaction to end (one connection), on PostgreSQL they take another connection of the pool.
 */
function progressWriter(ctx: AppContext, id: number) {
  let pending: { phase: string; fait: number; total: number } | null = null;
  let lastWrite = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const write = (set: Partial<typeof importsOperateur.$inferInsert>) => {
    chain = chain.then(() => ctx.db.update(importsOperateur).set(set).where(eq(importsOperateur.id, id))).catch(() => undefined);
  };
  const flush = () => {
    if (!pending) return;
    const p = pending;
    pending = null;
    lastWrite = performance.now();
    write({ ...p, battement: ctx.clock.now() });
  };
  return {
    set: (phase: string, fait: number, total: number) => {
      pending = { phase, fait, total };
      if (performance.now() - lastWrite >= PROGRESS_MS) flush();
    },
    beat: () => write({ battement: ctx.clock.now() }),
    settled: async () => {
      flush();
      await chain;
    },
  };
}

/**
 * Marks failed the jobs whose process died (called at start): on PGlite every job left « en cours »,
 * on PostgreSQL those of another process without a heartbeat for DEAD_AFTER_MS.
 */
export async function failAbandonedImports(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const dead =
    ctx.dbKind === 'pglite'
      ? eq(importsOperateur.etat, 'en_cours')
      : and(
          eq(importsOperateur.etat, 'en_cours'),
          sql`${importsOperateur.instance} <> ${INSTANCE}`,
          lt(importsOperateur.battement, new Date(now.getTime() - DEAD_AFTER_MS)),
        );
  const rows = await ctx.db
    .update(importsOperateur)
    .set({
      etat: 'echoue',
      phase: null,
      finishedAt: now,
      rapport: ['L’import a été interrompu (arrêt du serveur) : rien n’a été importé. Déposez le fichier à nouveau.'],
    })
    .where(dead)
    .returning({ id: importsOperateur.id });
  return rows.length;
}

const jobColumns = {
  id: importsOperateur.id,
  type: importsOperateur.type,
  annee: importsOperateur.annee,
  agent: sql<string>`(select a.prenom || ' ' || a.nom from agents a where a.id = ${importsOperateur.agentId})`,
  fichier: importsOperateur.fichier,
  sha256: importsOperateur.sha256,
  taille: importsOperateur.taille,
  etat: importsOperateur.etat,
  phase: importsOperateur.phase,
  fait: importsOperateur.fait,
  total: importsOperateur.total,
  comptes: importsOperateur.comptes,
  rapport: importsOperateur.rapport,
  createdAt: importsOperateur.createdAt,
  finishedAt: importsOperateur.finishedAt,
};

/** One job, or null. */
export async function importJob(ctx: AppContext, id: number): Promise<ImportJob | null> {
  const [row] = await ctx.db.select(jobColumns).from(importsOperateur).where(eq(importsOperateur.id, id));
  return row ? (row as ImportJob) : null;
}

/** The history, the latest first (without the reports). */
export async function importHistory(ctx: AppContext, page: number): Promise<{ rows: ImportJob[]; total: number }> {
  const rows = await ctx.db
    .select({ ...jobColumns, rapport: sql<null>`null` })
    .from(importsOperateur)
    .orderBy(desc(importsOperateur.createdAt), desc(importsOperateur.id))
    .limit(HISTORY_PAGE_SIZE)
    .offset((page - 1) * HISTORY_PAGE_SIZE);
  const [count] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(importsOperateur);
  return { rows: rows as ImportJob[], total: count?.n ?? 0 };
}
