/**
 * Who the campaign's messages reach (src/modules/messages/audiences.ts, docs/messages.md):
 * - employers: the portal's own rule for a tiers-déclarant (docs/regles.md#tiers-declarants): a client
 *   SIRET only when the tiers filed its DSN in the last six months (`siretRefusal`, attributions/scope.ts),
 *   and nobody before the 24-hour access delay is over;
 * - the openings' catch-up: people habilitated, or given an envelope, after the opening went out are told
 *   at the next tick, once, while the campaign is open.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { tick } from '../../src/modules/messages/scheduler.js';
import { createHarness, type Harness, type ReceivedMail } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { createCompany, type TestPerson } from '../espace-etablissement/fixtures.js';
import { employerCompany, envelope, registryCompanies } from '../attributions/fixtures.js';
import { outboxRows, seedMessagesWorld, type MessagesWorld } from './fixtures.js';

let h: Harness;
let m: MessagesWorld;
let more: { siren: string; siret: string }[];
let tiers: TestPerson;
let late: TestPerson;

const to = (mails: ReceivedMail[], email: string) => mails.filter((x) => x.to === email);
const flat = (s: string) => s.replace(/\s+/g, ' ');
const spaced = (siret: string) => `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}`;

beforeAll(async () => {
  h = await createHarness({ registryCount: 30 });
  m = await seedMessagesWorld(h);
  more = (await registryCompanies(h.ctx.db, 12)).slice(5);
  const [T, C1, C2, T2, C3] = more as [(typeof more)[0], (typeof more)[0], (typeof more)[0], (typeof more)[0], (typeof more)[0]];
  // a tiers-déclarant habilitated on two clients: C1's DSN filed by it 2 months ago, C2's 8 months ago
  tiers = (
    await createCompany(h.ctx, {
      siren: T.siren,
      siret: T.siret,
      kind: 'tiers_declarant',
      code: 'SOLTEA_EMPLOYEURS',
      people: [{ nom: 'TIERCE', role: 'administrateur' }],
      sirets: [C1.siret, C2.siret],
    })
  ).people[0]!;
  await envelope(h.ctx.db, C1.siret, 2_000_00n, h.clock.now(), { declarantSiret: T.siret, deposeLe: new Date('2025-03-15T10:00:00Z') });
  await envelope(h.ctx.db, C2.siret, 3_000_00n, h.clock.now(), { declarantSiret: T.siret, deposeLe: new Date('2024-09-15T10:00:00Z') });
  // another tiers whose only client's DSN is too old: no message at all
  await createCompany(h.ctx, {
    siren: T2.siren,
    siret: T2.siret,
    kind: 'tiers_declarant',
    code: 'SOLTEA_EMPLOYEURS',
    people: [{ nom: 'TARDIF', role: 'administrateur', email: 'tardif@example.test' }],
    sirets: [C3.siret],
  });
  await envelope(h.ctx.db, C3.siret, 1_000_00n, h.clock.now(), { declarantSiret: T2.siret, deposeLe: new Date('2024-10-01T10:00:00Z') });
}, 120_000);
afterAll(async () => stopHarness(h));

describe('the employers’ audience', () => {
  it('a tiers-déclarant is told only of the clients whose DSN it filed in the last six months, as the portal opens them', async () => {
    h.clock.set(new Date('2025-05-26T06:30:00Z'));
    const r = await tick(h.ctx);
    // alice, bruno and the tiers; not the tiers whose only client is out of the six months
    expect(r.traites).toContainEqual({ cle: 'ouverture-employeurs:2025', messages: 3 });
    const mails = await h.takeMails();
    expect(to(mails, 'tardif@example.test')).toEqual([]);
    const mine = to(mails, tiers.email);
    expect(mine).toHaveLength(1);
    expect(flat(mine[0]!.text)).toContain(`du SIRET ${spaced(more[1]!.siret)}`);
    expect(flat(mine[0]!.text)).not.toContain(spaced(more[2]!.siret));
  });

  it('the period’s end reminder follows the same rule', async () => {
    h.clock.set(new Date('2025-06-20T06:00:00Z'));
    await tick(h.ctx);
    const mails = (await h.takeMails()).filter((x) => x.subject.startsWith('SOLTéA : la période de répartition 1'));
    expect(to(mails, 'tardif@example.test')).toEqual([]);
    const mine = to(mails, tiers.email);
    expect(mine).toHaveLength(1);
    expect(flat(mine[0]!.text)).toContain(`du SIRET ${spaced(more[1]!.siret)}`);
    expect(flat(mine[0]!.text)).not.toContain(spaced(more[2]!.siret));
  });
});

describe('the openings’ catch-up', () => {
  it('people habilitated after the opening went out are told at the next tick, once; not before their access delay is over', async () => {
    h.clock.set(new Date('2025-06-02T08:00:00Z'));
    expect((await tick(h.ctx)).rattrapages).toEqual([]);
    // a new employer, its declaration added 2 hours ago (open in 22 hours), with an envelope
    const E = more[5]!;
    late = (
      await employerCompany(h.ctx, E, [{ nom: 'LATOUR', role: 'administrateur' }]).then(async (c) => {
        await h.ctx.db.execute(
          sql`update etablissement_declarations set accessible_at = ${new Date('2025-06-03T06:00:00Z')} where espace_id = ${c.espaceId}`,
        );
        return c;
      })
    ).people[0]!;
    await envelope(h.ctx.db, E.siret, 4_000_00n, h.clock.now());
    // the other habilitated establishment's company opens its espace now
    const other = (
      await createCompany(h.ctx, {
        siren: m.w.otherSiret.slice(0, 9),
        siret: m.w.otherSiret,
        people: [{ nom: 'OSTER', role: 'administrateur' }],
      })
    ).people[0]!;
    const r = await tick(h.ctx);
    expect(r.rattrapages).toEqual([{ cle: 'ouverture-etablissements:2025', messages: 1 }]);
    let mails = await h.takeMails();
    expect(mails.map((x) => [x.to, x.subject])).toEqual([[other.email, 'SOLTéA : ouverture de la campagne 2025 aux établissements']]);
    // the access delay over: the employer
    h.clock.set(new Date('2025-06-03T06:05:00Z'));
    expect((await tick(h.ctx)).rattrapages).toEqual([{ cle: 'ouverture-employeurs:2025', messages: 1 }]);
    mails = await h.takeMails();
    expect(mails.map((x) => [x.to, x.subject])).toEqual([[late.email, 'SOLTéA : ouverture de la campagne 2025 aux employeurs']]);
    expect(flat(mails[0]!.text)).toContain(`du SIRET ${spaced(E.siret)}`);
    // once, whatever the ticks; two at the same moment neither
    await Promise.all([tick(h.ctx), tick(h.ctx)]);
    await tick(h.ctx);
    expect(await h.takeMails()).toEqual([]);
    const keys = (await outboxRows(h.ctx.db, 'ouverture-')).map((x) => x.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    // the event's count includes them
    const [ev] = await selectRows<{ messages: number }>(
      h.ctx.db,
      sql`select messages from message_evenements where cle = 'ouverture-employeurs:2025'`,
    );
    expect(ev!.messages).toBe(4);
  });

  it('nobody is caught up once the campaign is over', async () => {
    const F = more[6]!;
    await employerCompany(h.ctx, F, [{ nom: 'FINAL', role: 'administrateur' }]);
    await envelope(h.ctx.db, F.siret, 1_000_00n, h.clock.now());
    h.clock.set(new Date('2025-10-25T08:00:00Z')); // the last period ended on 24 October
    expect((await tick(h.ctx)).rattrapages).toEqual([]);
    expect(await h.takeMails()).toEqual([]);
  });
});
