/**
 * Demo data set for `npm start` on an empty database: the company registry (real SIRENE snapshots +
 * generated companies) and a few accounts that show every state of the portal. Idempotent.
 */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../app-context.js';
import { accessibleAt, findDeclaration } from '../domain/declarations.js';
import { hashSecret } from '../infra/crypto.js';
import type { Tx } from '../infra/db/index.js';
import { demandes, espaces, etablissementDeclarations, habilitationHistory, habilitations, users } from '../infra/db/schema.js';
import { loginKey } from '../modules/accounts/login-key.js';
import { DEMO_COMPANIES } from './registry.js';
import { seedRegistry } from './seed-registry.js';
import { seedDemoAttributions } from './attributions.js';
import { seedDemoAgents } from './operateur.js';
import { seedDemoEnveloppes } from './enveloppes.js';
import { seedDemoEspaceEtablissement } from './espace-etablissement.js';
import { seedDemoMetiersEnTension } from './metiers-en-tension.js';
import { seedDemoReferentiel } from './referentiel.js';
import { seedDemoPortefeuilles } from './portefeuilles.js';
import { seedDemoVersements } from './versements.js';

/** The demo password of every demo account (satisfies the guide's rules; printed at start). */
export const DEMO_PASSWORD = 'Demo-Soltea-2026';
const DEMO_QUESTION = 'Quel est le nom de la rue de votre enfance ?';
const DEMO_ANSWER = 'Rue des Lilas';

interface DemoPerson {
  nom: string;
  prenom: string;
  email: string;
  role: 'administrateur' | 'declarant';
  status?: 'active' | 'candidat';
}

interface DemoEspace {
  siren: string;
  siret: string;
  kind: 'entreprise' | 'tiers_declarant';
  organisationType: string;
  people: DemoPerson[];
  /** declarations per SIRET, with how long ago they were added (hours) */
  declarations: { siret: string; code: string; hoursAgo: number }[];
}

type DemoCompany = { siren: string; siret: string };
type Persons = [nom: string, prenom: string, email: string, role: DemoPerson['role'], status?: DemoPerson['status']][];

/** One demo espace on a company's siège: its people, then its declarations (code → hours ago). */
function demoEspace(
  company: DemoCompany,
  kind: DemoEspace['kind'],
  organisationType: string,
  people: Persons,
  declarations: DemoEspace['declarations'],
): DemoEspace {
  return {
    siren: company.siren,
    siret: company.siret,
    kind,
    organisationType,
    people: people.map(([nom, prenom, email, role, status]) => ({ nom, prenom, email, role, ...(status ? { status } : {}) })),
    declarations,
  };
}

const opened = (siret: string, codes: Record<string, number>) =>
  Object.entries(codes).map(([code, hoursAgo]) => ({ siret, code, hoursAgo }));

export const DEMO_ACCOUNTS: DemoEspace[] = [
  demoEspace(
    DEMO_COMPANIES.boulangerieMoutin,
    'entreprise',
    'entreprise_privee',
    [
      ['MOUTIN', 'Claire', 'claire.moutin@boulangerie-moutin.example', 'administrateur'],
      ['BERNARD', 'Lucas', 'lucas.bernard@boulangerie-moutin.example', 'declarant'],
    ],
    opened(DEMO_COMPANIES.boulangerieMoutin.siret, { DSN: 24 * 400, SOLTEA_EMPLOYEURS: 48, MCF_ELU: 3 }),
  ),
  demoEspace(
    DEMO_COMPANIES.gipMds,
    'entreprise',
    'fonction_publique',
    [
      ['MARTIN', 'Sophie', 'sophie.martin@gip-mds.example', 'administrateur'],
      ['DUPONT', 'Hélène', 'helene.dupont@gip-mds.example', 'declarant'],
      ['LEFEBVRE', 'Marc', 'marc.lefebvre@gip-mds.example', 'administrateur', 'candidat'],
    ],
    // several SIRETs open to « SOLTéA - Employeurs »: the demo of « Mes groupes »
    DEMO_COMPANIES.gipMds.sirets.flatMap((siret) =>
      opened(siret, { DSN: 24 * 300, SOLTEA_ETABLISSEMENTS: 30, SOLTEA_EMPLOYEURS: 24 * 20 }),
    ),
  ),
  demoEspace(
    DEMO_COMPANIES.lyceeRaspail,
    'entreprise',
    'fonction_publique',
    [
      ['GARNIER', 'Nadia', 'nadia.garnier@lycee-raspail.example', 'administrateur'],
      ['FONTAINE', 'Julien', 'julien.fontaine@lycee-raspail.example', 'declarant'],
    ],
    opened(DEMO_COMPANIES.lyceeRaspail.siret, { SOLTEA_ETABLISSEMENTS: 24 * 200 }),
  ),
  demoEspace(
    DEMO_COMPANIES.cabinetDurand,
    'tiers_declarant',
    'expert_comptable',
    [
      ['DURAND', 'Paul', 'paul.durand@cabinet-durand.example', 'administrateur'],
      ['PETIT', 'Inès', 'ines.petit@cabinet-durand.example', 'declarant'],
    ],
    opened(DEMO_COMPANIES.cabinetDurand.siret, { DSN: 24 * 500, SOLTEA_EMPLOYEURS: 72 }),
  ),
];

export async function seedDemo(ctx: AppContext, log: (line: string) => void = () => undefined): Promise<void> {
  await seedCompanyRegistry(ctx, log);
  const secrets = { passwordHash: await hashSecret(DEMO_PASSWORD), answerHash: await hashSecret(DEMO_ANSWER) };
  const now = ctx.clock.now();
  for (const e of DEMO_ACCOUNTS) await seedAccount(ctx, e, secrets, now);
  await seedDemoPortefeuilles(ctx);
  await seedDemoReferentiel(ctx, log);
  await seedDemoMetiersEnTension(ctx, log);
  await seedDemoEspaceEtablissement(ctx, log);
  // the collectors' envelope files of 2024 and 2025, imported like the operator would: they replace the
  // establishment space's placeholder envelopes (keeping « partage de coordonnées ») and name the
  // tiers-déclarant who filed its clients' DSN
  await seedDemoEnveloppes(ctx, log);
  await seedDemoAttributions(ctx, log);
  // agents whose second factor anyone can compute: never in production, even with DEMO_SEED=1
  if (!ctx.config.isProduction) await seedDemoAgents(ctx, DEMO_PASSWORD);
  // the last campaign paid by those agents (nothing without them)
  await seedDemoVersements(ctx, log);
}

async function seedCompanyRegistry(ctx: AppContext, log: (line: string) => void): Promise<void> {
  let last = 0;
  const report = await seedRegistry(ctx.db, {
    now: ctx.clock.now(),
    onProgress: (done, total) => {
      const pct = Math.floor((done / total) * 100);
      if (pct >= last + 20 || done === total) {
        last = pct;
        log(`  répertoire des entreprises : ${done}/${total} (${pct} %)`);
      }
    },
  });
  const total = (c: { inserted: number; updated: number; unchanged: number }) => c.inserted + c.updated + c.unchanged;
  log(`  ${total(report.entreprises)} entreprises, ${total(report.etablissements)} établissements (${Math.round(report.durationMs)} ms)`);
}

/** One demo company's space, people, declarations and habilitations (nothing when its space exists). */
async function seedAccount(
  ctx: AppContext,
  e: DemoEspace,
  secrets: { passwordHash: string; answerHash: string },
  now: Date,
): Promise<void> {
  const [exists] = await ctx.db.select({ id: espaces.id }).from(espaces).where(eq(espaces.siren, e.siren));
  if (exists) return;
  await ctx.db.transaction(async (tx) => {
    const [espace] = await tx
      .insert(espaces)
      .values({ siren: e.siren, siret: e.siret, kind: e.kind, organisationType: e.organisationType, domains: ['dsn', 'formation'] })
      .returning();
    const ids = await seedPeople(tx, espace!.id, e, secrets, now);
    for (const d of e.declarations) await seedDeclaration(tx, ctx, { espaceId: espace!.id, ids, e, d, now });
  });
}

/** The company's people (a candidat AD gets his « Demande en attente »); returns their ids in order. */
async function seedPeople(
  tx: Tx,
  espaceId: string,
  e: DemoEspace,
  secrets: { passwordHash: string; answerHash: string },
  now: Date,
): Promise<string[]> {
  const ids: string[] = [];
  for (const p of e.people) {
    const [u] = await tx
      .insert(users)
      .values({
        espaceId,
        siret: e.siret,
        nom: p.nom,
        prenom: p.prenom,
        loginKey: loginKey(p.nom, p.prenom),
        email: p.email,
        telephone: '01 23 45 67 89',
        role: p.role,
        status: p.status ?? 'active',
        passwordHash: secrets.passwordHash,
        secretQuestion: DEMO_QUESTION,
        secretAnswerHash: secrets.answerHash,
        emailValidatedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: users.id });
    ids.push(u!.id);
    if (p.status === 'candidat') await tx.insert(demandes).values({ espaceId, kind: 'candidat_ad', userId: u!.id, createdAt: now });
  }
  return ids;
}

/** One declaration of a SIRET, added by the administrator, and every active person's habilitation to it. */
async function seedDeclaration(
  tx: Tx,
  ctx: AppContext,
  s: { espaceId: string; ids: string[]; e: DemoEspace; d: DemoEspace['declarations'][number]; now: Date },
): Promise<void> {
  const { espaceId, ids, e, d } = s;
  const adminId = ids[0]!;
  const addedAt = new Date(s.now.getTime() - d.hoursAgo * 3_600_000);
  await tx.insert(etablissementDeclarations).values({
    espaceId,
    siret: d.siret,
    declarationCode: d.code,
    addedAt,
    accessibleAt: accessibleAt(addedAt, ctx.config.ACCESS_DELAY_HOURS),
    addedBy: adminId,
  });
  const payable = findDeclaration(d.code)?.payable ?? false;
  for (const [i, p] of e.people.entries()) {
    if (p.status === 'candidat') continue;
    const rights = { siret: d.siret, declarationCode: d.code, declarer: true, payer: payable && p.role === 'administrateur' };
    await tx.insert(habilitations).values({ userId: ids[i]!, ...rights, grantedAt: addedAt, grantedBy: adminId });
    await tx.insert(habilitationHistory).values({ at: addedAt, espaceId, actorUserId: adminId, userId: ids[i]!, ...rights });
  }
}
