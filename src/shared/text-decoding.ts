/**
 * Bytes of an uploaded or read file → text, one way for every import: a UTF-8 BOM or valid UTF-8 is
 * read as UTF-8, a UTF-16LE BOM as UTF-16, anything else as Windows-1252 (what French spreadsheets
 * write when they « save as CSV », a superset of Latin-1). The BOM is removed. Text already decoded
 * (a pasted file, a JSON body) only loses its BOM.
 */
import iconv from 'iconv-lite';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'windows-1252' | 'texte';

export function decodeText(input: string | Uint8Array): { text: string; encoding: TextEncoding } {
  if (typeof input === 'string') return { text: input.replace(/^\uFEFF/, ''), encoding: 'texte' };
  const bytes = input;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset + 2, bytes.length - 2), 'utf16le'), encoding: 'utf-16le' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), 'windows-1252'), encoding: 'windows-1252' };
  }
}
