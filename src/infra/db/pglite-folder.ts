/**
 * The embedded PGlite folder (the demo, development, the command line on PGLITE_DIR) kept small in
 * memory, so that `npm start` stays under 400 MB resident (bench/README.md, « memory »):
 * - smaller PostgreSQL settings than PGlite's defaults (128 MB of shared buffers, touched at start);
 *   the demo's database is a few tens of megabytes, and the folder's files stay in the system's cache;
 * - a new folder starts from an empty cluster shipped in `seed/pglite/cluster.tar.br` (made by
 *   `npm run pglite-cluster` with the installed PGlite), unpacked on disk, instead of PGlite's initdb,
 *   which runs a second PostgreSQL and initdb's own WebAssembly in the process and peaks near 600 MB.
 *   When the shipped cluster does not open (a PGlite of another PostgreSQL version), the folder is
 *   emptied and PGlite's initdb makes it as before: slower and heavier, never wrong.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { SEED_DIR } from '../files.js';

export const SHIPPED_CLUSTER = join(SEED_DIR, 'pglite', 'cluster.tar.br');

/** PostgreSQL settings of a PGlite folder, added to PGlite's own start parameters. */
export const SMALL_SETTINGS: readonly string[] = [
  'shared_buffers=16MB',
  'wal_buffers=1MB',
  'temp_buffers=2MB',
  'maintenance_work_mem=16MB',
].flatMap((s) => ['-c', s]);

/** True when the folder holds no cluster yet (PGlite would run initdb). */
export function isNewFolder(dir: string): boolean {
  return !existsSync(join(dir, 'PG_VERSION'));
}

/** Unpacks the shipped empty cluster into a new folder; false when there is none to unpack. */
export function unpackShippedCluster(dir: string, archive: string = SHIPPED_CLUSTER): boolean {
  if (!existsSync(archive)) return false;
  extractTar(brotliDecompressSync(readFileSync(archive)), dir);
  return true;
}

/** Empties a folder whose unpacked cluster did not open, keeping the lock file of this process. */
export function emptyFolder(dir: string, keep: string): void {
  for (const entry of readdirSync(dir)) if (entry !== keep) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** The files and folders of a ustar archive (what PGlite's `dumpDataDir` writes), written under `dir`. */
export function extractTar(tar: Uint8Array, dir: string): void {
  const text = (from: number, length: number) => {
    const bytes = tar.subarray(from, from + length);
    const end = bytes.indexOf(0);
    return Buffer.from(end === -1 ? bytes : bytes.subarray(0, end)).toString('utf8');
  };
  for (let at = 0; at + 512 <= tar.length;) {
    const name = text(at, 100);
    if (!name) break; // the two empty blocks at the end
    const prefix = text(at + 345, 155);
    const size = parseInt(text(at + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[at + 156] ?? 0);
    const path = normalize(`${prefix ? `${prefix}/` : ''}${name}`).replace(/^[/\\]+/, '');
    if (path.split(sep).includes('..')) throw new Error(`Archive de cluster invalide : ${path}`);
    const target = join(dir, path);
    if (type === '5') mkdirSync(target, { recursive: true });
    else if (type === '0' || type === '\0') {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, tar.subarray(at + 512, at + 512 + size));
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
}
