/**
 * `import-metiers-en-tension` (docs/metiers-en-tension-format.md): every refused line with its French
 * message and nothing written, at most 10 métiers per region, the year's list replaced on a re-run,
 * audited; the CLI's report and the demo's file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { importMetiersEnTension, readMetiersEnTension } from '../../src/modules/versements/metiers-en-tension.js';
import { formatMetiersReport } from '../../src/modules/versements/reliquat-cli.js';
import { SEED_METIERS_FILE } from '../../src/demo/metiers-en-tension.js';
import { paymentsContext, type PaymentsContext } from './context.js';
import { ANNEE, seedWorld, WAVE_1_DAY } from './world.js';

const dir = mkdtempSync(join(tmpdir(), 'metiers-en-tension-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

let p: PaymentsContext;
beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
  await seedWorld(p.ctx.db, {
    etablissements: [{ bank: 'verifiee', region: '84', formations: ['RNCP35830', 'RNCP37391'] }],
    employeurs: [],
    lignes: [],
  });
}, 60_000);
afterAll(() => p?.drop());

const stored = () =>
  selectRows<{ region: string; metier: string; rncp: string }>(
    p.ctx.db,
    sql`select region, metier, rncp from metiers_en_tension where annee = ${ANNEE} order by region, metier, rncp`,
  );

describe('reading the file', () => {
  it('says what is wrong on each line, in French', () => {
    const r = readMetiersEnTension(
      [
        'Région;Métier;Codes RNCP',
        '84;Aide-soignant;RNCP35830',
        '99;Électricien;RNCP35346',
        ';Électricien;RNCP35346',
        '84;;RNCP35346',
        '84;Électricien;RNCPX12',
        '84;Électricien;',
        '84;aide soignant;35830',
      ].join('\n'),
    );
    expect(r.rejected).toEqual([
      { line: 3, message: 'La région « 99 » est inconnue : indiquez son code (par exemple 84 pour Auvergne-Rhône-Alpes) ou son nom.' },
      { line: 4, message: 'La région est obligatoire.' },
      { line: 5, message: 'Le métier est obligatoire.' },
      { line: 6, message: 'Le code RNCP « RNCPX12 » n’est pas valide (RNCP suivi de chiffres, par exemple RNCP35319).' },
      { line: 7, message: 'Indiquez au moins un code RNCP (par exemple RNCP35319).' },
      { line: 8, message: 'Le code RNCP35830 figure déjà pour ce métier et cette région (ligne 2).' },
    ]);
  });

  it('refuses an 11th métier in a region, and a file without its columns', () => {
    const lines = Array.from({ length: 11 }, (_, i) => `11;Métier ${i + 1};RNCP${1000 + i}`);
    // the same métier again on another line is the same métier (its codes add up)
    const r = readMetiersEnTension(['region;metier;rncp', ...lines, '11;MÉTIER 1;RNCP2000'].join('\n'));
    expect(r.rejected).toEqual([
      {
        line: 12,
        message:
          'La région Île-de-France (11) a plus de 10 métiers en tension : « Métier 11 » serait le 11e (les arrêtés en fixent 10 par région).',
      },
    ]);
    expect(r.lines.filter((l) => l.metier.toLowerCase() === 'métier 1').map((l) => l.rncp)).toEqual([['RNCP1000'], ['RNCP2000']]);
    expect(readMetiersEnTension('region;rncp\n84;RNCP1').rejected).toEqual([
      { line: 1, message: 'Colonne(s) manquante(s) : metier (en-tête attendu : region;metier;rncp).' },
    ]);
  });
});

describe('importing', () => {
  it('writes nothing when a line is refused', async () => {
    const r = await importMetiersEnTension(
      p.ctx.db,
      ANNEE,
      file('bad.csv', 'region;metier;rncp\n84;Aide-soignant;RNCP35830\n84;X;RNCP\n'),
      {
        now: WAVE_1_DAY,
      },
    );
    expect(r.rejected.map((x) => x.line)).toEqual([3]);
    expect(formatMetiersReport(r)).toEqual([
      'Rejet bad.csv ligne 3 : Le code RNCP « RNCP » n’est pas valide (RNCP suivi de chiffres, par exemple RNCP35319).',
      '1 refus : rien n’a été enregistré. Corrigez le fichier et relancez.',
    ]);
    expect(await stored()).toEqual([]);
  });

  it('stores the list (Windows-1252, region names, several codes in a cell), audits, and replaces it on a re-run', async () => {
    const latin1 = Buffer.from(
      'region,metier,rncp\r\nAuvergne-Rhône-Alpes,Électricien,"RNCP35346 | rncp 27774"\r\n84,Aide-soignant,35830\r\n',
      'latin1',
    );
    const r = await importMetiersEnTension(p.ctx.db, ANNEE, file('liste.csv', latin1), { now: WAVE_1_DAY, agentId: null });
    expect(r).toMatchObject({ regions: 1, metiers: 2, codes: 3, replaced: 0, rejected: [], unknownRncp: ['RNCP27774', 'RNCP35346'] });
    expect(await stored()).toEqual([
      { region: '84', metier: 'Aide-soignant', rncp: 'RNCP35830' },
      { region: '84', metier: 'Électricien', rncp: 'RNCP27774' },
      { region: '84', metier: 'Électricien', rncp: 'RNCP35346' },
    ]);
    expect(formatMetiersReport(r)[1]).toBe(
      'Attention : 2 code(s) RNCP ne correspondent à aucune formation du référentiel 2025 (RNCP27774, RNCP35346).',
    );
    const again = await importMetiersEnTension(
      p.ctx.db,
      ANNEE,
      file('liste-2.csv', 'region;metier;rncp\n11;Technicien informatique;RNCP37391\n'),
      {
        now: WAVE_1_DAY,
      },
    );
    expect(again).toMatchObject({ replaced: 3, rejected: [], unknownRncp: [] });
    expect(await stored()).toEqual([{ region: '11', metier: 'Technicien informatique', rncp: 'RNCP37391' }]);
    const audits = await selectRows<{ details: { fichier: string; remplaces: number } }>(
      p.ctx.db,
      sql`select details from audit_events where action = 'metiers_en_tension.importes' order by id`,
    );
    expect(audits.map((a) => [a.details.fichier, a.details.remplaces])).toEqual([
      ['liste.csv', 0],
      ['liste-2.csv', 3],
    ]);
  });

  it('the demo’s file is valid: ten métiers in each of the 18 regions', async () => {
    const r = await importMetiersEnTension(p.ctx.db, 2024, SEED_METIERS_FILE, { now: WAVE_1_DAY });
    expect(r).toMatchObject({ regions: 18, metiers: 180, rejected: [] });
  });
});
