/**
 * Seeds the company registry for the demo and the tests: the real recherche-entreprises snapshots
 * of `seed/registry/*.json` plus the generated fictitious companies (demo-registry.ts, which
 * include the fixed DEMO_COMPANIES). Idempotent: a second run inserts nothing and, the sources
 * being unchanged, rewrites nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Tx } from '../infra/db/index.js';
import { SEED_DIR } from '../infra/files.js';
import { DEMO_DEFAULT_COUNT, DEMO_DEFAULT_SEED, generateDemoRegistry } from './registry.js';
import {
  importRegistry,
  importRegistryRows,
  type RegistryImportReport,
  type RowsImportReport,
  type UpsertCounts,
} from '../modules/entreprises/import-registry.js';

export interface SeedRegistryOptions {
  now: Date;
  onProgress?: (done: number, total: number) => void;
  /** generated companies; default {@link DEMO_DEFAULT_COUNT} / {@link DEMO_DEFAULT_SEED} */
  demo?: { count?: number; seed?: number };
  /** defaults to the project's `seed/` folder */
  seedDir?: string;
}

export interface SeedRegistryReport {
  /** the real snapshots (seed/registry/*.json), with their rejections and warnings */
  registry: RegistryImportReport;
  /** the generated demo companies */
  demo: RowsImportReport;
  /** sums of both */
  entreprises: UpsertCounts;
  etablissements: UpsertCounts;
  durationMs: number;
}

/** The `*.json` files of `seed/registry`, sorted. */
export function seedRegistryFiles(seedDir: string = SEED_DIR): string[] {
  const dir = join(seedDir, 'registry');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

export async function seedRegistry(db: Tx, opts: SeedRegistryOptions): Promise<SeedRegistryReport> {
  const started = performance.now();
  const files = seedRegistryFiles(opts.seedDir);
  const demoRows = generateDemoRegistry({
    count: opts.demo?.count ?? DEMO_DEFAULT_COUNT,
    seed: opts.demo?.seed ?? DEMO_DEFAULT_SEED,
  });
  const demoTotal = demoRows.entreprises.length + demoRows.etablissements.length;

  let registryTotal = 0;
  const registry = await importRegistry(db, files, {
    now: opts.now,
    onProgress: (done, total) => {
      registryTotal = total;
      opts.onProgress?.(done, total + demoTotal);
    },
  });
  const demo = await importRegistryRows(db, demoRows, {
    now: opts.now,
    onProgress: (done) => opts.onProgress?.(registryTotal + done, registryTotal + demoTotal),
  });

  const sum = (a: UpsertCounts, b: UpsertCounts): UpsertCounts => ({
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
  });
  return {
    registry,
    demo,
    entreprises: sum(registry.entreprises, demo.entreprises),
    etablissements: sum(registry.etablissements, demo.etablissements),
    durationMs: Math.round(performance.now() - started),
  };
}
