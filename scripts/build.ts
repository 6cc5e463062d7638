/**
 * `npm run build`: the release in `dist/`, run in production with `node dist/main.js` (no tsx, no
 * esbuild at run time). The server and the command line are bundled (our code; the npm packages stay
 * in node_modules, loaded as they are), the browser script is bundled and minified, and the files the
 * code reads beside itself are copied: the migrations (`dist/migrations`) and the SEPA schemas
 * (`dist/xsd`). `seed/` and `node_modules/` are found from the package root (src/infra/files.ts).
 */
import { cpSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { CLIENT_BUILD_OPTIONS, CLIENT_ENTRY, CLIENT_STYLE } from '../src/web/client/build.js';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

async function main() {
  const started = Date.now();
  rmSync(dist, { recursive: true, force: true });
  await build({
    entryPoints: { main: join(root, 'src/main.ts'), cli: join(root, 'src/cli.ts') },
    outdir: dist,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    jsx: 'automatic',
    logLevel: 'warning',
  });
  mkdirSync(join(dist, 'client'), { recursive: true });
  await build({
    ...CLIENT_BUILD_OPTIONS,
    target: [...CLIENT_BUILD_OPTIONS.target],
    entryPoints: [CLIENT_ENTRY],
    outfile: join(dist, 'client/app.js'),
  });
  copyFileSync(CLIENT_STYLE, join(dist, 'client/app.css'));
  cpSync(join(root, 'src/infra/db/migrations'), join(dist, 'migrations'), { recursive: true });
  cpSync(join(root, 'src/modules/versements/xsd'), join(dist, 'xsd'), { recursive: true });
  console.log(
    `dist/ écrit en ${((Date.now() - started) / 1000).toFixed(1)} s : node dist/main.js (portail), node dist/cli.js (ligne de commande)`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
