#!/usr/bin/env node
/**
 * The operators' command line: `npm run -s cli -- <commande>`, or `soltea <commande>` (package.json's
 * `bin`: `npx soltea …` in the repository, or on the PATH once the package is installed or linked).
 * In production the built release `dist/cli.js`, in development the sources through tsx, both in this
 * process (scripts/launch.mjs), so that only the command writes on the standard output.
 */
import { production, runRelease, runSources } from './launch.mjs';

await (production ? runRelease('cli') : runSources('cli'));
