/**
 * A file read from disk piece by piece (csv-stream.ts) gives exactly what the same bytes read whole give
 * (format.ts): the same amounts, rejections and warnings, in the same order — for DSN files larger than
 * a piece, with CRLF line breaks that a piece may cut in two.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeValidSiren } from '../../domain/identifiers.js';
import { parseEnvelopeFileStreamed, PIECE } from './csv-stream.js';
import { parseEnvelopeFile, type EnvelopeLine } from './format.js';
import { block, declaration, envoiLines } from '../../../test/enveloppes/dsn-envoi.js';

const dir = mkdtempSync(join(tmpdir(), 'enveloppes-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An envoi of `n` declarations (one établissement, a 076 and sometimes a 078 each), a few wrong lines among them. */
function envoi(n: number, withEnd: boolean): string[] {
  const declarations = Array.from({ length: n }, (_, i) => {
    const lines = declaration({
      siret: `${makeValidSiren(String(30_000_000 + i * 13))}00012`,
      dateFichier: `${String(1 + (i % 28)).padStart(2, '0')}052025`,
      blocks: [
        block(i % 997 === 5 ? '-3.00' : `${1000 + i}.${String(i % 100).padStart(2, '0')}`, '076'),
        ...(i % 11 === 0 ? [block('12.50', '078', '')] : []),
      ],
    });
    return i % 1500 === 7 ? [...lines, `ceci n'est pas une rubrique`] : lines;
  });
  return envoiLines({ declarations, end: withEnd });
}

async function bothWays(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  const whole: EnvelopeLine[] = [];
  const streamed: EnvelopeLine[] = [];
  const w = parseEnvelopeFile(Buffer.from(text), { annee: 2025, fichier: name, sink: (l) => whole.push(l) });
  const s = await parseEnvelopeFileStreamed(path, {
    annee: 2025,
    fichier: name,
    sink: (l) => streamed.push(l),
    afterPiece: async () => undefined,
  });
  return { w, s: s!, whole, streamed };
}

describe('a DSN file read from disk piece by piece', () => {
  it('gives the amounts, rejections and warnings of the whole text, in order (CRLF cut by a piece, 5,000 declarations)', async () => {
    const lines = envoi(5000, false);
    // spaces after the first rubric (allowed) put a CR as the last byte of the first piece: its LF starts the next
    const piece = PIECE;
    const plain = lines.join('\r\n');
    lines[0] += ' '.repeat(piece - 1 - plain.lastIndexOf('\r', piece - 1));
    const text = lines.join('\r\n') + '\r\n';
    expect(text[piece - 1]).toBe('\r');
    expect(text.length).toBeGreaterThan(piece);
    const { w, s, whole, streamed } = await bothWays('grand.dsn', text);
    expect(s.format).toBe('dsn');
    expect(streamed).toHaveLength(whole.length);
    expect(streamed).toEqual(whole);
    expect(whole.length).toBeGreaterThan(5000);
    expect(s.rejections).toEqual(w.rejections);
    expect(s.warnings).toEqual(w.warnings);
    expect(s.rejectionCount).toBe(w.rejectionCount);
    expect(w.rejections.map((r) => r.message)).toContain(
      'Le montant « -3.00 » est négatif : seuls des montants positifs ou nuls sont acceptés.',
    );
    // the envoi has no end block: the warning names the last line, as the whole text does
    expect(w.warnings.filter((x) => /pas de bloc de fin/.test(x.message))).toHaveLength(1);
    expect(s.lineCount).toBe(w.lineCount);
  });

  it('the same with LF, CR alone and no final break; an envoi d’essai is refused as a whole', async () => {
    for (const [name, text] of [
      ['lf.dsn', envoi(40, true).join('\n')],
      ['cr.dsn', envoi(40, true).join('\r') + '\r'],
      ['essai.dsn', envoi(40, true).join('\n').replace(`S10.G00.00.005,'02'`, `S10.G00.00.005,'01'`)],
    ] as const) {
      const { w, s, whole, streamed } = await bothWays(name, text);
      expect(streamed).toEqual(whole);
      expect(s.rejections).toEqual(w.rejections);
      expect(s.warnings).toEqual(w.warnings);
      if (name === 'essai.dsn') expect(whole).toEqual([]);
      else expect(whole.length).toBeGreaterThan(40);
    }
  });
});
