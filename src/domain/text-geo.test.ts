import { describe, expect, it } from 'vitest';
import { boundingBox, distanceKm } from './geo.js';
import { dePlace, searchKey, searchWords } from './text.js';

describe('search keys', () => {
  it('drops accents, case and punctuation', () => {
    expect(searchKey('Lycée Saint-Étienne  (Œuvre)')).toBe('lycee saint etienne oeuvre');
    expect(searchKey("L'ÉCOLE D'INGÉNIEURS")).toBe('l ecole d ingenieurs');
    expect(searchKey('%_\'"; DROP TABLE 😀')).toBe('drop table');
    expect(searchWords('BTS bts Commerce')).toEqual(['bts', 'commerce']);
  });

  it('« de » before a place name: elided before a vowel, contracted with Le and Les', () => {
    expect(dePlace('Tours (37)')).toBe('de Tours (37)');
    expect(dePlace('Orléans (45)')).toBe('d’Orléans (45)');
    expect(dePlace('Évry-Courcouronnes (91)')).toBe('d’Évry-Courcouronnes (91)');
    expect(dePlace('Le Mans (72)')).toBe('du Mans (72)');
    expect(dePlace('Les Mureaux (78)')).toBe('des Mureaux (78)');
    expect(dePlace('La Rochelle (17)')).toBe('de La Rochelle (17)');
    expect(dePlace('Hazebrouck (59)')).toBe('de Hazebrouck (59)');
  });
});

describe('distances', () => {
  const paris = { lat: 48.8566, lng: 2.3522 };
  const lyon = { lat: 45.764, lng: 4.8357 };
  it('measures Paris–Lyon at about 392 km', () => {
    expect(distanceKm(paris, lyon)).toBeGreaterThan(390);
    expect(distanceKm(paris, lyon)).toBeLessThan(394);
  });
  it('builds a box that contains the circle', () => {
    const box = boundingBox(paris, 50);
    const east = { lat: paris.lat, lng: box.maxLng };
    expect(distanceKm(paris, east)).toBeGreaterThanOrEqual(49.9);
  });
});
