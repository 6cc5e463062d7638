/**
 * Where the application's files are. `APP_ROOT` is the folder of the nearest package.json above this
 * file: the repository when run from the sources (tsx), the same folder when run from the built release
 * (`dist/main.js`, one level down). `seed/` holds reference data shipped with the code (the communes
 * with their centre, used by « autour de » searches in production too) and the demo data set's sources
 * (registry snapshots, referential, envelope files). Resolved this way, it holds wherever the
 * repository is checked out.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function nearestPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`package.json introuvable au-dessus de ${from}`);
  }
}

export const APP_ROOT = nearestPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const SEED_DIR = resolve(APP_ROOT, 'seed');
