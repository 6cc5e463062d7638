/**
 * The login triplet is SIRET + Nom + Prénom. Names are matched case- and accent-insensitively
 * (people type « Moutin » or « MOUTIN », « Hélène » or « Helene »); the password is case-sensitive.
 */
export function loginKey(nom: string, prenom: string): string {
  const norm = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/[’']/g, "'").replace(/\s+/g, ' ').trim();
  return `${norm(nom)}|${norm(prenom)}`;
}
