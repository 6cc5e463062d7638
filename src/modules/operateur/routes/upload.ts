/**
 * The file of an import, streamed to disk as it arrives (never held in memory: an envelope file is about
 * 160 MB), its SHA-256 and size computed on the way. Two forms of request:
 * - a browser's form, `multipart/form-data` (works without JavaScript): the fields come first (the
 *   page puts the file last), then the one file, written until the next boundary;
 * - a program's `application/octet-stream` body: the file itself, its name in `?fichier=`.
 * The size limit is checked twice: from Content-Length before a byte is read (the route's onRequest),
 * and while writing (a body without length); past it, the rest is drained and the file dropped.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** What the body parser gives the handler. */
export interface Upload {
  kind: 'upload';
  fields: Record<string, string>;
  /** the file stored, or why there is none */
  file: { path: string; fichier: string; sha256: string; taille: number } | null;
  refus: 'trop_gros' | 'mal_forme' | 'absent' | null;
  /** the folder of the file: removed after the answer unless a job took it */
  dir: string;
  kept: boolean;
  /** the form's CSRF token (a field before the file), where the security hook reads it */
  _csrf?: string;
}

/** Where uploads wait for their job. */
export const UPLOAD_ROOT = join(tmpdir(), 'soltea-imports');
/** The fields before the file (CSRF token, year, fee) fit in this. */
const MAX_HEAD = 64 * 1024;

export const isUpload = (b: unknown): b is Upload => typeof b === 'object' && b !== null && (b as Upload).kind === 'upload';

/** A file name safe on disk, as the report shows it. */
export function safeName(name: string): string {
  const base = name
    .replace(/^.*[\\/]/, '')
    .replace(/[^\p{L}\p{N}._ -]/gu, '_')
    .trim();
  return (base.replace(/^\.+/, '') || 'fichier').slice(0, 150);
}

async function newUpload(fields: Record<string, string> = {}): Promise<Upload> {
  await mkdir(UPLOAD_ROOT, { recursive: true });
  const dir = await mkdtemp(join(UPLOAD_ROOT, 'import-'));
  return { kind: 'upload', fields, file: null, refus: null, dir, kept: false };
}

/** Writes bytes to the file with the hash and the count; false once the limit is passed. */
class FileSink {
  private readonly hash = createHash('sha256');
  private readonly out: WriteStream;
  taille = 0;
  constructor(readonly path: string) {
    this.out = createWriteStream(path);
  }
  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.taille += chunk.length;
    this.hash.update(chunk);
    if (!this.out.write(chunk)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }
  async close(): Promise<string> {
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    return this.hash.digest('hex');
  }
}

/** An `application/octet-stream` body: the file itself. */
export async function receiveRaw(body: Readable, fichier: string, limit: number): Promise<Upload> {
  const up = await newUpload();
  const sink = new FileSink(join(up.dir, safeName(fichier)));
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (up.refus) continue; // drained
    if (sink.taille + chunk.length > limit) up.refus = 'trop_gros';
    else await sink.write(chunk);
  }
  const sha256 = await sink.close();
  if (!up.refus) up.file = { path: sink.path, fichier: safeName(fichier), sha256, taille: sink.taille };
  return up;
}

/** A `multipart/form-data` body: its text fields, and its one file (the last part). */
export async function receiveMultipart(body: Readable, contentType: string, limit: number): Promise<Upload> {
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  const up = await newUpload();
  if (!boundary) {
    up.refus = 'mal_forme';
    body.resume();
    return up;
  }
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let head: Buffer | null = Buffer.alloc(0);
  let carry: Buffer = Buffer.alloc(0);
  let sink: FileSink | null = null;
  let fichier = '';
  let done = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (done || up.refus) continue; // the rest (a closing boundary, or what is past the limit) is drained
    if (head) {
      head = Buffer.concat([head, chunk]);
      const start = fileStart(head, boundary, up);
      if (start === null) {
        if (head.length > MAX_HEAD) up.refus = 'mal_forme';
        continue;
      }
      if (start.fichier === null) {
        up.refus = 'absent';
        continue;
      }
      fichier = safeName(start.fichier);
      sink = new FileSink(join(up.dir, fichier));
      carry = head.subarray(start.offset);
      head = null;
    } else carry = Buffer.concat([carry, chunk]);
    // the file ends at the next delimiter; keep its length minus one in hand, it may straddle chunks
    const end = carry.indexOf(delimiter);
    const upto = end >= 0 ? end : Math.max(0, carry.length - delimiter.length + 1);
    if (sink!.taille + upto > limit) {
      up.refus = 'trop_gros';
      continue;
    }
    await sink!.write(carry.subarray(0, upto));
    carry = Buffer.from(carry.subarray(upto));
    if (end >= 0) done = true;
  }
  if (sink) {
    const sha256 = await sink.close();
    if (!up.refus && done) up.file = { path: sink.path, fichier, sha256, taille: sink.taille };
    else if (!up.refus) up.refus = 'mal_forme';
  } else if (!up.refus) up.refus = 'absent';
  if (up.fields._csrf !== undefined) up._csrf = up.fields._csrf;
  return up;
}

/**
 * In the head of the body: the text fields before the file (stored in `up.fields`), then where the
 * file's bytes start. Null while the file part's headers are not all there yet; `fichier` null when the
 * body has no file part (or an empty one: no file chosen).
 */
function fileStart(head: Buffer, boundary: string, up: Upload): { fichier: string | null; offset: number } | null {
  const open = Buffer.from(`--${boundary}`);
  let pos = head.indexOf(open);
  if (pos < 0) return null;
  for (;;) {
    pos += open.length;
    if (head.length < pos + 2) return null;
    if (head[pos] === 0x2d && head[pos + 1] === 0x2d) return { fichier: null, offset: pos }; // closing delimiter: no file
    const headerEnd = head.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return null;
    const headers = head.subarray(pos, headerEnd).toString('utf8');
    const disposition = /content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined)
      return filename === '' ? { fichier: null, offset: headerEnd + 4 } : { fichier: filename, offset: headerEnd + 4 };
    const next = head.indexOf(`\r\n--${boundary}`, headerEnd + 4);
    if (next < 0) return null;
    if (name && name !== '__proto__') up.fields[name] = head.subarray(headerEnd + 4, next).toString('utf8');
    pos = next + 2;
  }
}

/** Removes an upload's folder (a refusal, or an answer no job took). */
export async function dropUpload(up: Upload): Promise<void> {
  if (!up.kept) await rm(up.dir, { recursive: true, force: true });
}
