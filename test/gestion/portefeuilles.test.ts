/**
 * « Gérer vos portefeuilles » over HTTP: the list and its default portefeuille,
 * « Ajouter un portefeuille », déclarants and declarations of a portefeuille, « Composer le
 * portefeuille » (add by SIREN, établissements, declarations, transfer, removal), the récapitulatif
 * and its CSV, what a déclarant of a tiers sees; tenancy, roles and bad input.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import {
  entreprises,
  etablissementDeclarations,
  habilitations,
  portefeuilleClients,
  portefeuilleDeclarants,
  portefeuilleEtablissements,
  portefeuilles,
} from '../../src/infra/db/schema.js';
import { recapitulatif, recapitulatifPage, RECAP_PAGE_SIZE } from '../../src/modules/gestion/portefeuilles-recapitulatif.js';
import { ensureDefaultPortefeuille } from '../../src/modules/gestion/portefeuilles.js';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { Client, createHarness, type Harness } from '../harness.js';
import { auditRows, FRENCH, pageErrors, activeDeclarant, signedInAdministrator, stopHarness, userRow } from '../accounts/helpers.js';

const { boulangerieMoutin: BM, gipMds: GIP, cabinetDurand: CD, menuiserieCessee: MC, transportsGiraudier: TG } = DEMO_COMPANIES;
const TIERS = { kind: 'tiers_declarant' as const, organisationType: 'expert_comptable' };

let h: Harness;
let a: Awaited<ReturnType<typeof signedInAdministrator>>; // tiers A (CABINET DURAND)
let b: Awaited<ReturnType<typeof signedInAdministrator>>; // tiers B (another firm)
let company: Awaited<ReturnType<typeof signedInAdministrator>>; // a company (not a tiers)

/** A déclarant of `espaceId`, active, signed in. */
const signedInDeclarant = (espaceId: string, siret: string) => activeDeclarant(h, espaceId, siret);

/** The page's French messages, HTML entities decoded. */
const errorsOf = (body: string) =>
  pageErrors(body).map((m) =>
    m
      .replace(/&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );

async function portefeuillesOf(espaceId: string) {
  return h.ctx.db
    .select()
    .from(portefeuilles)
    .where(eq(portefeuilles.espaceId, espaceId))
    .orderBy(portefeuilles.createdAt, portefeuilles.name);
}
async function byName(espaceId: string, name: string) {
  const [p] = await h.ctx.db
    .select()
    .from(portefeuilles)
    .where(and(eq(portefeuilles.espaceId, espaceId), eq(portefeuilles.name, name)));
  return p!;
}
async function clientsOf(portefeuilleId: string) {
  return (await h.ctx.db.select().from(portefeuilleClients).where(eq(portefeuilleClients.portefeuilleId, portefeuilleId)))
    .map((c) => c.siren)
    .sort();
}
async function etabsOf(portefeuilleId: string, siren: string) {
  return (
    await h.ctx.db
      .select()
      .from(portefeuilleEtablissements)
      .where(and(eq(portefeuilleEtablissements.portefeuilleId, portefeuilleId), eq(portefeuilleEtablissements.siren, siren)))
  )
    .map((e) => e.siret)
    .sort();
}
async function declsOf(espaceId: string, siret: string) {
  return (
    await h.ctx.db
      .select()
      .from(etablissementDeclarations)
      .where(and(eq(etablissementDeclarations.espaceId, espaceId), eq(etablissementDeclarations.siret, siret)))
  )
    .map((d) => d.declarationCode)
    .sort();
}
/** A snapshot of every portefeuille row, to prove a refused request changed nothing. */
async function snapshot() {
  const rows = await selectRows<unknown>(
    h.ctx.db,
    sql`select
    (select count(*) from portefeuilles)::int as p, (select count(*) from portefeuille_clients)::int as c, (select count(*) from portefeuille_etablissements)::int as e,
    (select count(*) from portefeuille_declarants)::int as d, (select count(*) from portefeuille_declarations)::int as pd, (select count(*) from etablissement_declarations)::int as ed,
    (select count(*) from habilitations)::int as hab, (select string_agg(name || '|' || comment, ',' order by id) from portefeuilles) as names`,
  );
  return rows[0];
}

beforeAll(async () => {
  h = await createHarness();
  a = await signedInAdministrator(h, { siret: CD.siret, profile: TIERS });
  b = await signedInAdministrator(h, { profile: TIERS });
  company = await signedInAdministrator(h, { siret: BM.siret });
}, 120_000);
afterAll(async () => stopHarness(h));

describe('access to « Gérer vos portefeuilles »', () => {
  it('a company (non-tiers) administrator gets 403 with a French message, on every page', async () => {
    for (const url of [
      '/gestion/portefeuilles',
      '/gestion/portefeuilles/ajouter',
      '/gestion/portefeuilles/recapitulatif',
      '/gestion/portefeuilles/recapitulatif.csv',
      '/portefeuilles',
    ]) {
      const r = await company.client.get(url);
      expect(r.statusCode, url).toBe(403);
      expect(r.body).toContain('réservée aux tiers-déclarants');
    }
    await company.client.get('/menu');
    const before = await snapshot();
    const r = await company.client.form('/gestion/portefeuilles', { name: 'Intrus', comment: '' });
    expect(r.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
    expect(await portefeuillesOf(company.espaceId)).toHaveLength(0);
  });

  it('a visitor is sent to the login page; JSON gets 401', async () => {
    const anon = new Client(h);
    const r = await anon.get('/gestion/portefeuilles');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toContain('/connexion');
    expect((await anon.get('/portefeuilles', 'application/json')).statusCode).toBe(401);
  });

  it('a déclarant of the tiers cannot administer the portefeuilles (403)', async () => {
    const d = await signedInDeclarant(a.espaceId, CD.siret);
    expect((await d.client.get('/gestion/portefeuilles')).statusCode).toBe(403);
    const before = await snapshot();
    const r = await d.client.form('/gestion/portefeuilles', { name: 'Le mien' });
    expect(r.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('« Vos portefeuilles » and « Ajouter un portefeuille »', () => {
  it('creates « Portefeuille par défaut » the first time, once (also under concurrent opening)', async () => {
    const r = await a.client.get('/gestion/portefeuilles');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<h1>Vos portefeuilles</h1>');
    expect(r.body).toContain('Portefeuille par défaut');
    for (const label of [
      'Critères de recherche',
      'Valeur',
      'Rechercher',
      'Nombre d’entreprises',
      'Commentaire',
      'Gérer les déclarants du portefeuille',
      'Gérer les déclarations du portefeuille',
      'Composer le portefeuille',
      'Consulter le récapitulatif',
      'Imprimer le récapitulatif',
      'Retour au menu personnalisé',
      'Légende',
      'Ajouter un portefeuille',
    ])
      expect(r.body, label).toContain(label);
    await a.client.get('/gestion/portefeuilles');
    const me = await userRow(h, a.userId);
    await Promise.all([ensureDefaultPortefeuille(h.ctx, me), ensureDefaultPortefeuille(h.ctx, me), ensureDefaultPortefeuille(h.ctx, me)]);
    const list = await portefeuillesOf(a.espaceId);
    expect(list.filter((p) => p.isDefault)).toHaveLength(1);
    expect(list).toHaveLength(1);
    expect((await auditRows(h, 'portefeuille.created')).filter((x) => x.espaceId === a.espaceId)).toHaveLength(1);
  });

  it('refuses an empty name, too long a name or comment, with French messages and nothing created', async () => {
    await a.client.get('/gestion/portefeuilles/ajouter');
    const before = await snapshot();
    for (const [fields, field] of [
      [{ name: '', comment: '' }, 'Le nom du portefeuille est obligatoire.'],
      [{ name: '   ', comment: '' }, 'Le nom du portefeuille est obligatoire.'],
      [{ name: 'x'.repeat(101), comment: '' }, 'Le nom du portefeuille : 100 caractères au maximum.'],
      [{ name: 'Bon nom', comment: 'c'.repeat(501) }, 'Le commentaire : 500 caractères au maximum.'],
      [{ name: 'Nul\u0000', comment: '' }, 'Le nom du portefeuille : caractères non autorisés.'],
    ] as const) {
      const r = await a.client.form('/gestion/portefeuilles', fields);
      expect(r.statusCode, JSON.stringify(fields)).toBe(400);
      expect(errorsOf(r.body)).toContain(field);
    }
    const j = await a.client.json('/gestion/portefeuilles', { name: 42 });
    expect(j.statusCode).toBe(400);
    expect(j.json<{ message: string }>().message).toMatch(FRENCH);
    expect(await snapshot()).toEqual(before);
  });

  it('adds « CLIENTS » with a déclarant; a second one with the same name (any case) is refused', async () => {
    const ines = await signedInDeclarant(a.espaceId, CD.siret);
    const page = await a.client.get('/gestion/portefeuilles/ajouter');
    expect(page.body).toContain('Nom du portefeuille');
    expect(page.body).toContain(ines.person.nom);
    const r = await a.client.form('/gestion/portefeuilles', { name: 'CLIENTS', comment: 'Mes clients', declarants: [ines.userId] });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/gestion/portefeuilles?notice=cree');
    const p = await byName(a.espaceId, 'CLIENTS');
    expect(p.comment).toBe('Mes clients');
    expect(await h.ctx.db.select().from(portefeuilleDeclarants).where(eq(portefeuilleDeclarants.portefeuilleId, p.id))).toEqual([
      { portefeuilleId: p.id, userId: ines.userId },
    ]);
    const before = await snapshot();
    const dup = await a.client.form('/gestion/portefeuilles', { name: 'clients', comment: '' });
    expect(dup.statusCode).toBe(409);
    expect(errorsOf(dup.body)).toContain('Un portefeuille porte déjà ce nom : choisissez-en un autre.');
    expect(await snapshot()).toEqual(before);
    const list = await a.client.get('/gestion/portefeuilles');
    expect(list.body).toContain('Mes clients');
  });

  it('refuses unknown déclarants and another espace’s people (nothing half-applied)', async () => {
    const other = await signedInDeclarant(b.espaceId, (await userRow(h, b.userId)).siret);
    await a.client.get('/gestion/portefeuilles/ajouter');
    const before = await snapshot();
    for (const declarants of [['pas-un-id'], [other.userId], ['00000000-0000-0000-0000-000000000000'], [a.userId]]) {
      const r = await a.client.form('/gestion/portefeuilles', { name: 'Tentative', declarants });
      expect(r.statusCode).toBe(400);
      expect(errorsOf(r.body), JSON.stringify(errorsOf(r.body))).toContain('Un des déclarants choisis est inconnu.');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('keeps hostile strings as text (escaped on every page)', async () => {
    const hostile = '<script>alert("x")</script> & « Ω »';
    await a.client.get('/gestion/portefeuilles/ajouter');
    const r = await a.client.form('/gestion/portefeuilles', { name: hostile, comment: '<img src=x onerror=alert(1)>' });
    expect(r.statusCode).toBe(303);
    const list = await a.client.get('/gestion/portefeuilles');
    expect(list.body).not.toContain('<script>alert');
    expect(list.body).not.toContain('<img src=x');
    expect(list.body).toContain('&lt;script&gt;');
  });

  it('edits the name and comment; the default one can be renamed; a taken name is refused', async () => {
    const p = await byName(a.espaceId, '<script>alert("x")</script> & « Ω »');
    const form = await a.client.get(`/gestion/portefeuilles/${p.id}/modifier`);
    expect(form.statusCode).toBe(200);
    let r = await a.client.form(`/gestion/portefeuilles/${p.id}`, { name: 'Artisans', comment: 'Artisans du quartier' });
    expect(r.statusCode).toBe(303);
    expect((await byName(a.espaceId, 'Artisans')).comment).toBe('Artisans du quartier');
    r = await a.client.form(`/gestion/portefeuilles/${p.id}`, { name: 'Clients', comment: '' });
    expect(r.statusCode).toBe(409);
    r = await a.client.form(`/gestion/portefeuilles/${p.id}`, { name: '', comment: '' });
    expect(r.statusCode).toBe(400);
    expect((await byName(a.espaceId, 'Artisans')).comment).toBe('Artisans du quartier');
    expect((await auditRows(h, 'portefeuille.updated')).length).toBeGreaterThan(0);
  });

  it('searches by name, by a client’s SIREN and by déclarant, and pages', async () => {
    let r = await a.client.get('/gestion/portefeuilles?critere=nom&valeur=artis');
    expect(r.body).toContain('Artisans');
    expect(r.body).not.toContain('Mes clients');
    r = await a.client.get('/gestion/portefeuilles?critere=nom&valeur=' + encodeURIComponent('%'));
    expect(r.body).toContain('Aucun portefeuille ne correspond');
    r = await a.client.get('/gestion/portefeuilles?critere=nom&valeur=' + 'z'.repeat(300));
    expect(r.statusCode).toBe(400);
    const j = await a.client.get('/gestion/portefeuilles?critere=inconnu&valeur=', 'application/json');
    expect(j.statusCode).toBe(200);
    expect(j.json<{ portefeuilles: unknown[] }>().portefeuilles.length).toBe(3);
  });
});

describe('« Composer le portefeuille »', () => {
  let def: typeof portefeuilles.$inferSelect;
  let clients: typeof portefeuilles.$inferSelect;
  beforeAll(async () => {
    def = (await portefeuillesOf(a.espaceId)).find((p) => p.isDefault)!;
    clients = await byName(a.espaceId, 'CLIENTS');
  });

  it('sets the portefeuille’s declarations (unknown codes refused)', async () => {
    await a.client.get(`/gestion/portefeuilles/${def.id}/declarations`);
    let r = await a.client.form(`/gestion/portefeuilles/${def.id}/declarations`, {
      envoye: '1',
      declarations: ['SOLTEA_EMPLOYEURS', 'INCONNUE'],
    });
    expect(r.statusCode).toBe(400);
    expect(errorsOf(r.body)).toContain('Une des déclarations choisies est inconnue.');
    r = await a.client.form(`/gestion/portefeuilles/${def.id}/declarations`, { envoye: '1', declarations: ['SOLTEA_EMPLOYEURS'] });
    expect(r.statusCode).toBe(303);
    const page = await a.client.get(`/gestion/portefeuilles/${def.id}/declarations`);
    // SOLTéA – Employeurs is in the « Liste des déclarations sélectionnées » (its hidden input), DSN is not
    expect(page.body).toContain('<input type="hidden" name="declarations" value="SOLTEA_EMPLOYEURS"/>');
    expect(page.body).not.toContain('<input type="hidden" name="declarations" value="DSN"/>');
  });

  it('the two lists work without JavaScript: an arrow moves the checked items and nothing is saved before « Valider »', async () => {
    const before = await snapshot();
    let r = await a.client.form(`/gestion/portefeuilles/${def.id}/declarations`, {
      envoye: '1',
      declarations: ['SOLTEA_EMPLOYEURS'],
      ajouter: ['DSN'],
      action: 'ajouter',
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<input type="hidden" name="declarations" value="DSN"/>');
    expect(r.body).toContain('Vos changements ne sont pas encore enregistrés');
    r = await a.client.form(`/gestion/portefeuilles/${def.id}/declarations`, {
      envoye: '1',
      declarations: ['SOLTEA_EMPLOYEURS'],
      action: 'retirer',
    });
    expect(r.statusCode).toBe(400);
    expect(errorsOf(r.body)).toContain('Cochez d’abord une déclaration dans la « Liste des déclarations sélectionnées ».');
    r = await a.client.form('/gestion/portefeuilles', { name: 'Brouillon', comment: 'c', action: 'ajouter-tout' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('value="Brouillon"');
    expect(r.body).toContain('Déclarants sélectionnés');
    expect(await snapshot()).toEqual(before);
  });

  it('« Ajouter une entreprise » by SIREN brings every active établissement and the portefeuille’s declarations', async () => {
    const page = await a.client.get(`/gestion/portefeuilles/${def.id}`);
    expect(page.body).toContain('<h1>Composition du portefeuille</h1>');
    expect(page.body).toContain('La liste est vide');
    let r = await a.client.form(`/gestion/portefeuilles/${def.id}/entreprises`, {
      siren: GIP.siren.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3'),
    });
    expect(r.statusCode, r.body).toBe(303);
    r = await a.client.form(`/gestion/portefeuilles/${def.id}/entreprises`, { siren: BM.siren });
    expect(r.statusCode).toBe(303);
    expect(await clientsOf(def.id)).toEqual([BM.siren, GIP.siren].sort());
    expect(await etabsOf(def.id, GIP.siren)).toEqual([...GIP.sirets].sort());
    const [ed] = await h.ctx.db
      .select()
      .from(etablissementDeclarations)
      .where(and(eq(etablissementDeclarations.espaceId, a.espaceId), eq(etablissementDeclarations.siret, GIP.sirets[1])));
    expect(ed!.declarationCode).toBe('SOLTEA_EMPLOYEURS');
    expect(ed!.accessibleAt.getTime() - ed!.addedAt.getTime()).toBe(24 * 3_600_000);
    const list = await a.client.get(`/gestion/portefeuilles/${def.id}`);
    expect(list.body).toContain('Multi-établissements');
    expect(list.body).toContain('Mono-établissement');
    expect(list.body).toContain(`/gestion/habilitations?siret=${GIP.sirets[0]}`);
    expect((await auditRows(h, 'portefeuille.client_added')).length).toBe(2);
  });

  it('refuses malformed, unknown and ceased SIRENs, its own SIREN, and a second addition', async () => {
    await a.client.get(`/gestion/portefeuilles/${def.id}`);
    const before = await snapshot();
    const cases: [string, string, number][] = [
      ['', 'Le SIREN est obligatoire.', 400],
      ['12345', 'Le numéro SIREN doit comporter 9 chiffres.', 400],
      ['123456788', "Le numéro SIREN n'est pas valide (clé de contrôle incorrecte).", 400],
      ['<b>999</b>', 'Le numéro SIREN doit comporter 9 chiffres.', 400],
      ['123456782', 'Ce SIREN est inconnu du répertoire.', 400],
      [MC.siren, 'Cette entreprise est cessée : elle ne peut pas être ajoutée à un portefeuille.', 400],
      [CD.siren, 'Votre propre entreprise ne peut pas être cliente d’un de vos portefeuilles.', 400],
      [BM.siren, 'Cette entreprise est déjà dans ce portefeuille.', 409],
    ];
    for (const [siren, message, status] of cases) {
      const r = await a.client.form(`/gestion/portefeuilles/${def.id}/entreprises`, { siren });
      expect(r.statusCode, siren).toBe(status);
      expect(errorsOf(r.body), siren).toContain(message);
    }
    const other = await a.client.form(`/gestion/portefeuilles/${clients.id}/entreprises`, { siren: BM.siren });
    expect(other.statusCode).toBe(409);
    expect(errorsOf(other.body).join(' ')).toContain('« Portefeuille par défaut »');
    expect(await snapshot()).toEqual(before);
  });

  it('a double submission (in parallel) adds the company once', async () => {
    await a.client.get(`/gestion/portefeuilles/${clients.id}`);
    const rs = await Promise.all([
      a.client.form(`/gestion/portefeuilles/${clients.id}/entreprises`, { siren: TG.siren }),
      a.client.form(`/gestion/portefeuilles/${clients.id}/entreprises`, { siren: TG.siren }),
    ]);
    expect(rs.map((r) => r.statusCode).sort()).toEqual([303, 409]);
    expect(await clientsOf(clients.id)).toEqual([TG.siren]);
    const etabs = await etabsOf(clients.id, TG.siren);
    expect(etabs).toHaveLength(TG.etablissementCount - 1);
    expect(etabs).not.toContain(TG.closedSiret);
  });

  it('adding a declaration to a portefeuille adds it to every chosen établissement; removing it removes them and their habilitations', async () => {
    await a.client.get(`/gestion/portefeuilles/${clients.id}/declarations`);
    let r = await a.client.form(`/gestion/portefeuilles/${clients.id}/declarations`, {
      envoye: '1',
      declarations: ['DSN', 'SOLTEA_EMPLOYEURS'],
    });
    expect(r.statusCode).toBe(303);
    const etabs = await etabsOf(clients.id, TG.siren);
    const count = await h.ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(etablissementDeclarations)
      .where(and(eq(etablissementDeclarations.espaceId, a.espaceId), sql`${etablissementDeclarations.siret} like ${TG.siren + '%'}`));
    expect(count[0]!.n).toBe(etabs.length * 2);
    const [ines] = await h.ctx.db.select().from(portefeuilleDeclarants).where(eq(portefeuilleDeclarants.portefeuilleId, clients.id));
    await h.ctx.db
      .insert(habilitations)
      .values({ userId: ines!.userId, siret: etabs[0]!, declarationCode: 'DSN', declarer: true, payer: false, grantedAt: h.clock.now() });
    r = await a.client.form(`/gestion/portefeuilles/${clients.id}/declarations`, { envoye: '1', declarations: ['SOLTEA_EMPLOYEURS'] });
    expect(r.statusCode).toBe(303);
    expect(await declsOf(a.espaceId, etabs[0]!)).toEqual(['SOLTEA_EMPLOYEURS']);
    expect(await h.ctx.db.select().from(habilitations).where(eq(habilitations.siret, etabs[0]!))).toHaveLength(0);
    const hist = await selectRows<{ declarer: boolean }>(
      h.ctx.db,
      sql`select declarer from habilitation_history where siret = ${etabs[0]!} and declaration_code = 'DSN'`,
    );
    expect(hist).toEqual([{ declarer: false }]);
    expect((await auditRows(h, 'portefeuille.declarations_changed')).length).toBeGreaterThanOrEqual(3);
  });

  it('« Choisir les établissements »: unchecked ones lose their declarations, checked ones get the client’s; closed or foreign SIRETs are refused', async () => {
    const url = `/gestion/portefeuilles/${clients.id}/entreprises/${TG.siren}/etablissements`;
    const page = await a.client.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Choisir les établissements de l’entreprise');
    expect(page.body).not.toContain(TG.closedSiret);
    const all = await etabsOf(clients.id, TG.siren);
    const keep = all.slice(0, 10);
    let r = await a.client.form(url, { sirets: keep });
    expect(r.statusCode).toBe(303);
    expect(await etabsOf(clients.id, TG.siren)).toEqual(keep);
    expect(await declsOf(a.espaceId, all[50]!)).toEqual([]);
    r = await a.client.form(url, { sirets: [...keep, all[50]!] });
    expect(r.statusCode).toBe(303);
    expect(await declsOf(a.espaceId, all[50]!)).toEqual(['SOLTEA_EMPLOYEURS']);
    const before = await snapshot();
    for (const sirets of [[], [TG.closedSiret], [...keep, GIP.sirets[0]], ['pas-un-siret']]) {
      r = await a.client.form(url, { sirets });
      expect(r.statusCode, JSON.stringify(sirets)).toBe(400);
      expect(errorsOf(r.body).join(' ')).toMatch(FRENCH);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('« Gérer les déclarations de l’entreprise »: among the portefeuille’s declarations only', async () => {
    const url = `/gestion/portefeuilles/${def.id}/entreprises/${GIP.siren}/declarations`;
    await a.client.get(`/gestion/portefeuilles/${def.id}/declarations`);
    await a.client.form(`/gestion/portefeuilles/${def.id}/declarations`, { envoye: '1', declarations: ['SOLTEA_EMPLOYEURS', 'DSN'] });
    const page = await a.client.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Gérer les déclarations de l’entreprise');
    let r = await a.client.form(url, { envoye: '1', declarations: ['DSN'] });
    expect(r.statusCode).toBe(303);
    for (const s of GIP.sirets) expect(await declsOf(a.espaceId, s)).toEqual(['DSN']);
    expect(await declsOf(a.espaceId, BM.siret)).toEqual(['DSN', 'SOLTEA_EMPLOYEURS']);
    const before = await snapshot();
    r = await a.client.form(url, { envoye: '1', declarations: ['DSN', 'TESE'] });
    expect(r.statusCode).toBe(400);
    expect(errorsOf(r.body)).toContain('Seules les déclarations du portefeuille peuvent être choisies.');
    expect(await snapshot()).toEqual(before);
  });

  it('« Transférer » moves the client and its établissements to another portefeuille of the espace, nowhere else', async () => {
    const url = `/gestion/portefeuilles/${def.id}/entreprises/${GIP.siren}/transfert`;
    const page = await a.client.get(url);
    expect(page.body).toContain('Portefeuille de destination');
    const [bDefault] = await (async () => {
      await b.client.get('/gestion/portefeuilles');
      return portefeuillesOf(b.espaceId);
    })();
    const before = await snapshot();
    for (const cible of [bDefault!.id, def.id, 'nimporte', '']) {
      const r = await a.client.form(url, { cible });
      expect(r.statusCode, cible).toBe(400);
      expect(errorsOf(r.body).join(' ')).toMatch(FRENCH);
    }
    expect(await snapshot()).toEqual(before);
    const r = await a.client.form(url, { cible: clients.id });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/gestion/portefeuilles/${clients.id}?notice=transferee`);
    expect(await clientsOf(clients.id)).toEqual([GIP.siren, TG.siren].sort());
    expect(await etabsOf(clients.id, GIP.siren)).toEqual([...GIP.sirets].sort());
    expect(await etabsOf(def.id, GIP.siren)).toEqual([]);
    expect((await auditRows(h, 'portefeuille.client_transferred')).length).toBe(1);
  });

  it('the récapitulatif (page, print version, CSV) lists every portefeuille, client and établissement', async () => {
    const page = await a.client.get('/gestion/portefeuilles/recapitulatif');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Récapitulatif de vos portefeuilles');
    expect(page.body).toContain(GIP.sirets[2]);
    const print = await a.client.get('/gestion/portefeuilles/recapitulatif?impression=1');
    expect(print.body).toContain('data-action="imprimer"');
    expect(print.body).toContain('no-print');
    const csv = await a.client.get('/gestion/portefeuilles/recapitulatif.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('attachment');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('portefeuille;siren;raison sociale;type;siret;déclarations');
    expect(lines).toContain(`CLIENTS;${GIP.siren};${GIP.raisonSociale};Multi-établissements;${GIP.sirets[0]};DSN`);
    expect(lines).toContain(`Portefeuille par défaut;${BM.siren};${BM.raisonSociale};Mono-établissement;${BM.siret};DSN,SOLTEA_EMPLOYEURS`);
    expect(lines.some((l) => l.startsWith('Artisans;;;'))).toBe(true);
    expect(lines.filter((l) => l.includes(TG.siren))).toHaveLength(11);
  });

  it('« Retirer » removes the client, its établissements, declarations and habilitations', async () => {
    await a.client.get(`/gestion/portefeuilles/${def.id}`);
    const [ines] = await h.ctx.db.select().from(portefeuilleDeclarants).where(eq(portefeuilleDeclarants.portefeuilleId, clients.id));
    await h.ctx.db
      .insert(habilitations)
      .values({ userId: ines!.userId, siret: BM.siret, declarationCode: 'DSN', declarer: true, payer: false, grantedAt: h.clock.now() });
    const r = await a.client.form(`/gestion/portefeuilles/${def.id}/entreprises/${BM.siren}/retirer`, {});
    expect(r.statusCode).toBe(303);
    expect(await clientsOf(def.id)).toEqual([]);
    expect(await declsOf(a.espaceId, BM.siret)).toEqual([]);
    expect(
      await h.ctx.db
        .select()
        .from(habilitations)
        .where(and(eq(habilitations.siret, BM.siret), eq(habilitations.userId, ines!.userId))),
    ).toHaveLength(0);
    // the company's own declarations (its espace) are untouched
    expect((await declsOf(company.espaceId, BM.siret)).length).toBeGreaterThan(0);
    const again = await a.client.form(`/gestion/portefeuilles/${def.id}/entreprises/${BM.siren}/retirer`, {});
    expect(again.statusCode).toBe(404);
  });

  it('JSON clients get the same routes', async () => {
    const list = await a.client.get(`/gestion/portefeuilles/${clients.id}`, 'application/json');
    expect(list.json<{ entreprises: { siren: string; type: string }[] }>().entreprises.map((c) => [c.siren, c.type])).toEqual([
      [GIP.siren, 'Multi-établissements'],
      [TG.siren, 'Multi-établissements'],
    ]);
    const add = await a.client.json(`/gestion/portefeuilles/${def.id}/entreprises`, { siren: BM.siren });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({ siren: BM.siren, etablissements: 1 });
    const bad = await a.client.json(`/gestion/portefeuilles/${def.id}/entreprises`, { siren: 'abc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: Record<string, string> }>().errors.siren).toBe('Le numéro SIREN doit comporter 9 chiffres.');
  });
});

describe('« Supprimer ce portefeuille »', () => {
  it('deletes an empty portefeuille, tells its déclarants; refuses the default one and one with companies; another tiers gets 404', async () => {
    await a.client.get('/gestion/portefeuilles');
    const d = await signedInDeclarant(a.espaceId, CD.siret);
    let r = await a.client.form('/gestion/portefeuilles', { name: 'À supprimer', comment: '', declarants: d.userId });
    expect(r.statusCode).toBe(303);
    const doomed = await byName(a.espaceId, 'À supprimer');
    const def = (await portefeuillesOf(a.espaceId)).find((p) => p.isDefault)!;

    // the confirmation page, then another tiers and a malformed id: 404, nothing changed
    r = await a.client.get(`/gestion/portefeuilles/${doomed.id}/supprimer`);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Supprimer le portefeuille');
    await b.client.get('/gestion/portefeuilles');
    let before = await snapshot();
    expect((await b.client.form(`/gestion/portefeuilles/${doomed.id}/supprimer`, {})).statusCode).toBe(404);
    expect((await a.client.form('/gestion/portefeuilles/pas-un-id/supprimer', {})).statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);

    // the default portefeuille cannot be deleted
    await a.client.get(`/gestion/portefeuilles/${def.id}/supprimer`);
    r = await a.client.form(`/gestion/portefeuilles/${def.id}/supprimer`, {});
    expect(r.statusCode).toBe(400);
    expect(errorsOf(r.body).join(' ')).toContain('Le portefeuille par défaut ne peut pas être supprimé');
    expect(await snapshot()).toEqual(before);

    // one with a company neither
    await a.client.get(`/gestion/portefeuilles/${doomed.id}`);
    expect(
      (await a.client.form(`/gestion/portefeuilles/${doomed.id}/entreprises`, { siren: DEMO_COMPANIES.lyceeRaspail.siren })).statusCode,
    ).toBe(303);
    before = await snapshot();
    await a.client.get(`/gestion/portefeuilles/${doomed.id}/supprimer`);
    r = await a.client.form(`/gestion/portefeuilles/${doomed.id}/supprimer`, {});
    expect(r.statusCode).toBe(409);
    expect(errorsOf(r.body).join(' ')).toContain('Ce portefeuille contient 1 entreprise');
    expect(await snapshot()).toEqual(before);

    // once emptied, it goes, with its déclarants and declarations; the déclarant is told
    expect(
      (await a.client.form(`/gestion/portefeuilles/${doomed.id}/entreprises/${DEMO_COMPANIES.lyceeRaspail.siren}/retirer`, {})).statusCode,
    ).toBe(303);
    await a.client.get(`/gestion/portefeuilles/${doomed.id}/supprimer`);
    r = await a.client.form(`/gestion/portefeuilles/${doomed.id}/supprimer`, {});
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toContain('notice=supprime');
    expect((await portefeuillesOf(a.espaceId)).map((p) => p.id)).not.toContain(doomed.id);
    expect(await h.ctx.db.select().from(portefeuilleDeclarants).where(eq(portefeuilleDeclarants.portefeuilleId, doomed.id))).toHaveLength(
      0,
    );
    expect((await auditRows(h, 'portefeuille.deleted')).filter((x) => x.espaceId === a.espaceId)).toHaveLength(1);
    const menu = await d.client.get('/menu');
    expect(menu.body).toContain('Le portefeuille « À supprimer » a été supprimé');
  });
});

describe('tenancy', () => {
  it('another tiers’ administrator can neither read nor change these portefeuilles (404, nothing changed)', async () => {
    const p = await byName(a.espaceId, 'CLIENTS');
    for (const url of [
      `/gestion/portefeuilles/${p.id}`,
      `/gestion/portefeuilles/${p.id}/modifier`,
      `/gestion/portefeuilles/${p.id}/declarants`,
      `/gestion/portefeuilles/${p.id}/declarations`,
      `/gestion/portefeuilles/${p.id}/entreprises/${GIP.siren}/etablissements`,
      `/gestion/portefeuilles/${p.id}/entreprises/${GIP.siren}/declarations`,
      `/gestion/portefeuilles/${p.id}/entreprises/${GIP.siren}/transfert`,
      `/portefeuilles/${p.id}`,
    ])
      expect((await b.client.get(url)).statusCode, url).toBe(404);
    const bList = await b.client.get('/gestion/portefeuilles');
    expect(bList.body).not.toContain('CLIENTS');
    const csv = await b.client.get('/gestion/portefeuilles/recapitulatif.csv');
    expect(csv.body).not.toContain(GIP.siren);
    const [bDefault] = await portefeuillesOf(b.espaceId);
    const before = await snapshot();
    const posts: [string, Record<string, string | string[]>][] = [
      [`/gestion/portefeuilles/${p.id}`, { name: 'Volé', comment: '' }],
      [`/gestion/portefeuilles/${p.id}/declarants`, { envoye: '1' }],
      [`/gestion/portefeuilles/${p.id}/declarations`, { envoye: '1', declarations: ['DSN'] }],
      [`/gestion/portefeuilles/${p.id}/entreprises`, { siren: BM.siren }],
      [`/gestion/portefeuilles/${p.id}/entreprises/${GIP.siren}/etablissements`, { sirets: [GIP.sirets[0]] }],
      [`/gestion/portefeuilles/${p.id}/entreprises/${GIP.siren}/declarations`, { envoye: '1' }],
      [`/gestion/portefeuilles/${p.id}/entreprises/${GIP.siren}/transfert`, { cible: bDefault!.id }],
      [`/gestion/portefeuilles/${p.id}/entreprises/${GIP.siren}/retirer`, {}],
    ];
    for (const [url, fields] of posts) {
      const r = await b.client.form(url, fields);
      expect(r.statusCode, url).toBe(404);
      expect(r.body).toMatch(FRENCH);
    }
    expect(await snapshot()).toEqual(before);
    // B cannot use A's portefeuille as a transfer target from its own either
    expect(await clientsOf(p.id)).toEqual([GIP.siren, TG.siren].sort());
  });

  it('another tiers may have the same client in its own portefeuille', async () => {
    const [bDefault] = await portefeuillesOf(b.espaceId);
    await b.client.get(`/gestion/portefeuilles/${bDefault!.id}`);
    const r = await b.client.form(`/gestion/portefeuilles/${bDefault!.id}/entreprises`, { siren: GIP.siren });
    expect(r.statusCode).toBe(303);
    expect(await clientsOf(bDefault!.id)).toEqual([GIP.siren]);
    expect(await clientsOf((await byName(a.espaceId, 'CLIENTS')).id)).toContain(GIP.siren);
  });

  it('malformed ids and SIRENs are 404', async () => {
    const p = await byName(a.espaceId, 'CLIENTS');
    for (const url of [
      '/gestion/portefeuilles/pas-un-uuid',
      '/gestion/portefeuilles/00000000-0000-0000-0000-000000000000',
      `/gestion/portefeuilles/${p.id}/entreprises/12/etablissements`,
      `/gestion/portefeuilles/${p.id}/entreprises/${BM.siren}/etablissements`,
    ])
      expect((await a.client.get(url)).statusCode, url).toBe(404);
  });
});

describe('déclarants of a tiers-déclarant', () => {
  it('see only the portefeuilles they work on and their clients; another portefeuille is 404', async () => {
    const p1 = await byName(a.espaceId, 'CLIENTS');
    const p2 = (await portefeuillesOf(a.espaceId)).find((p) => p.isDefault)!;
    const d = await signedInDeclarant(a.espaceId, CD.siret);
    await a.client.get(`/gestion/portefeuilles/${p1.id}/declarants`);
    const current = (await h.ctx.db.select().from(portefeuilleDeclarants).where(eq(portefeuilleDeclarants.portefeuilleId, p1.id))).map(
      (x) => x.userId,
    );
    const r = await a.client.form(`/gestion/portefeuilles/${p1.id}/declarants`, { envoye: '1', declarants: [...current, d.userId] });
    expect(r.statusCode).toBe(303);
    const mine = await d.client.get('/portefeuilles', 'application/json');
    expect(mine.json<{ portefeuilles: { name: string }[] }>().portefeuilles.map((x) => x.name)).toEqual(['CLIENTS']);
    const page = await d.client.get('/portefeuilles');
    expect(page.body).toContain('CLIENTS');
    expect(page.body).not.toContain('Portefeuille par défaut');
    const clientsPage = await d.client.get(`/portefeuilles/${p1.id}`);
    expect(clientsPage.statusCode).toBe(200);
    expect(clientsPage.body).toContain(GIP.raisonSociale);
    const other = await d.client.get(`/portefeuilles/${p2.id}`);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain(BM.raisonSociale);
    expect((await d.client.get(`/gestion/portefeuilles/${p1.id}`)).statusCode).toBe(403);
    // a notification told the déclarant
    const n = await selectRows<{ text: string }>(h.ctx.db, sql`select text from notifications where user_id = ${d.userId}`);
    expect(n.map((x) => x.text)).toContain('Vous avez été ajouté au portefeuille « CLIENTS ».');
    // removed from the portefeuille: no longer sees it
    await a.client.get(`/gestion/portefeuilles/${p1.id}/declarants`);
    await a.client.form(`/gestion/portefeuilles/${p1.id}/declarants`, { envoye: '1', declarants: current });
    expect((await d.client.get(`/portefeuilles/${p1.id}`)).statusCode).toBe(404);
    expect((await d.client.get('/portefeuilles', 'application/json')).json<{ portefeuilles: unknown[] }>().portefeuilles).toEqual([]);
  });

  it('a déclarant of another tiers sees nothing of these', async () => {
    const p1 = await byName(a.espaceId, 'CLIENTS');
    const other = await signedInDeclarant(b.espaceId, (await userRow(h, b.userId)).siret);
    expect((await other.client.get(`/portefeuilles/${p1.id}`)).statusCode).toBe(404);
    expect((await other.client.get('/portefeuilles', 'application/json')).json<{ portefeuilles: unknown[] }>().portefeuilles).toEqual([]);
  });
});

describe('récapitulatif by page (HTML page; CSV and print keep the full list)', () => {
  it('pages 50 clients at a time, of all portefeuilles or one, with the rows and order of the full récapitulatif', async () => {
    // A's portefeuilles: one page, the same rows as the full list; one portefeuille: its own rows
    const fullA = await recapitulatif(h.ctx, a.espaceId);
    const pageA = await recapitulatifPage(h.ctx, a.espaceId, { page: 1 });
    expect(pageA.rows).toEqual(fullA);
    expect(pageA.pages).toBe(1);
    const pfs = await h.ctx.db.select().from(portefeuilles).where(eq(portefeuilles.espaceId, a.espaceId));
    for (const pf of pfs)
      expect((await recapitulatifPage(h.ctx, a.espaceId, { portefeuilleId: pf.id, page: 1 })).rows).toEqual(
        await recapitulatif(h.ctx, a.espaceId, [pf.id]),
      );
    // another tiers' portefeuille: nothing
    expect((await recapitulatifPage(h.ctx, b.espaceId, { portefeuilleId: pfs[0]!.id, page: 1 })).rows).toEqual([]);

    // a tiers with 60 clients in one portefeuille and an empty one: 61 lines, 2 pages
    const t = await signedInAdministrator(h, { profile: { kind: 'tiers_declarant', organisationType: 'expert_comptable' } });
    const now = h.clock.now();
    const [big] = await h.ctx.db
      .insert(portefeuilles)
      .values({ espaceId: t.espaceId, name: 'Gros', isDefault: true, createdAt: now })
      .returning();
    await h.ctx.db.insert(portefeuilles).values({ espaceId: t.espaceId, name: 'Vide', isDefault: false, createdAt: now });
    const sirens = Array.from({ length: 60 }, (_, i) => `8880${String(i).padStart(5, '0')}`);
    await h.ctx.db
      .insert(entreprises)
      .values(sirens.map((siren, i) => ({ siren, raisonSociale: `CLIENT ${String(59 - i).padStart(2, '0')}`, etatAdministratif: 'A' })));
    await h.ctx.db
      .insert(portefeuilleClients)
      .values(sirens.map((siren) => ({ portefeuilleId: big!.id, espaceId: t.espaceId, siren, addedAt: now })));
    const full = await recapitulatif(h.ctx, t.espaceId);
    expect(full).toHaveLength(61);
    const p1 = await recapitulatifPage(h.ctx, t.espaceId, { page: 1 });
    const p2 = await recapitulatifPage(h.ctx, t.espaceId, { page: 2 });
    expect([p1.total, p1.pages, p1.rows.length, p2.rows.length]).toEqual([61, 2, RECAP_PAGE_SIZE, 11]);
    expect([...p1.rows, ...p2.rows]).toEqual(full);
    expect(p1.rows[0]!.raisonSociale).toBe('CLIENT 00');
    expect((await recapitulatifPage(h.ctx, t.espaceId, { page: 99 })).page).toBe(2);
    const one = await recapitulatifPage(h.ctx, t.espaceId, { portefeuilleId: big!.id, page: 2 });
    expect([one.total, one.rows.length]).toEqual([60, 10]);
  });
});
