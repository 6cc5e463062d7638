/**
 * Text in SEPA files (docs/sepa.md#texte). The EPC's SEPA credit transfer implementation guidelines
 * allow only the Latin character set `a-z A-Z 0-9 / - ? : ( ) . , ' +` and the space in names and
 * remittance information; a bank may reject a file with any other character. This file turns what
 * people typed (accents, ligatures, typographic quotes) into that set, cuts to the schema's lengths,
 * checks the identifiers we choose (they are never transliterated: they must match what we store), and
 * escapes for XML. Pure.
 */

/** The EPC Latin character set, one character. */
const SEPA_CHAR = /^[a-zA-Z0-9/\-?:().,'+ ]$/;
/** An identifier (MsgId, PmtInfId, InstrId, EndToEndId): 1 to 35 SEPA characters, no space. */
const SEPA_ID = /^[a-zA-Z0-9/\-?:().,'+]{1,35}$/;

/** Schema lengths (ISO `Max140Text` restricted to 70 by the EPC for names; `Max140Text` for Ustrd). */
export const SEPA_NAME_MAX = 70;
export const SEPA_REMITTANCE_MAX = 140;
export const SEPA_ID_MAX = 35;

/**
 * Characters that Unicode decomposition (NFKD) does not bring into the set, and what they become.
 * Guillemets and curly quotes become the apostrophe: the double quote is not in the EPC set.
 */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  œ: 'oe',
  Œ: 'OE',
  æ: 'ae',
  Æ: 'AE',
  ß: 'ss',
  ẞ: 'SS',
  ø: 'o',
  Ø: 'O',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  ł: 'l',
  Ł: 'L',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
  '«': "'",
  '»': "'",
  '“': "'",
  '”': "'",
  '„': "'",
  '‟': "'",
  '"': "'",
  '‘': "'",
  '’': "'",
  '‚': "'",
  '‛': "'",
  '`': "'",
  '´': "'",
  '‹': "'",
  '›': "'",
  '&': '+',
  '–': '-',
  '—': '-',
  '‐': '-',
  '‑': '-',
  '−': '-',
  _: '-',
  ';': ',',
  '[': '(',
  ']': ')',
  '{': '(',
  '}': ')',
  '€': 'EUR',
};

/**
 * `input` in the SEPA character set: NFKD (accents split off, ligatures and compatibility forms such as
 * the no-break space or « ﬁ » unfolded), combining marks dropped, the replacements above (the spaces
 * inside French guillemets go with them), every other
 * character turned into a space, runs of spaces collapsed, trimmed, then cut to `maxLength` (and trimmed
 * again, so a cut never ends on a space). « Lycée Saint-Exupéry & Cie » → « Lycee Saint-Exupery + Cie ».
 */
export function toSepaText(input: string, maxLength: number): string {
  const prepared = input
    .normalize('NFKD')
    .replace(/«\s*/g, '«') // French guillemets hold a space inside: « Le Lycée » → 'Le Lycee'
    .replace(/\s*»/g, '»')
    .replace(/Œ(?=\p{Ll})/gu, 'Oe') // Œuvre → Oeuvre, but ŒUVRE → OEUVRE
    .replace(/Æ(?=\p{Ll})/gu, 'Ae');
  let out = '';
  for (const ch of prepared) {
    if (SEPA_CHAR.test(ch)) out += ch;
    else if (/\p{M}/u.test(ch)) continue;
    else out += REPLACEMENTS[ch] ?? ' ';
  }
  return out.replace(/ {2,}/g, ' ').trim().slice(0, maxLength).trimEnd();
}

/** True when every character of `text` is in the EPC set. */
export function isSepaText(text: string): boolean {
  for (const ch of text) if (!SEPA_CHAR.test(ch)) return false;
  return true;
}

/**
 * True for an identifier the EPC accepts (MsgId, PmtInfId, InstrId, EndToEndId): 1 to 35 characters of
 * the set without space, neither starting nor ending with « / » and without « // ».
 */
export function isSepaIdentifier(id: string): boolean {
  return SEPA_ID.test(id) && !id.startsWith('/') && !id.endsWith('/') && !id.includes('//');
}

/**
 * Escapes what XML reserves in element content (`&`, `<`, `>`). Text that went through `toSepaText`
 * holds none of them; the escape is a second guard. The apostrophe needs no escape in content.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}
