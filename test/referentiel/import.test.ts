/**
 * import-referential on hostile and malformed files: wrong separator, missing columns, bad niveaux,
 * Windows-1252 with accents, BOM, huge cells, formulas, duplicates, composantes, partial failures,
 * updates and idempotency — always on a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret, makeValidUai } from '../../src/domain/identifiers.js';
import { importReferentiel, importReferentielContents, type RefFileContent } from '../../src/modules/referentiel/import.js';
import { counts, refDatabase, rows, type RefDb } from './helpers.js';

let ref: RefDb;
beforeAll(async () => {
  ref = await refDatabase();
}, 60_000);
afterAll(() => ref?.drop());

const now = new Date('2026-05-04T08:00:00Z');
const siren = (n: number) => makeValidSiren(`998${String(n).padStart(5, '0')}`);
const siret = (n: number, nic = 1) => makeValidSiret(siren(n), String(nic).padStart(4, '0'));
const uai = (n: number) => makeValidUai(`034${String(9000 + n).padStart(4, '0')}`);
const ETAB_HEADER = 'type;siret;siret_parent;uai;nom;adresse;code_postal;code_commune;commune;categorie;liste';
const FORM_HEADER = 'siret;uai;intitule;cfd;rncp;niveau;type;code_commune;code_postal;commune';
const file = (name: string, lines: string[]): RefFileContent => ({ name, content: `${lines.join('\n')}\n` });
const run = (annee: number, files: RefFileContent[]) =>
  importReferentielContents(ref.database.db, annee, files, { now, communes: ref.communes });

async function etab(annee: number, cle: string) {
  const [e] = await rows(
    ref.database,
    sql`select e.*, p.cle as parent_cle,
          (select string_agg(u.uai || (case when u.checksum_warning then '!' else '' end), '|' order by u.uai) from ref_etablissement_uais u where u.etablissement_id = e.id) as uais,
          (select count(*) from ref_formations f where f.etablissement_id = e.id) as formations
        from ref_etablissements e left join ref_etablissements p on p.id = e.parent_id
        where e.annee = ${annee} and e.cle = ${cle}`,
  );
  return e;
}

describe('import of a regional list with composantes and formations', () => {
  const Y = 2031;
  const etabs = file('etablissements.csv', [
    ETAB_HEADER,
    `etablissement;${siret(1)};;${uai(1)}|${uai(2)};UNIVERSITE DE BEZIERS;1 RUE DES ECOLES;34500;;Béziers;3°;`,
    `composante;${siret(1, 2)};${siret(1)};${uai(3)};UNIVERSITE DE BEZIERS - IUT;2 RUE DES ECOLES;;34172;;;`,
    `composante;;${siret(1)};${uai(4)};UNIVERSITE DE BEZIERS - ANTENNE;;;34032;;;`,
    `composante;;${siret(1)};;UNIVERSITE DE BEZIERS - SITE SANS UAI;;;34032;;;`,
    `etablissement;${siret(2)};;;FEDERATION NATIONALE DES METIERS;;75014;;Paris;13;`,
    `composante;${siret(3, 2)};${siret(3)};;COMPOSANTE D'UN INCONNU;;75014;;Paris;;`,
    `etablissement;${siret(4)};;${uai(5)};LYCEE SANS COMMUNE;;;;;1°;`,
  ]);
  const formations = file('formations.csv', [
    FORM_HEADER,
    `${siret(1)};;LICENCE PRO Métiers du numérique;25032686;RNCP29973;6;LICENCE PRO;;;`,
    `${siret(1)};${uai(2)};MASTER Droit fiscal;1351281W;RNCP38197;7;MASTER;;;`,
    `${siret(1, 2)};;BUT Mesures physiques;25111501;RNCP35480;6;BUT;;;`,
    `${siret(1)};${uai(4)};BUT Mesures physiques;25111501;;;;;;`,
    `;${uai(3)};BUT Statistique;25111401;RNCP35401;6;BUT;66136;;`,
    `${siret(1)};${uai(4)};BUT Mesures physiques;25111501;;;;;;`,
    `${siret(4)};;BAC PRO Cuisine;40022106;RNCP37910;4;BAC PRO;;;`,
    `${siret(9)};;BTS Banque;32031313;RNCP38381;5;BTS;;;`,
    `${siret(1)};${uai(9)};BTS Banque;32031313;RNCP38381;5;BTS;;;`,
    `${siret(2)};;Titre national;;;5;TITRE RNCP;;;`,
  ]);

  it('imports valid rows, links composantes, and rejects the others with their line', async () => {
    const r = await run(Y, [etabs, formations]);
    expect(r.rejected.map((x) => `${x.file}:${x.line} ${x.reason}`)).toEqual([
      `etablissements.csv:7 Composante sans établissement principal : le SIRET parent ${siret(3)} n’est ni dans les fichiers ni dans le référentiel ${Y}.`,
      'etablissements.csv:8 Commune manquante : indiquez le code INSEE, ou le code postal et le nom de la commune.',
      `formations.csv:8 Établissement inconnu : SIRET ${siret(4)} absent du référentiel ${Y} (ni dans les fichiers ni déjà importé).`,
      `formations.csv:9 Établissement inconnu : SIRET ${siret(9)} absent du référentiel ${Y} (ni dans les fichiers ni déjà importé).`,
      `formations.csv:10 Aucun établissement ni composante de SIRET ${siret(1)} ne porte l’UAI ${uai(9)} en ${Y}.`,
    ]);
    expect(r.warnings.map((x) => `${x.file}:${x.line} ${x.reason}`)).toEqual([
      'formations.csv:7 Formation en double (même établissement, même diplôme et même lieu qu’à la ligne 5) : ignorée.',
    ]);
    expect(r.etablissements).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(r.composantes).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    expect(r.formations).toEqual({ inserted: 6, updated: 0, unchanged: 0 });

    const univ = await etab(Y, siret(1));
    expect(univ).toMatchObject({
      nom: 'UNIVERSITE DE BEZIERS',
      categorie: '3°',
      liste: 'regionale',
      code_commune: '34032',
      departement: '34',
      region: '76',
      uais: `${uai(1)}|${uai(2)}`,
      parent_cle: null,
    });
    expect(Number(univ!.formations)).toBe(2);
    const iut = await etab(Y, `${siret(1, 2)}/${uai(3)}`);
    expect(iut).toMatchObject({
      siret: siret(1, 2),
      parent_cle: siret(1),
      categorie: '3°',
      liste: 'regionale',
      commune: 'Montpellier',
      uais: uai(3),
    });
    expect(Number(iut!.formations)).toBe(2);
    const antenne = await etab(Y, `${siret(1)}/${uai(4)}`);
    expect(antenne).toMatchObject({ siret: siret(1), parent_cle: siret(1), commune: 'Béziers' });
    expect(Number(antenne!.formations)).toBe(1);
    expect(await etab(Y, `${siret(1)}/1`)).toMatchObject({ nom: 'UNIVERSITE DE BEZIERS - SITE SANS UAI', uais: null });
    expect(await etab(Y, siret(2))).toMatchObject({ categorie: '13°', liste: 'nationale', commune: 'Paris' });
    // a rejected establishment leaves nothing behind, not even its UAI
    expect(await etab(Y, siret(4))).toBeUndefined();
    const [orphanUai] = await rows(ref.database, sql`select count(*) as n from ref_etablissement_uais where uai = ${uai(5)}`);
    expect(Number(orphanUai!.n)).toBe(0);
    // the formation taught elsewhere keeps its place; the others have none
    const places = await rows(
      ref.database,
      sql`select f.code_commune, f.commune from ref_formations f join ref_etablissements e on e.id = f.etablissement_id where e.annee = ${Y} order by f.code_commune desc`,
    );
    expect(places[0]).toEqual({ code_commune: '66136', commune: 'Perpignan' });
    expect(places.slice(1).every((p) => p.code_commune === '' && p.commune === null)).toBe(true);
  });

  it('is idempotent: the same files again change nothing', async () => {
    const before = await counts(ref.database, Y);
    const r = await run(Y, [etabs, formations]);
    expect(r.etablissements).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    expect(r.composantes).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(r.formations).toEqual({ inserted: 0, updated: 0, unchanged: 6 });
    expect(r.diplomes.inserted + r.diplomes.updated).toBe(0);
    expect(r.rejected).toHaveLength(5);
    expect(await counts(ref.database, Y)).toEqual(before);
  });

  it('updates what changed, replaces the UAIs, and keeps other years apart', async () => {
    const changed = file('etablissements.csv', [
      ETAB_HEADER,
      `etablissement;${siret(1)};;${uai(2)}|${uai(6)};UNIVERSITE DE BEZIERS MEDITERRANEE;1 RUE DES ECOLES;34500;;Béziers;3°;`,
    ]);
    const r = await run(Y, [changed]);
    expect(r.etablissements).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(r.uais).toEqual({ inserted: 1, removed: 1 });
    expect(await etab(Y, siret(1))).toMatchObject({
      nom: 'UNIVERSITE DE BEZIERS MEDITERRANEE',
      nom_recherche: 'universite de beziers mediterranee',
      uais: `${uai(2)}|${uai(6)}`,
    });
    // the vocabulary of the year's names follows them (the search corrects typed words against it)
    const mots = async (annee: number) =>
      (await rows<{ mot: string }>(ref.database, sql`select mot from ref_mots where annee = ${annee}::int`)).map((m) => m.mot);
    expect(await mots(Y)).toContain('mediterranee');
    expect(await mots(Y)).not.toContain('de');
    // composantes and formations stay (an import never deletes)
    expect((await counts(ref.database, Y)).composantes).toBe(3);
    expect((await counts(ref.database, Y + 1)).etablissements).toBe(0);
    // the same files for the next year make a separate referential
    const next = await run(Y + 1, [etabs, formations]);
    expect(next.etablissements.inserted).toBe(2);
    expect(next.diplomes.inserted).toBe(0);
    expect((await counts(ref.database, Y + 1)).formations).toBe(6);
    expect(await mots(Y + 1)).toContain('beziers');
    expect(await mots(Y + 1)).not.toContain('mediterranee');
  });

  it('attaches formations to establishments imported earlier for the same year', async () => {
    const r = await run(Y, [
      file('formations-2.csv', [FORM_HEADER, `${siret(2)};;Nouveau titre;;;;;;;`, `;${uai(6)};Autre titre;;;6;;;;`]),
    ]);
    expect(r.rejected).toEqual([]);
    expect(r.formations.inserted).toBe(2);
  });
});

describe('hostile and malformed files', () => {
  const Y = 2033;

  it('reads a Windows-1252 file with accents, commas and quotes', async () => {
    const text = [
      'Raison sociale,SIRET,UAI,Code postal,Ville,Catégorie,Liste',
      `"ÉCOLE SUPÉRIEURE D'ŒNOLOGIE, BÉZIERS",${siret(20)},${uai(20)},34500,Béziers,5°,régionale`,
    ].join('\r\n');
    const r = await run(Y, [{ name: 'excel.csv', content: iconv.encode(text, 'win1252') }]);
    expect(r.rejected).toEqual([]);
    expect(await etab(Y, siret(20))).toMatchObject({
      nom: "ÉCOLE SUPÉRIEURE D'ŒNOLOGIE, BÉZIERS",
      nom_recherche: 'ecole superieure d oenologie beziers',
      commune: 'Béziers',
    });
  });

  it('reads a UTF-8 file with a BOM', async () => {
    const content = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`siret;nom;code_commune;categorie\n${siret(21)};LYCÉE À BOM;75056;1°\n`),
    ]);
    const r = await run(Y, [{ name: 'bom.csv', content }]);
    expect(r.rejected).toEqual([]);
    expect(await etab(Y, siret(21))).toMatchObject({ nom: 'LYCÉE À BOM' });
  });

  it('stores formulas as text and rejects a 5,000-character cell', async () => {
    const r = await run(Y, [
      file('formules.csv', [
        'siret;nom;code_commune;categorie',
        `${siret(22)};=HYPERLINK("http://evil.example","clic");75056;1°`,
        `${siret(23)};${'X'.repeat(5000)};75056;1°`,
        `${siret(24)};@SUM(A1:A2);75056;1°`,
        `${siret(31)};LYCEE\u0000NUL\tTAB;75056;1°`,
      ]),
    ]);
    // control characters (a NUL would make PostgreSQL refuse the whole statement) become spaces
    expect((await etab(Y, siret(31)))!.nom).toBe('LYCEE NUL TAB');
    expect(r.rejected.map((x) => `${x.line} ${x.reason}`)).toEqual(['3 Valeur trop longue pour « nom » : 5000 caractères (250 au plus).']);
    expect((await etab(Y, siret(22)))!.nom).toBe('=HYPERLINK("http://evil.example","clic")');
    expect((await etab(Y, siret(24)))!.nom).toBe('@SUM(A1:A2)');
    expect(await etab(Y, siret(23))).toBeUndefined();
  });

  it('rejects a file with the wrong separator or missing columns as a whole', async () => {
    const r = await run(Y, [
      file('pipes.csv', ['siret|nom|code_commune|categorie', `${siret(25)}|LYCEE|75056|1°`]),
      file('colonnes.csv', ['siret;nom;commune', `${siret(26)};LYCEE;Paris`]),
      { name: 'vide.csv', content: '' },
    ]);
    expect(r.rejected.map((x) => `${x.file}:${x.line} ${x.reason}`)).toEqual([
      'pipes.csv:1 Type de fichier non reconnu : l’en-tête doit contenir « nom » et « categorie » (établissements) ou « intitule » (formations). Une seule colonne lue : le séparateur doit être « ; » ou « , ».',
      'colonnes.csv:1 Colonne obligatoire absente : categorie.',
      'vide.csv:0 Fichier vide : aucune ligne d’en-tête.',
    ]);
    expect(r.etablissements.inserted).toBe(0);
  });

  it('rejects bad niveaux and keeps the valid formations of the same file', async () => {
    await run(Y, [file('e.csv', ['siret;nom;code_commune;categorie', `${siret(27)};LYCEE NIVEAUX;75056;1°`])]);
    const r = await run(Y, [
      file('niveaux.csv', [
        FORM_HEADER,
        `${siret(27)};;BTS A;;;9;;;;`,
        `${siret(27)};;BTS B;;;niveau 5;;;;`,
        `${siret(27)};;BTS C;;;deux;;;;`,
        `${siret(27)};;BTS D;;;2;;;;`,
      ]),
    ]);
    expect(r.rejected.map((x) => x.line)).toEqual([2, 4, 5]);
    expect(r.rejected[0]!.reason).toBe('Niveau invalide « 9 » : un niveau de 3 à 8 du cadre national des certifications attendu.');
    expect(r.formations.inserted).toBe(1);
    const [d] = await rows(ref.database, sql`select niveau, cle from ref_diplomes where intitule = 'BTS B'`);
    expect(d).toEqual({ niveau: 5, cle: 'intitule:bts b|5' });
  });

  it('warns on an identical duplicate and rejects a conflicting one', async () => {
    const line = `etablissement;${siret(28)};;${uai(28)};LYCEE DOUBLE;;75014;;Paris;1°;`;
    const r = await run(Y, [
      file('doublons.csv', [ETAB_HEADER, line, line, `etablissement;${siret(28)};;${uai(28)};LYCEE AUTRE NOM;;75014;;Paris;1°;`]),
    ]);
    expect(r.warnings.map((x) => `${x.line} ${x.reason}`)).toEqual(['3 Ligne en double (identique à la ligne 2) : ignorée.']);
    expect(r.rejected.map((x) => `${x.line} ${x.reason}`)).toEqual([
      `4 SIRET ${siret(28)} déjà décrit ligne 2 avec d’autres données : ligne ignorée.`,
    ]);
    expect(r.etablissements.inserted).toBe(1);
    expect((await etab(Y, siret(28)))!.nom).toBe('LYCEE DOUBLE');
  });

  it('imports a SIRET failing its check digit with a warning and the flag', async () => {
    const bad = `${siret(29).slice(0, 13)}${(Number(siret(29)[13]) + 1) % 10}`;
    const badUai = `${uai(29).slice(0, 7)}${uai(29)[7] === 'A' ? 'B' : 'A'}`;
    const r = await run(Y, [file('cles.csv', [ETAB_HEADER, `etablissement;${bad};;${badUai};LYCEE CLE;;75014;;Paris;1°;`])]);
    expect(r.rejected).toEqual([]);
    expect(r.warnings.map((w) => w.reason)).toEqual([
      `SIRET ${bad} : clé de contrôle incorrecte (importé avec un avertissement, à vérifier).`,
      `UAI ${badUai} : lettre de contrôle incorrecte (importée avec un avertissement, à vérifier).`,
    ]);
    expect(await etab(Y, bad)).toMatchObject({ checksum_warning: true, uais: `${badUai}!` });
  });

  it('reports unreadable files and refuses an invalid year', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ref-'));
    const good = join(dir, 'ok.csv');
    writeFileSync(good, `siret;nom;code_commune;categorie\n${siret(30)};LYCEE FICHIER;75056;1°\n`);
    const r = await importReferentiel(ref.database.db, Y, [join(dir, 'absent.csv'), dir, good], { now, communes: ref.communes });
    expect(r.files).toBe(3);
    expect(r.rejected.map((x) => x.reason)).toEqual(['Fichier illisible : fichier introuvable.', 'Fichier illisible : c’est un dossier.']);
    expect(r.etablissements.inserted).toBe(1);
    await expect(run(1999, [])).rejects.toThrow(/Année de campagne invalide/);
    rmSync(dir, { recursive: true, force: true });
  });
});
