/**
 * Absolute links, as written in mails and shown as « lien direct »: PUBLIC_URL (the address people
 * reach, behind the proxy), else http://localhost:<PORT> in development.
 */
export interface PublicUrlConfig {
  PUBLIC_URL?: string | undefined;
  PORT: number;
}

export function publicUrl(ctx: { config: PublicUrlConfig }, path: string): string {
  const base = ctx.config.PUBLIC_URL ?? `http://localhost:${ctx.config.PORT}`;
  return base.replace(/\/$/, '') + path;
}

/** `path` with the query parameters that have a value (encoded), e.g. `withQuery('/x', { page: 2 })`. */
export function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}
