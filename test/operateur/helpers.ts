/**
 * Helpers of the operator-space tests: agents created like the command line does (the mail's link
 * followed over HTTP), agents signed in with their password and TOTP code (enrolling the first time).
 */
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { agents } from '../../src/infra/db/schema-versements.js';
import { runCreateAgent } from '../../src/modules/operateur/cli-commands.js';
import { totpCode } from '../../src/modules/operateur/totp.js';
import { Client, linkIn, type Harness } from '../harness.js';

export const AGENT_PASSWORD = 'Caisse-Depots-2026!';

export interface TestAgent {
  id: string;
  courriel: string;
  role: 'gestionnaire' | 'valideur';
  /** the TOTP secret once enrolled */
  secret?: string;
}

let seq = 0;

/** An agent created by `operateur-creer`, its password chosen through the mailed link. */
export async function newAgent(h: Harness, role: 'gestionnaire' | 'valideur'): Promise<TestAgent> {
  const courriel = `agent.${role}.${++seq}.${process.pid}@caissedesdepots.test`;
  const out: string[] = [];
  expect(await runCreateAgent(h.ctx, [courriel, 'Martin', `Agent${'abcdefghij'[seq % 10]}`, '--role', role], (l) => out.push(l))).toBe(0);
  const mail = (await h.takeMails()).find((m) => m.to === courriel);
  expect(mail?.subject).toBe('SOLTéA opérateur : votre compte agent');
  const c = new Client(h);
  const path = linkIn(mail!.text, '/operateur/mot-de-passe?jeton=');
  expect((await c.get(path)).statusCode).toBe(200);
  const jeton = new URL(path, 'http://x').searchParams.get('jeton')!;
  const r = await c.form('/operateur/mot-de-passe', { jeton, password: AGENT_PASSWORD, passwordConfirm: AGENT_PASSWORD });
  expect(r.statusCode).toBe(303);
  const [row] = await h.ctx.db.select().from(agents).where(eq(agents.courriel, courriel));
  return { id: row!.id, courriel, role };
}

/** Courriel and password: the client holds a session waiting for its second factor. */
export async function passwordStep(h: Harness, a: TestAgent, c = new Client(h)) {
  await c.get('/operateur/connexion');
  const r = await c.form('/operateur/connexion', { courriel: a.courriel, password: AGENT_PASSWORD });
  return { c, r };
}

/** The secret shown on the enrolment page (grouped by four). */
export function secretOnPage(html: string): string {
  const m = /id="cle-totp">([A-Z2-7 ]+)</.exec(html);
  if (!m) throw new Error('no secret on the enrolment page');
  return m[1]!.replace(/\s+/g, '');
}

/** Signs in with the password and the current code (enrolling at the first login). */
export async function signInAgent(h: Harness, a: TestAgent): Promise<Client> {
  const { c, r } = await passwordStep(h, a);
  expect(r.statusCode).toBe(303);
  const next = String(r.headers.location);
  const page = await c.get(next);
  if (next.startsWith('/operateur/connexion/enrolement')) a.secret = secretOnPage(page.body);
  const done = await c.form(next, { code: totpCode(a.secret!, h.clock.now()) });
  if (done.statusCode !== 303) throw new Error(`code refusé : ${done.statusCode}\n${done.body.slice(0, 400)}`);
  const home = await c.get(String(done.headers.location));
  expect(home.statusCode).toBe(200);
  // the next code must come from a later step
  h.clock.advance(30_000);
  return c;
}
