/**
 * No account enumeration (docs/regles.md#comptes): no answer — status, page, JSON member, redirect or
 * the work done (argon2 operations, hence time) — tells a stranger whether a person or a company is
 * registered. The inscription answers alike for a new company, a candidat AD and a triplet already
 * taken; what differs goes by mail, to the people concerned. Login and the three ways of « Mot de
 * passe oublié » answer alike for a registered and an unregistered person.
 *
 * Each answer is compared whole: status, redirect, content type, the names of the cookies set, the
 * body (page or JSON) with the values the person typed blanked (names, e-mail, CSRF and draft
 * tokens), and the number of argon2 hashes and verifications the request ran (counted through a
 * wrapper of @node-rs/argon2, the seam every secret goes through).
 */
import { performance } from 'node:perf_hooks';
import type * as Argon2 from '@node-rs/argon2';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatSiret } from '../../src/domain/identifiers.js';
import { verifySecret } from '../../src/infra/crypto.js';
import { EVEN_ANSWER_MS } from '../../src/modules/accounts/even-time.js';
import { demandes, espaces, users } from '../../src/infra/db/schema.js';
import { Client, createHarness, linkIn, type Harness } from '../harness.js';
import {
  freshSiret,
  lastMail,
  mailsTo,
  newPerson,
  registerAdministrator,
  startFields,
  stopHarness,
  tokenOf,
  VALIDATION_SUBJECT,
  type Person,
} from './helpers.js';

const argon2 = vi.hoisted(() => ({ hash: 0, verify: 0 }));
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof Argon2>();
  return {
    ...real,
    hash: (...args: Parameters<typeof real.hash>) => {
      argon2.hash++;
      return real.hash(...args);
    },
    verify: (...args: Parameters<typeof real.verify>) => {
      argon2.verify++;
      return real.verify(...args);
    },
  };
});

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ registryCount: 30 });
  // the first verification without a hash builds the dummy hash once per process: not part of any answer
  await verifySecret(null, 'echauffement');
});
afterAll(async () => stopHarness(h));

const MINUTE = 60_000;
const TAKEN_SUBJECT = 'Tentative d’inscription avec vos nom et prénom';
const TRANSMITTED_SUBJECT = 'Votre demande est transmise aux administrateurs de votre entreprise';
const NEW_ADMIN_SUBJECT = 'Demande en attente : nouvel administrateur';

type Echo = Pick<Person, 'nom' | 'prenom' | 'email'>;

interface Seen {
  request: string;
  status: number;
  location: string | undefined;
  type: string;
  retryAfter: string | undefined;
  cookies: string[];
  body: unknown;
  argon2: { hash: number; verify: number };
}

/** The text of an answer with what the person typed, and the per-client tokens, blanked. */
function blank(text: string, p: Echo): string {
  let t = text
    .replace(/(name="csrf-token" content=")[^"]+/g, '$1«csrf»')
    .replace(/(name="_csrf" value=")[^"]+/g, '$1«csrf»')
    .replace(/(name="(?:jeton|demande)" value=")[^"]+/g, '$1«jeton»');
  for (const [k, v] of [
    ['email', p.email],
    ['nom', p.nom],
    ['prenom', p.prenom],
  ] as const)
    t = t.replaceAll(v, `«${k}»`);
  return t;
}

/** Runs one request and keeps all of its answer that a stranger sees, and the argon2 work it did. */
async function observe(request: string, p: Echo, run: () => Promise<LightMyRequestResponse>): Promise<Seen> {
  const before = { ...argon2 };
  const r = await run();
  const type = String(r.headers['content-type'] ?? '');
  let body: unknown = blank(r.body, p);
  if (type.includes('json')) {
    const json = JSON.parse(r.body) as Record<string, unknown>;
    if (typeof json.jeton === 'string') json.jeton = '«jeton»';
    body = JSON.parse(blank(JSON.stringify(json), p));
  }
  const setCookie = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  return {
    request,
    status: r.statusCode,
    location: r.headers.location === undefined ? undefined : blank(String(r.headers.location), p),
    type,
    retryAfter: r.headers['retry-after'] === undefined ? undefined : String(r.headers['retry-after']),
    cookies: setCookie.map((c) => c.split('=')[0]!).sort(),
    body,
    argon2: { hash: argon2.hash - before.hash, verify: argon2.verify - before.verify },
  };
}

/** Compares two series of answers one by one (a readable failure names the request). */
function expectSame(actual: Seen[], expected: Seen[], who: string) {
  expect(actual.map((s) => s.request)).toEqual(expected.map((s) => s.request));
  for (const [i, s] of actual.entries()) expect(s, `${who}: ${s.request}`).toEqual(expected[i]);
}

type Mode = 'form' | 'json';

const passwordBody = (p: Person) => ({
  password: p.password,
  passwordConfirm: p.password,
  secretQuestion: p.question,
  secretAnswer: p.answer,
});
const profileBody = {
  kind: 'entreprise',
  organisationType: 'entreprise_privee',
  domains: ['formation'],
};
/** The steps after the profile, up to « Valider l'inscription » excluded: the dialog's page, the rights table. */
const choices: [string, Record<string, string | string[]>][] = [
  ['/inscription/profil', profileBody],
  ['/inscription/declarations', { declarations: ['SOLTEA_EMPLOYEURS'] }],
  ['/inscription/habilitations', { tous: ['declarer', 'payer'] }],
];

function post(c: Client, mode: Mode, url: string, body: Record<string, string | string[]>) {
  return mode === 'form' ? c.form(url, body) : c.json(url, body);
}

/** The whole inscription, every page and every step, then « Renvoyer le courriel » four times. */
async function walkInscription(c: Client, p: Person, mode: Mode): Promise<Seen[]> {
  const out: Seen[] = [];
  const see = async (request: string, run: () => Promise<LightMyRequestResponse>) => out.push(await observe(request, p, run));
  if (mode === 'form') await see('GET /inscription', () => c.get('/inscription'));
  await see('POST /inscription', () => post(c, mode, '/inscription', startFields(p)));
  const steps: [string, Record<string, string | string[]>][] = [
    ['/inscription/conditions', { decision: 'accepte' }],
    ['/inscription/identification', {}],
    ['/inscription/mot-de-passe', passwordBody(p)],
    ['/inscription/recapitulatif', {}],
    ...choices,
    ['/inscription/confirmation', {}],
  ];
  for (const [path, body] of steps) {
    if (mode === 'form') await see(`GET ${path}`, () => c.get(path));
    await see(`POST ${path}`, () => post(c, mode, path, body));
  }
  if (mode === 'form') await see('GET /inscription/validation', () => c.get('/inscription/validation'));
  for (let i = 1; i <= 4; i++) {
    await see(`POST /inscription/renvoyer (${i})`, () => post(c, mode, '/inscription/renvoyer', {}));
    if (mode === 'form' && i < 4)
      await see(`GET /inscription/validation (${i})`, () => c.get('/inscription/validation?notice=courriel-renvoye'));
  }
  return out;
}

/** The mail's validation link: its page, its button, and the page it leads to. */
async function validateByLink(c: Client, p: Person, mode: Mode): Promise<Seen[]> {
  const link = linkIn((await lastMail(h, p.email, VALIDATION_SUBJECT)).text, '/validation-courriel?jeton=');
  const out: Seen[] = [];
  out.push(await observe('GET /validation-courriel', p, () => c.get(link)));
  const r = await observe('POST /validation-courriel', p, () => post(c, mode, '/validation-courriel', { jeton: tokenOf(link) }));
  out.push(r);
  if (r.location) out.push(await observe(`GET ${r.location}`, p, () => c.get(r.location!)));
  return out;
}

describe('the inscription answers alike for a new company, a candidat AD and a triplet already taken', () => {
  for (const mode of ['form', 'json'] as const)
    it(`${mode === 'form' ? 'in the browser' : 'over the JSON API'}: the same answers at every step; what differs goes by mail`, async () => {
      const siret = await freshSiret(h);
      const first = newPerson(siret); // the company has no espace: creates it
      const second = newPerson(siret); // the company has an espace now: candidat AD
      const again = newPerson(siret, { nom: first.nom, prenom: first.prenom }); // the first one's triplet, another address

      const c1 = new Client(h);
      const firstSeen = await walkInscription(c1, first, mode);
      const firstLink = await validateByLink(c1, first, mode);
      const c2 = new Client(h);
      const secondSeen = await walkInscription(c2, second, mode);
      const secondLink = await validateByLink(c2, second, mode);
      const againSeen = await walkInscription(new Client(h), again, mode);

      expectSame(secondSeen, firstSeen, 'candidat AD');
      expectSame(againSeen, firstSeen, 'triplet taken');
      expectSame(secondLink, firstLink, 'candidat AD, validation link');
      // the step 1 answer names no state of the company; the password step hashes the same for all
      const start = firstSeen.find((s) => s.request === 'POST /inscription')!;
      expect(start.status).toBe(mode === 'form' ? 303 : 201);
      if (mode === 'json') expect(Object.keys(start.body as object).sort()).toEqual(['etapeSuivante', 'jeton', 'message']);
      expect(firstSeen.find((s) => s.request === 'POST /inscription/mot-de-passe')!.argon2).toEqual({ hash: 2, verify: 0 });
      expect(firstSeen.find((s) => s.request === 'POST /inscription/renvoyer (4)')!.status).toBe(429);

      // what differs went by mail: the first one has a company, the second one's request went to the
      // administrators, the taken triplet created nothing and sent nothing to the address typed
      await h.ctx.mail.flush();
      const subjects = async (p: Person) => (await mailsTo(h, p.email)).map((m) => m.subject).sort();
      const validations = Array<string>(4).fill(VALIDATION_SUBJECT);
      expect(await subjects(again)).toEqual([]);
      expect(await subjects(second)).toEqual([...validations, TRANSMITTED_SUBJECT].sort());
      expect(await subjects(first)).toEqual([...validations, NEW_ADMIN_SUBJECT, TAKEN_SUBJECT].sort());
      const transmitted = await lastMail(h, second.email, TRANSMITTED_SUBJECT);
      expect(transmitted.text).toContain(`${second.prenom} ${second.nom}`);
      expect(transmitted.text).toContain('administrateurs');
      expect((await lastMail(h, first.email, NEW_ADMIN_SUBJECT)).text).toContain(`${second.prenom} ${second.nom} (${second.email})`);
      const warned = await lastMail(h, first.email, TAKEN_SUBJECT);
      expect(warned.text).toContain(`${first.prenom} ${first.nom}`);
      expect(warned.text).toContain(formatSiret(siret));
      expect(warned.text).toContain('« Mot de passe oublié »');
      expect(warned.text).toContain('/mot-de-passe-oublie');
      expect(warned.text).not.toContain(again.email);

      const people = await h.ctx.db.select().from(users).where(eq(users.siret, siret));
      expect(people.map((u) => [u.email, u.status, u.role]).sort()).toEqual(
        [
          [first.email, 'active', 'administrateur'],
          [second.email, 'candidat', 'administrateur'],
        ].sort(),
      );
      expect(
        await h.ctx.db
          .select()
          .from(espaces)
          .where(eq(espaces.siren, siret.slice(0, 9))),
      ).toHaveLength(1);
      const candidat = people.find((u) => u.email === second.email)!;
      const [demande] = await h.ctx.db.select().from(demandes).where(eq(demandes.userId, candidat.id));
      expect(demande).toMatchObject({ kind: 'candidat_ad', decidedAt: null });
    });

  it('the triplet taken while its owner has not validated their address yet: same answers, the owner is told', async () => {
    const siret = await freshSiret(h);
    const first = newPerson(siret);
    const again = newPerson(siret, { nom: first.nom, prenom: first.prenom });
    const firstSeen = await walkInscription(new Client(h), first, 'form');
    const againSeen = await walkInscription(new Client(h), again, 'form');
    expectSame(againSeen, firstSeen, 'triplet taken, address not validated');
    expect(await mailsTo(h, again.email)).toEqual([]);
    expect((await lastMail(h, first.email, TAKEN_SUBJECT)).text).toContain('« Mot de passe oublié »');
    const people = await h.ctx.db.select().from(users).where(eq(users.siret, siret));
    expect(people.map((u) => [u.email, u.status])).toEqual([[first.email, 'email_pending']]);
  });
});

/** The steps over the JSON API up to « Valider l'inscription », where the draft waits. */
async function toProfile(p: Person, ip = '127.0.0.1'): Promise<Client> {
  const c = new Client(h, ip);
  for (const [path, body] of [
    ['/inscription', startFields(p)],
    ['/inscription/conditions', { decision: 'accepte' }],
    ['/inscription/identification', {}],
    ['/inscription/mot-de-passe', passwordBody(p)],
    ['/inscription/recapitulatif', {}],
    ...choices,
  ] as const) {
    const r = await c.json(path, body);
    expect(r.statusCode, `${path}: ${r.body}`).toBeLessThan(300);
  }
  return c;
}

/**
 * « Valider l'inscription » and « renvoyer le courriel » do more work for an account than for a taken triplet
 * (a few statements): both answers take at least EVEN_ANSWER_MS (even-time.ts), so the three outcomes
 * take the same time. Each walk comes from its own address (the inscription's limits per address).
 */
describe('the time of the inscription’s answers', () => {
  it('the profile step and « renvoyer le courriel » take at least the even time, and the same time, for the three outcomes', async () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const times: Record<string, { profil: number[]; renvoyer: number[] }> = {};
    for (let i = 0; i < 3; i++) {
      const siret = await freshSiret(h);
      const first = newPerson(siret);
      const outcomes: [string, Person][] = [
        ['new company', first],
        ['candidat AD', newPerson(siret)],
        ['triplet taken', newPerson(siret, { nom: first.nom, prenom: first.prenom })],
      ];
      for (const [k, [outcome, p]] of outcomes.entries()) {
        const c = await toProfile(p, `10.20.${i}.${k + 1}`);
        const t = (times[outcome] ??= { profil: [], renvoyer: [] });
        for (const [step, path] of [
          ['profil', '/inscription/confirmation'],
          ['renvoyer', '/inscription/renvoyer'],
        ] as const) {
          await h.ctx.mail.flush(); // mails go out after the answer
          const t0 = performance.now();
          const r = await c.json(path, {});
          t[step].push(performance.now() - t0);
          expect(r.statusCode, `${outcome} ${path}: ${r.body}`).toBe(200);
        }
      }
    }
    for (const [outcome, t] of Object.entries(times))
      for (const d of [...t.profil, ...t.renvoyer]) expect(d, outcome).toBeGreaterThanOrEqual(EVEN_ANSWER_MS - 2); // timers round to the ms
    for (const step of ['profil', 'renvoyer'] as const) {
      const medians = Object.values(times).map((t) => median(t[step]));
      expect(Math.max(...medians) - Math.min(...medians), `${step}: ${JSON.stringify(medians)} ms`).toBeLessThan(
        10 + Math.max(...medians) / 2,
      );
    }
  });
});

describe('inscriptions that end at the same moment', () => {
  const atOnce = async (clients: Client[]) =>
    (await Promise.all(clients.map((c) => c.json('/inscription/confirmation', {})))).map((r) => [r.statusCode, r.body]);

  it('two first inscriptions of one company: one espace, one first administrator, one candidat AD, the same answers', async () => {
    const siret = await freshSiret(h);
    const [a, b] = [newPerson(siret), newPerson(siret)];
    const answers = await atOnce([await toProfile(a), await toProfile(b)]);
    expect(answers[0]![0]).toBe(200);
    expect(answers[1]).toEqual(answers[0]);
    expect(
      await h.ctx.db
        .select()
        .from(espaces)
        .where(eq(espaces.siren, siret.slice(0, 9))),
    ).toHaveLength(1);
    const people = await h.ctx.db.select().from(users).where(eq(users.siret, siret));
    expect(people.map((u) => u.status).sort()).toEqual(['candidat', 'email_pending']);
  });

  it('the same triplet twice: one account; the other registrant creates nothing and its address gets nothing', async () => {
    const siret = await freshSiret(h);
    const a = newPerson(siret);
    const b = newPerson(siret, { nom: a.nom, prenom: a.prenom });
    const answers = await atOnce([await toProfile(a), await toProfile(b)]);
    expect(answers[0]![0]).toBe(200);
    expect(answers[1]).toEqual(answers[0]);
    const people = await h.ctx.db.select().from(users).where(eq(users.siret, siret));
    expect(people).toHaveLength(1);
    const [owner, other] = people[0]!.email === a.email ? [a, b] : [b, a];
    expect(await mailsTo(h, other.email)).toEqual([]);
    expect((await mailsTo(h, owner.email)).map((m) => m.subject).sort()).toEqual([TAKEN_SUBJECT, VALIDATION_SUBJECT]);
  });
});

describe('the answers that take a triplet are the same for a registered and an unregistered person', () => {
  let known: Person;
  beforeAll(async () => {
    known = newPerson(await freshSiret(h));
    await registerAdministrator(h, known);
  });
  /** A person never registered on the same SIRET. */
  const ghost = () => newPerson(known.siret);
  const tripletOf = (p: Person) => ({ siret: p.siret, nom: p.nom, prenom: p.prenom });

  it('« Je me connecte » with a wrong password (page and JSON)', async () => {
    for (const mode of ['form', 'json'] as const) {
      const seen: Seen[][] = [];
      for (const p of [known, ghost()]) {
        const c = new Client(h);
        await c.get('/connexion');
        seen.push([await observe('POST /connexion', p, () => post(c, mode, '/connexion', { ...tripletOf(p), password: 'Pas-le-bon-42' }))]);
      }
      expectSame(seen[1]!, seen[0]!, `connexion (${mode})`);
      expect(seen[0]![0]!.status).toBe(401);
      expect(seen[0]![0]!.argon2).toEqual({ hash: 0, verify: 1 });
    }
  });

  it('« Mot de passe oublié » by mail and by the administrator (page and JSON)', async () => {
    h.clock.advance(61 * MINUTE); // a fresh hour for the per-person limit of « mot de passe oublié »
    for (const methode of ['courriel', 'administrateur'] as const)
      for (const mode of ['form', 'json'] as const) {
        const seen: Seen[][] = [];
        for (const p of [known, ghost()]) {
          const c = new Client(h);
          await c.get('/mot-de-passe-oublie');
          seen.push([
            await observe(`POST /mot-de-passe-oublie ${methode}`, p, () =>
              post(c, mode, '/mot-de-passe-oublie', { ...tripletOf(p), methode }),
            ),
          ]);
        }
        expectSame(seen[1]!, seen[0]!, `${methode} (${mode})`);
        expect(seen[0]![0]!.status).toBe(200);
        expect(seen[0]![0]!.argon2).toEqual({ hash: 0, verify: 0 });
      }
  });

  it('« Mot de passe oublié » by the secret question: the same page, no question shown; an unknown triplet, a wrong answer and a locked question answer alike', async () => {
    h.clock.advance(61 * MINUTE);
    for (const mode of ['form', 'json'] as const) {
      const run = async (p: Person, answers: string[]) => {
        const c = new Client(h);
        await c.get('/mot-de-passe-oublie');
        const out = [
          await observe('POST /mot-de-passe-oublie question', p, () =>
            post(c, mode, '/mot-de-passe-oublie', { ...tripletOf(p), methode: 'question' }),
          ),
        ];
        for (const [i, answer] of answers.entries())
          out.push(
            await observe(`POST /mot-de-passe-oublie/question (${i + 1})`, p, () =>
              post(c, mode, '/mot-de-passe-oublie/question', { answer }),
            ),
          );
        return out;
      };
      // five wrong answers, then (locked) the right one for the registered person, anything for the other
      const wrong = ['Mauvaise 1', 'Mauvaise 2', 'Mauvaise 3', 'Mauvaise 4', 'Mauvaise 5'];
      const real = await run(known, [...wrong, known.answer]);
      const nobody = await run(ghost(), [...wrong, known.answer]);
      expectSame(nobody, real, `question (${mode})`);
      const page = real[0]!;
      expect(page.status).toBe(200);
      expect(JSON.stringify(page.body)).not.toContain(known.question);
      expect(JSON.stringify(page.body)).toContain('Répondez à la question secrète renseignée lors de votre inscription, puis validez.');
      expect(JSON.stringify(page.body)).toContain('Au-delà de 5 réponses erronées, un délai d’attente de 60 minutes vous sera demandé.');
      if (mode === 'json') expect(page.body).not.toHaveProperty('question');
      // a wrong answer, the fifth one, and the right one once locked: one and the same answer
      const answers = real.slice(1);
      for (const a of answers) {
        expect(a.argon2, a.request).toEqual({ hash: 0, verify: 1 });
        expect({ ...a, request: '' }, a.request).toEqual({ ...answers[0]!, request: '' });
      }
      expect(answers[0]!.status).toBe(400);
      h.clock.advance(61 * MINUTE);
    }
    // the lock was real: an hour later the right answer is taken
    const c = new Client(h);
    await c.get('/mot-de-passe-oublie');
    await c.form('/mot-de-passe-oublie', { ...tripletOf(known), methode: 'question' });
    const r = await c.form('/mot-de-passe-oublie/question', { answer: known.answer });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/mot-de-passe-oublie/nouveau');
  });

  /**
   * Time, as a backstop to the exact count of argon2 operations above: the medians of interleaved tries
   * differ by less than 10 ms plus half the larger median. Generous on purpose (a shared machine is
   * noisy): it catches work done for one and not the other that is of the order of the request itself
   * — a mail sent inline, a hash skipped where it dominates — not a few database statements. Each try
   * comes from its own address and the clock moves an hour between rounds, so no limit or lock answers
   * instead; the mails of a try are delivered (after its answer, as in production) before the next
   * try starts.
   */
  it('takes the same time for a registered and an unregistered person (medians of interleaved tries)', async () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const paths: [string, (c: Client, p: Person) => Promise<unknown>, (c: Client, p: Person) => Promise<LightMyRequestResponse>][] = [
      ['connexion', (c) => c.get('/connexion'), (c, p) => c.form('/connexion', { ...tripletOf(p), password: 'Pas-le-bon-42' })],
      [
        'question secrète',
        async (c, p) => {
          await c.get('/mot-de-passe-oublie');
          await c.form('/mot-de-passe-oublie', { ...tripletOf(p), methode: 'question' });
        },
        (c) => c.form('/mot-de-passe-oublie/question', { answer: 'Mauvaise réponse' }),
      ],
      [
        'lien par courriel',
        (c) => c.get('/mot-de-passe-oublie'),
        (c, p) => c.form('/mot-de-passe-oublie', { ...tripletOf(p), methode: 'courriel' }),
      ],
      [
        'demande à l’administrateur',
        (c) => c.get('/mot-de-passe-oublie'),
        (c, p) => c.form('/mot-de-passe-oublie', { ...tripletOf(p), methode: 'administrateur' }),
      ],
    ];
    const report: Record<string, { registered: number; unregistered: number }> = {};
    for (const [k, [name, prepare, timed]] of paths.entries()) {
      const times = { registered: [] as number[], unregistered: [] as number[] };
      for (let i = 0; i < 9; i++) {
        h.clock.advance(61 * MINUTE);
        for (const [who, p] of [
          ['registered', known],
          ['unregistered', ghost()],
        ] as const) {
          const c = new Client(h, `10.${k + 1}.${i}.${who === 'registered' ? 1 : 2}`);
          await prepare(c, p);
          await h.ctx.mail.flush(); // mails go out after the answer: not part of the time of the next one
          const t0 = performance.now();
          const r = await timed(c, p);
          times[who].push(performance.now() - t0);
          expect(r.statusCode, `${name} ${who}`).toBeLessThan(429);
        }
      }
      report[name] = { registered: median(times.registered), unregistered: median(times.unregistered) };
    }
    for (const [name, m] of Object.entries(report)) {
      const tolerance = 10 + Math.max(m.registered, m.unregistered) / 2;
      expect(Math.abs(m.registered - m.unregistered), `${name}: medians ${JSON.stringify(m)} ms`).toBeLessThan(tolerance);
    }
  });
});
