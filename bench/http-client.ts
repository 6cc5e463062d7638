/**
 * A minimal HTTP/1.1 client over node:http with one keep-alive connection per virtual client (a
 * browser or a payroll program holds its own connection). Only 127.0.0.1 is ever targeted.
 */
import http from 'node:http';

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** time from sending the request to the last byte of the body, ms */
  ms: number;
}

export class VirtualClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  readonly cookies = new Map<string, string>();

  constructor(private readonly base: URL) {
    if (base.hostname !== '127.0.0.1') throw new Error(`bench traffic must stay on 127.0.0.1, not ${base.hostname}`);
  }

  cookieHeader(only?: readonly string[]): string {
    return [...this.cookies]
      .filter(([k]) => !only || only.includes(k))
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  }

  storeCookies(setCookie: string[] | undefined) {
    for (const c of setCookie ?? []) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  request(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
    return new Promise((resolve, reject) => {
      const start = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.base.port,
          method,
          path,
          agent: this.agent,
          headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - start,
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close() {
    this.agent.destroy();
  }
}
