/**
 * An envelope file read from disk piece by piece (a national file is 160 MB: never one buffer nor one
 * string). A first pass decides the encoding as `decodeText` would on the whole (a UTF-8 BOM or valid
 * UTF-8 throughout, else Windows-1252) and what the file is (blank, binary, DSN); then the file is
 * decoded PIECE bytes at a time: a CSV file's pieces, cut at a line break outside quotes, go to the CSV
 * reader; a DSN file's lines to its two readings (dsn-file.ts `dsnChecking`); after each piece, the caller's
 * `afterPiece` (the stager writes the lines read). UTF-16 files are read whole, as before (`null`: the
 * caller does it).
 */
import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import type { TextEncoding } from '../../shared/text-decoding.js';
import { CsvFileReader } from './csv-file.js';
import { dsnChecking } from './dsn-file.js';
import { fileReading, wholeFileRefusal } from './format.js';
import type { ParsedEnvelopeFile, ParseOptions } from './lines.js';

/** Bytes read at a time: the lines of one piece are held (as objects) until the stager writes them. */
export const PIECE = 512 * 1024;
const DSN_START = /^S\d{2}\.G\d{2}\.\d{2}\.\d{3},/;

interface Survey {
  encoding: TextEncoding;
  /** the first visible line starts like a DSN rubric */
  dsn: boolean;
  binary: boolean;
  blank: boolean;
}

/** The first pass: encoding, binary content, blank file, DSN. */
async function survey(path: string): Promise<Survey | null> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let validUtf8 = true;
  let first = true;
  let bom = false;
  let binary = false;
  let start: string | null = null;
  for await (const chunk of createReadStream(path, { highWaterMark: PIECE }) as AsyncIterable<Buffer>) {
    if (first) {
      if (chunk[0] === 0xff && chunk[1] === 0xfe) return null; // UTF-16LE: read whole
      bom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
      first = false;
    }
    if (!binary && chunk.includes(0)) binary = true;
    if (start === null) {
      const m = /\S[^\r\n]*/.exec(chunk.toString('latin1'));
      if (m) start = m[0];
    }
    if (validUtf8 && !bom)
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        validUtf8 = false;
      }
  }
  if (validUtf8 && !bom)
    try {
      utf8.decode();
    } catch {
      validUtf8 = false;
    }
  return {
    encoding: bom || validUtf8 ? 'utf-8' : 'windows-1252',
    dsn: start !== null && DSN_START.test(start.replace(/^\u00ef\u00bb\u00bf/, '')),
    binary,
    blank: start === null,
  };
}

/**
 * Reads an envelope file (CSV or DSN) from disk piece by piece into `options.sink`, or returns null when
 * the file is to be read whole (UTF-16).
 */
export async function parseEnvelopeFileStreamed(
  path: string,
  options: ParseOptions & { afterPiece: () => Promise<void> },
): Promise<ParsedEnvelopeFile | null> {
  const s = await survey(path);
  if (!s) return null;
  const file = fileReading(options, s.encoding);
  const out = file.out;
  const refusal = wholeFileRefusal(s.binary ? '\u0000' : s.blank ? '' : 'x', options.annee);
  if (refusal) {
    file.reject(0, refusal);
    return out;
  }
  if (s.dsn) {
    out.format = 'dsn';
    const check = dsnChecking(file);
    const lineCount = await forEachFileLine(path, s.encoding, check.read, null);
    const emitting = check.end(lineCount);
    if (emitting) {
      await forEachFileLine(path, s.encoding, emitting.read, options.afterPiece);
      emitting.end();
    }
  } else {
    out.format = 'csv';
    const reader = new CsvFileReader(file);
    for await (const text of decodedPieces(path, s.encoding)) {
      reader.feed(text);
      await options.afterPiece();
    }
    reader.end();
  }
  await options.afterPiece();
  out.ok = out.rejectionCount === 0;
  return out;
}

/** The file's text, PIECE bytes at a time, each piece cut after its last line break outside quotes (the rest joins the next). */
async function* decodedPieces(path: string, encoding: TextEncoding): AsyncGenerator<string> {
  let pending = '';
  for await (const text of decoded(path, encoding)) {
    pending += text;
    const cut = lastLineBreakOutsideQuotes(pending);
    if (cut < 0) continue;
    yield pending.slice(0, cut + 1);
    pending = pending.slice(cut + 1);
  }
  if (pending) yield pending;
}

/** The file decoded PIECE bytes at a time (the last piece: what the UTF-8 decoder still holds). */
async function* decoded(path: string, encoding: TextEncoding): AsyncGenerator<string> {
  const decoder = encoding === 'utf-8' ? new TextDecoder('utf-8') : null;
  for await (const chunk of createReadStream(path, { highWaterMark: PIECE }) as AsyncIterable<Buffer>)
    yield decoder ? decoder.decode(chunk, { stream: true }) : iconv.decode(chunk, 'windows-1252');
  if (decoder) yield decoder.decode();
}

/**
 * Calls `onLine` on each line of the file (breaks: CRLF, CR or LF, as `split(/\r\n|\r|\n/)` cuts the
 * whole text), numbered from 1, and `afterPiece` after each piece; returns the number of lines.
 */
async function forEachFileLine(
  path: string,
  encoding: TextEncoding,
  onLine: (raw: string, n: number) => void,
  afterPiece: (() => Promise<void>) | null,
): Promise<number> {
  const br = /\r\n|\r|\n/g;
  let n = 0;
  let pending = '';
  for await (const text of decoded(path, encoding)) {
    pending += text;
    let start = 0;
    br.lastIndex = 0;
    // a CR at the end of the piece may be the first half of a CRLF: it waits for the next piece
    for (let m = br.exec(pending); m && !(m[0] === '\r' && br.lastIndex === pending.length); m = br.exec(pending)) {
      onLine(pending.slice(start, m.index), ++n);
      start = br.lastIndex;
    }
    pending = pending.slice(start);
    if (afterPiece) await afterPiece();
  }
  // the end of the file: a CR left over ends a line; what follows the last break is the last line
  if (pending.endsWith('\r')) {
    onLine(pending.slice(0, -1), ++n);
    pending = '';
  }
  onLine(pending, ++n);
  return n;
}

/** The index of the last `\n` of `text` outside double quotes (RFC 4180: `""` inside quotes keeps the parity), or −1. */
function lastLineBreakOutsideQuotes(text: string): number {
  if (!text.includes('"')) return text.lastIndexOf('\n');
  let quoted = false;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (c === 10 && !quoted) last = i;
  }
  return last;
}
