import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_DIR } from '../../infra/files.js';
import { parseRegistryDocument, parseRegistryJson, type ParsedRegistry } from './registry-format.js';

/** The shared real-data folder when present, otherwise the identical copies in seed/registry. */
/** Real recherche-entreprises snapshots, kept in the repository (seed/SOURCES.md). */
const REAL_DIR = join(SEED_DIR, 'registry');
const realFiles = readdirSync(REAL_DIR)
  .filter((f) => f.startsWith('search-') && f.endsWith('.json'))
  .sort();

const parseFile = (f: string) => parseRegistryJson(readFileSync(join(REAL_DIR, f), 'utf8'), f);

/** A minimal recherche-entreprises result. */
function result(overrides: Record<string, unknown> = {}, siege: Record<string, unknown> = {}) {
  return {
    siren: '487444697',
    nom_complet: 'ESSOR ENERGIES (SOLARSUD)',
    nom_raison_sociale: 'ESSOR ENERGIES',
    sigle: null,
    nature_juridique: '5499',
    etat_administratif: 'A',
    siege: {
      siret: '48744469700428',
      est_siege: true,
      etat_administratif: 'A',
      adresse: '22 RUE MAISON BLANCHE 24330 BOULAZAC ISLE MANOIRE',
      code_postal: '24330',
      commune: '24053',
      libelle_commune: 'BOULAZAC ISLE MANOIRE',
      liste_enseignes: null,
      nom_commercial: null,
      ...siege,
    },
    matching_etablissements: [],
    ...overrides,
  };
}

const reasons = (issues: ParsedRegistry['rejected']) => issues.map((i) => i.reason).join('\n');

describe('parseRegistryDocument on the real recherche-entreprises snapshots', () => {
  it('finds the 23 snapshot files', () => {
    expect(realFiles).toHaveLength(23);
  });

  it.each(realFiles)('%s parses without throwing, with French reasons', (f) => {
    const p = parseFile(f);
    for (const e of p.etablissements) {
      expect(e.siret).toMatch(/^\d{14}$/);
      expect(e.siret.startsWith(e.siren)).toBe(true);
      expect(p.entreprises.some((x) => x.siren === e.siren)).toBe(true);
    }
    for (const issue of [...p.rejected, ...p.warnings]) {
      expect(issue.ref).toContain(f);
      // French prose, not an English exception message
      expect(issue.reason).toMatch(/[éèàù]|SIREN|SIRET|Aucun/);
    }
  });

  it('gives the expected totals over all files', () => {
    const all = realFiles.map(parseFile);
    const sirens = new Set(all.flatMap((p) => p.entreprises.map((e) => e.siren)));
    const sirets = new Set(all.flatMap((p) => p.etablissements.map((e) => e.siret)));
    expect(sirens.size).toBe(19);
    expect(sirets.size).toBe(19);
    expect(all.flatMap((p) => p.rejected)).toHaveLength(1);
    expect(all.flatMap((p) => p.warnings)).toHaveLength(2);
    // every real SIRET of the snapshots passes its check digit
    expect(all.flatMap((p) => p.etablissements).filter((e) => e.checksumWarning)).toHaveLength(0);
  });

  it('rejects the placeholder SIREN 123456789 (empty record) with a French reason', () => {
    const p = parseFile('search-123456789.json');
    expect(p.entreprises).toEqual([]);
    expect(p.etablissements).toEqual([]);
    expect(p.rejected).toHaveLength(1);
    expect(p.rejected[0]!.ref).toBe('search-123456789.json (SIREN 123456789)');
    expect(p.rejected[0]!.reason).toMatch(/Fiche entreprise vide/);
  });

  it('warns on a search without result (placeholder SIRET 12345678900003)', () => {
    const p = parseFile('search-12345678900003.json');
    expect(p.entreprises).toEqual([]);
    expect(p.rejected).toEqual([]);
    expect(p.warnings).toEqual([
      { ref: 'search-12345678900003.json', reason: 'Aucune entreprise dans le document pour la recherche « 12345678900003 ».' },
    ]);
  });

  it('keeps the registry’s count of open établissements, which the document lists only in part', () => {
    // L'ENFANT BLEU: 4 open établissements in SIRENE, only the siège in the document
    const p = parseFile('search-400485504.json');
    expect(p.entreprises[0]).toMatchObject({ siren: '400485504', nombreEtablissementsOuverts: 4 });
    expect(p.etablissements.filter((e) => e.etatAdministratif === 'A')).toHaveLength(1);
    // absent, or not a whole number: unknown
    const doc = (n: unknown) => ({ siren: '400485504', nom_complet: 'X', etat_administratif: 'A', nombre_etablissements_ouverts: n });
    expect(parseRegistryDocument(doc(undefined)).entreprises[0]?.nombreEtablissementsOuverts).toBeNull();
    expect(parseRegistryDocument(doc(2.5)).entreprises[0]?.nombreEtablissementsOuverts).toBeNull();
    expect(parseRegistryDocument(doc('4')).entreprises[0]?.nombreEtablissementsOuverts).toBeNull();
  });

  it('imports a non-diffusible company with a warning and no masked address', () => {
    const p = parseFile('search-300025764.json');
    expect(p.entreprises).toEqual([
      {
        siren: '300025764',
        raisonSociale: '[NON-DIFFUSIBLE]',
        sigle: null,
        categorieJuridique: '1000',
        etatAdministratif: 'A',
        nombreEtablissementsOuverts: 1,
      },
    ]);
    expect(p.etablissements[0]).toMatchObject({
      siret: '30002576400048',
      adresse: '',
      codePostal: null,
      codeCommune: '35238',
      libelleCommune: 'RENNES',
    });
    expect(reasons(p.warnings)).toMatch(/non diffusible/);
  });

  it('maps a ceased company and its closed siège', () => {
    const p = parseFile('search-839517323.json');
    expect(p.entreprises[0]).toMatchObject({
      siren: '839517323',
      raisonSociale: 'RED NEEDLES',
      etatAdministratif: 'C',
      categorieJuridique: '5499',
    });
    expect(p.etablissements[0]).toMatchObject({ siret: '83951732300011', etatAdministratif: 'F', estSiege: true });
  });

  it('uses nom_complet when nom_raison_sociale is null (entrepreneur individuel)', () => {
    const p = parseFile('search-883010316.json');
    expect(p.entreprises[0]!.raisonSociale).toBe('RAPHAEL DUBIGNY');
  });

  it('names an establishment by its enseigne, else its nom commercial, else the company', () => {
    expect(parseFile('search-217500016.json').etablissements[0]!.denomination).toBe('MAIRIE');
    expect(parseFile('search-487444697.json').etablissements[0]!.denomination).toBe('SOLARSUD');
    expect(parseFile('search-130025265.json').etablissements[0]).toMatchObject({
      denomination: 'DIRECTION INTERMINISTERIELLE DU NUMERIQUE',
      adresse: '20 AVENUE DE SEGUR 75007 PARIS',
      codePostal: '75007',
      codeCommune: '75107',
    });
    expect(parseFile('search-130025265.json').entreprises[0]).toMatchObject({ sigle: 'DINUM', categorieJuridique: '7120' });
  });

  it('keeps an establishment listed as siege and in matching_etablissements once', () => {
    const p = parseFile('search-48744469700428.json');
    expect(p.etablissements).toHaveLength(1);
    expect(p.etablissements[0]).toMatchObject({ siret: '48744469700428', estSiege: true });
  });
});

describe('parseRegistryDocument rules', () => {
  it('accepts the four document shapes', () => {
    const r = result();
    for (const doc of [{ searchTerms: 'x', result: { results: [r] } }, { results: [r] }, r, [r]]) {
      const p = parseRegistryDocument(doc, 'doc.json');
      expect(p.entreprises.map((e) => e.siren)).toEqual(['487444697']);
      expect(p.etablissements.map((e) => e.siret)).toEqual(['48744469700428']);
      expect(p.rejected).toEqual([]);
    }
  });

  it('reports a document of the wrong shape', () => {
    for (const doc of [{ foo: 1 }, 'texte', 42, null, { result: { total: 0 } }]) {
      const p = parseRegistryDocument(doc, 'bad.json');
      expect(p.entreprises).toEqual([]);
      expect(p.rejected).toHaveLength(1);
      expect(p.rejected[0]!.reason).toMatch(/^Document non reconnu/);
    }
  });

  it('reports a result whose fields have the wrong types', () => {
    const p = parseRegistryDocument([result({ siege: 'pas un objet' }), result({ siren: '302474648', siege: null })], 'x.json');
    expect(p.rejected).toHaveLength(1);
    expect(p.rejected[0]!.reason).toMatch(/structure inattendue : champ « siege »/);
    expect(p.entreprises.map((e) => e.siren)).toEqual(['302474648']);
  });

  it('rejects a SIREN that is not 9 digits, and its establishments', () => {
    for (const siren of ['48744469', '4874446970', '48744469A', '']) {
      const p = parseRegistryDocument(result({ siren }), 'x.json');
      expect(p.entreprises).toEqual([]);
      expect(p.etablissements).toEqual([]);
      expect(p.rejected).toHaveLength(1);
      expect(p.rejected[0]!.reason).toMatch(siren ? /9 chiffres/ : /SIREN absent/);
    }
  });

  it('rejects a 13-digit SIRET but keeps its company', () => {
    const p = parseRegistryDocument(result({}, { siret: '4874446970042' }), 'x.json');
    expect(p.entreprises).toHaveLength(1);
    expect(p.etablissements).toEqual([]);
    expect(p.rejected).toEqual([
      {
        ref: 'x.json (SIRET 4874446970042)',
        reason: 'SIRET « 4874446970042 » invalide : il doit comporter exactement 14 chiffres (13 caractères reçus). Établissement ignoré.',
      },
    ]);
  });

  it('rejects a SIRET that does not start with its SIREN', () => {
    const p = parseRegistryDocument(result({}, { siret: '30247464800664' }), 'x.json');
    expect(p.etablissements).toEqual([]);
    expect(p.rejected[0]!.reason).toMatch(/ne commence pas par le SIREN 487444697/);
  });

  it('imports a SIRET failing its check digit with checksumWarning and a warning', () => {
    const p = parseRegistryDocument(result({}, { siret: '48744469700429' }), 'x.json');
    expect(p.etablissements).toHaveLength(1);
    expect(p.etablissements[0]!.checksumWarning).toBe(true);
    expect(p.warnings).toEqual([
      {
        ref: 'x.json (SIRET 48744469700429)',
        reason: 'Clé de contrôle du SIRET incorrecte : établissement importé tel que fourni par le registre et signalé.',
      },
    ]);
  });

  it('imports a SIREN failing its check digit with a warning; its establishments are flagged', () => {
    const p = parseRegistryDocument(result({ siren: '487444698' }, { siret: '48744469800011' }), 'x.json');
    expect(p.entreprises).toHaveLength(1);
    expect(p.etablissements[0]!.checksumWarning).toBe(true);
    expect(reasons(p.warnings)).toMatch(/Clé de contrôle du SIREN incorrecte/);
  });

  it('applies the La Poste rule of isValidSiret', () => {
    const laPoste = (siret: string) =>
      parseRegistryDocument(result({ siren: '356000000', nom_raison_sociale: 'LA POSTE', nature_juridique: '5510' }, { siret }), 'x.json');
    // 35600000049837 fails Luhn but its digit sum is a multiple of 5: valid for La Poste
    expect(laPoste('35600000049837').etablissements[0]!.checksumWarning).toBe(false);
    expect(laPoste('35600000049837').warnings).toEqual([]);
    expect(laPoste('35600000049838').etablissements[0]!.checksumWarning).toBe(true);
  });

  it('deduplicates establishments across siege, matching_etablissements and repeated results', () => {
    const siege = result().siege;
    const other = { ...siege, siret: '48744469700394', est_siege: false, etat_administratif: 'F', liste_enseignes: ['SOLARSUD NORD'] };
    const r = result({ matching_etablissements: [{ ...siege, est_siege: undefined }, other, other] });
    const p = parseRegistryDocument({ results: [r, r] }, 'x.json');
    expect(p.entreprises).toHaveLength(1);
    expect(p.etablissements.map((e) => [e.siret, e.estSiege, e.etatAdministratif, e.denomination])).toEqual([
      ['48744469700428', true, 'A', 'ESSOR ENERGIES'],
      ['48744469700394', false, 'F', 'SOLARSUD NORD'],
    ]);
  });

  it('rejects a company without state or with an unknown state', () => {
    expect(parseRegistryDocument(result({ etat_administratif: null })).rejected[0]!.reason).toMatch(
      /État administratif de l’entreprise absent/,
    );
    expect(parseRegistryDocument(result({ etat_administratif: 'X' })).rejected[0]!.reason).toMatch(/« X » inconnu/);
  });

  it('deduces a missing establishment state, with a warning', () => {
    const p = parseRegistryDocument(result({ etat_administratif: 'C' }, { etat_administratif: null }));
    expect(p.etablissements[0]!.etatAdministratif).toBe('F');
    expect(reasons(p.warnings)).toMatch(/absent : « F » retenu \(fermé\)/);
  });

  it('drops an invalid postal code with a warning', () => {
    const p = parseRegistryDocument(result({}, { code_postal: '2433' }));
    expect(p.etablissements[0]!.codePostal).toBeNull();
    expect(reasons(p.warnings)).toMatch(/Code postal « 2433 » invalide/);
  });

  it('reports invalid or truncated JSON instead of throwing', () => {
    const full = readFileSync(join(REAL_DIR, 'search-302474648.json'), 'utf8');
    for (const text of [full.slice(0, 200), '', 'not json', '{"results": [']) {
      const p = parseRegistryJson(text, 'cassé.json');
      expect(p.entreprises).toEqual([]);
      expect(p.rejected).toHaveLength(1);
      expect(p.rejected[0]).toMatchObject({ ref: 'cassé.json' });
      expect(p.rejected[0]!.reason).toMatch(/^Fichier illisible : JSON invalide ou tronqué/);
    }
    // a UTF-8 byte-order mark is tolerated
    expect(parseRegistryJson(`\uFEFF${full}`, 'bom.json').entreprises).toHaveLength(1);
  });
});
