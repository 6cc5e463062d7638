/**
 * « Versé le … » on the employer's Synthèse and Historique (docs/regles.md#suivi-des-versements), on the
 * payments world (test/versements/world.ts): nothing before a wave; after wave 1 each line it paid shows
 * its day; a DSN increase before wave 2 shows the wave-1 payment with its amount (paid in part), then
 * both payments with theirs; a line that could not be paid shows none. Page and JSON.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Client, type Harness } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { signIn } from '../espace-etablissement/fixtures.js';
import { issuedWave, SUIVI_SPEC } from '../versements/suivi-world.js';
import { seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World } from '../versements/world.js';
import { employerCompany } from './fixtures.js';

let h: Harness;
let w: World;
let c: Client;
let e0: string;
let person: Parameters<typeof signIn>[1];

interface JsonLine {
  id: number;
  montantAttenduCentimes: number;
  versements: { date: string; montantCentimes: number }[];
}

const plain = (s: string) => s.replace(/\u202f|\u00a0/g, ' ');
/** The « Versé le » texts of the page, in order. */
const verseTexts = (html: string) => [...plain(html).matchAll(/>(Versé le [^<]+)</g)].map((m) => m[1]);
const jsonLines = async (): Promise<JsonLine[]> =>
  (JSON.parse((await c.get(`/soltea/employeur/${e0}`, 'application/json')).body) as { attributions: JsonLine[] }).attributions;

beforeAll(async () => {
  h = await createHarness();
  h.clock.set(WAVE_1_DAY);
  w = await seedWorld(h.ctx.db, SUIVI_SPEC, WAVE_1_DAY);
  e0 = w.employeurSirets[0]!;
  await h.ctx.db.execute(
    sql`insert into entreprises (siren, raison_sociale, etat_administratif) values (${e0.slice(0, 9)}, 'EMPLOYEUR ZERO', 'A')`,
  );
  await h.ctx.db.execute(
    sql`insert into etablissements (siret, siren, denomination, etat_administratif) values (${e0}, ${e0.slice(0, 9)}, 'EMPLOYEUR ZERO', 'A')`,
  );
  const co = await employerCompany(h.ctx, { siren: e0.slice(0, 9), siret: e0 }, [{ nom: 'DUPONT', role: 'administrateur' }]);
  person = co.people[0]!;
  c = await signIn(h, person);
}, 120_000);
afterAll(async () => stopHarness(h));

describe('« Versé le » on the employer’s lines', () => {
  it('shows nothing before a wave paid the line', async () => {
    const r = await c.get(`/soltea/employeur/${e0}`);
    expect(r.statusCode).toBe(200);
    expect(verseTexts(r.body)).toEqual([]);
    expect((await jsonLines()).every((l) => l.versements.length === 0)).toBe(true);
  });

  it('after wave 1: the day on each line it paid, the whole expected amount, in the Synthèse and the Historique', async () => {
    await issuedWave(h.ctx, w, 1);
    // lines 0, 1, 2 (300,00 €, 200,00 €, 100,00 €) are paid; 3, 4, 5 could not be; 6 is of period 2, 7 not validated
    const page = await c.get(`/soltea/employeur/${e0}`);
    expect(verseTexts(page.body)).toEqual(['Versé le 11 juillet 2025', 'Versé le 11 juillet 2025', 'Versé le 11 juillet 2025']);
    const lines = await jsonLines();
    expect(lines.map((l) => l.versements)).toEqual([
      [{ date: '2025-07-11', montantCentimes: 30_000 }],
      [{ date: '2025-07-11', montantCentimes: 20_000 }],
      [{ date: '2025-07-11', montantCentimes: 10_000 }],
      [],
      [],
      [],
      [],
      [],
    ]);
    const hist = await c.get(`/soltea/employeur/${e0}/historique`);
    expect(hist.statusCode).toBe(200);
    expect(verseTexts(hist.body)).toEqual(['Versé le 11 juillet 2025', 'Versé le 11 juillet 2025', 'Versé le 11 juillet 2025']);
  });

  it('a DSN increase: the amount shows beside the day while the line is paid in part, then each payment', async () => {
    h.clock.set(WAVE_2_DAY);
    c = await signIn(h, person); // four months later: a new session
    // 1 000,00 € → 1 200,00 €: line 0 now expects 360,00 €, 60,00 € more than wave 1 paid
    await h.ctx.db.execute(sql`update enveloppes set credits_cents = 120000 where siret = ${e0}`);
    const partial = verseTexts((await c.get(`/soltea/employeur/${e0}`)).body);
    expect(partial).toEqual([
      'Versé le 11 juillet 2025 : 300,00 €',
      'Versé le 11 juillet 2025 : 200,00 €',
      'Versé le 11 juillet 2025 : 100,00 €',
    ]);
    await issuedWave(h.ctx, w, 2);
    const both = verseTexts((await c.get(`/soltea/employeur/${e0}`)).body);
    expect(both.slice(0, 2)).toEqual(['Versé le 11 juillet 2025 : 300,00 €', 'Versé le 7 novembre 2025 : 60,00 €']);
    expect((await jsonLines())[6]!.versements).toEqual([{ date: '2025-11-07', montantCentimes: 12_000 }]);
    expect(verseTexts((await c.get(`/soltea/employeur/${e0}/historique`)).body)).toEqual(both);
  });
});
