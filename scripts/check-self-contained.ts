/**
 * The repository stands on its own (run by `npm run check`): no tracked file holds an absolute path of
 * a development machine, and no source file or document cites a specification kept outside the
 * repository — the rules the code implements are in docs/regles.md, with their law. Exits with 1 and
 * the places when one is found.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !f.endsWith('package-lock.json') && !/\.(png|jpe?g|gif|ico|woff2?|pdf|zip|gz)$/i.test(f));

const ABSOLUTE = /(?<![\w.])(\/work\/|\/root\/|\/home\/[a-z]|\/Users\/[A-Za-z]|[A-Z]:\\Users\\)/;
const OUTSIDE = /\b(PRODUCT\.md|DOMAIN\.md|ENGINEERING\.md|shared\/spec\/|research\/soltea\.md|research\/identity\.md)/;

const found: string[] = [];
for (const f of files) {
  if (f === 'scripts/check-self-contained.ts') continue;
  let text: string;
  try {
    text = readFileSync(join(root, f), 'utf8');
  } catch {
    continue;
  }
  if (text.includes('\u0000')) continue;
  text.split('\n').forEach((line, i) => {
    if (ABSOLUTE.test(line)) found.push(`${f}:${i + 1}: absolute machine path: ${line.trim().slice(0, 120)}`);
    else if (OUTSIDE.test(line)) found.push(`${f}:${i + 1}: cites a file outside the repository: ${line.trim().slice(0, 120)}`);
  });
}
for (const l of found) console.log(l);
if (found.length) {
  console.log(`\n${found.length} place(s): write the rule in docs/regles.md and cite it, and use paths relative to the repository.`);
  process.exit(1);
}
console.log(`Self-contained: ${files.length} tracked files, no absolute machine path, no citation of a file outside the repository.`);
