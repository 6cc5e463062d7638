/**
 * « Mes groupes » and the actor's scope (docs/regles.md#tiers-declarants, ADR 0003): a change of the
 * reference SIRET is copied to the members only when the person may still act for every one of them.
 * A member whose habilitation was removed, or a client SIRET whose DSN the tiers-déclarant no longer
 * filed in the last six months, refuses the change for the whole group, with a message naming the
 * SIRET; nothing is written on the reference nor on any member. Someone who may act for every member
 * still changes the group.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enveloppes, habilitations } from '../../src/infra/db/schema.js';
import { changeChoices } from '../../src/modules/attributions/choix.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { createCompany, LYCEE, signIn } from '../espace-etablissement/fixtures.js';
import {
  ANNEE,
  choixOf,
  employerCompany,
  envelope,
  IN_PERIOD_1,
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
let A: { siren: string; siret: string };
let A2: string;
let X: { siren: string; siret: string };
let X2: string;
let alice: TestPerson;
let albert: TestPerson;
let tom: TestPerson;
let espaceA: string;

const url = (siret: string, rest = '') => `/soltea/employeur/${siret}${rest}`;
const versionIn = (body: string) => String(Number(/name="version" value="(\d+)"/.exec(body)?.[1] ?? NaN));
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, '’')
    .replace(/\s+/g, ' ');

async function state(...sirets: string[]) {
  return Promise.all(sirets.map(async (s) => ({ lines: await linesOf(h.ctx.db, s), choix: await choixOf(h.ctx.db, s) })));
}

/** « Attribuer » `pct` % to the lycée, from the reference's page. */
async function attribute(c: Client, siret: string, pct: string) {
  const form = await c.get(url(siret, `/attribuer/${LYCEE.siret}`));
  return c.form(url(siret, `/attribuer/${LYCEE.siret}`), {
    version: versionIn(form.body),
    cible: [`e${w.lyceeId}`],
    [`pct_e${w.lyceeId}`]: pct,
  });
}

const OUT_OF_SCOPE = 'vous ne pouvez plus agir pour ce SIRET';

beforeAll(async () => {
  h = await createHarness();
  h.clock.set(new Date('2025-05-01T08:00:00Z'));
  const companies = await registryCompanies(h.ctx.db, 4);
  [A, X] = [companies[0]!, companies[1]!];
  const T = companies[2]!;
  w = await seedWorld(h.ctx.db, h.clock.now(), companies[3]!.siret);
  A2 = await secondSiret(h.ctx.db, A.siren);
  X2 = await secondSiret(h.ctx.db, X.siren);
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
  espaceA = a.espaceId;
  const t = await createCompany(h.ctx, {
    siren: T.siren,
    siret: T.siret,
    people: [{ nom: 'TIERS', prenom: 'Tom', role: 'administrateur' }],
    sirets: [X.siret, X2],
    code: 'SOLTEA_EMPLOYEURS',
  });
  await makeTiers(h.ctx.db, t.espaceId);
  tom = t.people[0]!;
  const now = h.clock.now();
  await envelope(h.ctx.db, A.siret, 1_000_00n, now);
  await envelope(h.ctx.db, A2, 2_000_00n, now);
  const filed = { declarantSiret: T.siret, deposeLe: new Date('2025-04-15T10:00:00Z') };
  await envelope(h.ctx.db, X.siret, 3_000_00n, now, filed);
  await envelope(h.ctx.db, X2, 4_000_00n, now, filed);
  h.clock.set(IN_PERIOD_1);
}, 120_000);
afterAll(async () => stopHarness(h));

describe('a group’s members must all be in the actor’s scope', () => {
  it('a déclarant whose habilitation on a member was removed cannot change the group; nothing is written', async () => {
    const c = await signIn(h, albert);
    const g = await c.form(url(A.siret, '/groupes'), { nom: 'Sites', reference: A.siret, membres: [A2] });
    expect(g.statusCode, g.body).toBe(303);
    expect((await attribute(c, A.siret, '20')).statusCode).toBe(303);
    expect((await linesOf(h.ctx.db, A2)).map((l) => l.pointsBase)).toEqual([2000]);
    // his habilitation on the member is removed by his administrator
    await h.ctx.db.delete(habilitations).where(and(eq(habilitations.userId, albert.id), eq(habilitations.siret, A2)));
    const before = await state(A.siret, A2);
    const again = await signIn(h, albert);
    const r = await attribute(again, A.siret, '30');
    expect(r.statusCode).toBe(400);
    expect(text(r.body)).toContain(`SIRET ${A2}`);
    expect(text(r.body)).toContain(OUT_OF_SCOPE);
    const direct = await changeChoices(h.ctx, {
      annee: ANNEE,
      siret: A.siret,
      actor: { userId: albert.id, espaceId: espaceA },
      expectedVersion: null,
      change: { kind: 'valider' },
    });
    expect(direct.ok).toBe(false);
    if (!direct.ok) {
      expect(direct.errors[0]!.code).toBe('groupe_hors_perimetre');
      expect(direct.errors[0]!.message).toContain(A2);
    }
    expect(await state(A.siret, A2)).toEqual(before);
    // the administrator, habilitated on both, still changes the group
    expect((await attribute(await signIn(h, alice), A.siret, '30')).statusCode).toBe(303);
    expect((await linesOf(h.ctx.db, A2)).map((l) => l.pointsBase)).toEqual([3000]);
  });

  it('a tiers-déclarant whose DSN rule no longer holds on a member cannot change the group; nothing is written', async () => {
    const c = await signIn(h, tom);
    const g = await c.form(url(X.siret, '/groupes'), { nom: 'Client X', reference: X.siret, membres: [X2] });
    expect(g.statusCode, g.body).toBe(303);
    expect((await attribute(c, X.siret, '20')).statusCode).toBe(303);
    // X2's last DSN was filed by someone else since
    await h.ctx.db
      .update(enveloppes)
      .set({ declarantSiret: '99900570500010', deposeLe: new Date('2025-05-20T10:00:00Z') })
      .where(and(eq(enveloppes.annee, ANNEE), eq(enveloppes.siret, X2)));
    const before = await state(X.siret, X2);
    const r = await attribute(await signIn(h, tom), X.siret, '30');
    expect(r.statusCode).toBe(400);
    expect(text(r.body)).toContain(`SIRET ${X2}`);
    expect(text(r.body)).toContain(OUT_OF_SCOPE);
    const api = await signIn(h, tom);
    const version = (JSON.parse((await api.get(url(X.siret), 'application/json')).body) as { version: number }).version;
    const j = await api.json(url(X.siret, '/enregistrer'), { version });
    expect(j.statusCode).toBe(400);
    expect(j.body).toContain(X2);
    expect(await state(X.siret, X2)).toEqual(before);
  });
});
