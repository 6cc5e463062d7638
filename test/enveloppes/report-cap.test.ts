/**
 * A file with thousands of wrong lines: the report counts every rejection and warning exactly but keeps
 * (and prints) only the first MAX_KEPT_ENTRIES messages, so that a broken national file does not hold
 * two million messages in memory (docs/enveloppes-format.md §6). Read from disk: the streamed path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import type { Db } from '../../src/infra/db/index.js';
import { formatEnvelopeReport } from '../../src/modules/enveloppes/cli-commands.js';
import { MAX_KEPT_ENTRIES } from '../../src/modules/enveloppes/lines.js';
import { importEnveloppes } from '../../src/modules/enveloppes/import.js';
import { rowsOf, testDatabase } from './helpers.js';

const BEFORE_OPENING = '2025-05-12T08:00:00Z';

let db: Db;
let drop: () => Promise<void>;
let dir: string;

beforeEach(async () => {
  const fresh = await testDatabase();
  db = fresh.database.db;
  drop = () => fresh.drop();
  dir = mkdtempSync(join(tmpdir(), 'enveloppes-cap-'));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await drop();
});

/** formatIntegerPlain and formatEuros write no-break spaces: compare with plain spaces */
const norm = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ');

/** An upload stored under another name, as the operator's « Imports » page passes it. */
const importFrom = (fichier: string, path: string) =>
  importEnveloppes(db, 2025, [{ fichier, path }], { now: new Date(BEFORE_OPENING), operatorFeeCents: 10_00n });

const siretOf = (i: number) => makeValidSiret(makeValidSiren(String(20_000_000 + i * 7)), '0001');

it('counts 2,500 rejected lines exactly, keeps the first 1,000 messages, and writes nothing', async () => {
  const lines = ['siret;collecteur;code;montant'];
  for (let i = 0; i < 100; i++) lines.push(`${siretOf(i)};URSSAF;076;1000,00`);
  for (let i = 100; i < 2600; i++) lines.push(`${siretOf(i)};URSSAF;076;-5,00`);
  const path = join(dir, 'national.csv');
  writeFileSync(path, lines.join('\n') + '\n');

  const r = await importFrom('national.csv', path);
  expect(r.ok).toBe(false);
  expect(r.rejectedCount).toBe(2500);
  expect(r.rejected).toHaveLength(MAX_KEPT_ENTRIES);
  expect(r.rejected[0]).toEqual({
    fichier: 'national.csv',
    line: 102,
    message: 'Le montant « -5,00 » est négatif : seuls des montants positifs ou nuls sont acceptés.',
  });
  expect(r.rejected.at(-1)!.line).toBe(1101);
  expect(await rowsOf(db, 2025)).toEqual([]);
  const text = formatEnvelopeReport(r).map(norm);
  expect(text.filter((l) => l.startsWith('Rejet '))).toHaveLength(1000);
  expect(text).toContain('… et 1 500 autre(s) rejet(s).');
  expect(text.at(-1)).toBe('2 500 rejet(s), 0 avertissement(s) : rien n’a été importé. Corrigez les fichiers puis relancez la commande.');
});

it('counts 1,200 warnings exactly and keeps the first 1,000; the import itself goes through', async () => {
  const lines = ['siret;collecteur;code;montant'];
  for (let i = 0; i < 1200; i++) {
    const valid = siretOf(i);
    // the last digit moved: the check digit fails, the line is kept with a warning
    lines.push(`${valid.slice(0, 13)}${(Number(valid[13]) + 1) % 10};URSSAF;076;1000,00`);
  }
  const path = join(dir, 'cles.csv');
  writeFileSync(path, lines.join('\n') + '\n');

  const r = await importFrom('cles.csv', path);
  expect(r.rejected).toEqual([]);
  expect(r.ok).toBe(true);
  expect(r.warningCount).toBe(1200);
  expect(r.warnings).toHaveLength(MAX_KEPT_ENTRIES);
  expect(r.warnings[0]!.message).toMatch(/ne passe pas la clé de contrôle/);
  expect(await rowsOf(db, 2025)).toHaveLength(1200);
  const text = formatEnvelopeReport(r).map(norm);
  expect(text).toContain('… et 200 autre(s) avertissement(s).');
  expect(text.at(-1)).toBe('0 rejet, 1 200 avertissement(s).');
});
