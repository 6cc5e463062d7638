/**
 * « Coordonnées bancaires » over HTTP: the code (mailed to the administrators only, hashed, valid
 * 30 days, one request per 10 minutes, never cancelled by a new request while it is pending, burnt
 * after 5 wrong entries, used once), the IBAN / BIC / titulaire checks with the real vectors (a bad field changes nothing and costs
 * no attempt), double submission, the history of versions, the operator's verdict (function and CLI),
 * audit and notifications, and the IBAN never shown nor mailed in clear.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidFrenchIban } from '../../src/domain/iban.js';
import { auditEvents, coordonneesBancairesStatuts } from '../../src/infra/db/schema.js';
import { parseBankStatusArgs, runBankStatus } from '../../src/modules/espace-etablissement/cli-commands.js';
import { setBankDetailsStatus } from '../../src/modules/espace-etablissement/coordonnees-bancaires.js';
import { createHarness, type Client, type Harness, type ReceivedMail } from '../harness.js';
import { pageErrors, stopHarness } from '../accounts/helpers.js';
import {
  auditCount,
  bankRows,
  CODE_SUBJECT,
  codeIn,
  codeRows,
  createCompany,
  currentBank,
  LYCEE,
  notificationsOf,
  registryCompanies,
  seedReferentiel,
  signIn,
  type TestPerson,
} from './fixtures.js';

const vectors = JSON.parse(readFileSync(path.resolve(process.cwd(), '../shared/data/validation/validation_vectors.json'), 'utf8')) as {
  iban: { vectors: { value: string; iban_mod97_ok: boolean; rib_key_ok?: boolean }[]; invalid_format_examples?: unknown };
};

let h: Harness;
let admin: TestPerson;
let admin2: TestPerson;
let declarant: TestPerson;
let adminC: Client;
let declC: Client;

const BANK = `/soltea/etablissement/${LYCEE.siret}/coordonnees-bancaires`;
const IBAN = makeValidFrenchIban('10071', '75000', '00001003975');
const IBAN2 = makeValidFrenchIban('30004', '00819', '00012345678');
const GOOD = { iban: IBAN.replace(/(.{4})/g, '$1 '), bic: 'TRPUFRP1', titulaire: 'Lycée des métiers Raspail' };

async function mailsTo(email: string, subject?: string): Promise<ReceivedMail[]> {
  await h.ctx.mail.flush();
  return h.mails.filter((m) => m.to === email && (!subject || m.subject === subject));
}
async function lastCode(email = admin.email): Promise<string> {
  const list = await mailsTo(email, CODE_SUBJECT);
  return codeIn(list[list.length - 1]!.text);
}
/** A fresh session (the tests move the clock by days; sessions end after 30 minutes idle). */
async function fresh() {
  adminC = await signIn(h, admin);
  declC = await signIn(h, declarant);
}

beforeAll(async () => {
  h = await createHarness();
  const [other] = await registryCompanies(h.ctx.db, 1);
  await seedReferentiel(h.ctx.db, h.clock.now(), other!.siret);
  const co = await createCompany(h.ctx, {
    siren: LYCEE.siren,
    siret: LYCEE.siret,
    people: [
      { nom: 'GARNIER', prenom: 'Nadia', role: 'administrateur' },
      { nom: 'ROUSSEL', prenom: 'Isabelle', role: 'administrateur', habilitated: false },
      { nom: 'FONTAINE', prenom: 'Julien', role: 'declarant' },
    ],
  });
  [admin, admin2, declarant] = co.people as [TestPerson, TestPerson, TestPerson];
  await fresh();
}, 120_000);
afterAll(async () => stopHarness(h));

describe('« Demander un code »', () => {
  it('a déclarant asks: every administrator (not the déclarant) receives the code; it is stored hashed, valid 30 days; the request is audited and told', async () => {
    const page = await declC.get(BANK);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Aucune coordonnée bancaire');
    const r = await declC.form(`${BANK}/code`, {});
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe(`${BANK}?notice=code-envoye`);
    const code = await lastCode(admin.email);
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(await lastCode(admin2.email)).toBe(code);
    expect(await mailsTo(declarant.email, CODE_SUBJECT)).toHaveLength(0);
    const [row] = await codeRows(h.ctx.db);
    expect(row!.codeHash).not.toContain(code.replace('-', ''));
    expect(row!.codeHash).toMatch(/^\$argon2id\$/);
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(30 * 86_400_000);
    expect(await auditCount(h.ctx.db, 'bank_code.requested')).toBe(1);
    const notes = await notificationsOf(h.ctx.db, admin.id);
    expect(notes.at(-1)).toMatch(/FONTAINE a demandé un code pour les coordonnées bancaires/);
    expect(notes.at(-1)).not.toContain(code);
    const after = await declC.get(`${BANK}?notice=code-envoye`);
    expect(after.body).toContain('Un code a été envoyé par courriel aux administrateurs');
    expect(after.body).toMatch(/Un code a été demandé le .* par Julien FONTAINE/);
  });

  it('a second request within 10 minutes is refused (429); after 10 minutes too while the first code is pending (409): it stays valid', async () => {
    const first = await lastCode();
    h.clock.advance(9 * 60_000);
    const mailsBefore = (await mailsTo(admin.email, CODE_SUBJECT)).length;
    const r = await adminC.form(`${BANK}/code`, {});
    expect(r.statusCode).toBe(429);
    expect(pageErrors(r.body).join(' ') + r.body).toContain('Un code vient d’être envoyé pour cet établissement');
    const j = await adminC.json(`${BANK}/code`, {});
    expect(j.statusCode).toBe(429);
    expect((await mailsTo(admin.email, CODE_SUBJECT)).length).toBe(mailsBefore);
    expect(await codeRows(h.ctx.db)).toHaveLength(1);
    h.clock.advance(61_000);
    const again = await adminC.json(`${BANK}/code`, {});
    expect(again.statusCode).toBe(409);
    expect(JSON.parse(again.body)).toMatchObject({ code: 'code_en_attente' });
    expect(JSON.parse(again.body).message).toContain('Un code a déjà été envoyé pour cet établissement');
    const page = await adminC.form(`${BANK}/code`, {});
    expect(page.statusCode).toBe(409);
    expect(pageErrors(page.body).join(' ') + page.body).toContain('Un code a déjà été envoyé pour cet établissement');
    expect((await mailsTo(admin.email, CODE_SUBJECT)).length).toBe(mailsBefore);
    expect(await codeRows(h.ctx.db)).toHaveLength(1);
    expect(await lastCode()).toBe(first);
    // a wrong code costs an attempt of the pending one; nothing is saved
    const wrong = first === 'ABCD-EFGH' ? 'ABCD-EFGJ' : 'ABCD-EFGH';
    const r2 = await adminC.form(BANK, { ...GOOD, code: wrong });
    expect(r2.statusCode).toBe(400);
    expect(pageErrors(r2.body)).toContain('Le code est incorrect. Il vous reste 4 essais avant qu’il ne soit bloqué.');
    expect(await bankRows(h.ctx.db)).toHaveLength(0);
  });
});

describe('bad input changes nothing and costs no attempt', () => {
  const cases = (): [string, Record<string, string>, string, RegExp][] => [
    ['empty form', { iban: '', bic: '', titulaire: '', code: '' }, 'iban', /L'IBAN est obligatoire\./],
    [
      'foreign non-SEPA IBAN (Pakistan)',
      { ...GOOD, iban: 'PK36SCBL0000001123456702', bic: 'SCBLPKKX' },
      'iban',
      /^Les virements SOLTéA sont des virements SEPA : un compte tenu dans ce pays \(Pakistan, PK\) ne peut pas les recevoir\./,
    ],
    ['foreign non-SEPA IBAN (Brazil)', { ...GOOD, iban: 'BR1800000000141455123924100C2' }, 'iban', /virements SEPA/],
    ['New Caledonia bank (XPF, outside SEPA)', { ...GOOD, bic: 'BNPANCNXKOU' }, 'bic', /virements SEPA/],
    ['wrong RIB key', { ...GOOD, iban: 'FR7640978265851012212598123' }, 'iban', /n'est pas valide/],
    ['wrong length', { ...GOOD, iban: IBAN.slice(0, 20) }, 'iban', /Un IBAN FR doit comporter 27 caractères\./],
    ['unknown country', { ...GOOD, iban: 'XX12345678901234' }, 'iban', /code pays « XX »/],
    ['Guadeloupe written as GP', { ...GOOD, iban: 'GP' + IBAN.slice(2) }, 'iban', /commence par FR/],
    ['BIC of another country', { ...GOOD, bic: 'DEUTDEFF' }, 'bic', /ne correspond pas au pays de l’IBAN/],
    ['BIC malformed', { ...GOOD, bic: 'TRPU-FR' }, 'bic', /8 ou 11 caractères/],
    ['titulaire too short', { ...GOOD, titulaire: 'L' }, 'titulaire', /2 caractères au minimum/],
    ['titulaire too long', { ...GOOD, titulaire: 'L'.repeat(71) }, 'titulaire', /70 caractères au maximum/],
    [
      'titulaire with markup',
      { ...GOOD, titulaire: '<script>alert(1)</script>' },
      'titulaire',
      /caractères acceptés par les virements SEPA/,
    ],
    ['code malformed', { ...GOOD, code: 'ABC' }, 'code', /8 lettres et chiffres/],
    ['code missing', { ...GOOD, code: '' }, 'code', /Le code reçu par courriel est obligatoire\./],
  ];

  it('each case: 400, a French message on its field, no version, no attempt counted (form and JSON)', async () => {
    const code = await lastCode();
    const attemptsBefore = (await codeRows(h.ctx.db)).at(-1)!.attempts;
    for (const [name, body, field, message] of cases()) {
      const fields = { code, ...body };
      const r = await adminC.form(BANK, fields);
      expect(r.statusCode, name).toBe(400);
      expect(r.body, name).toContain(`id="${field}"`);
      const j = await adminC.json(BANK, fields);
      expect(j.statusCode, name).toBe(400);
      const errors = JSON.parse(j.body).errors as Record<string, string>;
      expect(errors[field], name).toMatch(message);
      expect(r.body).not.toContain('<script>alert(1)</script>');
    }
    expect(await bankRows(h.ctx.db)).toHaveLength(0);
    expect((await codeRows(h.ctx.db)).at(-1)!.attempts).toBe(attemptsBefore);
  });

  it('every bad IBAN of the shared vectors is refused; every good one passes the checks', async () => {
    const code = await lastCode();
    for (const v of vectors.iban.vectors) {
      const good = v.iban_mod97_ok && v.rib_key_ok !== false;
      if (good) continue; // a good one would spend the code: the checks of good vectors are unit-tested
      const j = await adminC.json(BANK, { ...GOOD, iban: v.value, code });
      expect(j.statusCode, v.value).toBe(400);
      expect(JSON.parse(j.body).errors.iban, v.value).toMatch(/IBAN/);
    }
    expect(await bankRows(h.ctx.db)).toHaveLength(0);
  });
});

describe('entering the details', () => {
  it('a wrong code counts an attempt and is told to the administrators; the right one saves « À vérifier », mails the administrators, and is spent', async () => {
    const code = await lastCode();
    const wrong = code === 'ABCD-EFGH' ? 'ABCD-EFGJ' : 'ABCD-EFGH';
    const r = await declC.form(BANK, { ...GOOD, code: wrong });
    expect(r.statusCode).toBe(400);
    expect(pageErrors(r.body)).toContain('Le code est incorrect. Il vous reste 3 essais avant qu’il ne soit bloqué.');
    expect(r.body).toContain(`value="${GOOD.iban}"`); // what was typed is kept, the code is not
    expect(r.body).not.toContain(`value="${wrong}"`);
    expect(await auditCount(h.ctx.db, 'bank_code.failed')).toBe(2);
    expect((await notificationsOf(h.ctx.db, admin.id)).at(-1)).toMatch(/a saisi un code erroné pour les coordonnées bancaires \(2 sur 5\)/);

    const ok = await declC.form(BANK, { ...GOOD, code: code.toLowerCase() });
    expect(ok.statusCode, ok.body).toBe(303);
    expect(ok.headers.location).toBe(`${BANK}?notice=coordonnees-enregistrees`);
    const cur = await currentBank(h.ctx.db);
    expect(cur).toMatchObject({
      iban: IBAN,
      bic: 'TRPUFRP1',
      titulaire: 'Lycée des métiers Raspail',
      statut: 'a_verifier',
      createdBy: declarant.id,
      remplaceeLe: null,
    });
    expect((await codeRows(h.ctx.db)).at(-1)!.usedAt).not.toBeNull();
    for (const a of [admin, admin2]) {
      const [m] = await mailsTo(a.email, 'SOLTéA : coordonnées bancaires modifiées');
      expect(m!.text).toContain(`IBAN se terminant par ${IBAN.slice(-4)}`);
      expect(m!.text).not.toContain(IBAN);
      expect(m!.text).not.toContain(IBAN.slice(4, 20));
    }
    expect(await auditCount(h.ctx.db, 'bank_details.changed')).toBe(1);

    const page = await declC.get(`${BANK}?notice=coordonnees-enregistrees`);
    expect(page.body).toContain('Les coordonnées bancaires sont enregistrées');
    expect(page.body).toContain('<span class="fr-badge fr-badge--warning">À vérifier</span>');
    expect(page.body).not.toContain(IBAN);
    expect(page.body).not.toContain(GOOD.iban);
    expect(page.body).toContain(`se terminant par ${IBAN.slice(-4)}`);
    const j = await declC.get(BANK, 'application/json');
    expect(JSON.parse(j.body).actuelles).toMatchObject({ statut: 'a_verifier', ibanFin: IBAN.slice(-4), bic: 'TRPUFRP1' });
    expect(j.body).not.toContain(IBAN);
  });

  it('the spent code cannot serve again (409, « déjà servi »); nothing changes', async () => {
    const code = await lastCode();
    const r = await adminC.form(BANK, { ...GOOD, iban: IBAN2, bic: 'BNPAFRPP', code });
    expect(r.statusCode).toBe(409);
    expect(pageErrors(r.body)).toContain('Ce code a déjà servi : chaque code ne permet qu’une saisie. Demandez un nouveau code.');
    expect(await bankRows(h.ctx.db)).toHaveLength(1);
  });

  it('a double submission with one code saves one version only', async () => {
    h.clock.advance(11 * 60_000);
    await fresh();
    const asked = await adminC.json(`${BANK}/code`, {});
    expect(asked.statusCode, asked.body).toBe(200);
    expect(JSON.parse(asked.body).destinataires.sort()).toEqual(['Isabelle ROUSSEL', 'Nadia GARNIER']);
    const code = await lastCode();
    const [a, b] = await Promise.all([
      adminC.json(BANK, { ...GOOD, iban: IBAN2, bic: 'BNPAFRPP', code }),
      adminC.json(BANK, { ...GOOD, iban: IBAN2, bic: 'BNPAFRPP', code }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const rows = await bankRows(h.ctx.db);
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.remplaceeLe === null)).toHaveLength(1);
    expect(rows[0]!.remplaceeLe).not.toBeNull();
    expect((await currentBank(h.ctx.db))!.iban).toBe(IBAN2);
    const page = await adminC.get(BANK);
    expect(page.body).toContain('Historique');
    expect(page.body).toContain(`se terminant par ${IBAN.slice(-4)}`);
  });

  it('5 wrong codes burn the code (mail to the administrators); even the right code then answers « bloqué »', async () => {
    h.clock.advance(11 * 60_000);
    await fresh();
    expect((await adminC.form(`${BANK}/code`, {})).statusCode).toBe(303);
    const code = await lastCode();
    const wrong = code === 'ABCD-EFGH' ? 'ABCD-EFGJ' : 'ABCD-EFGH';
    const messages: string[] = [];
    for (let i = 0; i < 5; i++) messages.push(JSON.parse((await adminC.json(BANK, { ...GOOD, code: wrong })).body).errors.code);
    expect(messages[0]).toBe('Le code est incorrect. Il vous reste 4 essais avant qu’il ne soit bloqué.');
    expect(messages[3]).toBe('Le code est incorrect. Il vous reste 1 essai avant qu’il ne soit bloqué.');
    expect(messages[4]).toBe('Le code est incorrect. Après 5 saisies erronées, il est bloqué : demandez un nouveau code.');
    expect(await mailsTo(admin.email, 'SOLTéA : code des coordonnées bancaires bloqué')).toHaveLength(1);
    expect(await auditCount(h.ctx.db, 'bank_code.burnt')).toBe(1);
    const r = await adminC.json(BANK, { ...GOOD, code });
    expect(r.statusCode).toBe(409);
    expect(JSON.parse(r.body).errors.code).toBe('Le code est bloqué après 5 saisies erronées : demandez un nouveau code.');
    expect((await currentBank(h.ctx.db))!.iban).toBe(IBAN2);
  });

  it('a code expires after 30 days', async () => {
    h.clock.advance(11 * 60_000);
    await fresh();
    expect((await adminC.form(`${BANK}/code`, {})).statusCode).toBe(303);
    const code = await lastCode();
    h.clock.advance(30 * 86_400_000 + 60_000);
    await fresh();
    const r = await adminC.form(BANK, { ...GOOD, code });
    expect(r.statusCode).toBe(409);
    expect(pageErrors(r.body)).toContain('Le code a expiré (il est valable 30 jours) : demandez un nouveau code.');
    expect((await adminC.get(BANK)).body).toContain('a expiré : demandez un nouveau code');
    expect((await currentBank(h.ctx.db))!.iban).toBe(IBAN2);
  });
});

describe('the operator’s verdict', () => {
  it('setBankDetailsStatus: rejection needs a motif; the badge and the motif are shown; the administrators are mailed', async () => {
    expect(await setBankDetailsStatus(h.ctx, { siret: LYCEE.siret, statut: 'rejetee', motif: '' })).toMatchObject({ ok: false });
    expect(await setBankDetailsStatus(h.ctx, { siret: LYCEE.siret, statut: 'perdue' })).toMatchObject({ ok: false });
    expect(await setBankDetailsStatus(h.ctx, { siret: '99900570500010', statut: 'verifiee' })).toMatchObject({
      ok: false,
      message: 'Aucune coordonnée bancaire n’est enregistrée pour le SIRET 999 005 705 00010.',
    });
    const r = await setBankDetailsStatus(h.ctx, {
      siret: LYCEE.siret,
      statut: 'rejetee',
      motif: 'Le titulaire du compte ne correspond pas à l’établissement.',
    });
    expect(r).toMatchObject({ ok: true, statut: 'rejetee' });
    await fresh();
    const page = await adminC.get(BANK);
    expect(page.body).toContain('<span class="fr-badge fr-badge--error">Rejetée</span>');
    expect(page.body).toContain('Motif du rejet : Le titulaire du compte ne correspond pas à l’établissement.');
    const [m] = await mailsTo(admin.email, 'SOLTéA : coordonnées bancaires rejetées');
    expect(m!.text).toContain('Motif : Le titulaire du compte ne correspond pas à l’établissement.');
    expect(await auditCount(h.ctx.db, 'bank_details.status_set')).toBe(1);
  });

  it('the CLI command checks its arguments and sets « vérifiée »', async () => {
    expect(parseBankStatusArgs([])).toMatchObject({ ok: false });
    expect(parseBankStatusArgs(['12345678901234', 'verifiee'])).toMatchObject({
      ok: false,
      message: "Le numéro SIRET n'est pas valide (clé de contrôle incorrecte).",
    });
    expect(parseBankStatusArgs([LYCEE.siret, 'ok'])).toMatchObject({ ok: false });
    expect(parseBankStatusArgs([LYCEE.siret, 'rejetee'])).toMatchObject({ ok: false });
    expect(parseBankStatusArgs([LYCEE.siret, 'Vérifiée'])).toEqual({ ok: true, siret: LYCEE.siret, statut: 'verifiee', motif: '' });
    const out: string[] = [];
    expect(await runBankStatus(h.ctx, [LYCEE.siret, 'verifiee'], (l) => out.push(l))).toBe(0);
    expect(out[0]).toMatch(/vérifiées/);
    expect((await currentBank(h.ctx.db))!.statut).toBe('verifiee');
    expect((await currentBank(h.ctx.db))!.motifRejet).toBeNull();
    await fresh();
    expect((await adminC.get(BANK)).body).toContain('<span class="fr-badge fr-badge--success">Vérifiée</span>');
    expect(await mailsTo(admin2.email, 'SOLTéA : coordonnées bancaires vérifiées')).toHaveLength(1);
    expect(await runBankStatus(h.ctx, [LYCEE.siret, 'rejetee'], () => undefined)).toBe(2);
  });

  it('records who gave the verdict (--agent, else the operating-system user) in the audit row and the status history', async () => {
    expect(parseBankStatusArgs([LYCEE.siret, 'verifiee', '--agent'])).toMatchObject({ ok: false });
    expect(parseBankStatusArgs([LYCEE.siret, 'rejetee', '--agent', 'Marie Dubois', 'Titulaire', 'illisible'])).toEqual({
      ok: true,
      siret: LYCEE.siret,
      statut: 'rejetee',
      motif: 'Titulaire illisible',
      agent: 'Marie Dubois',
    });
    const out: string[] = [];
    expect(
      await runBankStatus(h.ctx, [LYCEE.siret, 'rejetee', '--agent', 'Marie Dubois', 'Titulaire', 'illisible'], (l) => out.push(l)),
    ).toBe(0);
    expect(out.join(' ')).toContain('Marie Dubois');
    expect(await runBankStatus(h.ctx, [LYCEE.siret, 'verifiee'], () => undefined)).toBe(0);
    const audits = await h.ctx.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'bank_details.status_set'))
      .orderBy(asc(auditEvents.id));
    expect(audits.slice(-2).map((a) => (a.details as { agent?: string }).agent)).toEqual(['Marie Dubois', userInfo().username]);
    const history = await h.ctx.db
      .select()
      .from(coordonneesBancairesStatuts)
      .where(eq(coordonneesBancairesStatuts.siret, LYCEE.siret))
      .orderBy(asc(coordonneesBancairesStatuts.id));
    expect(history.slice(-2).map((x) => [x.statut, x.motif, x.agent])).toEqual([
      ['rejetee', 'Titulaire illisible', 'Marie Dubois'],
      ['verifiee', null, userInfo().username],
    ]);
    expect(history.at(-1)!.coordonneesId).toBe((await currentBank(h.ctx.db))!.id);
  });
});
