import { describe, expect, it } from 'vitest';
import {
  criteriaQuery,
  editDistance,
  MAX_FIELD_LENGTH,
  oneEditVariants,
  parseCriteria,
  parseQueryTerm,
  placeNameScore,
  trigramSimilarity,
} from './recherche.js';

describe('parseQueryTerm: what the first field means', () => {
  it('14 digits → SIRET, 9 → SIREN, 7 + letter → UAI (upper case); spaces and dots allowed', () => {
    expect(parseQueryTerm('197 506 918 00048')).toEqual({ kind: 'siret', siret: '19750691800048' });
    expect(parseQueryTerm('197.506.918')).toEqual({ kind: 'siren', siren: '197506918' });
    expect(parseQueryTerm(' 0750691u ')).toEqual({ kind: 'uai', uai: '0750691U' });
  });

  it('anything else is words: long ones filter, short ones only rank', () => {
    expect(parseQueryTerm('Lycée des Métiers Raspail')).toEqual({
      kind: 'text',
      key: 'lycee des metiers raspail',
      words: ['lycee', 'des', 'metiers', 'raspail'],
      short: [],
    });
    expect(parseQueryTerm("L'École de la 2e chance")).toMatchObject({ words: ['ecole', 'chance'], short: ['l', 'de', 'la', '2e'] });
    expect(parseQueryTerm('12345')).toMatchObject({ kind: 'text', words: ['12345'] });
  });

  it('nothing alphanumeric is no criterion', () => {
    for (const s of ['', '   ', '%', '_', "'", '😀', '<>', '\u0000']) expect(parseQueryTerm(s)).toEqual({ kind: 'none' });
  });

  it('at most 6 filtering words, the longest', () => {
    const t = parseQueryTerm('un deux trois quatre cinq sixieme septieme huitieme neuvieme');
    expect(t.kind === 'text' && t.words.length).toBe(6);
    expect(t.kind === 'text' && t.words).toContain('septieme');
  });
});

describe('fuzzy names', () => {
  it('trigram similarity as pg_trgm computes it', () => {
    expect(trigramSimilarity('tours', 'tours')).toBe(1);
    expect(trigramSimilarity('tousr', 'tours')).toBeCloseTo(1 / 3, 5);
    expect(trigramSimilarity('', 'tours')).toBe(0);
  });

  it('edit distance counts a transposition once', () => {
    expect(editDistance('tuors', 'tours')).toBe(1);
    expect(editDistance('tours', 'tours')).toBe(0);
    expect(editDistance('blois', 'bloisx')).toBe(1);
    expect(placeNameScore('tuors', 'tours')).toBeCloseTo(0.8, 5);
    expect(placeNameScore('dax', 'day')).toBeLessThan(0.45);
  });

  it('one-edit variants: every search key at edit distance 1, each once, and the key itself', () => {
    const v = oneEditVariants('tuors');
    for (const s of ['tours', 'tuor', 'tuorss', 'tudrs', 'tuors', 'tuo rs']) expect(v).toContain(s);
    // not search keys (searchKey trims and keeps one space between words)
    for (const s of [' tuors', 'tuors ']) expect(v).not.toContain(s);
    expect(oneEditVariants('a b')).not.toContain('a  b');
    expect(new Set(v).size).toBe(v.length);
    for (const s of v) expect(editDistance('tuors', s)).toBeLessThanOrEqual(1);
    // 5 deletions, 4 swaps, 5 × 26 substitutions, 6 × 27 insertions, at most (fewer: duplicates)
    expect(v.length).toBeLessThanOrEqual(1 + 5 + 4 + 5 * 26 + 6 * 27);
    expect(oneEditVariants('saintd enis')).toContain('saint denis');
    expect(oneEditVariants('')).toEqual([]);
  });
});

describe('parseCriteria', () => {
  it('reads every field, first value of repeated keys', () => {
    const p = parseCriteria({
      q: ['Raspail', 'x'],
      lieu: 'Paris',
      autourDe: 'Tours',
      rayonKm: '30',
      formation: 'bts',
      niveau: '5',
      rncp: '38362',
      type: 'bts',
      categorie: '1',
      liste: 'nationale',
      page: '2',
      annee: '2025',
    });
    expect(p.errors).toEqual({});
    expect(p.submitted).toBe(true);
    expect(p.criteria).toEqual({
      q: 'Raspail',
      lieu: 'Paris',
      autourDe: 'Tours',
      rayonKm: 30,
      formation: 'bts',
      niveau: 5,
      rncp: 'RNCP38362',
      type: 'BTS',
      categorie: '1°',
      liste: 'nationale',
      page: 2,
      annee: 2025,
    });
  });

  it('nothing sent: not submitted, defaults', () => {
    const p = parseCriteria({});
    expect(p.submitted).toBe(false);
    expect(p.criteria.page).toBe(1);
    expect(p.criteria.rayonKm).toBe(10);
  });

  it('long text is cut to 200 characters with a notice (emoji kept whole)', () => {
    const p = parseCriteria({ q: '😀'.repeat(300) });
    expect(Array.from(p.criteria.q)).toHaveLength(MAX_FIELD_LENGTH);
    expect(p.criteria.q).not.toContain('\ufffd');
    expect(p.notices[0]).toMatch(/limité à 200 caractères/);
  });

  it('a wrong choice gets a French message for its field', () => {
    const p = parseCriteria({
      niveau: '9',
      rncp: 'x',
      categorie: '14',
      liste: 'autre',
      rayonKm: '0',
      page: '-1',
      annee: '99',
      type: '<b>',
    });
    expect(Object.keys(p.errors).sort()).toEqual(['annee', 'categorie', 'liste', 'niveau', 'page', 'rayonKm', 'rncp', 'type']);
    for (const m of Object.values(p.errors)) expect(m).toMatch(/[éèà]|doit|est/);
  });

  it('criteriaQuery round-trips', () => {
    const c = parseCriteria({ q: 'a&b=c', autourDe: 'Tours', rayonKm: '20', niveau: '4', page: '3' }).criteria;
    const again = parseCriteria(Object.fromEntries(new URLSearchParams(criteriaQuery(c)))).criteria;
    expect(again).toEqual(c);
    expect(criteriaQuery(parseCriteria({}).criteria)).toBe('recherche=1');
  });
});
