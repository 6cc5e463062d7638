/**
 * The operator's space (docs/regles.md#operateur): agents created by the command line with a
 * single-use link, login with password then TOTP (enrolment at the first login, a code never accepted
 * twice, wrong codes throttled), the agent guard (no session, wrong role), sessions apart from the
 * users', and the bank-details verdicts given from the space and the CLI, audited with the agent.
 */
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidFrenchIban } from '../../src/domain/iban.js';
import { decryptSecret } from '../../src/infra/crypto.js';
import { agentJetons } from '../../src/infra/db/schema-operateur.js';
import { agents } from '../../src/infra/db/schema-versements.js';
import { auditEvents, coordonneesBancaires, coordonneesBancairesStatuts } from '../../src/infra/db/schema.js';
import { runBankStatus } from '../../src/modules/espace-etablissement/cli-commands.js';
import { runCreateAgent, runCurrentCode, runNewLink } from '../../src/modules/operateur/cli-commands.js';
import { totpCode } from '../../src/modules/operateur/totp.js';
import { Client, createHarness, linkIn, type Harness } from '../harness.js';
import { createCompany, LYCEE, signIn } from '../espace-etablissement/fixtures.js';
import { AGENT_PASSWORD, newAgent, passwordStep, secretOnPage, signInAgent, type TestAgent } from './helpers.js';

let h: Harness;
let g: TestAgent;
let v: TestAgent;

beforeAll(async () => {
  h = await createHarness();
  g = await newAgent(h, 'gestionnaire');
  v = await newAgent(h, 'valideur');
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const actions = async (agentId: string) =>
  (await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.actorAgentId, agentId)).orderBy(auditEvents.id)).map((e) => e.action);

describe('agents: creation and the single-use link', () => {
  it('operateur-creer makes an agent invite with a hashed, expiring link; the link sets the password once and the agent becomes actif', async () => {
    const out: string[] = [];
    const courriel = `nouvel.agent.${process.pid}@caissedesdepots.test`;
    expect(await runCreateAgent(h.ctx, [courriel, 'Dupuis', 'Léa', '--role', 'valideur'], (l) => out.push(l))).toBe(0);
    expect(out[0]).toContain('Agent créé : Léa Dupuis');
    const [row] = await h.ctx.db.select().from(agents).where(eq(agents.courriel, courriel));
    expect(row).toMatchObject({ statut: 'invite', role: 'valideur', passwordHash: null, totpSecret: null });
    const mail = (await h.takeMails()).find((m) => m.to === courriel)!;
    const path = linkIn(mail.text, '/operateur/mot-de-passe?jeton=');
    const jeton = new URL(path, 'http://x').searchParams.get('jeton')!;
    const [stored] = await h.ctx.db.select().from(agentJetons).where(eq(agentJetons.agentId, row!.id));
    expect(stored!.tokenHash).not.toContain(jeton);
    expect(stored!.expiresAt.getTime() - h.clock.now().getTime()).toBe(48 * 3_600_000);
    // the same courriel twice, a wrong role: refused
    expect(await runCreateAgent(h.ctx, [courriel, 'Dupuis', 'Léa', '--role', 'valideur'], (l) => out.push(l))).toBe(1);
    expect(out.at(-1)).toContain('déjà');
    expect(await runCreateAgent(h.ctx, ['x@y.fr', 'A', 'B', '--role', 'chef'], (l) => out.push(l))).toBe(1);
    expect(out.at(-1)).toContain('Rôle inconnu');
    // a new link retires the first one
    expect(await runNewLink(h.ctx, [courriel], (l) => out.push(l))).toBe(0);
    const c = new Client(h);
    expect((await c.get(path)).statusCode).toBe(404);
    const second = linkIn((await h.takeMails()).find((m) => m.to === courriel)!.text, '/operateur/mot-de-passe?jeton=');
    const jeton2 = new URL(second, 'http://x').searchParams.get('jeton')!;
    await c.get(second);
    // a weak password is refused and spends nothing
    const weak = await c.form('/operateur/mot-de-passe', { jeton: jeton2, password: 'abc', passwordConfirm: 'abc' });
    expect(weak.statusCode).toBe(400);
    const ok = await c.form('/operateur/mot-de-passe', { jeton: jeton2, password: AGENT_PASSWORD, passwordConfirm: AGENT_PASSWORD });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/operateur/connexion?notice=mot-de-passe-choisi');
    const again = await c.form('/operateur/mot-de-passe', { jeton: jeton2, password: AGENT_PASSWORD, passwordConfirm: AGENT_PASSWORD });
    expect(again.statusCode).toBe(404);
    const [after] = await h.ctx.db.select().from(agents).where(eq(agents.courriel, courriel));
    expect(after!.statut).toBe('actif');
    expect(await actions(after!.id)).toEqual([
      'operateur.agent_cree',
      'operateur.lien_envoye',
      'operateur.lien_envoye',
      'operateur.mot_de_passe_choisi',
    ]);
  });
});

describe('login: password then TOTP', () => {
  it('the first login enrols: QR code and secret in text, stored encrypted, confirmed by a first code', async () => {
    const { c, r } = await passwordStep(h, g);
    expect(r.headers.location).toBe('/operateur/connexion/enrolement');
    // the password alone opens nothing of the space
    expect((await c.get('/operateur')).headers.location).toMatch(/^\/operateur\/connexion/);
    const page = await c.get('/operateur/connexion/enrolement');
    expect(page.body).toContain('<svg');
    const secret = secretOnPage(page.body);
    expect(secretOnPage((await c.get('/operateur/connexion/enrolement')).body)).toBe(secret);
    const [row] = await h.ctx.db.select().from(agents).where(eq(agents.id, g.id));
    expect(row!.totpSecret).not.toContain(secret);
    expect(decryptSecret(h.ctx.config.secretsKey, row!.totpSecret!)).toBe(secret);
    expect(decryptSecret('une-autre-cle-une-autre-cle-une-autre-cle', row!.totpSecret!)).toBeNull();
    const wrong = await c.form('/operateur/connexion/enrolement', {
      code: totpCode(secret, new Date(h.clock.now().getTime() + 5 * 60_000)),
    });
    expect(wrong.statusCode).toBe(401);
    const done = await c.form('/operateur/connexion/enrolement', { code: totpCode(secret, h.clock.now()) });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/operateur');
    const home = await c.get('/operateur');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Vagues de versement');
    g.secret = secret;
    expect(await actions(g.id)).toContain('operateur.totp_enrole');
    h.clock.advance(30_000);
  });

  it('a code is never accepted twice, even in its own window; the next step’s code is', async () => {
    const a = await signInAgent(h, v);
    expect(a).toBeDefined();
    const code = totpCode(v.secret!, h.clock.now());
    const first = await passwordStep(h, v);
    expect(first.r.headers.location).toBe('/operateur/connexion/code');
    await first.c.get('/operateur/connexion/code');
    expect((await first.c.form('/operateur/connexion/code', { code })).statusCode).toBe(303);
    const second = await passwordStep(h, v);
    await second.c.get('/operateur/connexion/code');
    const replay = await second.c.form('/operateur/connexion/code', { code });
    expect(replay.statusCode).toBe(401);
    expect(replay.body).toContain('a déjà servi');
    // the code of the step before is also spent now (the window never goes back)
    const before = await second.c.form('/operateur/connexion/code', {
      code: totpCode(v.secret!, new Date(h.clock.now().getTime() - 30_000)),
    });
    expect(before.statusCode).toBe(401);
    h.clock.advance(30_000);
    expect((await second.c.form('/operateur/connexion/code', { code: totpCode(v.secret!, h.clock.now()) })).statusCode).toBe(303);
    h.clock.advance(30_000);
  });

  it('wrong codes are throttled: the sixth try within 15 minutes gets 429, even with the right code', async () => {
    const agent = await newAgent(h, 'gestionnaire');
    await signInAgent(h, agent);
    const { c } = await passwordStep(h, agent);
    await c.get('/operateur/connexion/code');
    for (let i = 0; i < 5; i++) expect((await c.form('/operateur/connexion/code', { code: '000000' })).statusCode).toBe(401);
    const blocked = await c.form('/operateur/connexion/code', { code: totpCode(agent.secret!, h.clock.now()) });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain('Trop de codes erronés');
    h.clock.advance(15 * 60_000 + 1000);
    const again = await passwordStep(h, agent);
    await again.c.get('/operateur/connexion/code');
    expect((await again.c.form('/operateur/connexion/code', { code: totpCode(agent.secret!, h.clock.now()) })).statusCode).toBe(303);
    expect((await actions(agent.id)).filter((x) => x === 'operateur.code_refuse')).toHaveLength(5);
  });

  it('a wrong password answers one message; the sixth attempt from one address locks like the users’ login', async () => {
    const agent = await newAgent(h, 'valideur');
    const c = new Client(h, '10.0.0.9');
    await c.get('/operateur/connexion');
    for (let i = 0; i < 5; i++) {
      const r = await c.form('/operateur/connexion', { courriel: agent.courriel, password: 'Mauvais-mot-2026' });
      expect(r.statusCode).toBe(401);
      expect(r.body).toContain('Le courriel ou le mot de passe est incorrect');
    }
    const locked = await c.form('/operateur/connexion', { courriel: agent.courriel, password: AGENT_PASSWORD });
    expect(locked.statusCode).toBe(401);
    const unknown = await c.form('/operateur/connexion', { courriel: 'personne@caissedesdepots.test', password: AGENT_PASSWORD });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toContain('Le courriel ou le mot de passe est incorrect');
  });
});

describe('the agent guard and the sessions', () => {
  it('no agent session: the login page for browsers, 401 for programs', async () => {
    const c = new Client(h);
    const page = await c.get('/operateur/coordonnees-bancaires');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/operateur/connexion?retour=%2Foperateur%2Fcoordonnees-bancaires');
    const api = await c.get('/operateur/coordonnees-bancaires', 'application/json');
    expect(api.statusCode).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ code: 'agent_non_connecte', status: 401 });
  });

  it('a user’s session does not open the operator’s space, an agent’s does not open the portal', async () => {
    const co = await createCompany(h.ctx, { siren: LYCEE.siren, siret: LYCEE.siret, people: [{ nom: 'GARNIER', role: 'administrateur' }] });
    const user = await signIn(h, co.people[0]!);
    expect((await user.get('/operateur')).headers.location).toMatch(/^\/operateur\/connexion/);
    expect((await user.get('/operateur', 'application/json')).statusCode).toBe(401);
    const agent = await signInAgent(h, g);
    expect((await agent.get('/menu')).headers.location).toMatch(/^\/connexion/);
    // both cookies in one browser: each space reads its own
    for (const [k, val] of agent.cookies) user.cookies.set(k, val);
    expect((await user.get('/operateur')).statusCode).toBe(200);
    expect((await user.get('/menu')).statusCode).toBe(200);
    // the agent's logout ends the agent's session only
    await user.get('/operateur');
    expect((await user.form('/operateur/deconnexion', {})).statusCode).toBe(303);
    expect((await user.get('/operateur')).statusCode).toBe(303);
    expect((await user.get('/menu')).statusCode).toBe(200);
  });
});

async function bankDetails(siret: string): Promise<number> {
  const [row] = await h.ctx.db
    .insert(coordonneesBancaires)
    .values({
      siret,
      iban: makeValidFrenchIban('10071', '75000', '00001003975'),
      bic: 'TRPUFRP1',
      titulaire: 'Lycée Raspail',
      statut: 'a_verifier',
      createdAt: h.clock.now(),
    })
    .returning();
  return row!.id;
}

describe('bank-details verdicts', () => {
  it('the screen lists the details to verify with the IBAN masked; « Rejetée » needs a reason; the verdict is audited with the agent', async () => {
    const id = await bankDetails(LYCEE.siret);
    const c = await signInAgent(h, v);
    const page = await c.get('/operateur/coordonnees-bancaires');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('FR•• ••••');
    expect(page.body).not.toContain('10071');
    const noReason = await c.form('/operateur/coordonnees-bancaires', { siret: LYCEE.siret, id: String(id), statut: 'rejetee', motif: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Indiquez le motif du rejet');
    const rejected = await c.form('/operateur/coordonnees-bancaires', {
      siret: LYCEE.siret,
      id: String(id),
      statut: 'rejetee',
      motif: 'RIB illisible',
    });
    expect(rejected.statusCode).toBe(303);
    const [row] = await h.ctx.db.select().from(coordonneesBancaires).where(eq(coordonneesBancaires.id, id));
    expect(row).toMatchObject({ statut: 'rejetee', motifRejet: 'RIB illisible' });
    const [a] = await h.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'bank_details.status_set'), eq(auditEvents.actorAgentId, v.id)));
    expect(a!.details).toMatchObject({ siret: LYCEE.siret, statut: 'rejetee', motif: 'RIB illisible' });
    // a verdict on details replaced since the page was shown is refused
    const newer = await (async () => {
      await h.ctx.db.update(coordonneesBancaires).set({ remplaceeLe: h.clock.now() }).where(eq(coordonneesBancaires.id, id));
      return bankDetails(LYCEE.siret);
    })();
    const stale = await c.form('/operateur/coordonnees-bancaires', { siret: LYCEE.siret, id: String(id), statut: 'verifiee', motif: '' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('remplacées depuis l’affichage');
    // the CLI with --agent <courriel>
    const out: string[] = [];
    expect(await runBankStatus(h.ctx, [LYCEE.siret, 'verifiee', '--agent', g.courriel], (l) => out.push(l))).toBe(0);
    const [last] = await h.ctx.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'bank_details.status_set'))
      .orderBy(desc(auditEvents.id))
      .limit(1);
    expect(last!.actorAgentId).toBe(g.id);
    const [hist] = await h.ctx.db.select().from(coordonneesBancairesStatuts).where(eq(coordonneesBancairesStatuts.coordonneesId, newer));
    expect(hist!.agent).toMatch(/^Agent. Martin$/);
    expect(await runBankStatus(h.ctx, [LYCEE.siret, 'verifiee', '--agent', 'inconnu@caissedesdepots.test'], (l) => out.push(l))).toBe(1);
    expect(out.at(-1)).toContain('Aucun agent actif');
  });
});

describe('operateur-code (demonstration only)', () => {
  it('prints the current code of an enrolled agent in the demonstration, and refuses in production and outside the demonstration', async () => {
    const out: string[] = [];
    expect(await runCurrentCode(h.ctx, [g.courriel], (l) => out.push(l))).toBe(0);
    expect(out[0]!.slice(0, 6)).toBe(totpCode(g.secret!, h.clock.now()));
    const production = { ...h.ctx, config: { ...h.ctx.config, isProduction: true } };
    expect(await runCurrentCode(production, [g.courriel], (l) => out.push(l))).toBe(2);
    expect(out.at(-1)).toContain('refusé en production');
    const noDemo = { ...h.ctx, config: { ...h.ctx.config, demoSeed: false, devTools: false } };
    expect(await runCurrentCode(noDemo, [g.courriel], (l) => out.push(l))).toBe(2);
    expect(await runCurrentCode(h.ctx, ['personne@caissedesdepots.test'], (l) => out.push(l))).toBe(1);
  });
});
