/**
 * « Versements » of the establishment space over HTTP, on the payments world (test/versements/world.ts)
 * after wave 1 is issued: the transfers to the lycée and its composante with their day, label and
 * amount, the employers they come from (named only when they share their identity), the totals, the CSV
 * and the JSON, computed by hand; a reliquat share to come; another company's SIRET answers 404 (page
 * and CSV). And the mail of each payment: one per transfer and address, at the wave's issue, never twice.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSiret } from '../../src/domain/identifiers.js';
import { selectRows } from '../../src/infra/db/index.js';
import { issueWave } from '../../src/modules/versements/vagues.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { createCompany, signIn, type TestPerson } from './fixtures.js';
import { issuedWave, SUIVI_SPEC } from '../versements/suivi-world.js';
import { seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World } from '../versements/world.js';

let h: Harness;
let w: World;
let lycee: Client;
let other: Client;
let admin: TestPerson;
let otherAdmin: TestPerson;
let s0: string;
let s2: string;
let e1: string;
const url = (siret: string, more = '') => `/soltea/etablissement/${siret}/versements${more}`;

/** The registry rows an espace needs (the world writes only the referential's). */
async function registered(siret: string, nom: string) {
  await h.ctx.db.execute(
    sql`insert into entreprises (siren, raison_sociale, etat_administratif) values (${siret.slice(0, 9)}, ${nom}, 'A')`,
  );
  await h.ctx.db.execute(
    sql`insert into etablissements (siret, siren, denomination, etat_administratif) values (${siret}, ${siret.slice(0, 9)}, ${nom}, 'A')`,
  );
}

beforeAll(async () => {
  h = await createHarness();
  h.clock.set(WAVE_1_DAY);
  w = await seedWorld(h.ctx.db, SUIVI_SPEC, WAVE_1_DAY);
  [s0, s2, e1] = [w.etablissementSirets[0]!, w.etablissementSirets[2]!, w.employeurSirets[1]!];
  const s6 = w.etablissementSirets[6]!;
  await registered(s0, 'LYCEE ZERO');
  await registered(s6, 'LYCEE SIX');
  // employer 1 shares its identity; employer 0 does not
  await registered(e1, 'BOULANGERIE DU TEST');
  await h.ctx.db.execute(sql`update enveloppes set partage_coordonnees = true where siret = ${e1}`);
  // composante 2 has its own SIREN and no espace: its fiche's contact is mailed
  await h.ctx.db.execute(sql`
    insert into etablissement_profils (siret, contacts, updated_at)
    values (${s2}, ${JSON.stringify([{ fonction: 'Comptable', nom: 'Lucie', courriel: 'compta@composante.test', telephone: '' }])}::jsonb, now())`);
  const co = await createCompany(h.ctx, { siren: s0.slice(0, 9), siret: s0, people: [{ nom: 'GARNIER', role: 'administrateur' }] });
  const co6 = await createCompany(h.ctx, { siren: s6.slice(0, 9), siret: s6, people: [{ nom: 'MARTIN', role: 'administrateur' }] });
  [admin, otherAdmin] = [co.people[0]!, co6.people[0]!];
  lycee = await signIn(h, admin);
  other = await signIn(h, otherAdmin);
  await h.takeMails();
}, 120_000);
afterAll(async () => stopHarness(h));

describe('« Versements » of the establishment', () => {
  it('says so before any payment, and the side menu has the entry', async () => {
    const r = await lycee.get(url(s0));
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Aucun versement pour l’instant');
    expect(r.body).toContain(`href="${url(s0)}"`);
  });

  it('mails each beneficiary once when wave 1 is issued: administrators, else the fiche’s contacts', async () => {
    const wave = await issuedWave(h.ctx, w, 1);
    const mails = await h.takeMails();
    expect(mails.map((m) => [m.to, m.subject]).sort()).toEqual(
      [
        [admin.email, 'SOLTéA : versement de 611,10 € le 11 juillet 2025'],
        ['compta@composante.test', 'SOLTéA : versement de 100,00 € le 11 juillet 2025'],
        [otherAdmin.email, 'SOLTéA : versement de 111,10 € le 11 juillet 2025'],
      ].sort(),
    );
    const mine = mails.find((m) => m.to === admin.email)!;
    expect(mine.text).toContain(`Bonjour ${admin.prenom} GARNIER,`);
    expect(mine.text).toContain(`La Caisse des Dépôts a versé 611,10 € à ETABLISSEMENT 0 (SIRET ${formatSiret(s0)}) le 11 juillet 2025`);
    expect(mine.text).toContain(`Libellé du virement : TAXE- APPRENTISSAGE - ${s0} - 2025 - 1`);
    expect(mine.text).toContain(url(s0));
    expect(mails.find((m) => m.to === 'compta@composante.test')!.text).toMatch(/^Bonjour,\n/);
    // the tableau de bord line of the administrator
    const lines = await selectRows<{ text: string }>(h.ctx.db, sql`select text from notifications where user_id = ${admin.id}`);
    expect(lines.map((l) => l.text)).toEqual([
      `SOLTéA – SIRET ${formatSiret(s0)} : la Caisse des Dépôts a versé 611,10 € le 11 juillet 2025, au titre du solde de la taxe d’apprentissage de la campagne 2025 (libellé « TAXE- APPRENTISSAGE - ${s0} - 2025 - 1 »).`,
    ]);
    // issuing again sends nothing
    expect((await issueWave(h.ctx, w.valideur2, wave.id)).ok).toBe(true);
    expect(await h.takeMails()).toEqual([]);
  });

  it('lists the transfers to the lycée and its composante, with the employers named only when they share', async () => {
    const r = await lycee.get(url(s0));
    expect(r.statusCode).toBe(200);
    const text = r.body.replace(/\u202f|\u00a0/g, ' ');
    expect(text).toContain('Virement du 11 juillet 2025 : 611,10 €');
    expect(text).toContain(`TAXE- APPRENTISSAGE - ${s0} - 2025 - 1`);
    expect(text).toContain('Virement du 11 juillet 2025 : 100,00 €');
    expect(text).toContain(`BOULANGERIE DU TEST (SIRET ${formatSiret(e1).replace(/\u202f|\u00a0/g, ' ')})`);
    expect(text).toContain('Employeur (identité non partagée)');
    expect(text).not.toContain(w.employeurSirets[0]!);
    expect(text).toContain('711,10 €'); // 611,10 + 100,00; establishment 6's 111,10 is not ours
    expect(text).not.toContain(`TAXE- APPRENTISSAGE - ${w.etablissementSirets[6]!} - 2025 - 3`);
    const j = JSON.parse((await lycee.get(url(s0), 'application/json')).body) as {
      totalCents: string;
      virements: {
        numero: number;
        date: string;
        montantCents: string;
        employeurs: { raisonSociale: string; siret: string | null; montantCents: string }[];
      }[];
    };
    expect(j.totalCents).toBe('71110');
    expect(
      j.virements.map((v) => [v.numero, v.date, v.montantCents, v.employeurs.map((e) => [e.raisonSociale, e.siret, e.montantCents])]),
    ).toEqual([
      [
        1,
        '2025-07-11',
        '61110',
        [
          ['BOULANGERIE DU TEST', e1, '11110'],
          ['Employeur (identité non partagée)', null, '50000'],
        ],
      ],
      [2, '2025-07-11', '10000', [['Employeur (identité non partagée)', null, '10000']]],
    ]);
  });

  it('the CSV: one row per employer of each transfer, computed by hand', async () => {
    const csv = await lycee.get(url(s0, '.csv'));
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="versements-${s0}-2025.csv"`);
    expect(
      csv.body
        .replace(/^\ufeff/, '')
        .trim()
        .split('\r\n'),
    ).toEqual([
      'Campagne;Date du virement;N° virement;Libellé;SIRET bénéficiaire;Montant du virement (€);Statut;Origine;Employeur;SIRET employeur;Montant (€)',
      `2025;11/07/2025;1;TAXE- APPRENTISSAGE - ${s0} - 2025 - 1;${s0};611,10;Versé;Employeur;BOULANGERIE DU TEST;${e1};111,10`,
      `2025;11/07/2025;1;TAXE- APPRENTISSAGE - ${s0} - 2025 - 1;${s0};611,10;Versé;Employeur;Employeur (identité non partagée);;500,00`,
      `2025;11/07/2025;2;TAXE- APPRENTISSAGE - ${s2} - 2025 - 2;${s2};100,00;Versé;Employeur;Employeur (identité non partagée);;100,00`,
    ]);
  });

  it('offers the two campaigns before the current one: an earlier one without payment says so, an unknown one shows the current', async () => {
    const earlier = await lycee.get(url(s0, '?annee=2024'));
    expect(earlier.statusCode).toBe(200);
    expect(earlier.body).toContain('Aucun virement n’a encore été émis pour la campagne 2024.');
    expect(earlier.body).toContain(`href="${url(s0)}?annee=2025"`);
    const csv = await lycee.get(url(s0, '.csv?annee=2024'));
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="versements-${s0}-2024.csv"`);
    const unknown = await lycee.get(url(s0, '?annee=1999'));
    expect(unknown.body).toContain('TAXE- APPRENTISSAGE - ' + s0 + ' - 2025 - 1');
  });

  it('another company’s SIRET answers 404, page and CSV, whatever it was paid', async () => {
    for (const path of [url(s0), url(s0, '.csv')]) {
      const r = await other.get(path);
      expect(r.statusCode).toBe(404);
      expect(r.body).not.toContain('611,10');
    }
    const json = await other.get(url(s0), 'application/json');
    expect(json.statusCode).toBe(404);
    expect(JSON.parse(json.body)).toMatchObject({ code: 'etablissement_introuvable' });
    // its own space shows its own transfer
    expect((await other.get(url(w.etablissementSirets[6]!))).body.replace(/\u202f|\u00a0/g, ' ')).toContain(
      'Virement du 11 juillet 2025 : 111,10 €',
    );
  });

  it('a reliquat share computed and not yet paid is announced', async () => {
    await h.ctx.db.execute(sql`
      insert into reliquat_parts (annee, siret, region, regionale_cents, nationale_cents, formations, calcule_le)
      values (2025, ${s0}, '84', 1234, 5678, 2, now())`);
    const text = (await lycee.get(url(s0))).body.replace(/\u202f|\u00a0/g, ' ');
    expect(text).toContain('Part du reliquat à venir');
    expect(text).toContain('69,12 € (part régionale 12,34 €, part nationale 56,78 €)');
  });

  it('wave 2 mails only the beneficiaries it pays', async () => {
    h.clock.set(WAVE_2_DAY);
    await issuedWave(h.ctx, w, 2);
    const mails = await h.takeMails();
    expect(mails.map((m) => [m.to, m.subject]).sort()).toEqual(
      [
        ['compta@composante.test', 'SOLTéA : versement de 111,13 € le 7 novembre 2025'],
        [otherAdmin.email, 'SOLTéA : versement de 100,00 € le 7 novembre 2025'],
      ].sort(),
    );
  });
});
