/**
 * `multipart/form-data` bodies (a browser's file upload, which needs no JavaScript): the project has no
 * multipart plugin, the import of allocations reads them itself, bounded.
 */

export interface UploadedFile {
  filename: string;
  data: Buffer;
}

/**
 * A `multipart/form-data` body → its fields (text) and files. Null when the body is not well formed.
 * At most 20 parts; a field of text at most 64 KB (the file is bounded by the route's body limit).
 */
export function parseMultipart(body: Buffer, contentType: string): Record<string, string | UploadedFile> | null {
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary}`);
  const out = Object.create(null) as Record<string, string | UploadedFile>;
  let pos = body.indexOf(delimiter);
  if (pos < 0) return null;
  for (let parts = 0; ; parts++) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return out; // closing delimiter « --boundary-- »
    if (parts >= 20) return null;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else return null;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), pos);
    if (next < 0) return null;
    const part = body.subarray(pos, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) return null;
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined || name === '__proto__') return null;
    if (filename !== undefined) out[name] = { filename: filename.replace(/^.*[\\/]/, '').slice(0, 200), data: Buffer.from(content) };
    else {
      if (content.length > 64 * 1024) return null;
      out[name] = content.toString('utf8');
    }
    pos = next + 2;
  }
}
