/**
 * What `npm start` (scripts/start.mjs) and the command line's launcher (scripts/cli.mjs, the `soltea`
 * command of package.json's `bin`) share: whether this is production, and the two ways to run the code.
 * In production (NODE_ENV=production, which is also the default as soon as DATABASE_URL is set, as
 * src/infra/config.ts decides) the built release `dist/<entry>.js` (`npm run build`) runs in this same
 * process: no tsx, no esbuild, and signals reach the program directly.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = join(import.meta.dirname, '..');

export const production = (process.env.NODE_ENV || (process.env.DATABASE_URL ? 'production' : 'development')) === 'production';

/** @param {string} entry @returns {string} */
export const release = (entry) => join(root, 'dist', `${entry}.js`);

/** Runs the built release of `entry` in this process; without one, says to build it and exits 1. */
/** @param {string} entry */
export async function runRelease(entry) {
  if (!existsSync(release(entry))) {
    console.error(`Aucune version construite (dist/${entry}.js) : en production, lancez d’abord « npm run build ».`);
    process.exit(1);
  }
  await import(pathToFileURL(release(entry)).href);
}

/** Runs the TypeScript sources of `src/<entry>.ts` in this process through tsx's loader (development). */
/** @param {string} entry */
export async function runSources(entry) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', `${entry}.ts`)).href);
}

/** @param {string} path @returns {number} */
function newestChange(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestChange(join(path, f))));
}

/** True when dist/ is missing or older than a file of src/, the build script or package.json. */
/** @returns {boolean} */
export function releaseIsStale() {
  if (!existsSync(release('main')) || !existsSync(release('cli'))) return true;
  const built = statSync(release('main')).mtimeMs;
  return [join(root, 'src'), join(root, 'scripts', 'build.ts'), join(root, 'package.json')].some((p) => newestChange(p) > built);
}

/** Runs a child process to its end (its output on this terminal); resolves with its exit code. */
/** @param {string[]} args @param {NodeJS.ProcessEnv} [env] @returns {Promise<number>} */
export function runChild(args, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
