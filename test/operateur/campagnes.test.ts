/**
 * « Campagnes » of the operator's space over HTTP (docs/regles.md#calendrier): the calendars by year with
 * today's phase, one calendar as a timeline with its text equivalent, the roles (a valideur reads, gets
 * 403 with the reason on the form and the save, nothing changed), bad calendars refused with the very
 * messages of `campagne-modifier` (its JSON read and checked by the same code) and nothing written, any
 * number of periods and waves, a new year started from the previous one, every save audited with the
 * agent, saving the same calendar again changing nothing.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCampaign } from '../../src/domain/campagne-validation.js';
import { auditEvents, campagnes } from '../../src/infra/db/schema.js';
import { parseCampaignJson } from '../../src/modules/campagnes/calendar-json.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { newAgent, signInAgent, type TestAgent } from './helpers.js';

let h: Harness;
let g: TestAgent;
let v: TestAgent;
let gc: Client;
let vc: Client;

beforeAll(async () => {
  h = await createHarness();
  h.clock.set(new Date('2025-06-20T08:00:00Z'));
  g = await newAgent(h, 'gestionnaire');
  v = await newAgent(h, 'valideur');
  gc = await signInAgent(h, g);
  vc = await signInAgent(h, v);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const saved = () => h.ctx.db.select().from(campagnes).orderBy(campagnes.annee);
const audits = () => h.ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'campagne.updated')).orderBy(auditEvents.id);

/** The 2025 calendar as the form posts it, with `more` changes. */
const form2025 = (more: Record<string, string> = {}) => ({
  etablissementsOuverture: '2025-05-19',
  employeursOuverture: '2025-05-26',
  'periodes.0.debut': '2025-05-26',
  'periodes.0.fin': '2025-06-27',
  'periodes.1.debut': '2025-07-14',
  'periodes.1.fin': '2025-10-24',
  'vagues.0.date': '2025-07-11',
  'vagues.0.periode': '1',
  'vagues.1.date': '2025-11-07',
  'vagues.1.periode': '2',
  reliquat: '2025-11-27',
  redesignationFin: '',
  reliquatPartRegionale: '',
  source: 'Arrêté du 8 novembre 2024',
  ...more,
});

/** The messages campagne-modifier prints for the same calendar written as its JSON file. */
function cliMessages(json: object): string[] {
  const parsed = parseCampaignJson(JSON.stringify(json), 2025);
  if (!parsed.ok) return parsed.errors;
  return validateCampaign(parsed.campaign).map((e) => e.message);
}

const json2025 = {
  etablissementsOuverture: '2025-05-19',
  employeursOuverture: '2025-05-26',
  periodes: [
    { debut: '2025-05-26', fin: '2025-06-27' },
    { debut: '2025-07-14', fin: '2025-10-24' },
  ],
  vagues: [
    { date: '2025-07-11', periode: 1 },
    { date: '2025-11-07', periode: 2 },
  ],
  reliquat: '2025-11-27',
};

describe('the campaigns’ screens', () => {
  it('lists every calendar with today’s phase; only a gestionnaire is offered to create one', async () => {
    const list = await gc.get('/operateur/campagnes');
    expect(list.statusCode).toBe(200);
    for (const y of [2023, 2024, 2025]) expect(list.body).toContain(`Campagne ${y}`);
    expect(list.body).toContain('La période de répartition 1 est ouverte jusqu’au 27 juin 2025 inclus.');
    expect(list.body).toContain('Créer le calendrier');
    expect(list.body).toContain('href="/operateur/campagnes"'); // the side menu's entry
    const asValideur = await vc.get('/operateur/campagnes');
    expect(asValideur.body).not.toContain('Créer le calendrier</button>');
    expect(asValideur.body).toContain('Seul un agent gestionnaire peut créer ou modifier un calendrier.');
  });

  it('shows a calendar as a timeline with its text equivalent and today’s phase', async () => {
    const page = await gc.get('/operateur/campagnes/2025');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="frise-2025-titre frise-2025-desc"/);
    expect(page.body).toContain('Frise du calendrier de la campagne 2025');
    expect(page.body).toContain('Du 26 mai 2025 au 27 juin 2025 inclus : période de répartition 1');
    expect(page.body).toContain('11 juillet 2025 : Virement 1 (période 1)');
    expect(page.body).toContain('26 novembre 2025 : Fin des re-désignations');
    expect(page.body).toContain('Aujourd’hui');
    expect(page.body).toContain('Modifier le calendrier');
    const api = await gc.get('/operateur/campagnes/2025', 'application/json');
    expect(JSON.parse(api.body)).toMatchObject({
      annee: 2025,
      origine: 'arrete',
      phase: expect.stringContaining('période de répartition 1'),
    });
    expect((await gc.get('/operateur/campagnes/1999')).statusCode).toBe(404);
    expect((await gc.get('/operateur/campagnes/2031')).statusCode).toBe(404);
  });

  it('a valideur gets 403 with the reason on the form and the save; nothing changes', async () => {
    const form = await vc.get('/operateur/campagnes/2025/modifier');
    expect(form.statusCode).toBe(403);
    expect(form.body).toContain('Cette action est réservée aux agents gestionnaires de l’opérateur.');
    await vc.get('/operateur/campagnes/2025');
    const post = await vc.form('/operateur/campagnes/2025', form2025({ 'periodes.1.fin': '2025-10-31' }));
    expect(post.statusCode).toBe(403);
    const api = await vc.json('/operateur/campagnes/2025', form2025());
    expect(JSON.parse(api.body)).toMatchObject({ status: 403, code: 'role_gestionnaire' });
    expect(await saved()).toEqual([]);
    expect(await audits()).toEqual([]);
  });

  it('refuses overlapping periods and a wave before its period’s end with campagne-modifier’s messages; nothing is written', async () => {
    await gc.get('/operateur/campagnes/2025/modifier');
    const overlap = await gc.form('/operateur/campagnes/2025', form2025({ 'periodes.1.debut': '2025-06-20' }));
    expect(overlap.statusCode).toBe(400);
    const expected = cliMessages({ ...json2025, periodes: [json2025.periodes[0], { debut: '2025-06-20', fin: '2025-10-24' }] });
    expect(expected).toContain(
      'Période 2 : elle doit commencer après la fin de la période 1 (27 juin 2025) ; les périodes ne se chevauchent pas.',
    );
    for (const m of expected) expect(overlap.body).toContain(m);
    expect(overlap.body).toContain('Le calendrier n’a pas été modifié');
    expect(overlap.body).toContain('value="2025-06-20"'); // the form comes back as typed

    const early = await gc.form('/operateur/campagnes/2025', form2025({ 'vagues.0.date': '2025-06-27' }));
    expect(early.statusCode).toBe(400);
    const earlyCli = cliMessages({ ...json2025, vagues: [{ date: '2025-06-27', periode: 1 }, json2025.vagues[1]] });
    expect(earlyCli).toContain('Virement 1 : il doit suivre la fin de la période 1 (27 juin 2025), dont il verse les attributions.');
    for (const m of earlyCli) expect(early.body).toContain(m);
    // the field is marked, its message bound to it
    expect(early.body).toMatch(/id="vagues\.0\.date"[^>]*aria-invalid="true"/);

    const pct = await gc.json('/operateur/campagnes/2025', form2025({ reliquatPartRegionale: '90', 'periodes.0.fin': 'demain' }));
    expect(pct.statusCode).toBe(400);
    const doc = JSON.parse(pct.body) as { code: string; errors: Record<string, string> };
    expect(doc.code).toBe('calendrier_refuse');
    expect(doc.errors.reliquatPartRegionale).toContain('entre 20 % et 80 %');
    expect(doc.errors['periodes.0.fin']).toBe('Période 1 : le dernier jour : saisissez une date valide au format JJ/MM/AAAA.');
    expect(await saved()).toEqual([]);
    expect(await audits()).toEqual([]);
  });

  it('« Ajouter une période » gives one more row without saving; three periods and three waves are saved and audited with the agent', async () => {
    const more = await gc.form('/operateur/campagnes/2025', { ...form2025(), action: 'ajouter-periode' });
    expect(more.statusCode).toBe(200);
    expect(more.body).toContain('name="periodes.2.debut"');
    expect(await saved()).toEqual([]);
    const three = form2025({
      'periodes.1.fin': '2025-09-30',
      'periodes.2.debut': '2025-10-06',
      'periodes.2.fin': '2025-10-24',
      'vagues.1.date': '2025-10-03',
      'vagues.2.date': '2025-11-07',
      'vagues.2.periode': '3',
    });
    const r = await gc.form('/operateur/campagnes/2025', three);
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/operateur/campagnes/2025?notice=calendrier-enregistre');
    const [row] = await saved();
    expect(row!.periodes).toHaveLength(3);
    expect(row!.vagues.map((w) => [w.date, w.periodeNumero])).toEqual([
      ['2025-07-11', 1],
      ['2025-10-03', 2],
      ['2025-11-07', 3],
    ]);
    expect(row!.updatedBy).toBe(g.id);
    const [a] = await audits();
    expect(a!.actorAgentId).toBe(g.id);
    expect(a!.details).toMatchObject({ annee: 2025, avant: { origine: 'arrete' }, apres: { periodes: expect.any(Array) } });
    const page = await gc.get('/operateur/campagnes/2025?notice=calendrier-enregistre');
    expect(page.body).toContain('Le calendrier est enregistré.');
    expect(page.body).toContain('Du 6 octobre 2025 au 24 octobre 2025 inclus : période de répartition 3');
    expect(page.body).toMatch(/Enregistré le .* par Agent[a-z] Martin/);
    // the same calendar again: nothing changes, nothing audited
    const again = await gc.form('/operateur/campagnes/2025', three);
    expect(again.headers.location).toBe('/operateur/campagnes/2025?notice=calendrier-inchange');
    expect(await audits()).toHaveLength(1);
  });

  it('creates a new year from the previous calendar moved by a year; a wrong year is refused', async () => {
    const bad = await gc.get('/operateur/campagnes/nouvelle?annee=20');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('L’année de la campagne : 4 chiffres, de 2023 à 2100.');
    const go = await gc.get('/operateur/campagnes/nouvelle?annee=2026');
    expect(go.statusCode).toBe(303);
    expect(go.headers.location).toBe('/operateur/campagnes/2026/modifier');
    const form = await gc.get('/operateur/campagnes/2026/modifier');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Créer le calendrier 2026');
    expect(form.body).toContain('value="2026-05-19"');
    const values = Object.fromEntries(
      [...form.body.matchAll(/name="([^"]+)"[^>]*value="([^"]*)"/g)].filter((m) => m[1] !== '_csrf').map((m) => [m[1]!, m[2]!]),
    );
    const selects = Object.fromEntries([...form.body.matchAll(/name="(vagues\.\d+\.periode)"/g)].map((m, i) => [m[1]!, String(i + 1)]));
    const r = await gc.form('/operateur/campagnes/2026', { ...values, ...selects });
    expect(r.statusCode).toBe(303);
    expect((await saved()).map((c) => c.annee)).toEqual([2025, 2026]);
    expect((await audits()).map((a) => a.actorAgentId)).toEqual([g.id, g.id]);
  });
});
