/**
 * The data files committed in `seed/` (communes, diplomas…), read through the shared CSV reader
 * (shared/csv.ts) into one record per line keyed by the header's column names. They are the
 * repository's own files: a line that cannot be read is a broken checkout, and throws.
 */
import { readFileSync } from 'node:fs';
import { readCsv } from '../../shared/csv.js';
import { decodeText } from '../../shared/text-decoding.js';

export function readSeedCsv(path: string, delimiter: ',' | ';'): Record<string, string>[] {
  const { records, issues } = readCsv(decodeText(readFileSync(path)).text, { delimiters: [delimiter] });
  if (issues.length > 0) throw new Error(`${path}: ${issues[0]!.message} (ligne ${issues[0]!.line})`);
  const [header, ...rows] = records;
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.cells.map((name, i) => [name, r.cells[i] ?? ''])));
}

/** `read` run once per path: the seed files do not change while the process runs. */
export function cachedPerPath<T>(read: (path: string) => T): (path: string) => T {
  const cache = new Map<string, T>();
  return (path) => {
    let value = cache.get(path);
    if (value === undefined) {
      value = read(path);
      cache.set(path, value);
    }
    return value;
  };
}
