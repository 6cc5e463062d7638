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

  /**
   * `localAddress`: the loopback address the client connects from (127.x.y.z; Linux routes all of
   * 127.0.0.0/8 to the loopback interface), so that many virtual users are many client addresses.
   */
  constructor(
    private readonly base: URL,
    private readonly localAddress?: string,
  ) {
    if (base.hostname !== '127.0.0.1') throw new Error(`bench traffic must stay on 127.0.0.1, not ${base.hostname}`);
    if (localAddress !== undefined && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(localAddress))
      throw new Error(`bench clients connect from a loopback address, not ${localAddress}`);
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
          ...(this.localAddress ? { localAddress: this.localAddress } : {}),
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
