/**
 * A small PDF writer for printable documents (the employer's récapitulatif): text only, PDF 1.4, the
 * standard Helvetica fonts (every reader has them, nothing embedded), WinAnsiEncoding so French accents,
 * « », ’ and € print. A4 pages, lines placed top to bottom, long texts wrapped, a page break when the
 * page is full, « Page n / N » at the foot. Deterministic: the same document gives the same bytes.
 *
 * The file is plain ASCII (bytes beyond 127 are written as octal escapes in the strings), with its
 * cross-reference table of byte offsets (ISO 32000-1, 7.5).
 */
import iconv from 'iconv-lite';

export interface PdfCell {
  text: string;
  /** left edge, in points from the page's left margin */
  x: number;
  /** right-aligned at `x + width` instead (amounts) */
  alignRight?: { width: number };
}

export interface PdfLine {
  /** one text wrapped over the page's width, or cells at fixed places (a table row, not wrapped) */
  text?: string;
  cells?: PdfCell[];
  size?: number;
  bold?: boolean;
  /** extra space before the line, in points */
  spaceBefore?: number;
}

export interface PdfDocument {
  title: string;
  lines: PdfLine[];
}

const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN = 50;
export const PDF_TEXT_WIDTH = PAGE_W - 2 * MARGIN;
const FOOT = 30;

/** Helvetica's advance widths (per 1000 units of the font size) of the ASCII characters 32 to 126 (its AFM). */
const WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278,
  278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
  667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556,
  556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** The width of `text` in points (accented letters as their base letter; bold about 5 % wider). */
export function textWidth(text: string, size: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const base = ch.normalize('NFD')[0] ?? ch;
    const code = base.charCodeAt(0);
    units += code >= 32 && code <= 126 ? WIDTHS[code - 32]! : 556;
  }
  return (units * size * (bold ? 1.05 : 1)) / 1000;
}

/** `text` cut into lines no wider than `width` (at spaces; a word longer than the line is cut). */
export function wrapText(text: string, width: number, size: number, bold = false): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate, size, bold) <= width) line = candidate;
    else {
      if (line) out.push(line);
      let rest = word;
      while (textWidth(rest, size, bold) > width && rest.length > 1) {
        let n = rest.length - 1;
        while (n > 1 && textWidth(rest.slice(0, n), size, bold) > width) n--;
        out.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
    }
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

/** A PDF literal string of `text` in WinAnsiEncoding (Windows-1252), ASCII only. */
export function pdfString(text: string): string {
  // spaces Windows-1252 lacks (the thin no-break space of French numbers) become its no-break space
  const bytes = iconv.encode(text.replace(/[\u202f\u2009\u2007]/g, '\u00a0'), 'windows-1252');
  let s = '(';
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) s += `\\${String.fromCharCode(b)}`;
    else if (b < 32 || b > 126) s += `\\${b.toString(8).padStart(3, '0')}`;
    else s += String.fromCharCode(b);
  }
  return `${s})`;
}

interface Placed {
  x: number;
  y: number;
  size: number;
  bold: boolean;
  text: string;
}

/** The document's lines placed on pages (top to bottom, wrapped, a new page when full). */
function layout(lines: readonly PdfLine[]): Placed[][] {
  const pages: Placed[][] = [[]];
  let y = PAGE_H - MARGIN;
  const place = (leading: number) => {
    if (y - leading < MARGIN + FOOT) {
      pages.push([]);
      y = PAGE_H - MARGIN;
    }
    y -= leading;
    return y;
  };
  for (const l of lines) {
    const size = l.size ?? 10;
    const bold = l.bold ?? false;
    const leading = size * 1.35;
    y -= l.spaceBefore ?? 0;
    if (l.cells) {
      const at = place(leading);
      for (const c of l.cells) {
        const x = c.alignRight ? c.x + c.alignRight.width - textWidth(c.text, size, bold) : c.x;
        pages[pages.length - 1]!.push({ x: MARGIN + x, y: at, size, bold, text: c.text });
      }
    } else
      for (const part of wrapText(l.text ?? '', PDF_TEXT_WIDTH, size, bold)) {
        const at = place(leading);
        pages[pages.length - 1]!.push({ x: MARGIN, y: at, size, bold, text: part });
      }
  }
  return pages;
}

const num = (n: number) => (Math.round(n * 100) / 100).toString();

function contentStream(placed: readonly Placed[], pageNo: number, pageCount: number): string {
  const ops = placed.map((p) => `BT /${p.bold ? 'F2' : 'F1'} ${num(p.size)} Tf ${num(p.x)} ${num(p.y)} Td ${pdfString(p.text)} Tj ET`);
  const foot = `Page ${pageNo} / ${pageCount}`;
  ops.push(`BT /F1 8 Tf ${num(PAGE_W - MARGIN - textWidth(foot, 8))} ${num(MARGIN)} Td ${pdfString(foot)} Tj ET`);
  return ops.join('\n');
}

/** The PDF file of `doc`. */
export function renderPdf(doc: PdfDocument): Uint8Array {
  const pages = layout(doc.lines);
  const n = pages.length;
  // objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, 5 info, then a page and its content for each page
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 6 + 2 * i);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${n} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
  objects[5] = `<< /Title ${pdfString(doc.title)} /Producer (SOLTeA) >>`;
  pages.forEach((placed, i) => {
    const stream = contentStream(placed, i + 1, n);
    objects[pageIds[i]!] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(PAGE_W)} ${num(PAGE_H)}] ` +
      `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`;
    objects[pageIds[i]! + 1] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = out.length;
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
