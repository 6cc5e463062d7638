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

export const DEMO_ACCOUNTS: DemoEspace[] = [
  {
    siren: DEMO_COMPANIES.boulangerieMoutin.siren,
    siret: DEMO_COMPANIES.boulangerieMoutin.siret,
    kind: 'entreprise',
    organisationType: 'entreprise_privee',
    people: [
      { nom: 'MOUTIN', prenom: 'Claire', email: 'claire.moutin@boulangerie-moutin.example', role: 'administrateur' },
      { nom: 'BERNARD', prenom: 'Lucas', email: 'lucas.bernard@boulangerie-moutin.example', role: 'declarant' },
    ],
    declarations: [
      { siret: DEMO_COMPANIES.boulangerieMoutin.siret, code: 'DSN', hoursAgo: 24 * 400 },
      { siret: DEMO_COMPANIES.boulangerieMoutin.siret, code: 'SOLTEA_EMPLOYEURS', hoursAgo: 48 },
      { siret: DEMO_COMPANIES.boulangerieMoutin.siret, code: 'MCF_ELU', hoursAgo: 3 },
    ],
  },
  {
    siren: DEMO_COMPANIES.gipMds.siren,
    siret: DEMO_COMPANIES.gipMds.siret,
    kind: 'entreprise',
    organisationType: 'fonction_publique',
    people: [
      { nom: 'MARTIN', prenom: 'Sophie', email: 'sophie.martin@gip-mds.example', role: 'administrateur' },
      { nom: 'DUPONT', prenom: 'Hélène', email: 'helene.dupont@gip-mds.example', role: 'declarant' },
      { nom: 'LEFEBVRE', prenom: 'Marc', email: 'marc.lefebvre@gip-mds.example', role: 'administrateur', status: 'candidat' },
    ],
    // several SIRETs open to « SOLTéA - Employeurs »: the demo of « Mes groupes »
    declarations: DEMO_COMPANIES.gipMds.sirets.flatMap((siret) => [
      { siret, code: 'DSN', hoursAgo: 24 * 300 },
      { siret, code: 'SOLTEA_ETABLISSEMENTS', hoursAgo: 30 },
      { siret, code: 'SOLTEA_EMPLOYEURS', hoursAgo: 24 * 20 },
    ]),
  },
  {
    siren: DEMO_COMPANIES.lyceeRaspail.siren,
    siret: DEMO_COMPANIES.lyceeRaspail.siret,
    kind: 'entreprise',
    organisationType: 'fonction_publique',
    people: [
      { nom: 'GARNIER', prenom: 'Nadia', email: 'nadia.garnier@lycee-raspail.example', role: 'administrateur' },
      { nom: 'FONTAINE', prenom: 'Julien', email: 'julien.fontaine@lycee-raspail.example', role: 'declarant' },
    ],
    declarations: [{ siret: DEMO_COMPANIES.lyceeRaspail.siret, code: 'SOLTEA_ETABLISSEMENTS', hoursAgo: 24 * 200 }],
  },
  {
    siren: DEMO_COMPANIES.cabinetDurand.siren,
    siret: DEMO_COMPANIES.cabinetDurand.siret,
    kind: 'tiers_declarant',
    organisationType: 'expert_comptable',
    people: [
      { nom: 'DURAND', prenom: 'Paul', email: 'paul.durand@cabinet-durand.example', role: 'administrateur' },
      { nom: 'PETIT', prenom: 'Inès', email: 'ines.petit@cabinet-durand.example', role: 'declarant' },
    ],
    declarations: [
      { siret: DEMO_COMPANIES.cabinetDurand.siret, code: 'DSN', hoursAgo: 24 * 500 },
      { siret: DEMO_COMPANIES.cabinetDurand.siret, code: 'SOLTEA_EMPLOYEURS', hoursAgo: 72 },
    ],
  },
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
