/**
 * Load generator, run as a child process of bench/run.ts so that the clients' HTTP parsing does not
 * share the server's event loop. Closed loop: `clients` virtual clients each send a request, wait for
 * the whole answer, and send the next, until `total` requests are done or the time limit is hit.
 */
import { VirtualClient, type Response } from './http-client.js';
import { runChargeJob } from './charge-employer.js';
import type { Job, LoadResult, Reply, Triplet } from './protocol.js';

const CSRF_META = /name="csrf-token" content="([^"]+)"/;

/** An anonymous visitor: GET /connexion gives the `__Host-csrf` cookie and the token bound to it. */
async function anonymousClient(baseUrl: string): Promise<{ client: VirtualClient; csrf: string }> {
  const client = new VirtualClient(new URL(baseUrl));
  const page = await client.request('GET', '/connexion', { accept: 'text/html' });
  client.storeCookies(page.headers['set-cookie']);
  const csrf = CSRF_META.exec(page.body)?.[1];
  if (page.status !== 200 || !csrf || !client.cookies.has('__Host-csrf')) throw new Error(`GET /connexion: ${page.status}, no CSRF token`);
  return { client, csrf };
}

/** POST /connexion as payroll software does (JSON + x-csrf-token). Only the CSRF cookie is sent. */
function postLogin(client: VirtualClient, csrf: string, user: Triplet, password: string): Promise<Response> {
  return client.request(
    'POST',
    '/connexion',
    { cookie: client.cookieHeader(['__Host-csrf']), 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
    JSON.stringify({ ...user, password }),
  );
}

const sidOf = (res: Response) => /__Host-sid=([^;]+)/.exec((res.headers['set-cookie'] ?? []).join('\n'))?.[1] ?? null;

interface Loop {
  clients: number;
  total: number;
  timeLimitMs: number;
  intervalMs?: number;
  /** runs request number `n` on client `c`; returns ok + latency */
  run(c: number, n: number): Promise<{ ok: boolean; status: number; ms: number; body: string }>;
}

async function closedLoop(loop: Loop): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  let bodyBytes = 0;
  let timedOut = false;
  let issued = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + loop.timeLimitMs;
  const interval = loop.intervalMs;
  const perClient = Math.ceil(loop.total / loop.clients);
  let lastEnd = t0;
  await Promise.all(
    Array.from({ length: loop.clients }, async (_, c) => {
      for (let k = 0; issued < loop.total; k++) {
        let scheduled = performance.now();
        if (interval !== undefined) {
          if (k >= perClient) return;
          scheduled = t0 + (c * interval) / loop.clients + k * interval;
          const wait = scheduled - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        if (performance.now() >= deadline) {
          timedOut = true;
          return;
        }
        const n = issued++;
        try {
          const r = await loop.run(c, n);
          const end = performance.now();
          lastEnd = Math.max(lastEnd, end);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.ok) {
            ok++;
            latencies.push(interval !== undefined ? end - scheduled : r.ms);
            bodyBytes = Buffer.byteLength(r.body);
          } else {
            errors++;
            firstError ??= `${r.status} ${r.body.slice(0, 300)}`;
          }
        } catch (e) {
          errors++;
          statuses.exception = (statuses.exception ?? 0) + 1;
          firstError ??= String(e);
        }
      }
    }),
  );
  const elapsedMs = (interval !== undefined ? lastEnd : performance.now()) - t0;
  const cpu = process.cpuUsage(cpu0);
  return { latencies, ok, errors, statuses, firstError, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, bodyBytes, timedOut };
}

async function handle(job: Job): Promise<Reply> {
  switch (job.type) {
    case 'login': {
      const clients = await Promise.all(Array.from({ length: job.clients }, () => anonymousClient(job.baseUrl)));
      try {
        const result = await closedLoop({
          ...job,
          async run(c, n) {
            const { client, csrf } = clients[c]!;
            const r = await postLogin(client, csrf, job.users[(job.offset + n) % job.users.length]!, job.password);
            return { ok: r.status === 200 && sidOf(r) !== null, status: r.status, ms: r.ms, body: r.body };
          },
        });
        return { type: 'result', result };
      } finally {
        for (const c of clients) c.client.close();
      }
    }
    case 'sessions': {
      const sids: string[] = new Array(job.users.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: job.concurrency }, async () => {
          const { client, csrf } = await anonymousClient(job.baseUrl);
          try {
            while (next < job.users.length) {
              const i = next++;
              const r = await postLogin(client, csrf, job.users[i]!, job.password);
              const sid = sidOf(r);
              if (r.status !== 200 || !sid)
                throw new Error(`login of ${JSON.stringify(job.users[i])}: ${r.status} ${r.body.slice(0, 200)}`);
              sids[i] = sid;
            }
          } finally {
            client.close();
          }
        }),
      );
      return { type: 'sessions', sids };
    }
    case 'charge':
      return { type: 'charge', result: await runChargeJob(job) };
    case 'get': {
      const clients = job.sids.map(() => new VirtualClient(new URL(job.baseUrl)));
      try {
        const result = await closedLoop({
          clients: clients.length,
          total: job.total,
          timeLimitMs: job.timeLimitMs,
          intervalMs: job.intervalMs,
          async run(c) {
            const sid = job.sids[c];
            const headers: Record<string, string> = { accept: job.accept };
            if (sid) headers.cookie = `__Host-sid=${sid}`;
            const r = await clients[c]!.request('GET', job.path, headers);
            return {
              ok: r.status === (job.expectStatus ?? 200) && (!job.expect || r.body.includes(job.expect)),
              status: r.status,
              ms: r.ms,
              body: r.body,
            };
          },
        });
        return { type: 'result', result };
      } finally {
        for (const c of clients) c.close();
      }
    }
  }
}

process.on('message', (job: Job) => {
  handle(job)
    .then((reply) => process.send!(reply))
    .catch((e: unknown) =>
      process.send!({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies Reply),
    );
});
process.on('disconnect', () => process.exit(0));
