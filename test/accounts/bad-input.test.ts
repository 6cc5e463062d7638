/**
 * Bad input on every form of the account portal: empty, 10,000 characters, wrong format and hostile
 * strings give a 4xx with a French message (in the page, HTML-escaped, or in the JSON `errors`) and
 * save nothing. Oversized bodies get a 413, posts without a CSRF token a 403.
 */
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espaces, tokens, users } from '../../src/infra/db/schema.js';
import { Client, createHarness, type Harness } from '../harness.js';
import {
  cookieHeader,
  counts,
  draftRow,
  FRENCH,
  freshSiret,
  newPerson,
  pageErrors,
  rawPost,
  signedInAdministrator,
  startFields,
  stopHarness,
  userRow,
  type Person,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => stopHarness(h));

const SCRIPT = '<script>alert(1)</script>';
const HOUR = 61 * 60_000; // a little more than the windows of the rate limits
const SQL = "' OR 1=1 --";

type Kind = 'vide' | 'long' | 'format' | 'script' | 'sql' | 'pourcent' | 'souligne' | 'emoji' | 'nul' | 'controle' | 'rtl';
const ALL: Kind[] = ['vide', 'long', 'format', 'script', 'sql', 'pourcent', 'souligne', 'emoji', 'nul', 'controle', 'rtl'];

/** The hostile values; `format` is a plausible but wrong value for the field. */
function value(kind: Kind, format: string): string {
  switch (kind) {
    case 'vide':
      return '';
    case 'long':
      return 'A'.repeat(10_000);
    case 'format':
      return format;
    case 'script':
      return SCRIPT;
    case 'sql':
      return SQL;
    case 'pourcent':
      return '%';
    case 'souligne':
      return '_';
    case 'emoji':
      return 'Dupont 😀';
    case 'nul':
      return 'Dupont\u0000Martin 12';
    case 'controle':
      return 'Dupont\u0007\u001b[31m 12';
    case 'rtl':
      return '\u202EDupont Martin 12';
  }
}

interface FieldCase {
  field: string;
  format: string;
  /** the kinds that must be refused (default: all) */
  kinds?: Kind[];
  /** how the value is put in the body (default: as is) */
  put?: (body: Record<string, unknown>, v: string) => void;
}

/**
 * Posts every bad value of every field, as JSON then as a browser form, into an otherwise valid body,
 * and checks the answer; `unchanged` checks after each value that nothing was saved.
 */
async function probe(opts: {
  client: Client;
  url: string;
  valid: () => Record<string, unknown>;
  fields: FieldCase[];
  unchanged: () => Promise<void>;
  /** statuses accepted besides 400 (e.g. 401 for a wrong password, 429 once locked) */
  statuses?: number[];
  /**
   * The route's rate limits (http/rate-limits.ts) count every request before its body is read: the
   * probe moves the clock an hour before each one, so that each bad value reaches the validation.
   */
  rateLimited?: boolean;
}) {
  const allowed = new Set([400, ...(opts.statuses ?? [])]);
  const failures: string[] = [];
  for (const f of opts.fields) {
    for (const kind of f.kinds ?? ALL) {
      const v = value(kind, f.format);
      const body = opts.valid();
      if (f.put) f.put(body, v);
      else body[f.field] = v;
      const where = `${opts.url} ${f.field}=${kind}`;

      if (opts.rateLimited) h.clock.advance(HOUR);
      const j = await opts.client.json(opts.url, body);
      if (!allowed.has(j.statusCode)) failures.push(`${where} (JSON): ${j.statusCode} ${j.body.slice(0, 300)}`);
      else {
        const json = j.json() as { message?: string; errors?: Record<string, string> };
        const msg = json.errors?.[f.field] ?? json.message ?? '';
        if (j.statusCode === 400 && json.errors && Object.keys(json.errors).length && !json.errors[f.field])
          failures.push(`${where} (JSON): no message for the field, got ${JSON.stringify(json.errors)}`);
        if (!FRENCH.test(msg)) failures.push(`${where} (JSON): message not French: ${msg}`);
        if (j.body.includes(SCRIPT)) failures.push(`${where} (JSON): the raw payload comes back`);
      }

      const form: Record<string, string | string[]> = {};
      for (const [k, x] of Object.entries(body)) form[k] = Array.isArray(x) ? x.map(String) : String(x);
      if (opts.rateLimited) h.clock.advance(HOUR);
      const r = await opts.client.form(opts.url, form);
      if (!allowed.has(r.statusCode)) failures.push(`${where} (form): ${r.statusCode}`);
      else {
        const messages = pageErrors(r.body);
        if (!messages.some((m) => FRENCH.test(m))) failures.push(`${where} (form): no French message in the page`);
        if (r.body.includes(SCRIPT)) failures.push(`${where} (form): the raw <script> is in the page`);
        if (!String(r.headers['content-type']).startsWith('text/html')) failures.push(`${where} (form): not a page`);
      }
      try {
        await opts.unchanged();
      } catch (e) {
        throw new Error(`${where}: the bad value was saved (${failures.join('; ')})\n${String(e).slice(0, 600)}`);
      }
    }
  }
  expect(failures).toEqual([]);
}

/** Row counts of the account tables and of the mail outbox. */
const snapshot = () => counts(h);

describe('bad input on the inscription', () => {
  it('step 1 « Je m’inscris »: every field, every bad value → 400, French message, no draft', async () => {
    const p = newPerson(await freshSiret(h));
    const before = await snapshot();
    const c = new Client(h);
    await probe({
      client: c,
      url: '/inscription',
      rateLimited: true,
      valid: () => startFields(p),
      fields: [
        { field: 'siret', format: '99900100100019' },
        { field: 'nom', format: 'Dupont3' },
        { field: 'prenom', format: '-Jean' },
        { field: 'telephone', format: '12 34' },
        { field: 'portable', format: '06 12 34', kinds: ALL.filter((k) => k !== 'vide') },
        { field: 'email', format: 'claire@', put: (b, v) => ((b.email = v), (b.emailConfirm = v)) },
        { field: 'emailConfirm', format: 'autre@exemple.fr' },
      ],
      unchanged: async () => expect(await snapshot()).toEqual(before),
    });
    expect(c.cookies.has('__Host-inscription')).toBe(false);
    // the valid form does start a draft (the probe did not pass by accident)
    expect((await c.form('/inscription', startFields(p))).statusCode).toBe(303);
  });

  it('step 4 (password and secret question): → 400, the draft stays at its step without any secret', async () => {
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    const start = await c.json('/inscription', startFields(p));
    const jeton = (start.json() as { jeton: string }).jeton;
    expect((await c.json('/inscription/conditions', { decision: 'accepte' })).statusCode).toBe(200);
    expect((await c.json('/inscription/identification', {})).statusCode).toBe(200);
    const draft = await draftRow(h, jeton);
    expect(draft?.step).toBe('password');
    const before = await snapshot();
    const valid = () => ({
      password: 'Pain-de-mie-2026',
      passwordConfirm: 'Pain-de-mie-2026',
      secretQuestion: p.question,
      secretAnswer: p.answer,
    });
    // a secret question or answer is free text: markup, SQL-looking text or an emoji is a legitimate
    // value (stored as text, shown escaped: see the next test); the rest must be refused
    const freeText = ALL.filter((k) => k !== 'script' && k !== 'sql' && k !== 'emoji');
    await probe({
      client: c,
      url: '/inscription/mot-de-passe',
      valid,
      fields: [
        { field: 'password', format: 'abcdefgh', put: (b, v) => ((b.password = v), (b.passwordConfirm = v)) },
        { field: 'passwordConfirm', format: 'Pain-de-mie-2027' },
        { field: 'secretQuestion', format: 'Court ?', kinds: freeText },
        { field: 'secretAnswer', format: 'abc', kinds: freeText },
      ],
      unchanged: async () => {
        expect(await draftRow(h, jeton)).toEqual(draft);
        expect(await snapshot()).toEqual(before);
      },
    });
  });

  it('a secret question with markup is kept as text and always shown escaped', async () => {
    const p = newPerson(await freshSiret(h), { question: `${SCRIPT} ?`, answer: SQL });
    const c = new Client(h);
    await c.form('/inscription', startFields(p));
    await c.form('/inscription/conditions', { decision: 'accepte' });
    await c.form('/inscription/identification', {});
    const r = await c.form('/inscription/mot-de-passe', {
      password: p.password,
      passwordConfirm: p.password,
      secretQuestion: p.question,
      secretAnswer: p.answer,
    });
    expect(r.headers.location, r.body).toBe('/inscription/recapitulatif');
    const recap = await c.get('/inscription/recapitulatif');
    expect(recap.statusCode).toBe(200);
    expect(recap.body).not.toContain(SCRIPT);
    expect(recap.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; ?');
  });

  it('step 6 (profile): → 400 and no espace', async () => {
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    const start = await c.json('/inscription', startFields(p));
    const jeton = (start.json() as { jeton: string }).jeton;
    for (const [path, body] of [
      ['/inscription/conditions', { decision: 'accepte' }],
      ['/inscription/identification', {}],
      [
        '/inscription/mot-de-passe',
        { password: p.password, passwordConfirm: p.password, secretQuestion: p.question, secretAnswer: p.answer },
      ],
      ['/inscription/recapitulatif', {}],
    ] as const)
      expect((await c.json(path, body)).statusCode).toBe(200);
    const draft = await draftRow(h, jeton);
    expect(draft?.step).toBe('profil');
    const before = await snapshot();
    await probe({
      client: c,
      url: '/inscription/profil',
      valid: () => ({
        kind: 'entreprise',
        organisationType: 'entreprise_privee',
        domains: ['formation'],
        declarations: ['SOLTEA_EMPLOYEURS'],
        confirme: 'oui',
      }),
      fields: [
        { field: 'kind', format: 'entreprises' },
        { field: 'organisationType', format: 'entreprise privée' },
        { field: 'domains', format: 'Formation', put: (b, v) => ((b.domains = [v]), (b.declarations = [])) },
        { field: 'declarations', format: 'soltea_employeurs', put: (b, v) => (b.declarations = [v]) },
      ],
      unchanged: async () => {
        expect(await draftRow(h, jeton)).toEqual(draft);
        expect(await snapshot()).toEqual(before);
        expect(await h.ctx.db.select().from(espaces).where(eq(espaces.siret, p.siret))).toEqual([]);
      },
    });
  });
});

describe('bad input on connexion and « mot de passe oublié »', () => {
  let known: Person;
  beforeAll(async () => {
    known = (await signedInAdministrator(h)).person;
  });

  it('connexion: → 400 (or the generic 401), French message, no session', async () => {
    const p = newPerson(known.siret, {});
    const before = await snapshot();
    await probe({
      client: new Client(h),
      url: '/connexion',
      valid: () => ({ siret: p.siret, nom: p.nom, prenom: p.prenom, password: p.password }),
      fields: [
        { field: 'siret', format: '9990010010001' },
        { field: 'nom', format: 'Dupont3' },
        { field: 'prenom', format: '1Jean' },
        { field: 'password', format: 'abc' },
      ],
      // a flood of attempts on one account is slowed down: 429 with its French message
      statuses: [401, 429],
      unchanged: async () => expect(await snapshot()).toEqual(before),
    });
  });

  it('mot de passe oublié: → 400, no token, no request, no mail', async () => {
    const before = await snapshot();
    await probe({
      client: new Client(h),
      url: '/mot-de-passe-oublie',
      rateLimited: true,
      valid: () => ({ siret: known.siret, nom: known.nom, prenom: known.prenom, methode: 'courriel' }),
      fields: [
        { field: 'siret', format: '1234' },
        { field: 'nom', format: 'Dupont3' },
        { field: 'prenom', format: 'Jean2' },
        { field: 'methode', format: 'sms' },
      ],
      unchanged: async () => expect(await snapshot()).toEqual(before),
    });
  });

  it('answer to the secret question: → 400 (the same refusal once locked; 429 past the per-address limit), no reset token', async () => {
    const c = new Client(h);
    await c.get('/mot-de-passe-oublie');
    const q = await c.form('/mot-de-passe-oublie', { siret: known.siret, nom: known.nom, prenom: known.prenom, methode: 'question' });
    expect(q.statusCode).toBe(200);
    expect(q.body).not.toContain(known.question); // not shown before the person is identified
    const before = await snapshot();
    await probe({
      client: c,
      url: '/mot-de-passe-oublie/question',
      valid: () => ({ answer: known.answer }),
      fields: [{ field: 'answer', format: known.answer.toLowerCase() }],
      statuses: [429],
      unchanged: async () => expect(await snapshot()).toEqual(before),
    });
  });
});

describe('bad input on « Vos informations personnelles »', () => {
  it('password, secret question and e-mail forms: → 400, the account is unchanged, no token, no mail', async () => {
    const { client: c, person: p, userId } = await signedInAdministrator(h);
    const user = await userRow(h, userId);
    const before = await snapshot();
    const unchanged = async () => {
      const now = await userRow(h, userId);
      expect([now.passwordHash, now.secretQuestion, now.secretAnswerHash, now.email]).toEqual([
        user.passwordHash,
        user.secretQuestion,
        user.secretAnswerHash,
        user.email,
      ]);
      expect(await snapshot()).toEqual(before);
    };
    const freeText = ALL.filter((k) => k !== 'script' && k !== 'sql' && k !== 'emoji');
    await probe({
      client: c,
      url: '/menu/informations/mot-de-passe',
      valid: () => ({ current: p.password, password: 'Nouveau-levain-77', passwordConfirm: 'Nouveau-levain-77' }),
      fields: [
        { field: 'current', format: p.password.toUpperCase() },
        { field: 'password', format: 'abcdefgh', put: (b, v) => ((b.password = v), (b.passwordConfirm = v)) },
        { field: 'passwordConfirm', format: 'Nouveau-levain-78' },
      ],
      unchanged,
    });
    await probe({
      client: c,
      url: '/menu/informations/question-secrete',
      valid: () => ({ current: p.password, secretQuestion: 'Quelle est ma couleur préférée ?', secretAnswer: 'Vert amande' }),
      fields: [
        { field: 'current', format: p.password.slice(1) },
        { field: 'secretQuestion', format: 'Court ?', kinds: freeText },
        { field: 'secretAnswer', format: 'abc', kinds: freeText },
      ],
      unchanged,
    });
    await probe({
      client: c,
      url: '/menu/informations/courriel',
      valid: () => ({ current: p.password, email: 'nouvelle.adresse@exemple.fr' }),
      fields: [
        { field: 'current', format: `${p.password} ` },
        { field: 'email', format: 'nouvelle.adresse@exemple' },
      ],
      unchanged,
    });
    // still signed in, nothing else happened
    expect((await c.get('/menu/informations')).statusCode).toBe(200);
  });
});

describe('oversized bodies and missing CSRF tokens', () => {
  it('a 2 MB body → 413 with a French message, nothing saved', async () => {
    const before = await snapshot();
    const c = new Client(h);
    await c.get('/inscription');
    const big = 'A'.repeat(2 * 1024 * 1024);
    const p = newPerson(await freshSiret(h));
    const j = await c.json('/inscription', { ...startFields(p), nom: big });
    expect(j.statusCode).toBe(413);
    expect((j.json() as { message: string }).message).toBe('Les données envoyées sont trop volumineuses.');
    const f = await c.form('/inscription', { ...startFields(p), nom: big });
    expect(f.statusCode).toBe(413);
    expect(f.body).toContain('Les données envoyées sont trop volumineuses.');
    expect(await snapshot()).toEqual(before);
  });

  const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
  const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json' };
  const forbidden = (r: LightMyRequestResponse) => {
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('Votre formulaire a expiré');
  };

  it('a POST without (or with someone else’s) CSRF token → 403, nothing changed', async () => {
    const before = await snapshot();
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    await c.get('/inscription');
    forbidden(await rawPost(h, c, '/inscription', formBody(startFields(p)), formHeaders));
    forbidden(await rawPost(h, c, '/inscription', JSON.stringify(startFields(p)), jsonHeaders));
    const other = new Client(h);
    await other.get('/inscription');
    forbidden(await rawPost(h, c, '/inscription', formBody({ ...startFields(p), _csrf: other.csrf }), formHeaders));
    forbidden(await rawPost(h, c, '/inscription', JSON.stringify(startFields(p)), { ...jsonHeaders, 'x-csrf-token': other.csrf }));
    forbidden(await rawPost(h, c, '/inscription', formBody({ ...startFields(p), _csrf: '' }), formHeaders));
    expect(c.cookies.has('__Host-inscription')).toBe(false);
    expect(await snapshot()).toEqual(before);
  });

  it('signed in, a POST without the session’s CSRF token → 403: no e-mail change, no logout', async () => {
    const { client: c, person: p, userId } = await signedInAdministrator(h);
    const before = await snapshot();
    const tokensBefore = await h.ctx.db.select().from(tokens).where(eq(tokens.userId, userId));
    forbidden(
      await rawPost(h, c, '/menu/informations/courriel', formBody({ current: p.password, email: 'pirate@exemple.fr' }), formHeaders),
    );
    forbidden(
      await rawPost(
        h,
        c,
        '/menu/informations/mot-de-passe',
        formBody({ current: p.password, password: 'Pirate-de-mer-99', passwordConfirm: 'Pirate-de-mer-99' }),
        formHeaders,
      ),
    );
    forbidden(await rawPost(h, c, '/deconnexion-partout', '', formHeaders));
    forbidden(await rawPost(h, c, '/deconnexion', formBody({}), formHeaders));
    // an anonymous page's token is not the session's
    const anon = new Client(h);
    await anon.get('/connexion');
    forbidden(await rawPost(h, c, '/deconnexion-partout', formBody({ _csrf: anon.csrf }), formHeaders));
    // a token sent only in a cookie-less request does nothing either
    const noCookie = await h.server.inject({
      method: 'POST',
      url: '/deconnexion',
      payload: formBody({ _csrf: c.csrf }),
      headers: formHeaders,
    });
    expect(noCookie.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
    expect(await h.ctx.db.select().from(tokens).where(eq(tokens.userId, userId))).toEqual(tokensBefore);
    expect((await userRow(h, userId)).email).toBe(p.email);
    const menu = await h.server.inject({ method: 'GET', url: '/menu', headers: { cookie: cookieHeader(c), accept: 'text/html' } });
    expect(menu.statusCode).toBe(200);
    const u = await h.ctx.db.select({ n: users.id }).from(users).where(eq(users.email, 'pirate@exemple.fr'));
    expect(u).toEqual([]);
  });
});
