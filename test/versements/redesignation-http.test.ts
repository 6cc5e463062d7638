/**
 * « Non versable » and « Redésigner » over HTTP, as the employer uses them: the Synthèse shows the share
 * and its reason, the page finds an establishment, the choice moves the share (303 to the Synthèse with
 * its notice); another company's share answers 404 (page and JSON) and changes nothing.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { importRetours } from '../../src/modules/versements/retours.js';
import { approveWave, issueWave } from '../../src/modules/versements/vagues.js';
import { stopHarness } from '../accounts/helpers.js';
import { createCompany, signIn } from '../espace-etablissement/fixtures.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { fixture } from './helpers.js';
import { ANNEE, RETOURS_SPEC, seedWorld, WAVE_1_DAY, type World } from './world.js';

let h: Harness;
let w: World;
let c: Client;
const share: Record<number, number> = {};

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, '’')
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/\s+/g, ' ');

beforeAll(async () => {
  h = await createHarness({ registryCount: 2 });
  h.clock.set(WAVE_1_DAY);
  w = await seedWorld(h.ctx.db, RETOURS_SPEC, WAVE_1_DAY);
  const siret = w.employeurSirets[0]!;
  const siren = siret.slice(0, 9);
  await h.ctx.db.execute(sql`insert into entreprises (siren, raison_sociale, etat_administratif) values (${siren}, 'EMPLOYEUR ZERO', 'A')`);
  await h.ctx.db.execute(
    sql`insert into etablissements (siret, siren, denomination, etat_administratif) values (${siret}, ${siren}, 'EMPLOYEUR ZERO', 'A')`,
  );
  const company = await createCompany(h.ctx, {
    siren,
    siret,
    people: [{ nom: 'DURAND', role: 'administrateur' }],
    code: 'SOLTEA_EMPLOYEURS',
  });
  const r = await prepareWave(h.ctx, w.gestionnaire, ANNEE, 1);
  if (!r.ok) throw new Error(r.problem.message);
  await approveWave(h.ctx, w.valideur, r.vagueId);
  await issueWave(h.ctx, w.gestionnaire, r.vagueId);
  const back = await importRetours(h.ctx, [{ nom: 'retours-pain002-rejet.xml', contenu: fixture('retours-pain002-rejet.xml') }]);
  if (!back.ok) throw new Error(back.problem.message);
  for (const x of await selectRows<{ id: string; ligne: string }>(
    h.ctx.db,
    sql`select id::text, attribution_id::text as ligne from non_versables`,
  ))
    share[w.ligneIds.indexOf(Number(x.ligne))] = Number(x.id);
  h.clock.set(new Date('2025-07-20T08:00:00Z'));
  c = await signIn(h, company.people[0]!);
}, 120_000);
afterAll(() => stopHarness(h));

const url = (rest = '') => `/soltea/employeur/${w.employeurSirets[0]}${rest}`;

describe('the employer sees « Non versable » and re-designates', () => {
  it('the Synthèse shows the share, its reason and « Redésigner »', async () => {
    const r = await c.get(url());
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(t).toContain('Attributions non versables');
    expect(t).toContain('Non versable 300,00 € : rejet bancaire (AC04 — Compte clos)');
    expect(t).toContain('jusqu’au 26 novembre 2025 inclus');
    expect(r.body).toContain(`href="${url(`/non-versables/${share[1]}`)}"`);
  });

  it('another company’s share answers 404, page and JSON, and changes nothing', async () => {
    const page = await c.get(url(`/non-versables/${share[3]}`));
    expect(page.statusCode).toBe(404);
    const api = await c.json(url(`/non-versables/${share[3]}`), { siret: w.etablissementSirets[4], version: null });
    expect(api.statusCode).toBe(404);
    const [nv] = await selectRows<{ statut: string }>(h.ctx.db, sql`select statut from non_versables where id = ${share[3]!}`);
    expect(nv!.statut).toBe('en_attente');
  });

  it('finds an establishment by its SIRET, and the choice moves the share', async () => {
    const page = await c.get(url(`/non-versables/${share[1]}?q=${w.etablissementSirets[4]}`));
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('300,00 € de vos attributions à ETABLISSEMENT 1 n’ont pas pu être versés : rejet bancaire');
    expect(page.body).toContain(`value="${w.etablissementSirets[4]}"`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    const none = await c.form(url(`/non-versables/${share[1]}`), { version });
    expect(none.statusCode).toBe(400);
    expect(text(none.body)).toContain('Choisissez un établissement dans la liste.');
    const done = await c.form(url(`/non-versables/${share[1]}`), { version, siret: w.etablissementSirets[4]! });
    expect(done.statusCode).toBe(303);
    expect(String(done.headers.location)).toBe(`${url()}?notice=redesigne`);
    const after = text((await c.get(String(done.headers.location))).body);
    expect(after).toContain('La part non versable est attribuée à l’établissement choisi');
    expect(after).not.toContain('rejet bancaire');
    const stale = await c.form(url(`/non-versables/${share[2]}`), { version, siret: w.etablissementSirets[2]! });
    expect(stale.statusCode).toBe(409);
  });
});
