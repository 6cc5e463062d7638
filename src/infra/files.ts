/**
 * Where the application's data files are: `seed/` holds reference data shipped with the code (the
 * communes with their centre, used by « autour de » searches in production too) and the demo data set's
 * sources (registry snapshots, referential, envelope files). Resolved from this file, so it holds
 * wherever the repository is checked out.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SEED_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../seed');
