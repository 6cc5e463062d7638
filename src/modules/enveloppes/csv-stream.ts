/**
 * A CSV envelope file read from disk piece by piece (a national file is 160 MB: never one buffer nor
 * one string). Two passes over the file: the first decides the encoding as `decodeText` would on the
 * whole (a UTF-8 BOM or valid UTF-8 throughout, else Windows-1252) and what the file is (blank, binary,
 * DSN); the second decodes PIECE bytes at a time and hands the CSV reader pieces that end at a line break
 * outside quotes, then waits for `afterPiece` (the stager writes the lines read). DSN files and UTF-16
 * files are read whole, as before (`null`: the caller does it).
 */
import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import type { TextEncoding } from '../../shared/text-decoding.js';
import { CsvFileReader } from './csv-file.js';
import { fileReading, wholeFileRefusal } from './format.js';
import type { ParsedEnvelopeFile, ParseOptions } from './lines.js';

/** Bytes read at a time: the lines of one piece are held (as objects) until the stager writes them. */
const PIECE = 1024 * 1024;
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
 * Reads a CSV envelope file from disk piece by piece into `options.sink`, or returns null when the file
 * is to be read whole (DSN, UTF-16).
 */
export async function parseEnvelopeFileStreamed(
  path: string,
  options: ParseOptions & { afterPiece: () => Promise<void> },
): Promise<ParsedEnvelopeFile | null> {
  const s = await survey(path);
  if (!s || s.dsn) return null;
  const file = fileReading(options, s.encoding);
  const out = file.out;
  const refusal = wholeFileRefusal(s.binary ? '\u0000' : s.blank ? '' : 'x', options.annee);
  if (refusal) {
    file.reject(0, refusal);
    return out;
  }
  out.format = 'csv';
  const reader = new CsvFileReader(file);
  const decoder = s.encoding === 'utf-8' ? new TextDecoder('utf-8') : null;
  const decode = (b: Buffer) => (decoder ? decoder.decode(b, { stream: true }) : iconv.decode(b, 'windows-1252'));
  let pending = '';
  for await (const chunk of createReadStream(path, { highWaterMark: PIECE }) as AsyncIterable<Buffer>) {
    pending += decode(chunk);
    const cut = lastLineBreakOutsideQuotes(pending);
    if (cut < 0) continue;
    reader.feed(pending.slice(0, cut + 1));
    pending = pending.slice(cut + 1);
    await options.afterPiece();
  }
  if (decoder) pending += decoder.decode();
  if (pending) reader.feed(pending);
  reader.end();
  await options.afterPiece();
  out.ok = out.rejectionCount === 0;
  return out;
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
