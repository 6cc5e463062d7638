/**
 * Fixtures of the establishment-space tests (and of its browser journey): the lycée's rows of the
 * referential (the harness loads the registry, not the referential), companies with people,
 * declarations and habilitations set up directly, and small database views.
 */
import { and, asc, count, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../../src/app-context.js';
import { accessibleAt } from '../../src/domain/declarations.js';
import { makeValidUai } from '../../src/domain/identifiers.js';
import { searchKey } from '../../src/domain/text.js';
import { hashSecret } from '../../src/infra/crypto.js';
import type { Db } from '../../src/infra/db/index.js';
import {
  auditEvents,
  codesBancaires,
  coordonneesBancaires,
  entreprises,
  espaces,
  etablissementDeclarations,
  etablissementProfils,
  etablissements,
  habilitations,
  notifications,
  portefeuilleEtablissements,
  portefeuilles,
  refDiplomes,
  refEtablissements,
  refEtablissementUais,
  refFormations,
  users,
} from '../../src/infra/db/schema.js';
import { loginKey } from '../../src/modules/accounts/login-key.js';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { Client, type Harness } from '../harness.js';

export const LYCEE = DEMO_COMPANIES.lyceeRaspail;
export const GIP = DEMO_COMPANIES.gipMds;
export const ANNEE = 2026;
export const PASSWORD = 'Taxe-Apprenti-2026';

/** The real formations of the lycée (catalogue of the apprenticeship offer 2024: CFD, RNCP, niveau). */
const LYCEE_FORMATIONS = [
  { intitule: 'BTS Électrotechnique', cfd: '32025520', rncp: 'RNCP35346', niveau: 5, type: 'BTS' },
  {
    intitule: 'BTS Fluides, énergies, domotique option B froid et conditionnement d’air',
    cfd: '32022710',
    rncp: 'RNCP38361',
    niveau: 5,
    type: 'BTS',
  },
  {
    intitule: 'BTS Maintenance des systèmes option B systèmes énergétiques et fluidiques',
    cfd: '32025015',
    rncp: 'RNCP36968',
    niveau: 5,
    type: 'BTS',
  },
  {
    intitule: 'Certificat de spécialisation Technicien en énergies renouvelables option B énergie thermique',
    cfd: '46122703',
    rncp: 'RNCP15009',
    niveau: 4,
    type: 'CS',
  },
];

export interface Referentiel {
  lyceeId: number;
  composanteId: number;
  formationIds: number[];
  /** another habilitated establishment (a company of the test registry) */
  otherId: number;
  otherSiret: string;
}

async function diplome(db: Db, f: (typeof LYCEE_FORMATIONS)[number]): Promise<number> {
  const cle = `${f.cfd}|${f.niveau}`;
  await db
    .insert(refDiplomes)
    .values({
      cle,
      intitule: f.intitule,
      intituleRecherche: searchKey(f.intitule),
      cfd: f.cfd,
      rncp: f.rncp,
      niveau: f.niveau,
      type: f.type,
    })
    .onConflictDoNothing();
  const [d] = await db.select({ id: refDiplomes.id }).from(refDiplomes).where(eq(refDiplomes.cle, cle));
  return d!.id;
}

/**
 * The lycée in the referential of `annee` (plus its row of the previous year, to prove the current
 * campaign is the latest), with its UAI, a composante and four formations; and another establishment.
 */
export async function seedReferentiel(db: Db, now: Date, otherSiret: string, annee = ANNEE): Promise<Referentiel> {
  const base = {
    siret: LYCEE.siret,
    nom: LYCEE.raisonSociale,
    nomRecherche: searchKey(LYCEE.raisonSociale),
    adresse: '5 BIS AVENUE MAURICE D OCAGNE',
    codePostal: '75014',
    codeCommune: '75114',
    commune: 'Paris 14e Arrondissement',
    departement: '75',
    region: '11',
    lat: 48.8226,
    lng: 2.3144,
    categorie: '1°',
    liste: 'regionale',
    updatedAt: now,
  };
  await db.insert(refEtablissements).values({ ...base, annee: annee - 1, cle: LYCEE.siret, nom: 'LYCEE RASPAIL (ANCIEN NOM)' });
  const [lycee] = await db
    .insert(refEtablissements)
    .values({ ...base, annee, cle: LYCEE.siret })
    .returning({ id: refEtablissements.id });
  await db.insert(refEtablissementUais).values({ etablissementId: lycee!.id, uai: LYCEE.uai });
  const uaiComposante = makeValidUai('0754999');
  const [composante] = await db
    .insert(refEtablissements)
    .values({
      ...base,
      annee,
      cle: `${LYCEE.siret}/${uaiComposante}`,
      parentId: lycee!.id,
      nom: 'UNITE DE FORMATION PAR APPRENTISSAGE RASPAIL',
      nomRecherche: searchKey('UNITE DE FORMATION PAR APPRENTISSAGE RASPAIL'),
    })
    .returning({ id: refEtablissements.id });
  await db.insert(refEtablissementUais).values({ etablissementId: composante!.id, uai: uaiComposante });
  const formationIds: number[] = [];
  for (const [i, f] of LYCEE_FORMATIONS.entries()) {
    const diplomeId = await diplome(db, f);
    const [row] = await db
      .insert(refFormations)
      .values({
        annee,
        etablissementId: i === 3 ? composante!.id : lycee!.id,
        diplomeId,
        codeCommune: '75114',
        commune: 'Paris 14e Arrondissement',
        updatedAt: now,
      })
      .returning({ id: refFormations.id });
    formationIds.push(row!.id);
  }
  const [other] = await db
    .insert(refEtablissements)
    .values({
      ...base,
      annee,
      cle: otherSiret,
      siret: otherSiret,
      nom: 'LYCEE POLYVALENT DE DEMONSTRATION',
      nomRecherche: searchKey('LYCEE POLYVALENT DE DEMONSTRATION'),
      categorie: '2°',
    })
    .returning({ id: refEtablissements.id });
  return { lyceeId: lycee!.id, composanteId: composante!.id, formationIds, otherId: other!.id, otherSiret };
}

export interface TestPerson {
  id: string;
  siret: string;
  nom: string;
  prenom: string;
  email: string;
  password: string;
  role: 'administrateur' | 'declarant';
}

let seq = 0;
const tag = () => {
  const letters = 'bcdfghjklmnpqrstvwz';
  let n = seq++ + 31;
  let s = '';
  do {
    s += letters[n % letters.length];
    n = Math.floor(n / letters.length);
  } while (n > 0);
  return s;
};

/**
 * A company's espace with its people, the declaration on `sirets` (accessible after `accessibleIn`
 * hours, negative = already open) and the habilitations of the people listed in `habilitated`.
 */
export async function createCompany(
  ctx: AppContext,
  opts: {
    siren: string;
    siret: string;
    people: { nom: string; prenom?: string; role: 'administrateur' | 'declarant'; habilitated?: boolean; email?: string }[];
    sirets?: string[];
    declarationAddedHoursAgo?: number;
    code?: string;
    kind?: 'entreprise' | 'tiers_declarant';
  },
): Promise<{ espaceId: string; people: TestPerson[] }> {
  const now = ctx.clock.now();
  const hash = await hashSecret(PASSWORD);
  const [espace] = await ctx.db
    .insert(espaces)
    .values({
      siren: opts.siren,
      siret: opts.siret,
      kind: opts.kind ?? 'entreprise',
      organisationType: opts.kind === 'tiers_declarant' ? 'expert_comptable' : 'fonction_publique',
      domains: ['formation'],
    })
    .returning();
  const people: TestPerson[] = [];
  for (const p of opts.people) {
    const t = tag();
    const prenom = p.prenom ?? `Odile${t[0]!.toUpperCase()}${t.slice(1)}`;
    const email = p.email ?? `${p.nom.toLowerCase()}.${t}.${process.pid}@exemple.fr`;
    const [u] = await ctx.db
      .insert(users)
      .values({
        espaceId: espace!.id,
        siret: opts.siret,
        nom: p.nom,
        prenom,
        loginKey: loginKey(p.nom, prenom),
        email,
        role: p.role,
        status: 'active',
        passwordHash: hash,
        emailValidatedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: users.id });
    people.push({ id: u!.id, siret: opts.siret, nom: p.nom, prenom, email, password: PASSWORD, role: p.role });
  }
  const addedAt = new Date(now.getTime() - (opts.declarationAddedHoursAgo ?? 48) * 3_600_000);
  const code = opts.code ?? 'SOLTEA_ETABLISSEMENTS';
  for (const siret of opts.sirets ?? [opts.siret]) {
    await ctx.db.insert(etablissementDeclarations).values({
      espaceId: espace!.id,
      siret,
      declarationCode: code,
      addedAt,
      accessibleAt: accessibleAt(addedAt, ctx.config.ACCESS_DELAY_HOURS),
      addedBy: people[0]?.id ?? null,
    });
    for (const [i, p] of opts.people.entries())
      if (p.habilitated !== false)
        await ctx.db
          .insert(habilitations)
          .values({ userId: people[i]!.id, siret, declarationCode: code, declarer: true, payer: false, grantedAt: addedAt });
  }
  return { espaceId: espace!.id, people };
}

/**
 * A tiers-déclarant (its administrator first) whose administrator, over HTTP, puts « SOLTéA -
 * Etablissements » on its default portefeuille and adds the `clients` (SIREN) to it, which asks each
 * client for a mandate; its people are then habilitated on the clients' SIRETs. The 24-hour access
 * delay of the declaration still runs: advance the clock before entering.
 */
export async function tiersWithClients(
  h: Harness,
  opts: {
    siren: string;
    siret: string;
    people: { nom: string; prenom?: string; role: 'administrateur' | 'declarant' }[];
    clients: string[];
  },
): Promise<{ espaceId: string; people: TestPerson[]; portefeuilleId: string }> {
  const co = await createCompany(h.ctx, {
    siren: opts.siren,
    siret: opts.siret,
    people: opts.people,
    code: 'DSN',
    kind: 'tiers_declarant',
  });
  const c = await signIn(h, co.people[0]!);
  if ((await c.get('/gestion/portefeuilles')).statusCode !== 200) throw new Error('portefeuilles');
  const [p] = await h.ctx.db
    .select({ id: portefeuilles.id })
    .from(portefeuilles)
    .where(and(eq(portefeuilles.espaceId, co.espaceId), eq(portefeuilles.isDefault, true)));
  const base = `/gestion/portefeuilles/${p!.id}`;
  await c.get(`${base}/declarations`);
  const d = await c.form(`${base}/declarations`, { envoye: '1', declarations: ['SOLTEA_ETABLISSEMENTS'] });
  if (d.statusCode !== 303) throw new Error(`déclarations du portefeuille : ${d.statusCode}\n${d.body.slice(0, 500)}`);
  for (const siren of opts.clients) {
    await c.get(base);
    const r = await c.form(`${base}/entreprises`, { siren });
    if (r.statusCode !== 303) throw new Error(`ajout du client ${siren} : ${r.statusCode}\n${r.body.slice(0, 500)}`);
  }
  const sirets = await h.ctx.db
    .select({ siret: portefeuilleEtablissements.siret })
    .from(portefeuilleEtablissements)
    .where(eq(portefeuilleEtablissements.portefeuilleId, p!.id));
  for (const person of co.people)
    for (const { siret } of sirets)
      await h.ctx.db.insert(habilitations).values({
        userId: person.id,
        siret,
        declarationCode: 'SOLTEA_ETABLISSEMENTS',
        declarer: true,
        payer: false,
        grantedAt: h.clock.now(),
      });
  return { ...co, portefeuilleId: p!.id };
}

/** A company of the test registry (not a fixed demo one) that has no espace yet, with its siège SIRET. */
export async function registryCompanies(db: Db, n: number): Promise<{ siren: string; siret: string; raisonSociale: string }[]> {
  const rows = await db
    .select({ siren: etablissements.siren, siret: etablissements.siret, raisonSociale: entreprises.raisonSociale })
    .from(etablissements)
    .innerJoin(entreprises, eq(entreprises.siren, etablissements.siren))
    .where(and(eq(etablissements.estSiege, true), eq(etablissements.etatAdministratif, 'A'), eq(entreprises.etatAdministratif, 'A')))
    .orderBy(asc(etablissements.siret));
  return rows.filter((r) => !r.siren.startsWith('99900') && r.siren !== LYCEE.siren).slice(0, n);
}

// ── database views ──────────────────────────────────────────────────────────────────────────────

export async function bankRows(db: Db, siret = LYCEE.siret) {
  return db.select().from(coordonneesBancaires).where(eq(coordonneesBancaires.siret, siret)).orderBy(asc(coordonneesBancaires.id));
}

export async function currentBank(db: Db, siret = LYCEE.siret) {
  const [r] = await db
    .select()
    .from(coordonneesBancaires)
    .where(and(eq(coordonneesBancaires.siret, siret), isNull(coordonneesBancaires.remplaceeLe)));
  return r ?? null;
}

export async function codeRows(db: Db, siret = LYCEE.siret) {
  return db.select().from(codesBancaires).where(eq(codesBancaires.siret, siret)).orderBy(asc(codesBancaires.createdAt));
}

export async function profilRow(db: Db, siret = LYCEE.siret) {
  const [r] = await db.select().from(etablissementProfils).where(eq(etablissementProfils.siret, siret));
  return r ?? null;
}

export async function auditCount(db: Db, action: string): Promise<number> {
  const [r] = await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, action));
  return Number(r?.n ?? 0);
}

export async function notificationsOf(db: Db, userId: string): Promise<string[]> {
  return (
    await db.select({ text: notifications.text }).from(notifications).where(eq(notifications.userId, userId)).orderBy(asc(notifications.id))
  ).map((n) => n.text);
}

/** The code in a « code pour saisir les coordonnées bancaires » mail. */
export function codeIn(text: string): string {
  const m = /Code : ([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})/.exec(text);
  if (!m) throw new Error(`pas de code dans le courriel :\n${text}`);
  return m[1]!;
}

export const CODE_SUBJECT = 'SOLTéA : code pour saisir les coordonnées bancaires';

// ── signing in ──────────────────────────────────────────────────────────────────────────────────

/** Signs `p` in on a new client (expects success) and loads the menu for the session's CSRF token. */
export async function signIn(h: Harness, p: Pick<TestPerson, 'siret' | 'nom' | 'prenom' | 'password'>): Promise<Client> {
  const c = new Client(h);
  await c.get('/connexion');
  const r = await c.form('/connexion', { siret: p.siret, nom: p.nom, prenom: p.prenom, password: p.password });
  if (r.statusCode !== 303) throw new Error(`connexion refusée pour ${p.nom} ${p.prenom} : ${r.statusCode}\n${r.body.slice(0, 500)}`);
  const menu = await c.get(String(r.headers.location));
  if (menu.statusCode !== 200) throw new Error(`menu : ${menu.statusCode}`);
  return c;
}
