import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { isValidSiret, isValidUai, makeValidSiren, makeValidSiret, makeValidUai } from '../../domain/identifiers.js';
import { buildCommuneIndex, nameKey, resolveCommune, type Commune } from './commune-index.js';
import { readCommunesCsv } from './communes.js';
import { checkSiret, checkUai, diplomeCle, headerKey, parseListe, parseReferentielFile, type ParsedFile } from './format.js';
import { CSV_MESSAGES, readCsv } from '../../shared/csv.js';
import { decodeText } from '../../shared/text-decoding.js';
import {
  departementName,
  departementOfCodePostal,
  DEPARTEMENTS,
  regionByName,
  regionName,
  regionOfDepartement,
  REGIONS,
} from './territoires.js';

const c = (code: string, nom: string, cps: string[], departement: string, region: string, lat = 45, lng = 3): Commune => ({
  code,
  nom,
  codesPostaux: cps,
  departement,
  region,
  lat,
  lng,
  population: 1000,
});
/** A few real communes (COG), enough for pure tests. */
const COMMUNES = buildCommuneIndex([
  c('75056', 'Paris', ['75001', '75014', '75015'], '75', '11', 48.8566, 2.3522),
  c('34032', 'Béziers', ['34500'], '34', '76', 43.3442, 3.2158),
  c('01004', 'Ambérieu-en-Bugey', ['01500'], '01', '84'),
  c('42218', 'Saint-Étienne', ['42000', '42100'], '42', '84'),
  c('71263', 'Louhans-Châteaurenaud', ['71500'], '71', '27'),
  c('71303', 'Montagny-près-Louhans', ['71500'], '71', '27'),
  c('49007', 'Angers', ['49000', '49100'], '49', '52'),
  c('72181', 'Le Mans', ['72000', '72100'], '72', '52'),
  c('24037', 'Bergerac', ['24100'], '24', '75'),
  c('66136', 'Perpignan', ['66000', '66100'], '66', '76'),
  c('05061', 'Gap', ['05000'], '05', '93'),
  c('45234', 'Orléans', ['45000', '45100'], '45', '24'),
  c('28085', 'Chartres', ['28000'], '28', '24'),
  c('60057', 'Beauvais', ['60000'], '60', '32'),
  c('14118', 'Caen', ['14000'], '14', '28'),
  c('17306', 'Saintes', ['17100'], '17', '75'),
]);

const RASPAIL = '19750691800048';
const SIREN = makeValidSiren('99812345');
const SIRET_A = makeValidSiret(SIREN, '0001');
const SIRET_B = makeValidSiret(SIREN, '0002');
const UAI_A = makeValidUai('0349001');
const UAI_B = makeValidUai('0349002');

const ETAB_HEADER = 'type;siret;siret_parent;uai;nom;adresse;code_postal;code_commune;commune;categorie;liste';
const parse = (text: string | Uint8Array, name = 'f.csv'): ParsedFile => parseReferentielFile(text, name, { communes: COMMUNES });
const reasons = (p: ParsedFile) => p.rejected.map((r) => `${r.line}: ${r.reason}`);

describe('decoding and tokenising', () => {
  it('reads UTF-8 with or without BOM, and Windows-1252', () => {
    const utf8 = Buffer.from('nom;commune\nÉcole;Béziers\n', 'utf8');
    expect(decodeText(utf8)).toEqual({ text: 'nom;commune\nÉcole;Béziers\n', encoding: 'utf-8' });
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8])).text).toBe('nom;commune\nÉcole;Béziers\n');
    const cp1252 = iconv.encode('nom;commune\nÉcole d’Œuvre;Béziers\n', 'win1252');
    expect(cp1252.includes(0xe9)).toBe(true);
    expect(decodeText(cp1252)).toEqual({ text: 'nom;commune\nÉcole d’Œuvre;Béziers\n', encoding: 'windows-1252' });
  });

  it('splits RFC 4180 records and keeps their first line number', () => {
    const recs = readCsv('a;b\r\n"x;1";"say ""hi"""\n"multi\nline";z\nlast;row', { delimiters: [';'] }).records;
    expect(recs).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x;1', 'say "hi"'] },
      { line: 3, cells: ['multi\nline', 'z'] },
      { line: 5, cells: ['last', 'row'] },
    ]);
    expect(readCsv('a;"open\nnever closed', { delimiters: [';'] }).issues).toEqual([{ line: 1, message: CSV_MESSAGES.unterminated }]);
  });

  it('normalises header names', () => {
    expect(headerKey(' Catégorie (L. 6241-5) ')).toBe('categorie_l_6241_5');
    expect(headerKey('Code postal')).toBe('code_postal');
  });
});

describe('identifiers and codes', () => {
  it('rejects malformed SIRETs and warns on a failing check digit', () => {
    expect(checkSiret('197 506 918 00048')).toEqual({ ok: true, value: { siret: RASPAIL, checksumWarning: false } });
    expect(checkSiret('1234')).toMatchObject({ ok: false });
    expect(checkSiret('1975069180004A')).toMatchObject({ ok: false });
    const bad = checkSiret('77560813500859'); // a real SIRET of the CFA list that fails Luhn
    expect(bad).toMatchObject({ ok: true, value: { checksumWarning: true } });
    expect(bad.ok && bad.warning).toMatch(/clé de contrôle incorrecte/);
  });

  it('accepts lower-case UAIs, warns on a wrong letter, rejects other shapes', () => {
    expect(checkUai('0750691u')).toEqual({ ok: true, value: { uai: '0750691U', checksumWarning: false } });
    expect(checkUai('0750691A')).toMatchObject({ ok: true, value: { uai: '0750691A', checksumWarning: true } });
    expect(checkUai('075069U')).toMatchObject({ ok: false });
  });

  it('reads lists and builds diploma keys', () => {
    expect(parseListe('Liste régionale')).toBe('regionale');
    expect(parseListe('N')).toBe('nationale');
    expect(parseListe('départementale')).toBeNull();
    expect(diplomeCle({ cfd: '32025520', rncp: 'RNCP35346', intitule: 'x', niveau: 5 })).toBe('cfd:32025520');
    expect(diplomeCle({ cfd: null, rncp: 'RNCP35346', intitule: 'x', niveau: 5 })).toBe('rncp:RNCP35346');
    expect(diplomeCle({ cfd: null, rncp: null, intitule: 'Bachelor Éco', niveau: 6 })).toBe('intitule:bachelor eco|6');
  });
});

describe('communes and territories', () => {
  it('resolves codes, arrondissements, postal codes, CEDEX and abbreviations', () => {
    const code = (x: ReturnType<typeof resolveCommune>) => (x.ok ? x.commune.code : x.message);
    expect(code(resolveCommune(COMMUNES, { codeCommune: '75114' }))).toBe('75056');
    expect(code(resolveCommune(COMMUNES, { codePostal: '75014', nom: 'PARIS 14' }))).toBe('75056');
    expect(code(resolveCommune(COMMUNES, { codePostal: '01502', nom: 'AMBERIEU EN BUGEY CEDEX' }))).toBe('01004');
    expect(code(resolveCommune(COMMUNES, { codePostal: '42100', nom: 'ST ETIENNE' }))).toBe('42218');
    expect(code(resolveCommune(COMMUNES, { codePostal: '71500', nom: 'Louhans' }))).toBe('71263');
    expect(code(resolveCommune(COMMUNES, { nom: 'Béziers' }))).toBe('34032');
    expect(code(resolveCommune(COMMUNES, { codePostal: '71500' }))).toMatch(/ambiguë/);
    expect(code(resolveCommune(COMMUNES, { codeCommune: '99999' }))).toMatch(/inconnue/);
    expect(nameKey('Paris 15e Arrondissement')).toBe('paris');
  });

  it('names départements and régions', () => {
    expect(departementName('75')).toBe('Paris');
    expect(departementName('2a')).toBe('Corse-du-Sud');
    expect(regionOfDepartement('2B')).toBe('94');
    expect(regionName('11')).toBe('Île-de-France');
    expect(regionByName('ile de france')?.code).toBe('11');
    expect(departementOfCodePostal('20200')).toBe('2B');
    expect(departementOfCodePostal('97411')).toBe('974');
    expect(DEPARTEMENTS).toHaveLength(101);
    expect(REGIONS).toHaveLength(18);
    expect(DEPARTEMENTS.slice(18, 22).map((d) => d.code)).toEqual(['19', '2A', '2B', '21']);
  });
});

describe('establishments file', () => {
  it('reads establishments and composantes, filling département, région and coordinates from the commune', () => {
    const p = parse(
      [
        ETAB_HEADER,
        `etablissement;${RASPAIL};;0750691U;LYCEE DES METIERS RASPAIL;5 B AV MAURICE D OCAGNE;75014;;Paris;1°;regionale`,
        `;${SIRET_A};;${UAI_A}|${UAI_B.toLowerCase()};UNIVERSITE TEST;1 RUE X;;34032;;3;`,
        `;;${SIRET_A};${UAI_B};UNIVERSITE TEST - IUT;;34500;;Béziers;;`,
      ].join('\n'),
    );
    expect(reasons(p)).toEqual([]);
    expect(p.kind).toBe('etablissements');
    expect(p.etablissements).toHaveLength(3);
    const [raspail, univ, iut] = p.etablissements;
    expect(raspail).toMatchObject({
      type: 'etablissement',
      siret: RASPAIL,
      uais: [{ uai: '0750691U', checksumWarning: false }],
      codeCommune: '75056',
      commune: 'Paris',
      codePostal: '75014',
      departement: '75',
      region: '11',
      lat: 48.8566,
      categorie: '1°',
      liste: 'regionale',
      checksumWarning: false,
    });
    expect(univ).toMatchObject({
      type: 'etablissement',
      categorie: '3°',
      liste: 'regionale',
      uais: [{ uai: UAI_A }, { uai: UAI_B }],
      codePostal: '34500',
    });
    expect(iut).toMatchObject({
      type: 'composante',
      siret: SIRET_A,
      siretParent: SIRET_A,
      categorie: null,
      liste: null,
      codeCommune: '34032',
    });
  });

  it('rejects each defective row with its line number and a French reason', () => {
    const rows = [
      ETAB_HEADER,
      `etablissement;;;;SANS SIRET;;75014;;Paris;1°;`, // 2
      `etablissement;1234;;;SIRET COURT;;75014;;Paris;1°;`, // 3
      `etablissement;${SIRET_A};;;;;75014;;Paris;1°;`, // 4 no name
      `etablissement;${SIRET_A};;;CATEGORIE;;75014;;Paris;15°;`, // 5
      `etablissement;${SIRET_A};;;CATEGORIE VIDE;;75014;;Paris;;`, // 6
      `etablissement;${SIRET_A};;;NATIONAL;;75014;;Paris;13°;regionale`, // 7
      `etablissement;${SIRET_A};;;REGIONAL;;75014;;Paris;1°;nationale`, // 8
      `composante;${SIRET_B};;;ORPHELINE;;75014;;Paris;;`, // 9
      `etablissement;${SIRET_A};;;COMMUNE;;99999;;Nulle-Part;1°;`, // 10
      `etablissement;${SIRET_A};;07506;UAI COURTE;;75014;;Paris;1°;`, // 11
      `etablissement;${SIRET_A};;;LISTE;;75014;;Paris;1°;departementale`, // 12
      `etablissement;${SIRET_A};;;TROP COURTE;75014`, // 13
      `truc;${SIRET_A};;;TYPE;;75014;;Paris;1°;`, // 14
      `etablissement;${SIRET_A};;;CP;;7501;;Paris;1°;`, // 15
    ];
    const p = parse(rows.join('\n'));
    expect(p.etablissements).toHaveLength(0);
    expect(reasons(p)).toEqual([
      '2: SIRET manquant.',
      '3: SIRET invalide « 1234 » : 14 chiffres attendus.',
      '4: Nom de l’établissement manquant.',
      '5: Catégorie inconnue « 15° » : 1° à 13° de l’article L. 6241-5 du code du travail attendu.',
      '6: Catégorie manquante (1° à 13° de l’article L. 6241-5 du code du travail).',
      '7: Incohérence : la catégorie 13° (organismes nationaux) relève de la liste nationale.',
      '8: Incohérence : la liste nationale est réservée à la catégorie 13° (catégorie lue : 1°).',
      '9: Composante sans établissement principal : indiquez « siret_parent ».',
      '10: Commune inconnue : « Nulle-Part » (99999).',
      '11: UAI invalide « 07506 » : 7 chiffres suivis d’une lettre attendus (ex. : 0750691U).',
      '12: Liste inconnue « departementale » : « regionale » ou « nationale » attendu.',
      '13: 6 colonnes au lieu de 11 (séparateur « ; »).',
      '14: Type de ligne inconnu « truc » : « etablissement » ou « composante » attendu.',
      '15: Code postal invalide « 7501 » : 5 chiffres attendus.',
    ]);
  });

  it('imports a SIRET or a UAI failing its check with a warning', () => {
    const p = parse([ETAB_HEADER, `etablissement;77560813500859;;0750691A;CFA REEL;;75014;;Paris;2°;`].join('\n'));
    expect(reasons(p)).toEqual([]);
    expect(p.etablissements[0]).toMatchObject({ checksumWarning: true, uais: [{ uai: '0750691A', checksumWarning: true }] });
    expect(p.warnings.map((w) => w.reason)).toEqual([
      'SIRET 77560813500859 : clé de contrôle incorrecte (importé avec un avertissement, à vérifier).',
      'UAI 0750691A : lettre de contrôle incorrecte (importée avec un avertissement, à vérifier).',
    ]);
  });

  it('accepts commas, quotes, aliases with accents and case, and keeps formulas as text', () => {
    const p = parse(
      [
        'Raison sociale,SIRET,Code UAI,Code postal,Ville,Catégorie L6241-5,Liste,Couleur préférée',
        `"=cmd|' /C calc'!A0",${RASPAIL},0750691U,75014,"Paris",1,R,bleu`,
        `"ECOLE ""LA, VIRGULE""",${SIRET_A},,34500,BEZIERS,02,,`,
      ].join('\r\n'),
    );
    expect(reasons(p)).toEqual([]);
    expect(p.delimiter).toBe(',');
    expect(p.etablissements.map((e) => e.nom)).toEqual(["=cmd|' /C calc'!A0", 'ECOLE "LA, VIRGULE"']);
    expect(p.etablissements[1]).toMatchObject({ categorie: '2°', commune: 'Béziers' });
    expect(p.warnings.map((w) => w.reason)).toEqual(['Colonne « Couleur préférée » ignorée (inconnue pour un fichier de etablissements).']);
  });

  it('rejects a 5,000-character cell and reads coordinates', () => {
    const p = parse(
      [
        'siret;nom;code_commune;categorie;latitude;longitude',
        `${RASPAIL};${'A'.repeat(5000)};75056;1°;;`,
        `${RASPAIL};LYCEE;75056;1°;48,8412;2.3003`,
        `${SIRET_A};LYCEE;75056;1°;48.8;`,
        `${SIRET_B};LYCEE;75056;1°;91;2`,
      ].join('\n'),
    );
    expect(reasons(p)).toEqual([
      '2: Valeur trop longue pour « nom » : 5000 caractères (250 au plus).',
      '4: Coordonnées invalides « 48.8 ;  » : latitude et longitude en degrés décimaux attendues (ex. : 48.8412 ; 2.3003).',
      '5: Coordonnées invalides « 91 ; 2 » : latitude et longitude en degrés décimaux attendues (ex. : 48.8412 ; 2.3003).',
    ]);
    expect(p.etablissements[0]).toMatchObject({ lat: 48.8412, lng: 2.3003 });
  });

  it('rejects an unknown file, missing columns, a wrong separator and an unclosed quote', () => {
    expect(reasons(parse('foo;bar\n1;2'))).toEqual([
      '1: Type de fichier non reconnu : l’en-tête doit contenir « nom » et « categorie » (établissements) ou « intitule » (formations).',
    ]);
    expect(reasons(parse('siret|nom|categorie|commune\n1|2|3|4'))[0]).toMatch(
      /Une seule colonne lue : le séparateur doit être « ; » ou « , »/,
    );
    expect(reasons(parse('nom;commune\nX;Paris'))).toEqual(['1: Colonnes obligatoires absentes : siret, categorie.']);
    expect(reasons(parse(''))).toEqual(['0: Fichier vide : aucune ligne d’en-tête.']);
    const p = parse(`${ETAB_HEADER}\netablissement;${RASPAIL};;;"LYCEE;;75014;;Paris;1°;\n`);
    expect(reasons(p)).toEqual(['2: Guillemet ouvrant sans guillemet fermant : la ligne et la suite du fichier ne peuvent pas être lues.']);
  });
});

describe('formations file', () => {
  const H = 'siret;uai;intitule;cfd;rncp;niveau;type;code_commune;code_postal;commune';
  it('reads formations, codes and places', () => {
    const p = parse(
      [
        H,
        `${RASPAIL};0750691U;BTS - Production - Electrotechnique;32025520;RNCP35346;Niveau 5;bts;;;`,
        `;0750691U;BAC PRO Cuisine;400-22106;37910;4;BAC PRO;;34500;Béziers`,
        `${RASPAIL};;Bachelor;;;;;;;`,
      ].join('\n'),
    );
    expect(reasons(p)).toEqual([]);
    expect(p.kind).toBe('formations');
    expect(p.formations).toEqual([
      {
        file: 'f.csv',
        line: 2,
        siret: RASPAIL,
        uai: '0750691U',
        intitule: 'BTS - Production - Electrotechnique',
        cfd: '32025520',
        rncp: 'RNCP35346',
        niveau: 5,
        type: 'BTS',
        lieu: null,
      },
      {
        file: 'f.csv',
        line: 3,
        siret: null,
        uai: '0750691U',
        intitule: 'BAC PRO Cuisine',
        cfd: '40022106',
        rncp: 'RNCP37910',
        niveau: 4,
        type: 'BAC PRO',
        lieu: { codeCommune: '34032', commune: 'Béziers' },
      },
      {
        file: 'f.csv',
        line: 4,
        siret: RASPAIL,
        uai: null,
        intitule: 'Bachelor',
        cfd: null,
        rncp: null,
        niveau: null,
        type: null,
        lieu: null,
      },
    ]);
  });

  it('rejects bad niveaux, codes and missing values', () => {
    const p = parse(
      [
        H,
        `${RASPAIL};;BTS;;;9;;;;`,
        `${RASPAIL};;BTS;;;35;;;;`,
        `${RASPAIL};;BTS;;;bac+2;;;;`,
        `${RASPAIL};;BTS;3202552;;;;;;`,
        `${RASPAIL};;BTS;;RNCP 1234567;;;;;`,
        `${RASPAIL};;;;;5;;;;`,
        `;;BTS;;;5;;;;`,
        `${RASPAIL};;BTS;;;5;;99999;;`,
      ].join('\n'),
    );
    expect(reasons(p)).toEqual([
      '2: Niveau invalide « 9 » : un niveau de 3 à 8 du cadre national des certifications attendu.',
      '3: Niveau invalide « 35 » : un niveau de 3 à 8 du cadre national des certifications attendu.',
      '4: Niveau invalide « bac+2 » : un niveau de 3 à 8 du cadre national des certifications attendu.',
      '5: Code diplôme (CFD) invalide « 3202552 » : 8 chiffres ou lettres attendus (ex. : 32031212).',
      '6: Code RNCP invalide « RNCP 1234567 » : « RNCP » suivi de 1 à 6 chiffres attendu (ex. : RNCP38368).',
      '7: Intitulé de la formation manquant.',
      '8: Établissement manquant : indiquez le SIRET (et l’UAI d’une composante) ou l’UAI.',
      '9: Lieu de formation : commune inconnue : code INSEE « 99999 » absent du code officiel géographique.',
    ]);
  });
});

describe('the examples of docs/referentiel-format.md', () => {
  it('parse without any rejection or warning', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/referentiel-format.md'), 'utf8');
    const blocks = [...doc.matchAll(/```csv\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(2);
    const communes = buildCommuneIndex(readCommunesCsv());
    const [etabs, formations] = blocks.map((b, i) => parseReferentielFile(b, `exemple-${i}.csv`, { communes }));
    expect([...etabs!.rejected, ...etabs!.warnings, ...formations!.rejected, ...formations!.warnings]).toEqual([]);
    expect(etabs!.etablissements.map((e) => [e.type, e.commune])).toEqual([
      ['etablissement', 'Paris'],
      ['etablissement', 'Montpellier'],
      ['composante', 'Béziers'],
      ['composante', 'Nîmes'],
    ]);
    expect(formations!.formations).toHaveLength(3);
    for (const e of etabs!.etablissements) {
      expect(isValidSiret(e.siret)).toBe(true);
      for (const u of e.uais) expect(isValidUai(u.uai)).toBe(true);
    }
  });
});
