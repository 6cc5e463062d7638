/**
 * Integration test harness: the real application on a fresh database (in-memory PGlite, or a new
 * PostgreSQL database when TEST_DATABASE_URL / DATABASE_URL is set), a manual clock, the small demo
 * registry, and a local SMTP server that receives every mail.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createApp, type RunningApp } from '../src/app.js';
import { ManualClock } from '../src/infra/clock.js';
import { loadConfig } from '../src/infra/config.js';
import { openDatabase, type Database } from '../src/infra/db/index.js';
import { importRegistryRows } from '../src/modules/entreprises/import-registry.js';
import { generateDemoRegistry } from '../src/demo/registry.js';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

export interface Harness extends RunningApp {
  clock: ManualClock;
  mails: ReceivedMail[];
  /** delivers pending mails and returns those received since the last call */
  takeMails(): Promise<ReceivedMail[]>;
  smtpPort: number;
  stop(): Promise<void>;
}

export async function startSmtp(mails: ReceivedMail[]): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((m) => {
          const to = session.envelope.rcptTo.map((r) => r.address).join(',');
          const attachments = m.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content }));
          mails.push({ to, subject: m.subject ?? '', text: m.text ?? '', ...(attachments.length ? { attachments } : {}) });
          cb();
        })
        .catch(cb);
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A fresh database: PGlite in memory, or a new PostgreSQL database dropped at the end. */
export async function freshDatabase(): Promise<{ database: Database; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!base) {
    const database = await openDatabase({});
    return { database, drop: () => database.close() };
  }
  const pg = (await import('pg')).default;
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 5 });
  return {
    database,
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function createHarness(opts: { registryCount?: number; env?: Record<string, string> } = {}): Promise<Harness> {
  const mails: ReceivedMail[] = [];
  const smtp = await startSmtp(mails);
  const { database, drop } = await freshDatabase();
  const clock = new ManualClock(new Date('2026-05-04T08:00:00Z'));
  const config = loadConfig({
    NODE_ENV: 'test',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    // the manual clock stands still: no sending budget unless a test sets one (test/messages)
    MAIL_RATE_PER_SECOND: '0',
    ...opts.env,
  });
  const app = await createApp(config, { clock, database });
  await importRegistryRows(database.db, generateDemoRegistry({ count: opts.registryCount ?? 20, seed: 1 }), { now: clock.now() });
  let seen = 0;
  return {
    ...app,
    clock,
    mails,
    smtpPort: smtp.port,
    async takeMails() {
      await app.ctx.mail.flush();
      const fresh = mails.slice(seen);
      seen = mails.length;
      return fresh;
    },
    async stop() {
      await app.close();
      await drop();
      await smtp.close();
    },
  };
}

/** A tiny cookie jar + CSRF-aware client over app.inject (no network). */
export class Client {
  cookies = new Map<string, string>();
  csrf = '';
  /** `ip`: the client's address as the server sees it (rate limits and lockouts count by address) */
  constructor(
    private readonly h: Harness,
    readonly ip = '127.0.0.1',
  ) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(setCookie: string | string[] | undefined) {
    for (const c of ([] as string[]).concat(setCookie ?? [])) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a) || /max-age=0/i.test(a.trim()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(url: string, accept = 'text/html') {
    const res = await this.h.server.inject({
      method: 'GET',
      url,
      remoteAddress: this.ip,
      headers: { cookie: this.cookieHeader(), accept },
    });
    this.store(res.headers['set-cookie']);
    const m = /name="csrf-token" content="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1]!;
    return res;
  }

  /** Posts a form like a browser (CSRF token from the last page). */
  async form(url: string, fields: Record<string, string | string[]>) {
    if (!this.csrf) await this.get('/connexion');
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of ([] as string[]).concat(v)) body.append(k, x);
    body.append('_csrf', this.csrf);
    const res = await this.h.server.inject({
      method: 'POST',
      url,
      remoteAddress: this.ip,
      payload: body.toString(),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    this.store(res.headers['set-cookie']);
    const m = /name="csrf-token" content="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1]!;
    return res;
  }

  /** Posts JSON like payroll software would (CSRF token in a header). */
  async json(url: string, payload: unknown, headers: Record<string, string> = {}, method: 'POST' | 'PUT' | 'DELETE' = 'POST') {
    if (!this.csrf) await this.get('/connexion');
    const res = await this.h.server.inject({
      method,
      url,
      remoteAddress: this.ip,
      payload: JSON.stringify(payload),
      headers: {
        cookie: this.cookieHeader(),
        'content-type': 'application/json',
        accept: 'application/json',
        'x-csrf-token': this.csrf,
        ...headers,
      },
    });
    this.store(res.headers['set-cookie']);
    return res;
  }
}

export function linkIn(text: string, path: string): string {
  const m = new RegExp(`https?://[^\\s]+${path.replace(/[/?]/g, (c) => `\\${c}`)}[^\\s]*`).exec(text);
  if (!m) throw new Error(`no ${path} link in mail:\n${text}`);
  return m[0].replace(/^https?:\/\/[^/]+/, '');
}
