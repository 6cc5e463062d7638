/**
 * Search keys: how names, titles and queries are compared. Lowercase, accents removed (NFD, combining
 * marks dropped, œ/æ expanded), every run of non-alphanumerics turned into one space, trimmed.
 * The same function builds the stored `*_recherche` columns and normalises what a user types, so the
 * database compares like with like and needs no `unaccent` extension (not available everywhere).
 */
export function searchKey(input: string): string {
  return input
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The words of a search key, without duplicates, in order. */
export function searchWords(input: string): string[] {
  const key = searchKey(input);
  return key ? [...new Set(key.split(' '))] : [];
}

/**
 * « de » before a place name, with French elision and contraction: « de Tours », « d’Orléans »,
 * « du Mans » (Le Mans), « des Mureaux » (Les Mureaux). A name starting with H keeps « de » (an h may
 * be aspirated: « de Hazebrouck »).
 */
export function dePlace(nom: string): string {
  if (nom.startsWith('Le ')) return `du ${nom.slice(3)}`;
  if (nom.startsWith('Les ')) return `des ${nom.slice(4)}`;
  if (/^[AEIOUYÀÂÉÈÊËÎÏÔÛÜŒ]/i.test(nom)) return `d’${nom}`;
  return `de ${nom}`;
}
