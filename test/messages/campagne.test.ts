/**
 * The campaign's messages (src/modules/messages, docs/messages.md), each kind received in the local SMTP
 * server and on the tableau de bord, the scheduler driven with the manual clock: the openings, the
 * récapitulatif on validation (with its PDF), the daily digest and its opt-out, the reminders 7 days and
 * 1 day before a period ends; each event once however often the scheduler runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeChoices } from '../../src/modules/attributions/choix.js';
import { MAIL_HELD } from '../../src/infra/mail.js';
import { tick } from '../../src/modules/messages/scheduler.js';
import { createHarness, type Harness, type ReceivedMail } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { LYCEE, signIn } from '../espace-etablissement/fixtures.js';
import { ANNEE } from '../attributions/fixtures.js';
import { parsePdf } from './pdf-reader.js';
import { linesOf, outboxRows, seedMessagesWorld, type MessagesWorld } from './fixtures.js';

let h: Harness;
let m: MessagesWorld;

beforeAll(async () => {
  h = await createHarness();
  m = await seedMessagesWorld(h);
});
afterAll(async () => stopHarness(h));

/** Paris 08:00 of a summer day is 06:00 UTC. */
const at = (iso: string) => h.clock.set(new Date(iso));
const to = (mails: ReceivedMail[], email: string) => mails.filter((x) => x.to === email);
const flat = (s: string) => s.replace(/\s+/g, ' ');

describe('the openings', () => {
  it('nothing before 08:00 on the establishments’ opening day; then the habilitated establishments’ people, once', async () => {
    at('2025-05-19T05:59:00Z');
    expect(await tick(h.ctx)).toMatchObject({ traites: [], dejaTraites: [] });
    at('2025-05-19T06:00:00Z');
    expect((await tick(h.ctx)).traites).toEqual([{ cle: 'ouverture-etablissements:2025', messages: 2 }]);
    const mails = await h.takeMails();
    expect(mails.map((x) => x.to).sort()).toEqual([m.lea.email, m.leon.email].sort());
    const mail = to(mails, m.lea.email)[0]!;
    expect(mail.subject).toBe('SOLTéA : ouverture de la campagne 2025 aux établissements');
    expect(flat(mail.text)).toContain(`Bonjour ${m.lea.prenom} LEGRAND,`);
    expect(flat(mail.text)).toContain('LYCEE');
    expect(flat(mail.text)).toContain('avant l’ouverture aux employeurs, le 26 mai 2025');
    expect(mail.text).toMatch(/https?:\/\/[^\s]+\/soltea\/etablissement\b/);
    expect((await linesOf(h.ctx.db, m.lea.id)).at(-1)).toMatch(/^SOLTéA – La campagne 2025 est ouverte aux établissements habilités/);
    // the employers are not told yet; nobody twice
    expect(await tick(h.ctx)).toMatchObject({ traites: [], dejaTraites: ['ouverture-etablissements:2025'] });
    h.clock.advance(3 * 3_600_000);
    await tick(h.ctx);
    expect(await h.takeMails()).toEqual([]);
  });

  it('the employers with an envelope on theirs, naming their SIRET and the first period', async () => {
    at('2025-05-26T06:30:00Z');
    const r = await tick(h.ctx);
    expect(r.traites).toEqual([{ cle: 'ouverture-employeurs:2025', messages: 2 }]);
    const mails = await h.takeMails();
    expect(mails.map((x) => x.to).sort()).toEqual([m.alice.email, m.bruno.email].sort());
    const mail = to(mails, m.alice.email)[0]!;
    expect(mail.subject).toBe('SOLTéA : ouverture de la campagne 2025 aux employeurs');
    expect(flat(mail.text)).toContain('pendant la période de répartition 1, du 26 mai 2025 au 27 juin 2025');
    expect(flat(mail.text)).toContain(
      `du SIRET ${m.A.siret.slice(0, 3)} ${m.A.siret.slice(3, 6)} ${m.A.siret.slice(6, 9)} ${m.A.siret.slice(9)}`,
    );
    expect((await linesOf(h.ctx.db, m.alice.id)).at(-1)).toMatch(/^SOLTéA – La campagne 2025 de répartition/);
  });
});

describe('the récapitulatif when an employer validates', () => {
  it('is mailed with its PDF to the person who validated, once per validation; saving without validating sends nothing', async () => {
    at('2025-06-10T08:00:00Z');
    const lycee = { etablissementId: m.w.lyceeId, formationId: null };
    const saved = await changeChoices(h.ctx, {
      annee: ANNEE,
      siret: m.A.siret,
      actor: { userId: m.alice.id, espaceId: '00000000-0000-0000-0000-000000000000' },
      expectedVersion: null,
      change: { kind: 'remplacer', items: [{ target: lycee, bp: 5000 }], valider: false },
    });
    expect(saved.ok).toBe(true);
    const valid = await changeChoices(h.ctx, {
      annee: ANNEE,
      siret: m.B.siret,
      actor: { userId: m.bruno.id, espaceId: '00000000-0000-0000-0000-000000000000' },
      expectedVersion: null,
      change: { kind: 'remplacer', items: [{ target: lycee, bp: 10_000 }], valider: true },
    });
    expect(valid.ok).toBe(true);
    // the validating transaction queued the mail held, without its PDF: the outbox builds it just before sending
    const [held] = await outboxRows(h.ctx.db, `recapitulatif:2025:${m.B.siret}:`);
    expect(held).toMatchObject({ attachments: null, nextAttemptAt: MAIL_HELD, sentAt: null });
    const mails = await h.takeMails();
    expect(mails.map((x) => x.to)).toEqual([m.bruno.email]);
    const mail = mails[0]!;
    expect(mail.subject).toMatch(/^SOLTéA : récapitulatif de vos attributions \(SIRET /);
    expect(mail.attachments?.map((a) => [a.filename, a.contentType])).toEqual([
      [`soltea-recapitulatif-${m.B.siret}-2025.pdf`, 'application/pdf'],
    ]);
    const pdf = parsePdf(mail.attachments![0]!.content);
    const text = pdf.texts.flat();
    expect(text).toContain('SOLTéA – Récapitulatif de vos attributions');
    expect(text).toContain('Crédits à répartir');
    expect(text).toContain('500,00 €');
    expect(text).toContain('100 %');
    expect(text.some((t) => t.includes(LYCEE.raisonSociale))).toBe(true);
    expect((await linesOf(h.ctx.db, m.bruno.id)).at(-1)).toMatch(/^SOLTéA – Vous avez validé des attributions du SIRET/);
    // validating again the same state changes nothing: no second récapitulatif
    await changeChoices(h.ctx, {
      annee: ANNEE,
      siret: m.B.siret,
      actor: { userId: m.bruno.id, espaceId: '00000000-0000-0000-0000-000000000000' },
      expectedVersion: null,
      change: { kind: 'valider' },
    });
    expect(await h.takeMails()).toEqual([]);
  });

  it('left held by an instance that died before its outbox built the PDF, the scheduler’s tick builds it', async () => {
    const valid = await changeChoices(h.ctx, {
      annee: ANNEE,
      siret: m.A.siret,
      actor: { userId: m.alice.id, espaceId: '00000000-0000-0000-0000-000000000000' },
      expectedVersion: null,
      change: { kind: 'valider' },
    });
    expect(valid.ok).toBe(true);
    expect((await outboxRows(h.ctx.db, `recapitulatif:2025:${m.A.siret}:`))[0]).toMatchObject({
      attachments: null,
      nextAttemptAt: MAIL_HELD,
    });
    await tick(h.ctx);
    const [row] = await outboxRows(h.ctx.db, `recapitulatif:2025:${m.A.siret}:`);
    expect(row!.nextAttemptAt).toEqual(h.clock.now());
    expect(row!.attachments?.map((a) => a.filename)).toEqual([`soltea-recapitulatif-${m.A.siret}-2025.pdf`]);
    const mails = await h.takeMails();
    expect(mails.map((x) => [x.to, x.attachments?.length])).toEqual([[m.alice.email, 1]]);
    expect(parsePdf(mails[0]!.attachments![0]!.content).texts.flat()).toContain('Total attribué');
  });

  it('is a printable page and a PDF for the employer, and another company’s SIRET is « introuvable »', async () => {
    const bruno = await signIn(h, m.bruno);
    const page = await bruno.get(`/soltea/employeur/${m.B.siret}/recapitulatif`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Récapitulatif de vos attributions');
    expect(page.body).toContain('<caption>Attributions de la campagne 2025</caption>');
    expect(page.body).toContain(`/soltea/employeur/${m.B.siret}/recapitulatif.pdf`);
    const pdf = await bruno.get(`/soltea/employeur/${m.B.siret}/recapitulatif.pdf`, 'application/pdf');
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(parsePdf(pdf.rawPayload).texts.flat()).toContain('Total attribué');
    const synthese = await bruno.get(`/soltea/employeur/${m.B.siret}`);
    expect(synthese.body).toContain(`href="/soltea/employeur/${m.B.siret}/recapitulatif"`);
    const alice = await signIn(h, m.alice);
    expect((await alice.get(`/soltea/employeur/${m.B.siret}/recapitulatif`)).statusCode).toBe(404);
    expect((await alice.get(`/soltea/employeur/${m.B.siret}/recapitulatif.pdf`)).statusCode).toBe(404);
  });
});

describe('the daily digest of the allocations received', () => {
  it('can be turned off in « Mes courriels »; the next morning the others get the day’s employers and amount', async () => {
    const leon = await signIn(h, m.leon);
    const page = await leon.get(`/soltea/etablissement/${LYCEE.siret}/courriels`);
    expect(page.statusCode).toBe(200);
    const box = /<input type="checkbox" id="resumeQuotidien" name="resumeQuotidien"[^>]*>/;
    expect(box.exec(page.body)?.[0]).toContain('checked');
    const off = await leon.form(`/soltea/etablissement/${LYCEE.siret}/courriels`, {});
    expect(off.statusCode).toBe(303);
    expect((await leon.get(String(off.headers.location))).body).toContain('Vous ne recevrez plus le récapitulatif quotidien');
    expect(box.exec((await leon.get(`/soltea/etablissement/${LYCEE.siret}/courriels`)).body)?.[0]).not.toContain('checked');
    // another establishment's page is not theirs
    expect((await leon.get(`/soltea/etablissement/${m.w.otherSiret}/courriels`)).statusCode).toBe(404);
    expect((await leon.json(`/soltea/etablissement/${LYCEE.siret}/courriels`, { resumeQuotidien: false })).json()).toEqual({
      resumeQuotidien: false,
    });

    at('2025-06-11T05:59:00Z');
    expect((await tick(h.ctx)).traites.map((t) => t.cle)).not.toContain('resume:2025-06-10');
    at('2025-06-11T06:00:00Z');
    const r = await tick(h.ctx);
    expect(r.traites).toContainEqual({ cle: 'resume:2025-06-10', messages: 1 });
    const mails = await h.takeMails();
    expect(mails.map((x) => x.to)).toEqual([m.lea.email]);
    expect(mails[0]!.subject).toBe('SOLTéA : attributions reçues le 10 juin 2025');
    // A saved 50 % of 10 000 €, B validated 100 % of 500 €
    expect(flat(mails[0]!.text)).toContain(
      '2 employeurs ont enregistré ou modifié une attribution en votre faveur, pour un montant attendu de 5 500,00 €',
    );
    expect(mails[0]!.text).toContain(`/soltea/etablissement/${LYCEE.siret}/courriels`);
    expect(await linesOf(h.ctx.db, m.leon.id)).not.toContainEqual(expect.stringMatching(/Attributions reçues le 10 juin/));
    // turned on again, for the next day (a new session: the clock moved a day)
    expect(
      (await (await signIn(h, m.leon)).json(`/soltea/etablissement/${LYCEE.siret}/courriels`, { resumeQuotidien: true })).json(),
    ).toEqual({
      resumeQuotidien: true,
    });
  });
});

describe('before a period ends', () => {
  it('7 days before: the employers below 100 % validated and the establishments without bank details, in the local SMTP server', async () => {
    at('2025-06-20T06:00:00Z');
    const r = await tick(h.ctx);
    expect(r.traites).toEqual(
      expect.arrayContaining([
        { cle: 'fin-periode:2025:1:j7:employeurs', messages: 1 },
        { cle: 'fin-periode:2025:1:j7:etablissements', messages: 2 },
      ]),
    );
    const mails = await h.takeMails();
    // B validated 100 %: not reminded
    expect(to(mails, m.bruno.email)).toEqual([]);
    const alice = to(mails, m.alice.email);
    expect(alice).toHaveLength(1);
    expect(alice[0]!.subject).toBe('SOLTéA : la période de répartition 1 se termine le 27 juin 2025');
    expect(flat(alice[0]!.text)).toContain('se termine dans 7 jours, le 27 juin 2025 : vous n’avez pas validé l’attribution de 100 %');
    expect(flat(alice[0]!.text)).toContain('« Valider mon attribution »');
    const lea = to(mails, m.lea.email);
    expect(lea.map((x) => x.subject)).toEqual(['SOLTéA : vos coordonnées bancaires avant le 27 juin 2025']);
    expect(lea[0]!.text).toContain(`/soltea/etablissement/${LYCEE.siret}/coordonnees-bancaires`);
    // the digest opt-out is not an opt-out of the reminders
    expect(to(mails, m.leon.email)).toHaveLength(1);
    expect((await linesOf(h.ctx.db, m.alice.id)).at(-1)).toMatch(/se termine dans 7 jours/);
  });

  it('1 day before: « demain »; then nothing more, whatever the ticks', async () => {
    at('2025-06-26T06:00:00Z');
    const r = await tick(h.ctx);
    expect(r.traites.map((t) => t.cle)).toEqual(
      expect.arrayContaining(['fin-periode:2025:1:j1:employeurs', 'fin-periode:2025:1:j1:etablissements']),
    );
    const mails = await h.takeMails();
    expect(flat(to(mails, m.alice.email)[0]!.text)).toContain('se termine demain, le 27 juin 2025');
    for (let i = 0; i < 3; i++) {
      h.clock.advance(3_600_000);
      await tick(h.ctx);
    }
    expect(await h.takeMails()).toEqual([]);
    // one line and one mail per event and person
    const keys = (await outboxRows(h.ctx.db, 'fin-periode:2025:1:')).map((x) => x.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(6);
  });

  it('two schedulers at the same moment process each event once', async () => {
    at('2025-10-17T06:00:00Z');
    const [one, two] = await Promise.all([tick(h.ctx), tick(h.ctx)]);
    const done = [...one.traites, ...two.traites].map((t) => t.cle).filter((c) => c.startsWith('fin-periode:2025:2:j7'));
    expect(done.sort()).toEqual(['fin-periode:2025:2:j7:employeurs', 'fin-periode:2025:2:j7:etablissements']);
    const mails = await h.takeMails();
    expect(to(mails, m.alice.email)).toHaveLength(1);
  });
});
