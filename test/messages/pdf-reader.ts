/** A reader of the PDF files src/shared/pdf.ts writes, for the tests: the structure checked, the shown text decoded. */
import iconv from 'iconv-lite';
import { expect } from 'vitest';

/** Reads a PDF the way a reader starts: startxref → xref table → each object at its offset; the streams' lengths; the shown strings. */
export function parsePdf(bytes: Uint8Array) {
  const file = Buffer.from(bytes).toString('latin1');
  expect(file.startsWith('%PDF-1.4\n')).toBe(true);
  expect(file.endsWith('%%EOF\n')).toBe(true);
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(file)![1]);
  expect(file.slice(startxref, startxref + 5)).toBe('xref\n');
  const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(file.slice(startxref))!.map(Number) as [number, number, number];
  expect(first).toBe(0);
  const entries = file
    .slice(startxref)
    .split('\n')
    .slice(2, 2 + count);
  expect(entries[0]).toBe('0000000000 65535 f ');
  const objects = new Map<number, string>();
  for (let id = 1; id < count; id++) {
    const m = /^(\d{10}) 00000 n $/.exec(entries[id]!);
    expect(m, `xref entry ${id}`).not.toBeNull();
    const at = Number(m![1]);
    expect(file.startsWith(`${id} 0 obj\n`, at)).toBe(true);
    objects.set(id, file.slice(at, file.indexOf('\nendobj\n', at)));
  }
  const trailer = /trailer\n<< \/Size (\d+) \/Root (\d+) 0 R/.exec(file)!;
  expect(Number(trailer[1])).toBe(count);
  expect(objects.get(Number(trailer[2]))).toContain('/Type /Catalog');
  const texts: string[][] = [];
  for (const body of objects.values()) {
    const s = /<< \/Length (\d+) >>\nstream\n([\s\S]*)\nendstream$/.exec(body);
    if (!s) continue;
    expect(s[2]!.length).toBe(Number(s[1]));
    texts.push([...s[2]!.matchAll(/\((.*?)(?<!\\)\) Tj/g)].map((t) => decodeString(t[1]!)));
  }
  const pages = [...objects.values()].filter((b) => b.includes('/Type /Page ')).length;
  return { objects, texts, pages, count };
}

function decodeString(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') bytes.push(s.charCodeAt(i));
    else if (/[0-7]/.test(s[i + 1]!)) {
      bytes.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else bytes.push(s.charCodeAt(++i));
  }
  return iconv.decode(Buffer.from(bytes), 'windows-1252');
}
