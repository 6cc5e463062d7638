/**
 * Shared helpers of the account-portal integration tests: people with distinct names and addresses,
 * a fresh company (SIREN without an espace yet), the inscription walked over the HTTP forms, the
 * mails of one address, row counts and a raw POST (no CSRF token).
 */
import { and, eq, like, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { hashSecret, sha256 } from '../../src/infra/crypto.js';
import { auditEvents, entreprises, etablissements, inscriptionDrafts, throttles, users } from '../../src/infra/db/schema.js';
import { loginKey } from '../../src/modules/accounts/login-key.js';
import { Client, linkIn, type Harness, type ReceivedMail } from '../harness.js';

export interface Person {
  siret: string;
  nom: string;
  prenom: string;
  telephone: string;
  email: string;
  password: string;
  question: string;
  answer: string;
}

let seq = 0;
/** « Abc », « Abd »…: letters only, so names pass the name rule and never hit the password's. */
function tag(n: number): string {
  const a = 'bcdfghjklmnpqrstvwxz';
  let s = '';
  let x = n + 20 * 20 + 7;
  do {
    s = a[x % a.length]! + s;
    x = Math.floor(x / a.length);
  } while (x > 0);
  return s;
}

/** A new person for `siret`: unique names, e-mail, password and secret answer. */
export function newPerson(siret: string, over: Partial<Person> = {}): Person {
  const n = seq++;
  const t = tag(n);
  const T = t[0]!.toUpperCase() + t.slice(1);
  return {
    siret,
    nom: `Vaillant${T}`,
    prenom: `Odile${T}`,
    telephone: '01 23 45 67 89',
    email: `odile.${t}.${process.pid}@exemple.fr`,
    password: `Fournil-du-matin-${10 + (n % 90)}`,
    question: 'Quel est le nom de mon premier chien ?',
    answer: `Brioche ${T}`,
    ...over,
  };
}

const reservedSirens = new Set<string>();

/**
 * The siège SIRET of an active company of the generated registry that has no espace yet (each call
 * returns another one). The fixed demo companies (SIREN 99900…) are left to the tests that name them.
 */
export async function freshSiret(h: Harness): Promise<string> {
  const rows = await h.ctx.db
    .select({ siret: etablissements.siret, siren: etablissements.siren })
    .from(etablissements)
    .innerJoin(entreprises, eq(entreprises.siren, etablissements.siren))
    .where(
      and(
        eq(etablissements.etatAdministratif, 'A'),
        eq(entreprises.etatAdministratif, 'A'),
        eq(etablissements.estSiege, true),
        sql`${etablissements.siren} not like '99900%'`,
        sql`${etablissements.siren} not in (select siren from espaces)`,
      ),
    )
    .orderBy(etablissements.siret);
  const row = rows.find((r) => !reservedSirens.has(r.siren));
  if (!row) throw new Error('no fresh company left in the test registry');
  reservedSirens.add(row.siren);
  return row.siret;
}

// ── mails ───────────────────────────────────────────────────────────────────────────────────────

/** Every mail received so far by `email` (pending mails are delivered first). */
export async function mailsTo(h: Harness, email: string): Promise<ReceivedMail[]> {
  await h.ctx.mail.flush();
  return h.mails.filter((m) => m.to === email);
}

/** The last mail with this subject received by `email` (fails when there is none). */
export async function lastMail(h: Harness, email: string, subject: string): Promise<ReceivedMail> {
  const list = (await mailsTo(h, email)).filter((m) => m.subject === subject);
  const m = list[list.length - 1];
  if (!m) throw new Error(`no mail « ${subject} » for ${email}; got: ${(await mailsTo(h, email)).map((x) => x.subject).join(' | ')}`);
  return m;
}

export const VALIDATION_SUBJECT = 'Validation de votre adresse électronique';

export function tokenOf(link: string): string {
  return new URL(`http://x${link}`).searchParams.get('jeton')!;
}

/** Opens the last validation link sent to `email` and confirms it (the page's button). */
export async function validateLastLink(h: Harness, c: Client, email: string) {
  const mail = await lastMail(h, email, VALIDATION_SUBJECT);
  const link = linkIn(mail.text, '/validation-courriel?jeton=');
  const page = await c.get(link);
  expect(page.statusCode, page.body).toBe(200);
  const r = await c.form('/validation-courriel', { jeton: tokenOf(link) });
  expect(r.statusCode, r.body).toBeLessThan(400);
  return { link, token: tokenOf(link), response: r };
}

// ── inscription and connexion through the HTML forms ──────────────────────────────────────────────

export function startFields(p: Person): Record<string, string> {
  return { siret: p.siret, nom: p.nom, prenom: p.prenom, telephone: p.telephone, portable: '', email: p.email, emailConfirm: p.email };
}

export interface ProfileChoice {
  kind?: 'entreprise' | 'tiers_declarant';
  organisationType?: string;
  domains?: string[];
  declarations?: string[];
}

/** Steps 1 to 5 of the inscription (up to « S'inscrire aux services net-entreprises »). */
export async function walkToRecap(c: Client, p: Person): Promise<string> {
  let r = await c.form('/inscription', startFields(p));
  expect(r.statusCode, r.body).toBe(303);
  expect(r.headers.location).toBe('/inscription/conditions');
  r = await c.form('/inscription/conditions', { decision: 'accepte' });
  expect(r.headers.location).toBe('/inscription/identification');
  r = await c.form('/inscription/identification', {});
  expect(r.headers.location).toBe('/inscription/mot-de-passe');
  r = await c.form('/inscription/mot-de-passe', {
    password: p.password,
    passwordConfirm: p.password,
    secretQuestion: p.question,
    secretAnswer: p.answer,
  });
  expect(r.headers.location, r.body).toBe('/inscription/recapitulatif');
  r = await c.form('/inscription/recapitulatif', {});
  expect(r.statusCode, r.body).toBe(303);
  return String(r.headers.location);
}

/**
 * The profile and what follows it, the same for everyone: « Quel est votre profil d'entreprise ? », the
 * dialog « Validation de vos déclarations » (its page), the rights table with every right (« Tous »), for
 * a tiers-déclarant « Inscription des déclarants », then « Valider l'inscription »: its answer sends to
 * the page after it.
 */
export async function finishInscription(c: Client, profile: ProfileChoice = {}) {
  let r = await c.form('/inscription/profil', {
    kind: profile.kind ?? 'entreprise',
    organisationType: profile.organisationType ?? 'entreprise_privee',
    domains: profile.domains ?? ['formation'],
  });
  expect(r.headers.location, r.body).toBe('/inscription/declarations');
  r = await c.form('/inscription/declarations', { declarations: profile.declarations ?? ['SOLTEA_EMPLOYEURS'] });
  expect(r.headers.location, r.body).toBe('/inscription/habilitations');
  r = await c.form('/inscription/habilitations', { tous: ['declarer', 'payer'] });
  if (profile.kind === 'tiers_declarant') {
    expect(r.headers.location, r.body).toBe('/inscription/declarants');
    r = await c.form('/inscription/declarants', {});
  }
  expect(r.headers.location, r.body).toBe('/inscription/confirmation');
  r = await c.form('/inscription/confirmation', {});
  expect(r.headers.location, r.body).toBe('/inscription/validation');
  return r;
}

/** The JSON bodies of the steps after the recap, as an API client sends them (the dialog answered with the profile). */
export const profileSteps = (profile: ProfileChoice = {}): [string, unknown][] => [
  [
    '/inscription/profil',
    {
      kind: profile.kind ?? 'entreprise',
      organisationType: profile.organisationType ?? 'entreprise_privee',
      domains: profile.domains ?? ['formation'],
      declarations: profile.declarations ?? ['SOLTEA_EMPLOYEURS'],
      confirme: 'oui',
    },
  ],
  ['/inscription/habilitations', { tous: ['declarer', 'payer'] }],
  ...(profile.kind === 'tiers_declarant' ? ([['/inscription/declarants', {}]] as [string, unknown][]) : []),
];

/** A first administrator: inscription, profile, e-mail validated. Returns the (not signed-in) client. */
export async function registerAdministrator(h: Harness, p: Person, profile: ProfileChoice = {}) {
  const c = new Client(h);
  expect(await walkToRecap(c, p)).toBe('/inscription/profil');
  await finishInscription(c, profile);
  await validateLastLink(h, c, p.email);
  const userId = await userIdOf(h, p);
  // the pages are the same for everyone: whether this SIREN already had an espace shows in the account only
  expect((await userRow(h, userId)).status, 'this SIREN already has an espace').toBe('active');
  return { client: c, userId };
}

/** A first administrator of a fresh company (or of `siret`), validated and signed in. */
export async function signedInAdministrator(h: Harness, opts: { siret?: string; person?: Partial<Person>; profile?: ProfileChoice } = {}) {
  const p = newPerson(opts.siret ?? (await freshSiret(h)), opts.person);
  const { client, userId } = await registerAdministrator(h, p, opts.profile);
  await login(client, p);
  const [u] = await h.ctx.db.select({ espaceId: users.espaceId }).from(users).where(eq(users.id, userId));
  return { client, person: p, userId, espaceId: u!.espaceId };
}

/** A déclarant of `espaceId` (active, created directly: the administrator's invitation is tested elsewhere), signed in. */
export async function activeDeclarant(h: Harness, espaceId: string, siret: string, over: Partial<Person> = {}) {
  const p: Person = newPerson(siret, over);
  const [u] = await h.ctx.db
    .insert(users)
    .values({
      espaceId,
      siret,
      nom: p.nom,
      prenom: p.prenom,
      loginKey: loginKey(p.nom, p.prenom),
      email: p.email,
      role: 'declarant',
      status: 'active',
      passwordHash: await hashSecret(p.password),
      emailValidatedAt: h.clock.now(),
    })
    .returning({ id: users.id });
  const client = new Client(h);
  await login(client, p);
  return { client, person: p, userId: u!.id };
}

/**
 * A second person on a company that already has an administrator: the same steps as anyone (the profile
 * chosen is what they ask for), e-mail validated: a candidat AD, whose request went to the administrators.
 */
export async function registerCandidat(h: Harness, p: Person, profile: ProfileChoice = {}) {
  const c = new Client(h);
  expect(await walkToRecap(c, p)).toBe('/inscription/profil');
  await finishInscription(c, profile);
  const v = await validateLastLink(h, c, p.email);
  expect(v.response.headers.location).toBe('/connexion?notice=courriel-valide');
  const userId = await userIdOf(h, p);
  expect((await userRow(h, userId)).status, 'this SIREN has no espace yet').toBe('candidat');
  return { client: c, userId };
}

/** Posts the login form (after GET /connexion for a fresh CSRF token). Returns the answer. */
export async function tryLogin(c: Client, p: Pick<Person, 'siret' | 'nom' | 'prenom'>, password: string) {
  await follow(c, '/connexion'); // signed in: goes on to the menu, whose page carries the session's token
  return c.form('/connexion', { siret: p.siret, nom: p.nom, prenom: p.prenom, password });
}

/** GET, following redirects (at most 4). */
export async function follow(c: Client, url: string) {
  let r = await c.get(url);
  for (let i = 0; i < 4 && r.statusCode >= 300 && r.statusCode < 400 && r.headers.location; i++)
    r = await c.get(String(r.headers.location));
  return r;
}

/** Signs in (expects success) and loads the menu, so the client holds the session's CSRF token. */
export async function login(c: Client, p: Person, password = p.password) {
  const r = await tryLogin(c, p, password);
  expect(r.statusCode, r.body).toBe(303);
  const menu = await c.get(String(r.headers.location));
  expect(menu.statusCode).toBe(200);
  return r;
}

export async function userIdOf(h: Harness, p: Pick<Person, 'siret' | 'nom' | 'prenom'>): Promise<string> {
  const [u] = await h.ctx.db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.siret, p.siret), eq(users.loginKey, loginKey(p.nom, p.prenom))))
    .orderBy(sql`${users.createdAt} desc`);
  if (!u) throw new Error(`no user ${p.nom} ${p.prenom} on ${p.siret}`);
  return u.id;
}

export async function userRow(h: Harness, id: string) {
  const [u] = await h.ctx.db.select().from(users).where(eq(users.id, id));
  return u!;
}

// ── database views ──────────────────────────────────────────────────────────────────────────────

/** Row counts of the account tables, in one query. */
export async function counts(h: Harness) {
  const res = (await h.ctx.db.execute(
    sql`select (select count(*) from users)::int as users, (select count(*) from inscription_drafts)::int as drafts, (select count(*) from espaces)::int as espaces,
        (select count(*) from tokens)::int as tokens, (select count(*) from demandes)::int as demandes, (select count(*) from sessions)::int as sessions,
        (select count(*) from mail_outbox)::int as mails`,
  )) as unknown as {
    rows: { users: number; drafts: number; espaces: number; tokens: number; demandes: number; sessions: number; mails: number }[];
  };
  const r = res.rows[0]!;
  return {
    users: r.users,
    drafts: r.drafts,
    espaces: r.espaces,
    tokens: r.tokens,
    demandes: r.demandes,
    sessions: r.sessions,
    mails: r.mails,
  };
}

export async function draftRow(h: Harness, jeton: string) {
  const [d] = await h.ctx.db
    .select()
    .from(inscriptionDrafts)
    .where(eq(inscriptionDrafts.idHash, sha256(jeton)));
  return d ?? null;
}

export async function throttleRow(h: Harness, key: string) {
  const [t] = await h.ctx.db.select().from(throttles).where(eq(throttles.key, key));
  return t ?? null;
}

/** The login counter of one account from one address (src/modules/accounts/login.ts). */
export const loginThrottleKey = (p: Pick<Person, 'siret' | 'nom' | 'prenom'>, ip = '127.0.0.1') =>
  `login:compte-adresse:${p.siret}|${loginKey(p.nom, p.prenom)}|${ip}`;

export async function auditRows(h: Harness, action?: string) {
  return h.ctx.db
    .select()
    .from(auditEvents)
    .where(action ? like(auditEvents.action, action) : undefined)
    .orderBy(auditEvents.id);
}

// ── raw requests ────────────────────────────────────────────────────────────────────────────────

export function cookieHeader(c: Client): string {
  return [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** A POST with the client's cookies but no CSRF token (or the given headers). */
export async function rawPost(h: Harness, c: Client, url: string, payload: string, headers: Record<string, string>) {
  return h.server.inject({ method: 'POST', url, payload, headers: { cookie: cookieHeader(c), ...headers } });
}

/** The French messages shown by a page: the error summary title, its list, and field messages. */
export function pageErrors(body: string): string[] {
  const out: string[] = [];
  for (const re of [
    /<h2 class="fr-alert__title">([^<]*)<\/h2>/g,
    /<p class="fr-message fr-message--error">([^<]*)<\/p>/g,
    /<div class="fr-alert fr-alert--(?:error|warning)[^"]*"[^>]*>(?:<h\d[^>]*>[^<]*<\/h\d>)?<p>([^<]*)<\/p>/g,
  ])
    for (const m of body.matchAll(re)) out.push(m[1]!);
  return out;
}

/** Heuristic « this is a French sentence »: common French words or accented letters. */
export const FRENCH = /\b(le|la|les|du|de|des|est|doit|une?|ne|pas|au|aux|votre|vous|ce|cette|sont)\b|[éèàçêùô’]/i;

/**
 * Stops the harness. On PostgreSQL the pool may still hold closing connections when the database is
 * dropped « with (force) »: their « terminating connection » error would reach the pool without a
 * listener and fail the run, so a no-op listener is attached first.
 */
export async function stopHarness(h: Harness | undefined) {
  if (!h) return;
  const pool = (h.ctx.db as unknown as { $client?: { on?: (event: string, fn: () => void) => void } }).$client;
  if (h.database.kind === 'postgres') pool?.on?.('error', () => undefined);
  await h.stop();
}
