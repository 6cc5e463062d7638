/**
 * The world of the messages' tests: the 2025 referential (the lycée Raspail and another establishment),
 * two employers with an envelope (A: 10 000 €, B: 500 €) and « SOLTéA - Employeurs » open to their
 * administrators, the lycée's espace with an administrator and a déclarant habilitated to « SOLTéA -
 * Etablissements », and the clock before the campaign opens.
 */
import { and, asc, eq, like } from 'drizzle-orm';
import type { Db } from '../../src/infra/db/index.js';
import { mailOutbox, notifications } from '../../src/infra/db/schema.js';
import type { Harness } from '../harness.js';
import { createCompany, LYCEE, type TestPerson } from '../espace-etablissement/fixtures.js';
import { employerCompany, envelope, registryCompanies, seedWorld, type World } from '../attributions/fixtures.js';

export interface MessagesWorld {
  w: World;
  A: { siren: string; siret: string };
  B: { siren: string; siret: string };
  alice: TestPerson;
  bruno: TestPerson;
  lea: TestPerson;
  leon: TestPerson;
}

/** The world, on the harness or a browser journey's application. */
export async function seedMessagesWorld(h: Pick<Harness, 'ctx' | 'clock'>): Promise<MessagesWorld> {
  h.clock.set(new Date('2025-05-01T08:00:00Z'));
  const companies = await registryCompanies(h.ctx.db, 5);
  const [A, B] = companies as [(typeof companies)[0], (typeof companies)[0]];
  const w = await seedWorld(h.ctx.db, h.clock.now(), companies[3]!.siret);
  const alice = (await employerCompany(h.ctx, A, [{ nom: 'ARNAUD', role: 'administrateur' }])).people[0]!;
  const bruno = (await employerCompany(h.ctx, B, [{ nom: 'BLANC', role: 'administrateur' }])).people[0]!;
  await envelope(h.ctx.db, A.siret, 10_000_00n, h.clock.now());
  await envelope(h.ctx.db, B.siret, 500_00n, h.clock.now());
  const lycee = await createCompany(h.ctx, {
    siren: LYCEE.siren,
    siret: LYCEE.siret,
    people: [
      { nom: 'LEGRAND', role: 'administrateur' },
      { nom: 'LEROY', role: 'declarant' },
    ],
  });
  const [lea, leon] = lycee.people as [TestPerson, TestPerson];
  return { w, A, B, alice, bruno, lea, leon };
}

/** The tableau de bord lines of a person, oldest first. */
export async function linesOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .select({ text: notifications.text })
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(asc(notifications.id));
  return rows.map((r) => r.text);
}

/** The outbox rows whose key starts with `prefix`. */
export function outboxRows(db: Db, prefix: string) {
  return db
    .select()
    .from(mailOutbox)
    .where(and(like(mailOutbox.dedupeKey, `${prefix}%`)))
    .orderBy(asc(mailOutbox.id));
}
