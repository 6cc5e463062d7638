/**
 * The inscription's step machine: « Étape précédente » moves the draft back one step from the step it
 * is at (no step skipped, no step replayed), « Abandonner l'inscription » deletes the draft; the path
 * of an entreprise and of a tiers-déclarant; the collaborators of « Inscription des déclarants », invited
 * once their administrator's address is validated.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { auditEvents, users } from '../../src/infra/db/schema.js';
import { InscriptionError } from '../../src/modules/accounts/inscription.js';
import { abandonInscription, goBack, loadDraft } from '../../src/modules/accounts/inscription.js';
import { nextStep, pathOf, previousStep, stepperOf, stepperPosition } from '../../src/modules/accounts/inscription-path.js';
import { Client, createHarness, type Harness } from '../harness.js';
import {
  counts,
  draftRow,
  finishInscription,
  FRENCH,
  freshSiret,
  mailsTo,
  newPerson,
  startFields,
  stopHarness,
  validateLastLink,
  walkToRecap,
  type Person,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => stopHarness(h));

const passwordBody = (p: Person) => ({
  password: p.password,
  passwordConfirm: p.password,
  secretQuestion: p.question,
  secretAnswer: p.answer,
});

/** A JSON client at the start of an inscription, with its « jeton » and a step helper. */
async function started(p: Person) {
  const c = new Client(h);
  const r = await c.json('/inscription', startFields(p));
  expect(r.statusCode, r.body).toBe(201);
  const jeton = (r.json() as { jeton: string }).jeton;
  const post = (path: string, body: unknown = {}) => c.json(path, body, { 'x-inscription': jeton });
  return { c, jeton, post };
}

/** A refusal of the step machine, with its reason and the step the draft is at. */
async function refusal(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (e) {
    if (e instanceof InscriptionError) return { reason: e.reason, current: e.currentStep };
    throw e;
  }
  throw new Error('the step machine accepted it');
}

describe('the path of the steps (inscription-path.ts)', () => {
  it('an entreprise walks 8 steps, a tiers-déclarant 9 with « Inscription des déclarants »', () => {
    expect(stepperOf('entreprise')).toEqual([
      'coordonnees',
      'cgu',
      'identification',
      'password',
      'recap',
      'profil',
      'habilitations',
      'confirmation',
    ]);
    expect(stepperOf('tiers_declarant')).toEqual([...stepperOf('entreprise').slice(0, 7), 'declarants', 'confirmation']);
    // before the profile the kind is unknown: the entreprise's path
    expect(stepperOf(undefined)).toEqual(stepperOf('entreprise'));
    // the dialog « Validation de vos déclarations » is counted with the profile
    expect(stepperPosition('declarations', 'entreprise')).toEqual({ current: 6, total: 8 });
    expect(stepperPosition('confirmation', 'tiers_declarant')).toEqual({ current: 9, total: 9 });
  });

  it('each step but the first has exactly one previous step, the inverse of the next one', () => {
    for (const kind of ['entreprise', 'tiers_declarant'] as const) {
      const path = pathOf(kind);
      expect(previousStep(path[0]!, kind)).toBeNull();
      expect(previousStep('done', kind)).toBeNull();
      for (let i = 1; i < path.length; i++) {
        expect(previousStep(path[i]!, kind)).toBe(path[i - 1]);
        expect(nextStep(path[i - 1]!, kind)).toBe(path[i]);
      }
      expect(nextStep('confirmation', kind)).toBe('done');
    }
    expect(nextStep('habilitations', 'entreprise')).toBe('confirmation');
    expect(nextStep('habilitations', 'tiers_declarant')).toBe('declarants');
  });
});

describe('« Étape précédente »', () => {
  it('goes back one step from the step the draft is at; a replay or a step elsewhere is refused and changes nothing', async () => {
    const p = newPerson(await freshSiret(h));
    const { jeton, post } = await started(p);
    expect((await post('/inscription/conditions', { decision: 'accepte' })).statusCode).toBe(200);
    expect((await post('/inscription/identification')).statusCode).toBe(200);
    expect((await draftRow(h, jeton))?.step).toBe('password');

    // back from the password step: to the identification
    let r = await post('/inscription/etape-precedente', { etape: 'password' });
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as { etapeSuivante: string }).etapeSuivante).toBe('identification');
    const atIdentification = await draftRow(h, jeton);
    expect(atIdentification?.step).toBe('identification');

    // the same click again (a replay, a second tab): 409 with the current step, nothing moves
    const before = await counts(h);
    r = await post('/inscription/etape-precedente', { etape: 'password' });
    expect(r.statusCode, r.body).toBe(409);
    expect((r.json() as { etapeEnCours: string; message: string }).etapeEnCours).toBe('identification');
    expect(await draftRow(h, jeton)).toEqual(atIdentification);
    // « back » from a step ahead cannot jump there either
    expect((await post('/inscription/etape-precedente', { etape: 'recap' })).statusCode).toBe(409);
    // nor can the step after the identification be taken before it: no step skipped
    expect((await post('/inscription/mot-de-passe', passwordBody(p))).statusCode).toBe(409);
    expect(await draftRow(h, jeton)).toEqual(atIdentification);
    expect(await counts(h)).toEqual(before);

    // the step is simply taken again, in order
    expect((await post('/inscription/identification')).statusCode).toBe(200);
    expect((await draftRow(h, jeton))?.step).toBe('password');
  });

  it('the first step has no previous one, an unknown step is refused, the use case checks the step too', async () => {
    const p = newPerson(await freshSiret(h));
    const { jeton, post } = await started(p);
    let r = await post('/inscription/etape-precedente', { etape: 'cgu' });
    expect(r.statusCode, r.body).toBe(400);
    expect((r.json() as { errors: Record<string, string> }).errors.etape).toMatch(FRENCH);
    r = await post('/inscription/etape-precedente', { etape: 'nulle-part' });
    expect(r.statusCode, r.body).toBe(400);
    r = await post('/inscription/etape-precedente', {});
    expect(r.statusCode, r.body).toBe(400);
    expect((await draftRow(h, jeton))?.step).toBe('cgu');
    expect(await refusal(() => goBack(h.ctx, jeton, 'identification'))).toEqual({ reason: 'wrong_step', current: 'cgu' });
    expect(await refusal(() => goBack(h.ctx, 'pas-un-jeton', 'identification'))).toMatchObject({ reason: 'expired' });
  });

  it('walks back from « Valider l’inscription » to the conditions, keeping what was entered, then forward again', async () => {
    const p = newPerson(DEMO_COMPANIES.cabinetDurand.siret);
    const { jeton, post } = await started(p);
    for (const [path, body] of [
      ['/inscription/conditions', { decision: 'accepte' }],
      ['/inscription/identification', {}],
      ['/inscription/mot-de-passe', passwordBody(p)],
      ['/inscription/recapitulatif', {}],
      [
        '/inscription/profil',
        {
          kind: 'tiers_declarant',
          organisationType: 'geree_par_tiers',
          domains: ['formation'],
          declarations: ['MCF_ELU'],
          confirme: 'oui',
        },
      ],
      ['/inscription/habilitations', { declarer: ['MCF_ELU'], payer: [] }],
      ['/inscription/declarants', {}],
    ] as const)
      expect((await post(path, body)).statusCode, path).toBe(200);
    expect((await draftRow(h, jeton))?.step).toBe('confirmation');
    const walked: string[] = [];
    for (let step = 'confirmation'; step !== 'cgu';) {
      const r = await post('/inscription/etape-precedente', { etape: step });
      expect(r.statusCode, `${step}: ${r.body}`).toBe(200);
      step = (r.json() as { etapeSuivante: string }).etapeSuivante;
      walked.push(step);
    }
    expect(walked).toEqual(['declarants', 'habilitations', 'declarations', 'profil', 'recap', 'password', 'identification', 'cgu']);
    const draft = await loadDraft(h.ctx, jeton);
    expect(draft?.data).toMatchObject({ kind: 'tiers_declarant', organisationType: 'geree_par_tiers', declarations: ['MCF_ELU'] });
    expect(draft?.data.rights).toEqual({ MCF_ELU: { declarer: true, payer: false } });
    // the browser's profile page comes back filled with the choices kept
    const c = new Client(h);
    c.cookies.set('__Host-inscription', jeton);
    for (const [path, body] of [
      ['/inscription/conditions', { decision: 'accepte' }],
      ['/inscription/identification', {}],
      ['/inscription/mot-de-passe', passwordBody(p)],
      ['/inscription/recapitulatif', {}],
    ] as const)
      expect((await post(path, body)).statusCode, path).toBe(200);
    const page = await c.get('/inscription/profil');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/checked="" value="tiers_declarant"/);
    expect(page.body).toMatch(/checked="" value="geree_par_tiers"/);
    expect(page.body).toContain('Étape 6 sur 9');
  });
});

describe('« Abandonner l’inscription »', () => {
  it('asks for a confirmation, then deletes the draft: nothing is left and nothing goes on', async () => {
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    await walkToRecap(c, p);
    const jeton = c.cookies.get('__Host-inscription')!;
    expect((await draftRow(h, jeton))?.step).toBe('profil');
    // the confirmation page: the way back to the step, and the button
    const confirm = await c.get('/inscription/abandonner');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Abandonner l’inscription ?');
    expect(confirm.body).toContain('href="/inscription/profil"');
    const drafts = (await counts(h)).drafts;
    const r = await c.form('/inscription/abandonner', {});
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).toContain('Inscription abandonnée');
    expect(c.cookies.has('__Host-inscription')).toBe(false);
    // gone: the row, and every step after it
    expect(await draftRow(h, jeton)).toBeNull();
    expect((await counts(h)).drafts).toBe(drafts - 1);
    expect(await loadDraft(h.ctx, jeton)).toBeNull();
    const api = (path: string, body: unknown = {}) => new Client(h).json(path, body, { 'x-inscription': jeton });
    expect(
      (await api('/inscription/profil', { kind: 'entreprise', organisationType: 'entreprise_privee', domains: ['formation'] })).statusCode,
    ).toBe(410);
    expect((await api('/inscription/etape-precedente', { etape: 'profil' })).statusCode).toBe(410);
    expect((await api('/inscription/abandonner')).statusCode).toBe(410);
    const audit = await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'inscription.abandoned'));
    expect(audit.map((a) => a.details)).toContainEqual({ siret: p.siret, step: 'profil' });
    // no account was created for this person
    expect(await h.ctx.db.select().from(users).where(eq(users.email, p.email))).toEqual([]);
  });

  it('over JSON at any step; once validated there is nothing to abandon (409, the draft stays)', async () => {
    const p = newPerson(await freshSiret(h));
    const { jeton, post } = await started(p);
    expect((await post('/inscription/conditions', { decision: 'accepte' })).statusCode).toBe(200);
    const r = await post('/inscription/abandonner');
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as { message: string }).message).toMatch(/abandonnée/);
    expect(await draftRow(h, jeton)).toBeNull();

    const q = newPerson(await freshSiret(h));
    const c = new Client(h);
    await walkToRecap(c, q);
    await finishInscription(c);
    const done = c.cookies.get('__Host-inscription')!;
    expect(await refusal(() => abandonInscription(h.ctx, done, {}))).toEqual({ reason: 'wrong_step', current: 'done' });
    expect((await draftRow(h, done))?.step).toBe('done');
    expect((await c.get('/inscription/abandonner')).headers.location).toBe('/inscription/validation');
  });
});

describe('« Inscription des déclarants » (tiers-déclarant)', () => {
  it('adds collaborators, refuses a name taken, removes one; they are invited once the administrator’s address is validated', async () => {
    const siret = await freshSiret(h);
    const p = newPerson(siret);
    const c = new Client(h);
    await walkToRecap(c, p);
    let r = await c.form('/inscription/profil', { kind: 'tiers_declarant', organisationType: 'expert_comptable', domains: ['formation'] });
    expect(r.headers.location).toBe('/inscription/declarations');
    r = await c.form('/inscription/declarations', { declarations: ['SOLTEA_EMPLOYEURS'] });
    r = await c.form('/inscription/habilitations', { declarer: ['SOLTEA_EMPLOYEURS'] });
    expect(r.headers.location).toBe('/inscription/declarants');
    const page = await c.get('/inscription/declarants');
    expect(page.body).toContain('Inscription des déclarants');
    expect(page.body).toContain('Étape 8 sur 9');
    expect((await c.get('/inscription/declarants/nouveau')).body).toContain('Ajout d’un déclarant');

    const colleague = newPerson(siret);
    const other = newPerson(siret);
    const fields = (x: Person) => ({ nom: x.nom, prenom: x.prenom, email: x.email, emailConfirm: x.email, telephone: x.telephone });
    r = await c.form('/inscription/declarants/nouveau', fields(colleague));
    expect(r.headers.location, r.body).toBe('/inscription/declarants');
    r = await c.form('/inscription/declarants/nouveau', fields(other));
    // the registrant's names, or a collaborator's again: refused on the form
    for (const taken of [p, colleague]) {
      r = await c.form('/inscription/declarants/nouveau', { ...fields(taken), email: 'x@exemple.fr', emailConfirm: 'x@exemple.fr' });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('déjà inscrite sur ce SIRET');
    }
    r = await c.form('/inscription/declarants/nouveau', { ...fields(newPerson(siret)), emailConfirm: 'autre@exemple.fr' });
    expect(r.statusCode).toBe(400);
    r = await c.form('/inscription/declarants/supprimer', { rang: '1' });
    expect(r.headers.location).toBe('/inscription/declarants');
    expect((await c.form('/inscription/declarants/supprimer', { rang: '5' })).statusCode).toBe(400);
    const jeton = c.cookies.get('__Host-inscription')!;
    expect((await loadDraft(h.ctx, jeton))?.data.declarants?.map((x) => x.nom)).toEqual([colleague.nom]);

    r = await c.form('/inscription/declarants', {});
    expect(r.headers.location).toBe('/inscription/confirmation');
    const confirmation = await c.get('/inscription/confirmation');
    expect(confirmation.body).toContain('Valider l’inscription');
    expect(confirmation.body).toContain(colleague.email);
    r = await c.form('/inscription/confirmation', {});
    expect(r.headers.location).toBe('/inscription/validation');

    const [waiting] = await h.ctx.db
      .select()
      .from(users)
      .where(and(eq(users.siret, siret), eq(users.email, colleague.email)));
    expect(waiting).toMatchObject({ role: 'declarant', status: 'email_pending', passwordHash: null });
    expect(await mailsTo(h, colleague.email)).toEqual([]);
    await validateLastLink(h, c, p.email);
    const invitations = await mailsTo(h, colleague.email);
    expect(invitations.map((m) => m.subject)).toEqual(['Vous avez été ajouté comme déclarant sur net-entreprises']);
    expect(invitations[0]!.text).toContain('/invitation?jeton=');
    expect(await mailsTo(h, other.email)).toEqual([]);
  });
});
