/**
 * The boundaries of docs/architecture.md hold (ADR 0006): the dependency checker passes on the tree,
 * fails on a fixture that breaks each kind of rule (so the rules cannot silently stop working), and the
 * modules' own graph (src/modules/<m> as one node) has no loop.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'node_modules', '.bin', 'depcruise');
const config = join(root, '.dependency-cruiser.cjs');

function cruise(cwd: string, ...args: string[]) {
  return spawnSync(bin, ['src', '--config', config, ...args], { cwd, encoding: 'utf8' });
}

describe('module boundaries', () => {
  it('the checker fails on a fixture with forbidden imports, naming each broken rule', () => {
    const r = cruise(join(root, 'test/fixtures/boundaries'));
    expect(r.status).not.toBe(0);
    for (const rule of ['domain-is-pure', 'modules-speak-no-http', 'no-circular', 'demo-apart']) expect(r.stdout, rule).toContain(rule);
  }, 60_000);

  it('the tree respects every rule', () => {
    const r = cruise(root);
    expect(r.stdout + r.stderr).toMatch(/no dependency violations found/);
    expect(r.status).toBe(0);
  }, 120_000);

  it('no loop between modules (src/modules/<m> taken as one node)', () => {
    const json = execFileSync(bin, ['src', '--config', config, '--output-type', 'json'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const { modules } = JSON.parse(json) as { modules: { source: string; dependencies: { resolved: string }[] }[] };
    const moduleOf = (path: string) => /^src\/modules\/([^/]+)\//.exec(path)?.[1];
    const edges = new Map<string, Set<string>>();
    for (const m of modules) {
      const from = moduleOf(m.source);
      if (!from) continue;
      for (const d of m.dependencies) {
        const to = moduleOf(d.resolved);
        if (to && to !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
      }
    }
    const loops: string[] = [];
    const reach = (start: string, at: string, path: string[], seen: Set<string>) => {
      for (const next of edges.get(at) ?? []) {
        if (next === start) loops.push([...path, next].join(' → '));
        else if (!seen.has(next)) reach(start, next, [...path, next], seen.add(next));
      }
    };
    for (const m of edges.keys()) reach(m, m, [m], new Set([m]));
    expect(loops).toEqual([]);
  }, 120_000);
});
