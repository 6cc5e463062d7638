/**
 * The browser gets one small script (progressive enhancement: every form works without it) bundled
 * with esbuild from `app.ts`, which imports the same pure rules as the server. From the sources it is
 * built in memory at start; the built release (`npm run build`) ships it as `dist/client/app.js`, read
 * as is, so that production runs no esbuild.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The entry point and the esbuild options, shared with `scripts/build.ts`. */
export const CLIENT_ENTRY = join(import.meta.dirname, 'app.ts');
export const CLIENT_STYLE = join(import.meta.dirname, 'app.css');
export const CLIENT_BUILD_OPTIONS = { bundle: true, format: 'esm', minify: true, target: ['es2020'], logLevel: 'silent' } as const;

export async function buildClientAssets(): Promise<{ js: string; css: string }> {
  // in the release this module is bundled into dist/main.js, and the prebuilt client sits beside it
  const prebuilt = join(import.meta.dirname, 'client');
  if (existsSync(join(prebuilt, 'app.js')))
    return { js: readFileSync(join(prebuilt, 'app.js'), 'utf8'), css: readFileSync(join(prebuilt, 'app.css'), 'utf8') };
  const { build } = await import('esbuild');
  const out = await build({ ...CLIENT_BUILD_OPTIONS, target: [...CLIENT_BUILD_OPTIONS.target], entryPoints: [CLIENT_ENTRY], write: false });
  return { js: out.outputFiles[0]!.text, css: readFileSync(CLIENT_STYLE, 'utf8') };
}
