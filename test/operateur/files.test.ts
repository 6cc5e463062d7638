/**
 * The operator's work queues over HTTP: the bank details to verify with their history of changes (IBAN
 * masked); the establishments without verified bank details as period 1 nears its end, the bulk reminder
 * (gestionnaire only; mail and tableau de bord; once per establishment and period, whether the operator
 * or the automatic reminder sends it first; audited with the agent); the unpayable lines of a prepared
 * wave; the support search by SIREN or SIRET (read-only, one audit event per consultation, another
 * company's rows out of the answer, a malformed number refused with nothing audited).
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIban } from '../../src/domain/coordonnees-bancaires.js';
import { makeValidFrenchIban } from '../../src/domain/iban.js';
import { selectRows } from '../../src/infra/db/index.js';
import { auditEvents } from '../../src/infra/db/schema.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { evenementsDus } from '../../src/domain/messages-calendrier.js';
import { currentCampaign } from '../../src/modules/campagnes/repository.js';
import { processEvent } from '../../src/modules/messages/scheduler.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { addAdministrator, ANNEE, seedWorld, WAVE_1_DAY, type World, type WorldSpec } from '../versements/world.js';
import { newAgent, signInAgent, type TestAgent } from './helpers.js';

/** Employer 0 funds 0 (verified), 1 (no details) and 2 (details to verify); employer 1 funds 0 only. */
const SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84' },
    { bank: null, region: '84' },
    { bank: 'en_attente', region: '11' },
  ],
  employeurs: [
    { creditsCents: 100_000n, funds: 'recus', commune: '69123' },
    { creditsCents: 50_000n, funds: 'recus', commune: '75056' },
  ],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 5000, periode: 1 },
    { employeur: 0, etablissement: 1, bp: 3000, periode: 1 },
    { employeur: 0, etablissement: 2, bp: 2000, periode: 1 },
    { employeur: 1, etablissement: 0, bp: 10000, periode: 1 },
  ],
};

let h: Harness;
let w: World;
let g: TestAgent;
let v: TestAgent;
let gc: Client;
let vc: Client;
let admin1 = '';

beforeAll(async () => {
  h = await createHarness();
  h.clock.set(new Date('2025-06-20T08:00:00Z')); // period 1 ends on 27 June
  w = await seedWorld(h.ctx.db, SPEC, h.clock.now());
  // the world's « en_attente » is the state the establishment space writes: « à vérifier »
  await h.ctx.db.execute(sql`update coordonnees_bancaires set statut = 'a_verifier' where siret = ${w.etablissementSirets[2]!}`);
  admin1 = await addAdministrator(h.ctx.db, w.etablissementSirets[1]!, 'lycee1@example.test', 'SOLTEA_ETABLISSEMENTS');
  await addAdministrator(h.ctx.db, w.employeurSirets[0]!, 'paie0@example.test');
  await addAdministrator(h.ctx.db, w.employeurSirets[1]!, 'paie1@example.test');
  g = await newAgent(h, 'gestionnaire');
  v = await newAgent(h, 'valideur');
  gc = await signInAgent(h, g);
  vc = await signInAgent(h, v);
  await h.takeMails();
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const auditsOf = (action: string) =>
  h.ctx.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.action, action as 'operateur.support_consulte'))
    .orderBy(auditEvents.id);

describe('bank details to verify', () => {
  it('shows each one with the history of its changes, IBANs masked', async () => {
    const siret = w.etablissementSirets[2]!;
    const old = makeValidFrenchIban('30003', '01234', '00099887766');
    const [prev] = await selectRows<{ id: number }>(
      h.ctx.db,
      sql`insert into coordonnees_bancaires (siret, iban, bic, titulaire, statut, motif_rejet, created_at, remplacee_le)
          values (${siret}, ${old}, 'SOGEFRPP', 'ANCIEN TITULAIRE', 'rejetee', 'RIB illisible', '2025-05-20T08:00:00Z', '2025-06-01T08:00:00Z') returning id`,
    );
    await h.ctx.db.execute(sql`insert into coordonnees_bancaires_statuts (coordonnees_id, siret, statut, motif, agent, at)
      values (${prev!.id}, ${siret}, 'rejetee', 'RIB illisible', 'Paul Contrôle', '2025-05-22T08:00:00Z')`);
    const page = await vc.get('/operateur/coordonnees-bancaires');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Historique des modifications');
    expect(page.body).toContain('Rejetée par Paul Contrôle');
    expect(page.body).toContain('RIB illisible');
    expect(page.body).toContain('remplacées par de nouvelles');
    expect(page.body).toContain(maskIban(old)); // the old version, masked
    expect(page.body).not.toContain(old);
    expect(page.body).not.toContain('01234');
  });
});

describe('establishments without bank details as period 1 nears its end', () => {
  it('lists the establishments the reminder concerns, with the days left', async () => {
    const page = await vc.get('/operateur/sans-coordonnees?annee=2025');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Période de répartition 1 : fin le 27 juin 2025');
    expect(page.body).toContain('7 jours avant la fin de la période');
    expect(page.body).toContain('ETABLISSEMENT 1');
    expect(page.body).toContain('ETABLISSEMENT 2');
    expect(page.body).not.toContain('ETABLISSEMENT 0');
    expect(page.body).toContain('Aucune coordonnée bancaire');
    expect(page.body).toContain('Coordonnées à vérifier');
    expect(page.body).toContain('Seul un agent gestionnaire peut envoyer les relances.');
  });

  it('a valideur may not send the reminder (403 with the reason); nothing is sent', async () => {
    const r = await vc.form('/operateur/sans-coordonnees/relancer', { annee: '2025' });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('Cette action est réservée aux agents gestionnaires de l’opérateur.');
    expect(await h.takeMails()).toEqual([]);
    const [n] = await selectRows<{ n: number }>(h.ctx.db, sql`select count(*)::int as n from rappels_coordonnees`);
    expect(n!.n).toBe(0);
  });

  it('a gestionnaire reminds them in bulk, once per establishment and period, audited', async () => {
    await gc.get('/operateur/sans-coordonnees?annee=2025');
    const r = await gc.form('/operateur/sans-coordonnees/relancer', { annee: '2025' });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/operateur/sans-coordonnees?annee=2025&notice=rappels-envoyes');
    const mails = await h.takeMails();
    expect(mails.map((m) => [m.to, m.subject])).toEqual([
      ['lycee1@example.test', 'SOLTéA : vos coordonnées bancaires avant le 27 juin 2025'],
    ]);
    const [n] = await selectRows<{ text: string }>(h.ctx.db, sql`select text from notifications where user_id = ${admin1}::uuid`);
    expect(n!.text).toContain('La période de répartition 1 se termine dans 7 jours, le 27 juin 2025');
    const rows = await selectRows<{ siret: string }>(
      h.ctx.db,
      sql`select siret from rappels_coordonnees where annee = 2025 and periode = 1 order by siret`,
    );
    expect(rows.map((x) => x.siret)).toEqual([w.etablissementSirets[1], w.etablissementSirets[2]]);
    const [a] = await auditsOf('rappels_coordonnees.envoyes');
    expect(a!.actorAgentId).toBe(g.id);
    expect(a!.details).toMatchObject({ annee: 2025, periode: 1, envoyes: 2, dejaRappeles: 0 });
    // again from the screen, then the automatic reminder: nobody is reminded twice
    const again = await gc.json('/operateur/sans-coordonnees/relancer', { annee: '2025' });
    expect(JSON.parse(again.body)).toMatchObject({ envoyes: 0, dejaRappeles: 2 });
    const c = await currentCampaign(h.ctx);
    const j7 = evenementsDus(c, h.clock.now()).find((e) => e.cle === 'fin-periode:2025:1:j7:etablissements')!;
    expect(await processEvent(h.ctx, c, j7, h.clock.now())).toBe(0);
    expect(await h.takeMails()).toEqual([]);
    const page = await gc.get('/operateur/sans-coordonnees?annee=2025');
    expect(page.body).toContain('dont 2 déjà relancés pour cette période');
    expect(page.body).not.toContain('Relancer l');
  });
});

describe('unpayable lines', () => {
  it('lists the lines a prepared wave could not pay, waiting first, with the totals by status', async () => {
    h.clock.set(WAVE_1_DAY);
    // three weeks later: the agents log in again
    gc = await signInAgent(h, g);
    vc = await signInAgent(h, v);
    const prepared = await prepareWave(h.ctx, w.gestionnaire, ANNEE, 1);
    expect(prepared).toMatchObject({ ok: true, nonVersables: 2 });
    const page = await vc.get('/operateur/non-versables?annee=2025');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('En attente de re-désignation');
    expect(page.body).toContain('l’établissement n’a pas déclaré de coordonnées bancaires');
    expect(page.body).toContain('les coordonnées bancaires de l’établissement ne sont pas encore vérifiées');
    const api = JSON.parse((await vc.get('/operateur/non-versables?annee=2025', 'application/json')).body) as {
      total: number;
      parStatut: { statut: string; lignes: number; cents: string }[];
    };
    expect(api.total).toBe(2);
    expect(api.parStatut).toEqual([{ statut: 'en_attente', lignes: 2, cents: '50000' }]);
  });
});

describe('support search', () => {
  it('a SIREN shows its envelope, allocations, administrators and account events, read-only; each consultation is audited', async () => {
    const siren = w.employeurSirets[0]!.slice(0, 9);
    const [espace] = await selectRows<{ id: string }>(h.ctx.db, sql`select id::text from espaces where siren = ${siren}`);
    await h.ctx.db.execute(
      sql`insert into audit_events (at, action, espace_id, details) values (now(), 'password.changed', ${espace!.id}::uuid, '{}')`,
    );
    const before = await selectRows<{ n: number }>(h.ctx.db, sql`select count(*)::int as n from attributions`);
    const page = await vc.get(`/operateur/support?q=${siren.slice(0, 3)}+${siren.slice(3, 6)}+${siren.slice(6)}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('EMPLOYEUR 0');
    expect(page.body).toContain('URSSAF');
    expect(page.body).toContain('ETABLISSEMENT 1');
    expect(page.body).toContain('paie0@example.test');
    expect(page.body).toContain('password.changed');
    // another company's rows stay out
    expect(page.body).not.toContain('paie1@example.test');
    expect(page.body).not.toContain('EMPLOYEUR 1');
    const audits = await auditsOf('operateur.support_consulte');
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorAgentId).toBe(v.id);
    expect(audits[0]!.details).toEqual({ recherche: siren, type: 'siren', siren });
    // read-only: nothing else changed
    expect(await selectRows<{ n: number }>(h.ctx.db, sql`select count(*)::int as n from attributions`)).toEqual(before);
    await vc.get(`/operateur/support?q=${siren}`);
    expect(await auditsOf('operateur.support_consulte')).toHaveLength(2);
  });

  it('a SIRET shows the establishment’s allocations received, bank details masked and unpayable shares', async () => {
    const siret = w.etablissementSirets[2]!;
    const api = await gc.get(`/operateur/support?q=${siret}`, 'application/json');
    expect(api.statusCode).toBe(200);
    const view = JSON.parse(api.body) as Record<string, { siret?: string; ibanMasque?: string; statut?: string }[]>;
    expect(view.attributionsRecues).toEqual([{ annee: 2025, siret, employeurs: 1, lignes: 1 }]);
    expect(view.coordonnees!.map((c) => [c.siret, c.statut])).toEqual([[siret, 'À vérifier']]);
    expect(view.coordonnees![0]!.ibanMasque).toMatch(/^FR•• /);
    expect(view.nonVersables).toHaveLength(1);
    expect(view.enveloppes).toEqual([]);
    const [last] = (await auditsOf('operateur.support_consulte')).slice(-1);
    expect(last).toMatchObject({ actorAgentId: g.id, details: { recherche: siret, type: 'siret' } });
  });

  it('a malformed number is refused with a French message and nothing is audited', async () => {
    const n = (await auditsOf('operateur.support_consulte')).length;
    const r = await vc.get('/operateur/support?q=12345');
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('Saisissez un numéro SIREN (9 chiffres) ou SIRET (14 chiffres).');
    const badKey = await vc.get('/operateur/support?q=123456789');
    expect(badKey.statusCode).toBe(400);
    expect(badKey.body).toContain('clé de contrôle incorrecte');
    expect(await auditsOf('operateur.support_consulte')).toHaveLength(n);
    const none = await vc.get('/operateur/support');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('Numéro SIREN ou SIRET');
    expect(
      await h.ctx.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, 'operateur.support_consulte'), eq(auditEvents.actorAgentId, g.id))),
    ).toHaveLength(1);
  });
});
