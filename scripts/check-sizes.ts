/**
 * Size limits of the source (run by `npm run check`): no file in src/ over 500 lines and no function over
 * 80 lines, unless the file says why in a line of its first ten starting with `// long: `. Measured on
 * the formatted source (Prettier), tests aside. Prints each excess and exits with 1 when there is one.
 *
 *   npx tsx scripts/check-sizes.ts [--max-file 500] [--max-function 80]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
};
const MAX_FILE = flag('--max-file', 500);
const MAX_FUNCTION = flag('--max-function', 80);
const root = join(import.meta.dirname, '..');

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

/** The name a person would look for: the function's own, or the variable / property / method holding it. */
function nameOf(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) return parent.name.getText();
  if (parent && ts.isCallExpression(parent)) {
    const callee = parent.expression.getText().slice(0, 40);
    const first = parent.arguments[0];
    return `(callback of ${callee}${first && ts.isStringLiteral(first) ? ` '${first.text}'` : ''})`;
  }
  return '(anonymous)';
}

const problems: string[] = [];
for (const file of sources(join(root, 'src'))) {
  const text = readFileSync(file, 'utf8');
  const rel = relative(root, file);
  const head = text.split('\n', 10);
  if (head.some((l) => l.startsWith('// long: '))) continue;
  const lineCount = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lineCount > MAX_FILE) problems.push(`${rel}: ${lineCount} lines (at most ${MAX_FILE})`);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION) problems.push(`${rel}:${start + 1}: ${nameOf(node)} is ${lines} lines (at most ${MAX_FUNCTION})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

for (const p of problems) console.log(p);
if (problems.length) {
  console.log(`\n${problems.length} excess(es). Cut the function into named steps, or say why at the top of the file (// long: <reason>).`);
  process.exit(1);
}
console.log(`Sizes: every file ≤ ${MAX_FILE} lines and every function ≤ ${MAX_FUNCTION} lines.`);
