/**
 * Demo referential (docs/regles.md#referentiel) built from the real files committed in `seed/referentiel/`
 * (scripts/build-referentiel-seed.py; origins and heuristics in seed/SOURCES.md): imported for the
 * demo campaign year and the year before (so that a previous campaign exists), with the same files.
 * Idempotent: a second run finds every row unchanged and writes nothing.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { AppContext } from '../app-context.js';
import type { Tx } from '../infra/db/index.js';
import { SEED_DIR } from '../infra/files.js';
import { buildCommuneIndex } from '../modules/referentiel/commune-index.js';
import { ensureCommunes, readCommunesCsv } from '../modules/referentiel/communes.js';
import {
  applyReferentiel,
  parseReferentielContents,
  type ImportReferentielOptions,
  type ReferentielImportReport,
} from '../modules/referentiel/import.js';

/** The referential year of the demo campaign. */
export const DEMO_REFERENTIEL_ANNEE = 2025;
/** Years imported by the demo seed: the campaign and the previous one. */
export const DEMO_REFERENTIEL_ANNEES = [DEMO_REFERENTIEL_ANNEE, DEMO_REFERENTIEL_ANNEE - 1] as const;

export const SEED_REFERENTIEL_DIR = resolve(SEED_DIR, 'referentiel');

/**
 * The seed files in import order: establishments first, then formations (real offers before derived
 * assignments, so a diploma's title comes from the real offer). `diplomes.csv` is the generator's
 * catalogue, not an import file.
 */
export function seedReferentielFiles(dir: string = SEED_REFERENTIEL_DIR): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv') && f !== 'diplomes.csv');
  const rank = (f: string) => (f.startsWith('etablissements') ? 0 : f.startsWith('formations-offres') ? 1 : 2);
  return files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((f) => join(dir, f));
}

export interface SeedReferentielReport {
  communes: number;
  years: ReferentielImportReport[];
  durationMs: number;
}

/** ensureCommunes + the seed files imported for each year of {@link DEMO_REFERENTIEL_ANNEES}. */
export async function seedReferentiel(
  db: Tx,
  opts: Pick<ImportReferentielOptions, 'now' | 'onProgress'> & { annees?: readonly number[] },
): Promise<SeedReferentielReport> {
  const started = performance.now();
  const communes = await ensureCommunes(db);
  // the table was filled from this very file: index it without reading the table back
  const index = buildCommuneIndex(readCommunesCsv());
  const files = await Promise.all(seedReferentielFiles().map(async (f) => ({ name: basename(f), content: await readFile(f) })));
  const parsed = parseReferentielContents(files, index, opts.onProgress);
  const years: ReferentielImportReport[] = [];
  for (const annee of opts.annees ?? DEMO_REFERENTIEL_ANNEES) years.push(await applyReferentiel(db, annee, parsed, opts));
  return { communes, years, durationMs: Math.round(performance.now() - started) };
}

export async function seedDemoReferentiel(ctx: AppContext, log: (line: string) => void = () => undefined): Promise<void> {
  const report = await seedReferentiel(ctx.db, { now: ctx.clock.now() });
  const [current] = report.years;
  if (!current) return;
  const n = (c: { inserted: number; updated: number; unchanged: number }) => c.inserted + c.updated + c.unchanged;
  log(
    `Référentiel SOLTéA ${report.years.map((y) => y.annee).join(' et ')} : ${n(current.etablissements)} établissements, ` +
      `${n(current.composantes)} composantes, ${n(current.formations)} formations, ${current.rejected.length} ligne(s) rejetée(s) ` +
      `et ${current.warnings.length} avertissement(s) par année (données réelles), ${report.communes} communes, ` +
      `en ${(report.durationMs / 1000).toFixed(1)} s.`,
  );
}
