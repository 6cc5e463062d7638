/**
 * The browser gets one small script (progressive enhancement: every form works without it) built
 * in memory at start with esbuild from `app.ts`, which imports the same pure rules as the server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function buildClientAssets(): Promise<{ js: string; css: string }> {
  const out = await build({
    entryPoints: [join(import.meta.dirname, 'app.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    target: ['es2020'],
    logLevel: 'silent',
  });
  return { js: out.outputFiles[0]!.text, css: readFileSync(join(import.meta.dirname, 'app.css'), 'utf8') };
}
