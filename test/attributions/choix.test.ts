/**
 * The employer's allocations over HTTP and through the service (choix.ts): the « Attribuer » page and
 * « Enregistrer mes choix », the Synthèse (modify, delete, « Valider mon attribution », « Enregistrer
 * vos attributions »), the API, every rule with its French message and nothing saved, each calendar
 * phase with an injected clock, the lock after 100 % validated in period 1, stale forms, two people
 * at once, « Répliquer les fléchages », « Mes groupes », partage de coordonnées, the history and the
 * CSV, and other companies kept out.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import { attributions, auditEvents, enveloppes } from '../../src/infra/db/schema.js';
import { changeChoices } from '../../src/modules/attributions/choix.js';
import { loadSynthese } from '../../src/modules/attributions/synthese.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { createCompany, LYCEE, signIn } from '../espace-etablissement/fixtures.js';
import {
  AFTER_CLOSING,
  ANNEE,
  BEFORE_OPENING,
  BETWEEN_PERIODS,
  choixOf,
  employerCompany,
  envelope,
  IN_PERIOD_1,
  IN_PERIOD_2,
  linesOf,
  makeTiers,
  registryCompanies,
  secondSiret,
  seedWorld,
  type TestPerson,
  type World,
} from './fixtures.js';

let h: Harness;
let w: World;
let A: { siren: string; siret: string; raisonSociale: string };
let B: { siren: string; siret: string; raisonSociale: string };
let C: { siren: string; siret: string; raisonSociale: string };
let alice: TestPerson;
let albert: TestPerson;
let bruno: TestPerson;
let ca: Client;
let A2: string;

const url = (siret: string, rest = '') => `/soltea/employeur/${siret}${rest}`;
const versionIn = (body: string) => Number(/name="version" value="(\d+)"/.exec(body)?.[1] ?? NaN);
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, '’')
    .replace(/\u00a0/g, ' ')
    .replace(/\s+/g, ' ');

beforeAll(async () => {
  h = await createHarness();
  h.clock.set(new Date('2025-05-01T08:00:00Z'));
  const companies = await registryCompanies(h.ctx.db, 5);
  [A, B, C] = companies as [typeof A, typeof A, typeof A];
  w = await seedWorld(h.ctx.db, h.clock.now(), companies[3]!.siret);
  A2 = await secondSiret(h.ctx.db, A.siren);
  const a = await employerCompany(
    h.ctx,
    A,
    [
      { nom: 'ARNAUD', role: 'administrateur' },
      { nom: 'AUBERT', role: 'declarant' },
    ],
    [A.siret, A2],
  );
  [alice, albert] = a.people as [TestPerson, TestPerson];
  const b = await employerCompany(h.ctx, B, [{ nom: 'BLANC', role: 'administrateur' }]);
  bruno = b.people[0]!;
  const now = h.clock.now();
  await envelope(h.ctx.db, A.siret, 10_000_01n, now, { soldeCents: 10_250_00n, deductionsCents: 100_00n, fraisCents: 149_99n });
  await envelope(h.ctx.db, A2, 3_333_33n, now);
  await envelope(h.ctx.db, B.siret, 500_00n, now);
  h.clock.set(IN_PERIOD_1);
  ca = await signIn(h, alice);
}, 120_000);
afterAll(async () => stopHarness(h));

describe('the list and the Synthèse', () => {
  it('lists the SIRETs with their crédits and links each Synthèse', async () => {
    const r = await ca.get('/soltea/employeur');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`href="${url(A.siret)}"`);
    expect(r.body).toContain(`href="${url(A2)}"`);
    expect(text(r.body)).toContain('10 000,01 €');
  });

  it('an empty Synthèse shows the envelope, the period and the way to start', async () => {
    const r = await ca.get(url(A.siret));
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(t).toContain('Crédits à répartir');
    expect(t).toContain('10 250,00 €');
    expect(t).toContain('10 000,01 €');
    expect(t).toContain('La période de répartition 1 est ouverte jusqu’au 27 juin 2025 inclus');
    expect(t).toContain('Vous n’avez encore choisi aucun établissement');
    const j = JSON.parse((await ca.get(url(A.siret), 'application/json')).body);
    expect(j).toMatchObject({
      campagne: 2025,
      version: 0,
      attributions: [],
      enveloppe: { creditsCentimes: 1_000_001 },
      modifiable: { ok: true, periode: 1 },
    });
  });
});

describe('« Attribuer » then « Enregistrer mes choix »', () => {
  it('the page offers the establishment, its composante and its formations', async () => {
    const r = await ca.get(url(A.siret, `/attribuer/${LYCEE.siret}`));
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Attribuer à la composante / établissement secondaire');
    expect(r.body).toContain('Attribuer à l’une / des formations de l’établissement');
    expect(r.body).toContain(`value="e${w.lyceeId}"`);
    expect(r.body).toContain(`value="e${w.composanteId}"`);
    for (const f of w.formationIds) expect(r.body).toContain(`value="f${f}"`);
    expect(r.body).toContain('Enregistrer mes choix');
  });

  it('bad percentages: a French message per field, nothing saved', async () => {
    const page = await ca.get(url(A.siret, `/attribuer/${LYCEE.siret}`));
    const v = String(versionIn(page.body));
    const cases: [string, RegExp][] = [
      ['-5', /./],
      ['101', /100/],
      ['12,345', /décimale/],
      ['beaucoup', /./],
      ['0', /./],
      ['', /Indiquez le pourcentage/],
    ];
    for (const [pct, msg] of cases) {
      const r = await ca.form(url(A.siret, `/attribuer/${LYCEE.siret}`), {
        version: v,
        cible: [`e${w.lyceeId}`],
        [`pct_e${w.lyceeId}`]: pct,
      });
      expect(r.statusCode, pct).toBe(400);
      expect(text(r.body)).toMatch(msg);
      expect(r.body).toContain('Vos choix n’ont pas été enregistrés');
    }
    // nothing ticked at all
    const empty = await ca.form(url(A.siret, `/attribuer/${LYCEE.siret}`), { version: v });
    expect(empty.statusCode).toBe(400);
    expect(text(empty.body)).toContain('Choisissez au moins un établissement');
    expect(await linesOf(h.ctx.db, A.siret)).toHaveLength(0);
  });

  it('the establishment and two formations: saved « à enregistrer », euros beside each percentage', async () => {
    const page = await ca.get(url(A.siret, `/attribuer/${LYCEE.siret}`));
    const r = await ca.form(url(A.siret, `/attribuer/${LYCEE.siret}`), {
      version: String(versionIn(page.body)),
      cible: [`e${w.lyceeId}`, `f${w.formationIds[0]}`, `f${w.formationIds[1]}`],
      [`pct_e${w.lyceeId}`]: '20',
      [`pct_f${w.formationIds[0]}`]: '12,5',
      [`pct_f${w.formationIds[1]}`]: '7.25 %',
      // typed but not ticked: not chosen
      [`pct_f${w.formationIds[2]}`]: '3',
    });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`${url(A.siret)}?notice=choix`);
    const lines = await linesOf(h.ctx.db, A.siret);
    expect(lines.map((l) => [l.formationId, l.pointsBase, l.statut])).toEqual([
      [null, 2000, 'enregistree'],
      [w.formationIds[0], 1250, 'enregistree'],
      [w.formationIds[1], 725, 'enregistree'],
    ]);
    const s = await ca.get(url(A.siret));
    const t = text(s.body);
    // 10,000.01 € × 20 % = 2,000.002 → 2,000.00; × 12.5 % = 1,250.00125; × 7.25 % = 725.00072
    expect(t).toContain('2 000,00 €');
    expect(t).toContain('1 250,00 €');
    expect(t).toContain('725,00 €');
    expect(t).toContain('39,75 %');
    expect(t).toContain('Attributions non enregistrées');
    expect(s.body).toContain('Enregistrer vos attributions');
    expect((await choixOf(h.ctx.db, A.siret))!.version).toBe(1);
  });

  it('the page shows what is already chosen; unticking removes it', async () => {
    const page = await ca.get(url(A.siret, `/attribuer/${LYCEE.siret}`));
    expect(page.body).toMatch(
      new RegExp(`name="pct_f${w.formationIds[1]}"[^>]*value="7,25"|value="7,25"[^>]*name="pct_f${w.formationIds[1]}"`),
    );
    const r = await ca.form(url(A.siret, `/attribuer/${LYCEE.siret}`), {
      version: String(versionIn(page.body)),
      cible: [`e${w.lyceeId}`, `f${w.formationIds[0]}`],
      [`pct_e${w.lyceeId}`]: '20',
      [`pct_f${w.formationIds[0]}`]: '12,5',
      [`pct_f${w.formationIds[1]}`]: '7,25',
    });
    expect(r.statusCode).toBe(303);
    expect((await linesOf(h.ctx.db, A.siret)).map((l) => l.pointsBase)).toEqual([2000, 1250]);
  });

  it('a target of another establishment posted on this page: refused, nothing saved', async () => {
    const page = await ca.get(url(A.siret, `/attribuer/${LYCEE.siret}`));
    const r = await ca.form(url(A.siret, `/attribuer/${LYCEE.siret}`), {
      version: String(versionIn(page.body)),
      cible: [`e${w.otherId}`],
      [`pct_e${w.otherId}`]: '5',
    });
    expect(r.statusCode).toBe(400);
    expect(await linesOf(h.ctx.db, A.siret)).toHaveLength(2);
  });

  it('a stale form submitted twice: the second is refused with a 409 and changes nothing', async () => {
    const page = await ca.get(url(A.siret, `/attribuer/${w.otherSiret}`));
    const fields = { version: String(versionIn(page.body)), cible: [`e${w.otherId}`], [`pct_e${w.otherId}`]: '10' };
    expect((await ca.form(url(A.siret, `/attribuer/${w.otherSiret}`), fields)).statusCode).toBe(303);
    const again = await ca.form(url(A.siret, `/attribuer/${w.otherSiret}`), { ...fields, [`pct_e${w.otherId}`]: '15' });
    expect(again.statusCode).toBe(409);
    expect(text(again.body)).toContain('ont été modifiées entre-temps');
    const lines = await linesOf(h.ctx.db, A.siret);
    expect(lines.find((l) => l.etablissementId === w.otherId)!.pointsBase).toBe(1000);
  });
});

describe('rules on the whole set', () => {
  it('over 100 %: refused with the legal reference, nothing saved', async () => {
    const page = await ca.get(url(A.siret, `/attribuer/${w.nationalSiret}`));
    const before = await linesOf(h.ctx.db, A.siret);
    const r = await ca.form(url(A.siret, `/attribuer/${w.nationalSiret}`), {
      version: String(versionIn(page.body)),
      cible: [`e${w.nationalId}`],
      [`pct_e${w.nationalId}`]: '70',
    });
    expect(r.statusCode).toBe(400);
    expect(text(r.body)).toContain('ne peut pas dépasser 100 %');
    expect(await linesOf(h.ctx.db, A.siret)).toEqual(before);
  });

  it('liste nationale over 30 %: refused (L. 6241-5 13°), nothing saved', async () => {
    const page = await ca.get(url(A.siret, `/attribuer/${w.nationalSiret}`));
    const r = await ca.form(url(A.siret, `/attribuer/${w.nationalSiret}`), {
      version: String(versionIn(page.body)),
      cible: [`e${w.nationalId}`],
      [`pct_e${w.nationalId}`]: '30,01',
    });
    expect(r.statusCode).toBe(400);
    expect(text(r.body)).toContain('L. 6241-5, 13°');
    expect((await linesOf(h.ctx.db, A.siret)).some((l) => l.etablissementId === w.nationalId)).toBe(false);
    const ok = await ca.form(url(A.siret, `/attribuer/${w.nationalSiret}`), {
      version: String(versionIn(page.body)),
      cible: [`e${w.nationalId}`],
      [`pct_e${w.nationalId}`]: '30',
    });
    expect(ok.statusCode).toBe(303);
  });

  it('API: the whole set replaced and validated; bad lines get 400 with nothing saved', async () => {
    const before = await linesOf(h.ctx.db, B.siret);
    const cb = await signIn(h, bruno);
    const bad = await cb.json(
      url(B.siret, '/attributions'),
      {
        attributions: [
          { etablissementId: w.lyceeId, pourcentage: '50' },
          { etablissementId: w.otherId, pourcentage: '60' },
        ],
      },
      {},
      'PUT',
    );
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).message).toContain('100 %');
    const nonsense = await cb.json(
      url(B.siret, '/attributions'),
      { attributions: [{ etablissementId: w.lyceeId, pourcentage: '1e3' }] },
      {},
      'PUT',
    );
    expect(nonsense.statusCode).toBe(400);
    const unknown = await cb.json(
      url(B.siret, '/attributions'),
      { attributions: [{ etablissementId: 999_999_999, pourcentage: '5' }] },
      {},
      'PUT',
    );
    expect(unknown.statusCode).toBe(400);
    expect(JSON.parse(unknown.body).message).toContain('habilité');
    expect(await linesOf(h.ctx.db, B.siret)).toEqual(before);
    const ok = await cb.json(
      url(B.siret, '/attributions'),
      {
        attributions: [
          { etablissementId: w.lyceeId, pourcentage: '33,33' },
          { etablissementId: w.composanteId, formationId: w.formationIds[3], pourcentage: '66,67' },
        ],
      },
      {},
      'PUT',
    );
    expect(ok.statusCode).toBe(200);
    const j = JSON.parse(ok.body);
    expect(j.totalPointsDeBase).toBe(10_000);
    // 500.00 € split 33.33 / 66.67: 166.65 + 333.35, exactly the envelope
    expect(j.attributions.map((a: { montantAttenduCentimes: number }) => a.montantAttenduCentimes)).toEqual([16_665, 33_335]);
    expect(j.attributions.every((a: { statut: string }) => a.statut === 'validee')).toBe(true);
    expect((await choixOf(h.ctx.db, B.siret))!.validationTotalePeriode).toBe(1);
  });
});

describe('the Synthèse: modify, delete, validate', () => {
  it('« Modifier » shows the field; « Valider mon attribution » saves; bad input re-shows the field', async () => {
    const lines = await linesOf(h.ctx.db, A.siret);
    const first = lines[0]!;
    const page = await ca.get(`${url(A.siret)}?modifier=${first.id}`);
    expect(page.body).toContain('Valider mon attribution');
    expect(page.body).toContain('id="pourcentage"');
    const v = String(versionIn(page.body));
    const bad = await ca.form(url(A.siret, `/attributions/${first.id}`), { version: v, pourcentage: '-3' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('fr-error-text');
    const over = await ca.form(url(A.siret, `/attributions/${first.id}`), { version: v, pourcentage: '95' });
    expect(over.statusCode).toBe(400);
    expect(text(over.body)).toContain('ne peut pas dépasser 100 %');
    const ok = await ca.form(url(A.siret, `/attributions/${first.id}`), { version: v, pourcentage: '25' });
    expect(ok.statusCode).toBe(303);
    expect((await linesOf(h.ctx.db, A.siret))[0]!.pointsBase).toBe(2500);
    // the same stale form again
    const stale = await ca.form(url(A.siret, `/attributions/${first.id}`), { version: v, pourcentage: '26' });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('ont été modifiées entre-temps');
    expect((await linesOf(h.ctx.db, A.siret))[0]!.pointsBase).toBe(2500);
  });

  it('delete, then « Enregistrer vos attributions » validates every line (audited)', async () => {
    let page = await ca.get(url(A.siret));
    const lines = await linesOf(h.ctx.db, A.siret);
    const other = lines.find((l) => l.etablissementId === w.otherId)!;
    const del = await ca.form(url(A.siret, `/attributions/${other.id}/supprimer`), { version: String(versionIn(page.body)) });
    expect(del.statusCode).toBe(303);
    expect((await linesOf(h.ctx.db, A.siret)).some((l) => l.id === other.id)).toBe(false);
    page = await ca.get(url(A.siret));
    const save = await ca.form(url(A.siret, '/enregistrer'), { version: String(versionIn(page.body)) });
    expect(save.statusCode).toBe(303);
    const after = await linesOf(h.ctx.db, A.siret);
    expect(after.every((l) => l.statut === 'validee' && l.validePeriode === 1 && l.valideeLe)).toBe(true);
    const t = text((await ca.get(`${url(A.siret)}?notice=enregistre`)).body);
    expect(t).toContain('Vos attributions sont enregistrées');
    expect(t).not.toContain('Attributions non enregistrées');
    const audits = await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'attributions.changed'));
    expect(audits.length).toBeGreaterThanOrEqual(5);
  });

  it('another company’s line id: 404 « n’existe plus », nothing changes', async () => {
    const bLine = (await linesOf(h.ctx.db, B.siret))[0]!;
    const page = await ca.get(url(A.siret));
    const r = await ca.form(url(A.siret, `/attributions/${bLine.id}`), { version: String(versionIn(page.body)), pourcentage: '1' });
    expect(r.statusCode).toBe(404);
    expect((await linesOf(h.ctx.db, B.siret))[0]!.pointsBase).toBe(bLine.pointsBase);
  });

  it('the CSV of the Synthèse reconciles with the JSON', async () => {
    const csv = await ca.get(url(A.siret, '/synthese.csv'));
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const j = JSON.parse((await ca.get(url(A.siret), 'application/json')).body);
    const rows = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
      .slice(1);
    expect(rows).toHaveLength(j.attributions.length);
    const sum = rows.reduce((s, r) => s + Number(r.split(';')[7]!.replace(',', '')), 0);
    expect(sum).toBe(j.attribueCentimes);
    expect(j.attribueCentimes + j.nonAttribueCentimes).toBe(1_000_001);
  });
});

describe('two people of the same company at once', () => {
  it('concurrent additions never exceed 100 % and never lose an update', async () => {
    const actorA = { userId: alice.id, espaceId: '00000000-0000-0000-0000-000000000000' };
    await changeChoices(h.ctx, {
      annee: ANNEE,
      siret: A2,
      actor: actorA,
      expectedVersion: null,
      change: { kind: 'remplacer', items: [], valider: false },
    });
    // both start from the same version, each adds 60 % to a different target
    const v = (await loadSynthese(h.ctx.db, h.clock.now(), ANNEE, A2)).version;
    const [r1, r2] = await Promise.all([
      changeChoices(h.ctx, {
        annee: ANNEE,
        siret: A2,
        actor: { ...actorA, userId: alice.id },
        expectedVersion: v,
        change: { kind: 'ajouter', items: [{ target: { etablissementId: w.lyceeId, formationId: null }, bp: 6000 }] },
      }),
      changeChoices(h.ctx, {
        annee: ANNEE,
        siret: A2,
        actor: { ...actorA, userId: albert.id },
        expectedVersion: v,
        change: { kind: 'ajouter', items: [{ target: { etablissementId: w.otherId, formationId: null }, bp: 6000 }] },
      }),
    ]);
    expect([r1.ok, r2.ok].filter(Boolean)).toHaveLength(1);
    const loser = (r1.ok ? r2 : r1) as Extract<typeof r1, { ok: false }>;
    expect(loser.problem.kind).toBe('conflict'); // 409
    // without a version (API clients): the lock still keeps the total under 100 %
    const many = await Promise.all(
      [w.composanteId, w.nationalId, w.otherId, w.lyceeId].map((id) =>
        changeChoices(h.ctx, {
          annee: ANNEE,
          siret: A2,
          actor: actorA,
          expectedVersion: null,
          change: { kind: 'ajouter', items: [{ target: { etablissementId: id, formationId: null }, bp: 3000 }] },
        }),
      ),
    );
    const lines = await linesOf(h.ctx.db, A2);
    const total = lines.reduce((s, l) => s + l.pointsBase, 0);
    expect(total).toBeLessThanOrEqual(10_000);
    expect(many.some((r) => !r.ok)).toBe(true);
    // every success is in the table (no lost update): version = number of successful changes
    const successes = [r1, r2, ...many].filter((r) => r.ok && r.changed).length;
    expect((await choixOf(h.ctx.db, A2))!.version).toBe(successes);
  });
});

describe('the campaign calendar (injected clock)', () => {
  const actor = () => ({ userId: bruno.id, espaceId: '00000000-0000-0000-0000-000000000000' });
  const add = (siret: string, bp = 100) =>
    changeChoices(h.ctx, {
      annee: ANNEE,
      siret,
      actor: actor(),
      expectedVersion: null,
      change: { kind: 'ajouter', items: [{ target: { etablissementId: w.otherId, formationId: null }, bp }] },
    });

  it('before the opening, between periods and after closing: refused with the reason', async () => {
    const siret = C.siret;
    await envelope(h.ctx.db, siret, 1_000_00n, h.clock.now());
    const cases: [Date, string, RegExp][] = [
      [BEFORE_OPENING, 'campagne_non_ouverte', /pas encore ouverte/],
      [BETWEEN_PERIODS, 'hors_periode', /entre deux périodes/],
      [AFTER_CLOSING, 'campagne_close', /est close/],
    ];
    for (const [at, code, msg] of cases) {
      h.clock.set(at);
      const r = await add(siret);
      expect(r.ok, code).toBe(false);
      if (!r.ok) {
        expect(r.errors[0]!.code).toBe(code);
        expect(r.errors[0]!.message).toMatch(msg);
        expect(r.errors[0]!.reference).toContain('D. 6241-27');
      }
      expect(await linesOf(h.ctx.db, siret)).toHaveLength(0);
    }
    h.clock.set(IN_PERIOD_2);
    expect((await add(siret)).ok).toBe(true);
    h.clock.set(IN_PERIOD_1);
  });

  it('100 % validated in period 1: locked in period 2; otherwise still open in period 2', async () => {
    // B validated 100 % in period 1 (API test above)
    h.clock.set(IN_PERIOD_2);
    const r = await add(B.siret);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.code).toBe('verrou_validation_totale');
    const s = await loadSynthese(h.ctx.db, h.clock.now(), ANNEE, B.siret);
    expect(s.modifiable.ok).toBe(false);
    // A did not validate 100 %: may still change in period 2
    const a = await changeChoices(h.ctx, {
      annee: ANNEE,
      siret: A.siret,
      actor: actor(),
      expectedVersion: null,
      change: { kind: 'ajouter', items: [{ target: { etablissementId: w.composanteId, formationId: null }, bp: 100 }] },
    });
    expect(a.ok).toBe(true);
    h.clock.set(IN_PERIOD_1);
  });

  it('follows the calendar the operator saved, not only the arrêté’s preset', async () => {
    const { saveCampaign } = await import('../../src/modules/campagnes/repository.js');
    const { CAMPAIGN_2025 } = await import('../../src/domain/campagne.js');
    // period 2 moved forward to 30 June: on 1 July (between the preset's periods) C may change
    const extended = { ...CAMPAIGN_2025, periodes: [CAMPAIGN_2025.periodes[0]!, { ...CAMPAIGN_2025.periodes[1]!, debut: '2025-06-30' }] };
    const saved = await saveCampaign(h.ctx, extended, null);
    expect(saved.ok ? [] : saved.errors).toEqual([]);
    try {
      h.clock.set(BETWEEN_PERIODS);
      const s = await loadSynthese(h.ctx.db, h.clock.now(), ANNEE, C.siret);
      expect(s.campaign.periodes[1]!.debut).toBe('2025-06-30');
      expect(s.modifiable).toEqual({ ok: true, periode: 2 });
      expect((await add(C.siret, 50)).ok).toBe(true);
    } finally {
      expect((await saveCampaign(h.ctx, CAMPAIGN_2025, null)).ok).toBe(true);
      h.clock.set(IN_PERIOD_1);
    }
  });

  it('the Synthèse page says why it is read-only after closing (and offers no button)', async () => {
    h.clock.set(AFTER_CLOSING);
    const c = await signIn(h, alice);
    const r = await c.get(url(A.siret));
    expect(r.statusCode).toBe(200);
    expect(text(r.body)).toContain('est close');
    expect(r.body).not.toContain('Enregistrer vos attributions');
    expect(r.body).not.toContain('>Modifier<');
    h.clock.set(IN_PERIOD_1);
  });
});

describe('« Répliquer les fléchages »', () => {
  it('last campaign’s choices mapped onto this year’s referential; those no longer habilitated are counted', async () => {
    const now = h.clock.now();
    const target = A2;
    await h.ctx.db.delete(attributions).where(and(eq(attributions.siretEmployeur, target), eq(attributions.annee, ANNEE)));
    await h.ctx.db.insert(attributions).values([
      {
        annee: ANNEE - 1,
        siretEmployeur: target,
        etablissementId: w.lastYearLyceeId,
        formationId: null,
        pointsBase: 4000,
        statut: 'validee',
        updatedAt: now,
      },
      {
        annee: ANNEE - 1,
        siretEmployeur: target,
        etablissementId: w.lastYearLyceeId,
        formationId: w.lastYearFormationId,
        pointsBase: 1500,
        statut: 'validee',
        updatedAt: now,
      },
    ]);
    const c = await signIn(h, alice);
    const page = await c.get(url(target));
    const r = await c.form(url(target, '/repliquer'), { version: String(versionIn(page.body)) });
    expect(r.statusCode).toBe(303);
    const lines = await linesOf(h.ctx.db, target);
    expect(lines.map((l) => [l.etablissementId, l.formationId, l.pointsBase, l.statut])).toEqual([
      [w.lyceeId, null, 4000, 'enregistree'],
      [w.lyceeId, w.formationIds[0], 1500, 'enregistree'],
    ]);
    const t = text((await c.get(String(r.headers.location))).body);
    expect(t).toContain('2 fléchages de la campagne précédente sont ajoutés');
    // again: nothing more to add
    const again = await c.form(url(target, '/repliquer'), { version: String(versionIn((await c.get(url(target))).body)) });
    expect(again.headers.location).toContain('deja-replique');
  });
});

describe('« Mes groupes »', () => {
  it('the reference’s choices are copied to the members; a member cannot change on its own; dissolving frees it', async () => {
    const c = await signIn(h, alice);
    const page = await c.get(url(A.siret, '/groupes'));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('SIRET de référence');
    const bad = await c.form(url(A.siret, '/groupes'), { nom: '', reference: A.siret, membres: [B.siret] });
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('Donnez un nom au groupe');
    const r = await c.form(url(A.siret, '/groupes'), { nom: 'Sites de production', reference: A.siret, membres: [A2] });
    expect(r.statusCode).toBe(303);
    const ref = await linesOf(h.ctx.db, A.siret);
    const member = await linesOf(h.ctx.db, A2);
    expect(member.map((l) => [l.etablissementId, l.formationId, l.pointsBase, l.statut])).toEqual(
      ref.map((l) => [l.etablissementId, l.formationId, l.pointsBase, l.statut]),
    );
    // a change of the reference reaches the member
    const s = await c.get(url(A.siret));
    const first = ref[0]!;
    expect(
      (await c.form(url(A.siret, `/attributions/${first.id}`), { version: String(versionIn(s.body)), pourcentage: '21' })).statusCode,
    ).toBe(303);
    expect(
      (await linesOf(h.ctx.db, A2)).find((l) => l.etablissementId === first.etablissementId && l.formationId === first.formationId)!
        .pointsBase,
    ).toBe(2100);
    // the member's amounts are computed on its own envelope
    const ms = await loadSynthese(h.ctx.db, h.clock.now(), ANNEE, A2);
    expect(ms.enveloppe!.creditsCents).toBe(3_333_33n);
    expect(ms.attribueCents + ms.nonAttribueCents!).toBe(3_333_33n);
    // the member cannot change alone
    const mr = await changeChoices(h.ctx, {
      annee: ANNEE,
      siret: A2,
      actor: { userId: alice.id, espaceId: alice.id },
      expectedVersion: null,
      change: { kind: 'valider' },
    });
    expect(mr.ok).toBe(false);
    if (!mr.ok) expect(mr.errors[0]!.code).toBe('groupe_membre');
    // dissolve
    const gp = await c.get(url(A.siret, '/groupes'));
    const id = /groupes\/(\d+)\/supprimer/.exec(gp.body)![1]!;
    expect((await c.form(url(A.siret, `/groupes/${id}/supprimer`), {})).statusCode).toBe(303);
    expect(
      (
        await changeChoices(h.ctx, {
          annee: ANNEE,
          siret: A2,
          actor: { userId: alice.id, espaceId: alice.id },
          expectedVersion: null,
          change: { kind: 'valider' },
        })
      ).ok,
    ).toBe(true);
  });
});

describe('partage de coordonnées and the establishment’s view', () => {
  it('the establishment names the employer only after it agrees', async () => {
    const lycee = await createCompany(h.ctx, {
      siren: LYCEE.siren,
      siret: LYCEE.siret,
      people: [{ nom: 'GARNIER', role: 'administrateur' }],
      declarationAddedHoursAgo: 48,
    });
    const cl = await signIn(h, lycee.people[0]!);
    const before = text((await cl.get(`/soltea/etablissement/${LYCEE.siret}/attributions`)).body);
    expect(before).toContain('Employeur (identité non partagée)');
    const r = await ca.form(url(A.siret, '/partage'), { partage: 'oui' });
    expect(r.statusCode).toBe(303);
    const [e] = await h.ctx.db
      .select()
      .from(enveloppes)
      .where(and(eq(enveloppes.annee, ANNEE), eq(enveloppes.siret, A.siret)));
    expect(e!.partageCoordonnees).toBe(true);
    const after = text((await cl.get(`/soltea/etablissement/${LYCEE.siret}/attributions`)).body);
    expect(after).toContain(A.raisonSociale);
    // the lycée's user is not an employer of A
    expect((await cl.get(url(A.siret))).statusCode).toBe(404);
  });
});

describe('the history', () => {
  it('lists each campaign with its lines', async () => {
    const r = await ca.get(url(A2, '/historique'));
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(t).toContain('Campagne 2025');
    expect(t).toContain('Campagne 2024');
  });
});

describe('other companies and tiers-déclarants are kept out', () => {
  it('another company: every route answers 404, nothing changes', async () => {
    const cb = await signIn(h, bruno);
    const before = await linesOf(h.ctx.db, A.siret);
    const line = before[0]!;
    const gets = ['', '/recherche', `/attribuer/${LYCEE.siret}`, '/historique', '/groupes', '/synthese.csv'];
    for (const g of gets) expect((await cb.get(url(A.siret, g))).statusCode, g).toBe(404);
    const posts: [string, Record<string, string | string[]>][] = [
      [`/attributions/${line.id}`, { version: '0', pourcentage: '1' }],
      [`/attributions/${line.id}/supprimer`, { version: '0' }],
      ['/enregistrer', { version: '0' }],
      ['/repliquer', { version: '0' }],
      ['/partage', { partage: 'non' }],
      [`/attribuer/${LYCEE.siret}`, { version: '0', cible: [`e${w.lyceeId}`], [`pct_e${w.lyceeId}`]: '1' }],
      ['/groupes', { nom: 'x', reference: A.siret, membres: [A2] }],
    ];
    for (const [p, f] of posts) expect((await cb.form(url(A.siret, p), f)).statusCode, p).toBe(404);
    expect((await cb.json(url(A.siret, '/attributions'), { attributions: [] }, {}, 'PUT')).statusCode).toBe(404);
    expect(await linesOf(h.ctx.db, A.siret)).toEqual(before);
    // a SIRET that is not a SIRET, or one that does not exist
    expect((await cb.get(url('12345'))).statusCode).toBe(404);
    expect((await cb.get(url(makeValidSiret(makeValidSiren('12121212'), '0001')))).statusCode).toBe(404);
  });

  it('a tiers-déclarant acts for a client only when it filed its DSN in the last six months', async () => {
    const tiersSiren = makeValidSiren('88877766');
    const tiersSiret = makeValidSiret(tiersSiren, '0001');
    const { entreprises, etablissements } = await import('../../src/infra/db/schema.js');
    await h.ctx.db.insert(entreprises).values({ siren: tiersSiren, raisonSociale: 'CABINET DE TEST', etatAdministratif: 'A' });
    await h.ctx.db
      .insert(etablissements)
      .values({ siret: tiersSiret, siren: tiersSiren, denomination: 'CABINET DE TEST', estSiege: true, etatAdministratif: 'A' });
    h.clock.set(new Date('2025-05-01T08:00:00Z'));
    const t = await createCompany(h.ctx, {
      siren: tiersSiren,
      siret: tiersSiret,
      people: [{ nom: 'TIERS', role: 'administrateur' }],
      sirets: [C.siret, B.siret],
      code: 'SOLTEA_EMPLOYEURS',
    });
    await makeTiers(h.ctx.db, t.espaceId);
    h.clock.set(IN_PERIOD_1);
    // C's DSN filed by the tiers in April 2025; B's filed by someone else
    await h.ctx.db
      .update(enveloppes)
      .set({ declarantSiret: tiersSiret, deposeLe: new Date('2025-04-15T10:00:00Z') })
      .where(and(eq(enveloppes.annee, ANNEE), eq(enveloppes.siret, C.siret)));
    const ct = await signIn(h, t.people[0]!);
    const list = await ct.get('/soltea/employeur', 'application/json');
    const sirets = JSON.parse(list.body).etablissements as { siret: string; indisponible: string | null }[];
    expect(sirets.find((s) => s.siret === C.siret)!.indisponible).toBeNull();
    expect(sirets.find((s) => s.siret === B.siret)!.indisponible).toContain('Vous n’avez pas déposé la DSN');
    expect((await ct.get(url(C.siret))).statusCode).toBe(200);
    expect((await ct.get(url(B.siret))).statusCode).toBe(404);
    expect((await ct.json(url(B.siret, '/attributions'), { attributions: [] }, {}, 'PUT')).statusCode).toBe(404);
    // more than six months later: C is out of reach too
    await h.ctx.db
      .update(enveloppes)
      .set({ deposeLe: new Date('2024-12-01T10:00:00Z') })
      .where(and(eq(enveloppes.annee, ANNEE), eq(enveloppes.siret, C.siret)));
    expect((await ct.get(url(C.siret))).statusCode).toBe(404);
    const again = JSON.parse((await ct.get('/soltea/employeur', 'application/json')).body).etablissements as {
      siret: string;
      indisponible: string | null;
    }[];
    expect(again.find((s) => s.siret === C.siret)!.indisponible).toContain('plus de six mois');
  });
});

describe('API description', () => {
  it('documents every route of the employer space', async () => {
    const doc = JSON.parse((await ca.get('/api/openapi.json', 'application/json')).body) as {
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    const expected: [string, string][] = [
      ['/soltea/employeur/{siret}', 'get'],
      ['/soltea/employeur/{siret}/attributions', 'put'],
      ['/soltea/employeur/{siret}/attributions/{id}', 'post'],
      ['/soltea/employeur/{siret}/attributions/{id}/supprimer', 'post'],
      ['/soltea/employeur/{siret}/enregistrer', 'post'],
      ['/soltea/employeur/{siret}/repliquer', 'post'],
      ['/soltea/employeur/{siret}/partage', 'post'],
      ['/soltea/employeur/{siret}/attribuer/{etab}', 'get'],
      ['/soltea/employeur/{siret}/attribuer/{etab}', 'post'],
      ['/soltea/employeur/{siret}/groupes', 'post'],
      ['/soltea/employeur/{siret}/historique', 'get'],
      ['/soltea/employeur/{siret}/synthese.csv', 'get'],
    ];
    for (const [path, method] of expected) expect(doc.paths[path]?.[method]?.summary, `${method} ${path}`).toBeTruthy();
  });
});

describe('a long list of SIRETs', () => {
  it('is filtered by SIRET, name or commune, accents and case ignored, and paged by 50', async () => {
    const { filterEmployerSirets, EMPLOYER_PAGE_SIZE } = await import('../../src/modules/attributions/scope.js');
    const list = Array.from({ length: 120 }, (_, i) => ({
      siret: String(10_000_000_000_000 + i),
      denomination: i === 7 ? 'Boulangerie Émile' : `CLIENT ${i}`,
      commune: i === 9 ? 'Orléans' : 'Lyon',
    }));
    expect(filterEmployerSirets(list, 'emile').map((s) => s.denomination)).toEqual(['Boulangerie Émile']);
    expect(filterEmployerSirets(list, 'ORLEANS')).toHaveLength(1);
    expect(filterEmployerSirets(list, '100 000 000 00119').map((s) => s.siret)).toEqual(['10000000000119']);
    expect(filterEmployerSirets(list, '')).toHaveLength(120);
    expect(EMPLOYER_PAGE_SIZE).toBe(50);
    // over HTTP, the filter and the page are query parameters beside the search's
    const r = await ca.get(`/soltea/employeur?siretFiltre=${encodeURIComponent(A.siret.slice(0, 9))}`);
    expect(r.statusCode).toBe(200);
    expect(text(r.body)).toContain(`correspondant à « ${A.siret.slice(0, 9)} »`);
  });
});
