import { describe, expect, it } from 'vitest';
import { pdfString, PDF_TEXT_WIDTH, renderPdf, textWidth, wrapText } from '../../src/shared/pdf.js';
import { parsePdf } from './pdf-reader.js';

describe('the PDF writer', () => {
  it('writes a valid PDF 1.4: objects at their offsets, stream lengths, the fonts in WinAnsiEncoding, French text back', () => {
    const pdf = renderPdf({
      title: 'Récapitulatif',
      lines: [
        { text: 'Récapitulatif de vos attributions « 2025 »', size: 16, bold: true },
        { text: 'Établissement (lycée) : 12,5 % — 1 250,00 € l’an' },
        {
          cells: [
            { text: 'Total', x: 0 },
            { text: '100 %', x: 300, alignRight: { width: 95 } },
          ],
        },
      ],
    });
    const { texts, pages, objects } = parsePdf(pdf);
    expect(pages).toBe(1);
    expect(texts[0]).toEqual([
      'Récapitulatif de vos attributions « 2025 »',
      'Établissement (lycée) : 12,5 % — 1 250,00 € l’an',
      'Total',
      '100 %',
      'Page 1 / 1',
    ]);
    expect([...objects.values()].filter((o) => o.includes('/Encoding /WinAnsiEncoding'))).toHaveLength(2);
    // ASCII only, whatever the accents
    expect([...pdf].every((b) => b < 128)).toBe(true);
    // the same document, the same bytes
    expect(
      Buffer.from(renderPdf({ title: 'x', lines: [{ text: 'é' }] })).equals(Buffer.from(renderPdf({ title: 'x', lines: [{ text: 'é' }] }))),
    ).toBe(true);
  });

  it('wraps long texts within the width and breaks pages when full', () => {
    const long = 'attribution '.repeat(200);
    const lines = wrapText(long, PDF_TEXT_WIDTH, 10);
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(textWidth(l, 10)).toBeLessThanOrEqual(PDF_TEXT_WIDTH);
    expect(lines.join(' ')).toBe(long.trim());
    const { pages, texts } = parsePdf(
      renderPdf({ title: 't', lines: Array.from({ length: 120 }, (_, i) => ({ text: `Ligne ${i + 1}` })) }),
    );
    expect(pages).toBeGreaterThan(1);
    expect(texts.flat().filter((t) => t.startsWith('Ligne'))).toHaveLength(120);
    expect(texts.at(-1)!.at(-1)).toBe(`Page ${pages} / ${pages}`);
  });

  it('escapes parentheses and backslashes, and writes what Windows-1252 lacks as its nearest', () => {
    expect(pdfString('a(b)\\c')).toBe('(a\\(b\\)\\\\c)');
    expect(pdfString('é')).toBe('(\\351)');
    expect(pdfString('1\u202f000')).toBe('(1\\240000)');
  });
});
