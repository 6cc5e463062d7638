/**
 * `npm start`: the portal from the built release, `dist/main.js`, run in this process.
 * - In production it must have been built (`npm run build`, scripts/launch.mjs).
 * - In development (the demo, `npm install && npm start`) the release is built first when the sources
 *   are newer (a second or two, in a child process that exits), so that the portal runs without tsx or
 *   esbuild in memory; and the first start on a new PGlite folder makes the demo's database
 *   (migrations, communes, demo data set) in a child process that exits before the portal starts
 *   (`prepare-demo`, src/demo/prepare.ts). Both keep the demo under 400 MB resident for the whole
 *   process tree, npm included (bench/README.md, « memory »), with PGlite's WebAssembly run by V8's
 *   baseline compiler only, in the child and in the portal (below).
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { production, release, releaseIsStale, root, runChild, runRelease } from './launch.mjs';

if (!production) {
  if (releaseIsStale()) {
    const built = await runChild(['--import', 'tsx', join(root, 'scripts', 'build.ts')]);
    if (built !== 0) process.exit(built);
  }
  const pglite = process.env.DATABASE_URL ? null : process.env.PGLITE_DIR || './data/pglite';
  const folder = pglite && pglite !== 'memory://' ? resolve(pglite) : null;
  if (folder && !existsSync(join(folder, 'PG_VERSION'))) {
    // - a small JavaScript heap: the seeding's objects are collected as it goes instead of piling up;
    // - PGlite's WebAssembly run by V8's baseline compiler only (Liftoff): the optimising compiler
    //   (TurboFan) compiles PostgreSQL's hot functions on background threads whose malloc arenas keep
    //   about 100 MB after it; for this one-off job it is not faster either (bench/README.md, « memory »)
    const prepared = await runChild([
      '--max-old-space-size=96',
      '--max-semi-space-size=1',
      '--liftoff-only',
      release('cli'),
      'prepare-demo',
    ]);
    if (prepared !== 0) {
      // the folder was new: start it again, prepared in the portal's own process (heavier, as before)
      console.error('La préparation de la base de démonstration à part a échoué : elle est refaite au démarrage du portail.');
      rmSync(folder, { recursive: true, force: true });
    }
  }
}
// The portal on PGlite: its WebAssembly on Liftoff too (set before PGlite compiles it), for the same
// reason: the optimising compiler's arenas came on top of the login load's argon2 memory (peak under
// load 402 -> 344 MB); the demo's short queries cost about the same CPU either way (bench/README.md,
// « memory »). With DATABASE_URL no WebAssembly runs, and nothing changes.
if (!process.env.DATABASE_URL) setFlagsFromString('--liftoff-only');
await runRelease('main');
