import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { BOM, csvCell, detectDelimiter, isFormula, readCsv, writeCsv } from './csv.js';
import { decodeText } from './text-decoding.js';

const cells = (text: string) => readCsv(text).records.map((r) => r.cells);
const lines = (text: string) => readCsv(text).records.map((r) => r.line);

describe('readCsv', () => {
  it('keeps a separator inside quotes in its cell: 1;"x;y";3 is three cells', () => {
    expect(cells('a;b;c\n1;"x;y";3')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x;y', '3'],
    ]);
  });

  it('reads LF, CRLF and CR-only line endings alike, even mixed in one file', () => {
    const expected = [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ];
    expect(cells('a;b\n1;2\n3;4\n')).toEqual(expected);
    expect(cells('a;b\r\n1;2\r\n3;4\r\n')).toEqual(expected);
    expect(cells('a;b\r1;2\r3;4\r')).toEqual(expected);
    expect(cells('a;b\r\n1;2\r3;4\n')).toEqual(expected);
    expect(lines('a;b\r1;2\r3;4\r')).toEqual([1, 2, 3]);
  });

  it('reads doubled quotes and line breaks inside a quoted cell, and numbers records by the line where they start', () => {
    const r = readCsv('nom;commentaire\n"Dupont";"il a dit ""oui""\npuis ""non"""\n"Martin";ok\n');
    expect(r.records).toEqual([
      { line: 1, cells: ['nom', 'commentaire'] },
      { line: 2, cells: ['Dupont', 'il a dit "oui"\npuis "non"'] },
      { line: 4, cells: ['Martin', 'ok'] },
    ]);
    expect(r.issues).toEqual([]);
  });

  it('skips blank lines but keeps counting them', () => {
    expect(readCsv('a;b\n\n  \n1;2\n').records).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 4, cells: ['1', '2'] },
    ]);
  });

  it('drops a BOM', () => {
    expect(cells(`${BOM}siret;nom\n1;2`)[0]).toEqual(['siret', 'nom']);
  });

  // the header line decides, quoted separators do not count, ; on a tie or when there is none
  it.each([
    ['a;b;c\n1,2,3,4,5', ';'],
    ['a;b;c\n1,2;3', ';'],
    ['a,b,c\n', ','],
    ['"a;b;c",d,e\n', ','],
    ['a\tb\tc\n', '\t'],
    ['a\tb\tc', '\t'],
    ['"x,y";b\n', ';'],
    ['a;b,c\n', ';'],
    ['abc', ';'],
  ])('detects the separator of %j: %j', (text, delimiter) => {
    expect(detectDelimiter(text)).toBe(delimiter);
  });

  it('reads with the separator detected or the one imposed', () => {
    expect(readCsv('a,b\n1,"2,5"').records[1]!.cells).toEqual(['1', '2,5']);
    expect(readCsv('a;b', { delimiters: [','] }).delimiter).toBe(',');
  });

  it('reports a quote never closed, in French and with its line, and stops there', () => {
    const r = readCsv('a;b\n1;2\n3;"quatre\n5;6\n');
    expect(r.records.map((x) => x.line)).toEqual([1, 2]);
    expect(r.issues).toEqual([
      { line: 3, message: 'Guillemets non fermés à partir de cette ligne : la fin du fichier ne peut pas être lue.' },
    ]);
  });

  it('reports a quote in the middle of a quoted cell', () => {
    const r = readCsv('a;b\n1;"2"x;3\n');
    expect(r.issues[0]!.line).toBe(2);
    expect(r.issues[0]!.message).toMatch(/^Guillemet mal placé/);
  });

  it('reports and skips a record over the size limit', () => {
    const r = readCsv(`a;b\n1;${'x'.repeat(50)}\n2;3\n`, { maxRecordChars: 20 });
    expect(r.records.map((x) => x.cells[0])).toEqual(['a', '2']);
    expect(r.issues).toEqual([{ line: 2, message: 'La ligne dépasse 20 caractères : elle est ignorée.' }]);
  });

  it('streams records to onRecord without keeping them', () => {
    const seen: number[] = [];
    const r = readCsv('a;b\n1;2\n3;4', { onRecord: (rec) => seen.push(rec.line) });
    expect(seen).toEqual([1, 2, 3]);
    expect(r.records).toEqual([]);
  });
});

describe('decodeText', () => {
  it('reads UTF-8 with or without a BOM, UTF-16LE with its BOM, and Windows-1252 otherwise', () => {
    const text = 'Lycée Raspail;Gérard;œuvre;€';
    expect(decodeText(Buffer.from(text, 'utf8'))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toEqual({ text, encoding: 'utf-16le' });
    expect(decodeText(iconv.encode(text, 'windows-1252'))).toEqual({ text, encoding: 'windows-1252' });
    expect(decodeText(`${BOM}${text}`)).toEqual({ text, encoding: 'texte' });
  });
});

describe('writing', () => {
  it('neutralises what a spreadsheet would run as a formula, but not a plain negative number', () => {
    for (const f of ['=1+1', '+33612345678', '-cmd', '@SUM(A1)', '\tx', '=HYPERLINK("http://x")']) expect(isFormula(f), f).toBe(true);
    for (const v of ['-12,50', '-3', '12.5', 'Lycée', '']) expect(isFormula(v), v).toBe(false);
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('-12,50')).toBe('-12,50');
  });

  it('quotes cells holding the separator, a quote or a line break; writes BOM, header and CRLF', () => {
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('dit "oui"')).toBe('"dit ""oui"""');
    expect(csvCell('l1\nl2')).toBe('"l1\nl2"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12n)).toBe('12');
    expect(writeCsv(['a', 'b'], [['1', '=2']])).toBe(`${BOM}a;b\r\n1;'=2\r\n`);
  });

  it('reads back what it writes, whatever the cells hold', () => {
    const rows = [
      ['1', 'x;y', 'dit "oui"'],
      ['2', 'ligne 1\nligne 2', ''],
      ['3', 'Gérard', '-4,20'],
    ];
    const back = readCsv(writeCsv(['n', 'texte', 'autre'], rows)).records.map((r) => r.cells);
    expect(back).toEqual([['n', 'texte', 'autre'], ...rows]);
  });
});
