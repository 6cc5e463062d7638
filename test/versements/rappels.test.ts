/**
 * Reminders of bank details before a period closes (docs/messages.md, docs/regles.md#fonds-non-versables):
 * the establishments receiving allocations without verified bank details (not a composante whose parent
 * receives for it, not a closed one) are reminded 7 days, then 1 day, before the period's end — ONE rule:
 * the scheduler, the command and the operator's bulk reminder share one key per establishment, period
 * and échéance, so again or at the same moment (two runs at once), nobody gets the same reminder twice.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { runRappels } from '../../src/modules/messages/cli-commands.js';
import { tick } from '../../src/modules/messages/scheduler.js';
import { sendBankDetailsReminders } from '../../src/modules/messages/rappels-coordonnees.js';
import { paymentsContext, type PaymentsContext } from './context.js';
import { addAdministrator, ANNEE, seedWorld, type World, type WorldSpec } from './world.js';

const SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84' }, // 0 nothing to remind
    { bank: null, region: '84' }, // 1 no details: reminded (its company's administrator)
    { bank: 'en_attente', region: '84' }, // 2 details not verified: reminded (the contact of its page)
    { bank: null, region: '84', parent: 0 }, // 3 composante without details: its parent receives, verified
    { bank: null, region: '84' }, // 4 no details but no allocation
    { bank: null, region: '84', ferme: true }, // 5 closed
  ],
  employeurs: [{ creditsCents: 100_000n, funds: 'recus' }],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 2000, periode: 1 },
    { employeur: 0, etablissement: 1, bp: 2000, periode: 1 },
    { employeur: 0, etablissement: 2, bp: 2000, periode: null },
    { employeur: 0, etablissement: 3, bp: 2000, periode: 1 },
    { employeur: 0, etablissement: 5, bp: 2000, periode: 1 },
  ],
};

let p: PaymentsContext;
let w: World;
let admin1 = '';

const mails = () =>
  selectRows<{ to: string; subject: string }>(
    p.ctx.db,
    sql`select "to", subject from mail_outbox where subject like '%coordonnées bancaires%' order by id`,
  );

beforeAll(async () => {
  p = await paymentsContext(new Date('2025-06-10T08:00:00Z'));
  w = await seedWorld(p.ctx.db, SPEC);
  admin1 = await addAdministrator(p.ctx.db, w.etablissementSirets[1]!, 'lycee1@example.test', 'SOLTEA_ETABLISSEMENTS');
  await p.ctx.db.execute(sql`insert into etablissement_profils (siret, contacts, updated_at)
    values (${w.etablissementSirets[2]!}, ${JSON.stringify([{ fonction: 'Intendance', nom: 'Mme Martin', courriel: 'intendance2@example.test', telephone: '' }])}::jsonb, now())`);
}, 60_000);
afterAll(() => p?.drop());

describe('bank-details reminders', () => {
  it('sends nothing before the seven days that precede the period’s end (the older 10-day reminder is gone)', async () => {
    p.clock.set(new Date('2025-06-17T08:00:00Z')); // 10 days before 27 June
    const r = await sendBankDetailsReminders(p.ctx, ANNEE);
    expect(r).toEqual({ periode: null, jours: null, envoyes: 0, dejaRappeles: 0 });
    const out: string[] = [];
    expect(await runRappels(p.ctx, ['2025'], (l) => out.push(l))).toBe(0);
    expect(out).toEqual([
      'Aucun rappel n’est dû aujourd’hui pour la campagne 2025 : les rappels partent 7 jours, puis 1 jour, avant la fin d’une période.',
    ]);
    await tick(p.ctx);
    expect(await mails()).toEqual([]);
  });

  it('J-7: reminds each establishment concerned once (its people and its page’s contacts), the command and the scheduler sharing the key', async () => {
    p.clock.set(new Date('2025-06-20T06:00:00Z')); // 08:00 Paris, 7 days before 27 June
    const out: string[] = [];
    expect(await runRappels(p.ctx, ['2025'], (l) => out.push(l))).toBe(0);
    expect(out).toEqual([
      'Campagne 2025, période 1 (fin le 27 juin 2025), rappel à 7 jours : 2 établissement(s) rappelé(s), 0 déjà rappelé(s).',
    ]);
    expect((await mails()).map((m) => [m.to, m.subject])).toEqual([
      ['lycee1@example.test', 'SOLTéA : vos coordonnées bancaires avant le 27 juin 2025'],
      ['intendance2@example.test', 'SOLTéA : vos coordonnées bancaires avant le 27 juin 2025'],
    ]);
    const [n] = await selectRows<{ text: string }>(
      p.ctx.db,
      sql`select text from notifications where user_id = ${admin1}::uuid and text like '%vous ont attribué%'`,
    );
    expect(n!.text).toContain(`SOLTéA – ETABLISSEMENT 1 (SIRET`);
    expect(n!.text).toContain('des employeurs vous ont attribué une part du solde');
    expect(n!.text).toContain('La période de répartition 1 se termine dans 7 jours, le 27 juin 2025');
    const rows = await selectRows<{ siret: string; jours: number; destinataires: number }>(
      p.ctx.db,
      sql`select siret, jours, destinataires from rappels_coordonnees order by siret`,
    );
    expect(rows).toEqual([
      { siret: w.etablissementSirets[1], jours: 7, destinataires: 1 },
      { siret: w.etablissementSirets[2], jours: 7, destinataires: 1 },
    ]);
    // the scheduler's J-7 event finds them taken; a second command neither
    const r = await tick(p.ctx);
    expect(r.traites).toContainEqual({ cle: 'fin-periode:2025:1:j7:etablissements', messages: 0 });
    expect(await sendBankDetailsReminders(p.ctx, ANNEE)).toMatchObject({ jours: 7, envoyes: 0, dejaRappeles: 2 });
    expect(await mails()).toHaveLength(2);
  });

  it('J-1: the second reminder, once, whatever the ticks', async () => {
    p.clock.set(new Date('2025-06-26T06:00:00Z'));
    const r = await tick(p.ctx);
    expect(r.traites).toContainEqual({ cle: 'fin-periode:2025:1:j1:etablissements', messages: 2 });
    await tick(p.ctx);
    expect(await sendBankDetailsReminders(p.ctx, ANNEE)).toMatchObject({ jours: 1, envoyes: 0, dejaRappeles: 2 });
    const all = await mails();
    expect(all).toHaveLength(4);
    const [n] = await selectRows<{ text: string }>(
      p.ctx.db,
      sql`select text from notifications where user_id = ${admin1}::uuid order by id desc limit 1`,
    );
    expect(n!.text).toContain('se termine demain, le 27 juin 2025');
  });

  it('two runs at the same moment in period 2 send each reminder once', async () => {
    p.clock.set(new Date('2025-10-17T06:00:00Z')); // J-7 of 24 October
    const [a, b] = await Promise.all([sendBankDetailsReminders(p.ctx, ANNEE), sendBankDetailsReminders(p.ctx, ANNEE)]);
    expect(a.envoyes + b.envoyes).toBe(2);
    expect(a.envoyes + a.dejaRappeles).toBe(2);
    expect(b.envoyes + b.dejaRappeles).toBe(2);
    expect((await mails()).map((m) => m.subject).filter((s) => s.endsWith('24 octobre 2025'))).toHaveLength(2);
    const [c] = await selectRows<{ n: number }>(p.ctx.db, sql`select count(*)::int as n from rappels_coordonnees where periode = 2`);
    expect(c!.n).toBe(2);
  });

  it('refuses a wrong year argument', async () => {
    const out: string[] = [];
    expect(await runRappels(p.ctx, ['25'], (l) => out.push(l))).toBe(2);
    expect(out).toEqual(['Usage : rappels-coordonnees <année> (par exemple : rappels-coordonnees 2025)']);
  });
});
