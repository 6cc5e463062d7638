/**
 * Campaign calendars: the operator's calendar or the arrêté's preset, the campaign of the clock, saving
 * with validation and audit, the JSON the operator writes, the command line, the demo clock's targets.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAMPAIGN_2023, CAMPAIGN_2024, CAMPAIGN_2025, type Campaign } from '../../src/domain/campagne.js';
import { ManualClock } from '../../src/infra/clock.js';
import type { Db } from '../../src/infra/db/index.js';
import { auditEvents, campagnes } from '../../src/infra/db/schema.js';
import { campaignToJson, parseCampaignJson } from '../../src/modules/campagnes/calendar-json.js';
import { campagnesCommands } from '../../src/modules/campagnes/cli-commands.js';
import { currentTarget, phaseTargets } from '../../src/modules/campagnes/phases.js';
import {
  campaignAt,
  campaignOf,
  currentCampaign,
  listCampaigns,
  loadCampaign,
  saveCampaign,
} from '../../src/modules/campagnes/repository.js';
import { capture, cliEnvironment, testDatabase, withEnv } from '../enveloppes/helpers.js';

const CAMPAIGN_2026: Campaign = {
  annee: 2026,
  etablissementsOuverture: '2026-05-18',
  employeursOuverture: '2026-05-26',
  periodes: [
    { numero: 1, debut: '2026-05-26', fin: '2026-07-03' },
    { numero: 2, debut: '2026-07-15', fin: '2026-10-23' },
  ],
  vagues: [
    { numero: 1, date: '2026-07-10', periodeNumero: 1 },
    { numero: 2, date: '2026-11-06', periodeNumero: 2 },
  ],
  reliquat: '2026-11-26',
  source: 'Calendrier de démonstration',
};

describe('the campaign repository', () => {
  let db: Db;
  let drop: () => Promise<void>;
  const clock = new ManualClock(new Date('2025-06-02T08:00:00Z'));
  const ctx = () => ({ db, clock });
  const audits = async () => db.select().from(auditEvents).where(eq(auditEvents.action, 'campagne.updated'));
  beforeEach(async () => {
    const fresh = await testDatabase();
    db = fresh.database.db;
    drop = fresh.drop;
  });
  afterEach(async () => drop());

  it('gives the arrêté’s calendar until the operator saves one', async () => {
    expect(await campaignOf(db, 2025)).toEqual(CAMPAIGN_2025);
    expect(await campaignOf(db, 2023)).toEqual(CAMPAIGN_2023);
    expect(await campaignOf(db, 2026)).toBeNull();
    expect((await loadCampaign(db, 2024))!.origine).toBe('arrete');
    expect((await listCampaigns(db)).map((c) => c.campaign.annee)).toEqual([2023, 2024, 2025]);
  });

  it('saves a valid calendar, audited; the same calendar again changes nothing', async () => {
    const r = await saveCampaign(ctx(), CAMPAIGN_2026, null);
    expect(r).toMatchObject({ ok: true, created: true, changed: true });
    expect(await campaignOf(db, 2026)).toEqual(CAMPAIGN_2026);
    const stored = (await loadCampaign(db, 2026))!;
    expect(stored.origine).toBe('operateur');
    expect(stored.updatedAt).toEqual(clock.now());
    expect((await audits()).map((a) => a.details)).toEqual([
      expect.objectContaining({ annee: 2026, avant: null, apres: expect.objectContaining({ reliquat: '2026-11-26' }) }),
    ]);
    expect(await saveCampaign(ctx(), structuredClone(CAMPAIGN_2026), null)).toMatchObject({ ok: true, changed: false });
    expect(await audits()).toHaveLength(1);

    // the operator extends period 2 of 2025: its row replaces the preset
    const extended = structuredClone(CAMPAIGN_2025);
    extended.periodes[1]!.fin = '2025-10-31';
    expect(await saveCampaign(ctx(), extended, null)).toMatchObject({ ok: true, created: true, changed: true });
    expect((await campaignOf(db, 2025))!.periodes[1]!.fin).toBe('2025-10-31');
    expect((await audits())[1]!.details).toMatchObject({ annee: 2025, avant: { origine: 'arrete', periodes: CAMPAIGN_2025.periodes } });
  });

  it('refuses a wrong calendar with every French message, and writes nothing', async () => {
    const bad = structuredClone(CAMPAIGN_2026);
    bad.periodes = [{ numero: 1, debut: '2026-05-26', fin: '2026-06-20' }];
    bad.vagues = [{ numero: 1, date: '2026-06-10', periodeNumero: 1 }];
    bad.employeursOuverture = '2026-05-31';
    const r = await saveCampaign(ctx(), bad, null);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual([
      'Les employeurs doivent pouvoir se connecter au plus tard le premier jour de la période 1 (26 mai 2026).',
      'Les périodes de répartition totalisent 26 jours : la loi impose au moins deux mois (61 jours à partir du 26 mai 2026, article D. 6241-27 du code du travail).',
      'Virement 1 : il doit suivre la fin de la période 1 (20 juin 2026), dont il verse les attributions.',
    ]);
    const { ...noYear } = CAMPAIGN_2026;
    expect(await saveCampaign(ctx(), { ...noYear, annee: 1999 }, null)).toEqual({
      ok: false,
      errors: [{ field: 'annee', message: 'L’année de campagne doit être un nombre entier entre 2023 et 2100.' }],
    });
    expect(await saveCampaign(ctx(), { ...CAMPAIGN_2026, source: 'x'.repeat(501) }, null)).toMatchObject({
      ok: false,
      errors: [{ field: 'source' }],
    });
    expect(Number((await db.select({ n: count() }).from(campagnes))[0]!.n)).toBe(0);
    expect(await audits()).toEqual([]);
  });

  it('the current campaign is the latest opened to establishments at the clock’s instant, else 2025', async () => {
    const at = async (iso: string) => {
      clock.set(new Date(iso));
      return (await currentCampaign(ctx())).annee;
    };
    expect(await at('2022-01-01T00:00:00Z')).toBe(2025);
    expect(await at('2024-05-10T10:00:00Z')).toBe(2024);
    expect(await at('2025-05-18T21:59:59Z')).toBe(2024); // 18 May 23:59:59 in Paris
    expect(await at('2025-05-18T22:00:00Z')).toBe(2025); // 19 May 00:00 in Paris
    expect(await at('2026-06-01T10:00:00Z')).toBe(2025);
    await saveCampaign(ctx(), CAMPAIGN_2026, null);
    expect(await at('2026-05-17T10:00:00Z')).toBe(2025);
    expect(await at('2026-05-18T10:00:00Z')).toBe(2026);
    expect(campaignAt([CAMPAIGN_2023, CAMPAIGN_2024], new Date('2020-01-01'))).toBeNull();
  });
});

describe('the calendar the operator writes as JSON', () => {
  it('reads AAAA-MM-JJ and JJ/MM/AAAA days, numbers periods and waves in order', () => {
    const r = parseCampaignJson(
      JSON.stringify({
        etablissementsOuverture: '18/05/2026',
        employeursOuverture: '2026-05-26',
        periodes: [
          { debut: '26/05/2026', fin: '03/07/2026' },
          { debut: '2026-07-15', fin: '2026-10-23' },
        ],
        vagues: [
          { date: '10/07/2026', periode: 1 },
          { date: '2026-11-06', periodeNumero: 2 },
        ],
        reliquat: '26/11/2026',
        source: ' Calendrier de démonstration ',
      }),
      2026,
    );
    expect(r).toEqual({ ok: true, campaign: CAMPAIGN_2026 });
    expect(parseCampaignJson(campaignToJson(CAMPAIGN_2023), 2023)).toEqual({ ok: true, campaign: CAMPAIGN_2023 });
  });

  it('refuses what it cannot read, in French', () => {
    expect(parseCampaignJson('{ "periodes": [', 2026)).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^Le fichier n’est pas du JSON valide/)],
    });
    expect(parseCampaignJson('[1, 2]', 2026)).toEqual({
      ok: false,
      errors: ['Le fichier doit contenir un objet JSON { … } décrivant le calendrier.'],
    });
    const r = parseCampaignJson(
      JSON.stringify({
        annee: 2025,
        periode: [],
        periodes: [{ debut: '2026-05-26', fn: 'x' }],
        vagues: [{ date: '2026-07-10' }],
        reliquat: 3,
      }),
      2026,
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        'Clé inconnue « periode » (clés possibles : annee, etablissementsOuverture, employeursOuverture, periodes, vagues, reliquat, redesignationFin, reliquatPartRegionale, source).',
        'Le fichier décrit la campagne 2025, pas la campagne 2026 demandée.',
        'Période 1 : clé inconnue « fn » (debut, fin, numero).',
        'Virement 1 : indiquez le numéro de la période qu’il verse (« periode »: 1, 2…).',
      ],
    });
  });
});

describe('the demo clock’s targets', () => {
  it('2025: the six moments of the campaign, at 00:00 Paris time', () => {
    const t = phaseTargets(CAMPAIGN_2025);
    expect(t.map((x) => [x.cible, x.label, x.instant.toISOString()])).toEqual([
      ['etablissements', 'Ouverture établissements', '2025-05-18T22:00:00.000Z'],
      ['periode-1', 'Période 1', '2025-05-25T22:00:00.000Z'],
      ['entre-1', 'Entre les périodes', '2025-06-27T22:00:00.000Z'],
      ['periode-2', 'Période 2', '2025-07-13T22:00:00.000Z'],
      ['cloture', 'Clôture', '2025-10-24T22:00:00.000Z'],
      ['reliquat', 'Reliquat', '2025-11-26T23:00:00.000Z'],
    ]);
    expect(currentTarget(t, new Date('2025-08-01T10:00:00Z'))!.cible).toBe('periode-2');
    expect(currentTarget(t, new Date('2025-01-01T10:00:00Z'))).toBeNull();
  });

  it('other calendars: employers opening apart, three periods', () => {
    expect(phaseTargets(CAMPAIGN_2024).map((x) => x.cible)).toEqual([
      'etablissements',
      'periode-1',
      'entre-1',
      'periode-2',
      'cloture',
      'reliquat',
    ]);
    expect(phaseTargets(CAMPAIGN_2026).map((x) => x.label)).toEqual([
      'Ouverture établissements',
      'Période 1',
      'Entre les périodes',
      'Période 2',
      'Clôture',
      'Reliquat',
    ]);
    expect(
      phaseTargets({ ...CAMPAIGN_2023, etablissementsOuverture: '2023-05-15', employeursOuverture: '2023-05-22' }).map((x) => x.label),
    ).toEqual([
      'Ouverture établissements',
      'Ouverture employeurs',
      'Période 1',
      'Entre les périodes 1 et 2',
      'Période 2',
      'Entre les périodes 2 et 3',
      'Période 3',
      'Clôture',
      'Reliquat',
    ]);
  });
});

describe('campagne and campagne-modifier', () => {
  it('print the calendar and its phase, set a calendar from JSON, refuse a wrong one', async () => {
    const { env, cleanup } = await cliEnvironment();
    const dir = mkdtempSync(join(tmpdir(), 'campagne-json-'));
    const show = campagnesCommands['campagne']!;
    const edit = campagnesCommands['campagne-modifier']!;
    try {
      await withEnv({ ...env, DEMO_NOW: '2025-08-01T10:00:00+02:00' }, async () => {
        expect((await capture(() => show.run([]))).code).toBe(2);
        expect((await capture(() => show.run(['2025', '--maintenant', 'demain']))).err).toContain(
          '--maintenant : indiquez un instant ISO 8601',
        );
        const missing = await capture(() => show.run(['2026']));
        expect(missing.code).toBe(1);
        expect(missing.err).toContain('Aucun calendrier pour la campagne 2026 : enregistrez-le avec campagne-modifier 2026 <fichier.json>');

        const c2025 = await capture(() => show.run(['2025']));
        expect(c2025.code).toBe(0);
        expect(c2025.out).toEqual([
          'Campagne 2025 (calendrier de l’arrêté, non modifié)',
          `Source : ${CAMPAIGN_2025.source}`,
          '  Ouverture aux établissements : 19 mai 2025',
          '  Ouverture aux employeurs : 26 mai 2025',
          '  Période de répartition 1 : du 26 mai 2025 au 27 juin 2025 inclus',
          '  Période de répartition 2 : du 14 juillet 2025 au 24 octobre 2025 inclus',
          '  Virement 1 (attributions de la période 1) : à partir du 11 juillet 2025',
          '  Virement 2 (attributions de la période 2) : à partir du 7 novembre 2025',
          '  Re-désignation des parts non versables : jusqu’au 26 novembre 2025 inclus',
          '  Répartition des fonds non affectés : à partir du 27 novembre 2025 (part régionale 40 %, part nationale 60 %)',
          'Fenêtre de répartition : 136 jours (au moins 61 jours, deux mois, article D. 6241-27 du code du travail).',
          'Le 1er août 2025 à 10:00 (heure de Paris) : La période de répartition 2 est ouverte jusqu’au 24 octobre 2025 inclus.',
          'Une déclaration corrective reçue maintenant ajusterait les crédits de la campagne (CGU art. 6.1.3).',
        ]);
        const later = await capture(() => show.run(['2025', '--maintenant=2025-11-10T09:00:00+01:00']));
        expect(later.out.slice(-2)).toEqual([
          'Le 10 novembre 2025 à 09:00 (heure de Paris) : La campagne de répartition 2025 est close depuis le 25 octobre 2025 : les choix ne peuvent plus être modifiés.',
          'Une déclaration corrective reçue maintenant serait reportée sur la campagne suivante (CGU art. 6.1.3).',
        ]);

        // the template of 2025, edited into 2026
        const template = await capture(() => show.run(['2025', '--json']));
        expect(JSON.parse(template.out.join('\n'))).toMatchObject({
          annee: 2025,
          vagues: [{ numero: 1, date: '2025-07-11', periode: 1 }, expect.anything()],
        });
        const file = join(dir, 'campagne-2026.json');
        writeFileSync(file, campaignToJson(CAMPAIGN_2026));
        const saved = await capture(() => edit.run(['2026', file]));
        expect(saved.code).toBe(0);
        expect(saved.out[0]).toBe('Calendrier de la campagne 2026 enregistré.');
        expect((await capture(() => edit.run(['2026', file]))).out[0]).toBe(
          'Le calendrier de la campagne 2026 est déjà celui-ci : rien n’a changé.',
        );
        expect((await capture(() => show.run(['2026']))).out[0]).toMatch(
          /^Campagne 2026 \(calendrier enregistré par l’opérateur le \d+ \S+ \d{4} à \d\d:\d\d\)$/,
        );

        writeFileSync(file, campaignToJson({ ...CAMPAIGN_2026, reliquat: '2026-10-01' }));
        const refused = await capture(() => edit.run(['2026', file]));
        expect(refused.code).toBe(1);
        expect(refused.err).toContain(
          'Refusé (reliquat) : La répartition des fonds non affectés doit suivre la fin de la dernière période (23 octobre 2026).',
        );
        expect(refused.err).toContain('Le calendrier n’a pas été modifié.');
        expect((await capture(() => edit.run(['2025', file]))).err).toContain(
          'Refusé : Le fichier décrit la campagne 2026, pas la campagne 2025 demandée.',
        );
        expect((await capture(() => edit.run(['2026', join(dir, 'absent.json')]))).code).toBe(2);
        expect((await capture(() => edit.run(['2026']))).code).toBe(2);
        const still = await capture(() => show.run(['2026', '--json']));
        expect(JSON.parse(still.out.join('\n')).reliquat).toBe('2026-11-26');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await cleanup();
    }
  });
});
