/**
 * Password and secret question/answer rules of the net-entreprises account.
 *
 * Pure module, importable in the browser (no Node imports): the same rules drive the
 * live checklist of the form and the server-side validation.
 *
 * Reference: net-entreprises.fr, guide « Inscription / gestion de compte » — rubrique
 * « Choisir un mot de passe » : the password contains at least 6 letters and 2 digits,
 * 20 characters maximum, and is case-sensitive; using upper and lower case, accented or
 * special characters is recommended. The secret question / answer are used to reset a
 * forgotten password (5 wrong answers block the reset for 60 minutes, see tokens.ts).
 * Additional checks (common passwords, personal data) follow NIST SP 800-63B §5.1.1.2
 * (« compare against a list of commonly-used passwords ») and OWASP ASVS 4.0.3 V2.1.7.
 */

export type PasswordRuleId = 'minLetters' | 'minDigits' | 'maxLength' | 'mixedCase' | 'specialChars';

export interface PasswordRule {
  id: PasswordRuleId;
  /** French label as displayed in the form checklist. */
  label: string;
  required: boolean;
}

export const PASSWORD_MIN_LETTERS = 6;
export const PASSWORD_MIN_DIGITS = 2;
export const PASSWORD_MAX_LENGTH = 20;

export const PASSWORD_RULES: readonly PasswordRule[] = [
  // the guide's criteria, in its words; the minimal ones (required) are shown with an asterisk
  { id: 'minLetters', label: 'Au moins 6 lettres', required: true },
  { id: 'minDigits', label: 'Au moins 2 chiffres', required: true },
  { id: 'maxLength', label: 'Au plus 20 caractères', required: true },
  { id: 'mixedCase', label: 'Mélange majuscule / minuscule', required: false },
  { id: 'specialChars', label: 'Caractères accentués / spéciaux', required: false },
];

const RULE_ERRORS: Readonly<Record<PasswordRuleId, string>> = {
  minLetters: 'Le mot de passe doit comporter au moins 6 lettres.',
  minDigits: 'Le mot de passe doit comporter au moins 2 chiffres.',
  maxLength: 'Le mot de passe doit comporter 20 caractères maximum.',
  mixedCase: '',
  specialChars: '',
};

export const PASSWORD_MESSAGES = {
  required: 'Le mot de passe est obligatoire.',
  controlChars: 'Le mot de passe contient des caractères non autorisés (caractères de contrôle).',
  common: 'Ce mot de passe est trop courant.',
  personal: 'Le mot de passe ne doit pas contenir votre nom ou prénom.',
} as const;

export type PasswordScore = 0 | 1 | 2 | 3 | 4;
export const PASSWORD_SCORE_LABELS: Readonly<Record<PasswordScore, string>> = {
  0: 'Très faible',
  1: 'Faible',
  2: 'Moyen',
  // the guide: « Qualité de votre mot de passe : Bon »
  3: 'Bon',
  4: 'Très bon',
};

/** The gauge's sentence, in the guide's words. */
export const PASSWORD_GAUGE_LABEL = 'Qualité de votre mot de passe';

export interface PasswordCheck extends PasswordRule {
  ok: boolean;
}

export interface PasswordEvaluation {
  checks: PasswordCheck[];
  valid: boolean;
  score: PasswordScore;
  scoreLabel: string;
  errors: string[];
}

export interface PasswordContext {
  nom?: string | undefined;
  prenom?: string | undefined;
}

/**
 * Common passwords that would otherwise satisfy the rules (≥ 6 letters, ≥ 2 digits,
 * ≤ 20 characters). Built from the French and international « most used passwords »
 * rankings (base words such as azerty, motdepasse, soleil, doudou, marseille, first
 * names, football clubs…) with the usual numeric suffixes, plus words tied to this
 * service. Compared case- and accent-insensitively, ignoring leading/trailing symbols.
 */
export const COMMON_PASSWORDS: readonly string[] = [
  'azerty12',
  'azerty123',
  'azerty1234',
  'azerty2024',
  'azerty2025',
  'azertyuiop12',
  'azertyuiop123',
  'azerty01',
  'azerty00',
  'qwerty12',
  'qwerty123',
  'qwerty1234',
  'qwertyuiop12',
  'qwertyuiop123',
  'qwerty2024',
  'password12',
  'password123',
  'password1234',
  'password01',
  'password2024',
  'password2025',
  'mypassword12',
  'passwords12',
  'motdepasse12',
  'motdepasse123',
  'motdepasse1234',
  'motdepasse2024',
  'motdepasse2025',
  'motdepasse01',
  'monmotdepasse12',
  'soleil12',
  'soleil123',
  'soleil1234',
  'soleil2024',
  'soleil2025',
  'soleil01',
  'bonjour12',
  'bonjour123',
  'bonjour1234',
  'bonjour2024',
  'bonjour2025',
  'bonjour01',
  'doudou12',
  'doudou123',
  'doudou1234',
  'loulou12',
  'loulou123',
  'loulou1234',
  'chouchou12',
  'chouchou123',
  'chouchou1234',
  'marseille13',
  'marseille123',
  'marseille1234',
  'marseille2024',
  'nicolas12',
  'nicolas123',
  'julien12',
  'julien123',
  'camille12',
  'camille123',
  'thomas12',
  'thomas123',
  'alexandre12',
  'alexandre123',
  'chocolat12',
  'chocolat123',
  'jetaime12',
  'jetaime123',
  'jetaime1234',
  'coucou12',
  'coucou123',
  'princesse12',
  'princesse123',
  'maxime12',
  'maxime123',
  'antoine12',
  'antoine123',
  'nathalie12',
  'nathalie123',
  'isabelle12',
  'sandrine12',
  'stephanie12',
  'aurelie12',
  'sebastien12',
  'sebastien123',
  'caroline12',
  'virginie12',
  'christophe12',
  'guillaume12',
  'guillaume123',
  'benjamin12',
  'vincent12',
  'romain12',
  'quentin12',
  'florian12',
  'anthony12',
  'jonathan12',
  'jordan12',
  'jordan123',
  'mathieu12',
  'clement12',
  'laurent12',
  'frederic12',
  'football12',
  'football123',
  'football1234',
  'footballeur12',
  'liverpool12',
  'barcelona12',
  'realmadrid12',
  'juventus12',
  'chelsea12',
  'arsenal12',
  'superman12',
  'superman123',
  'batman12',
  'batman123',
  'pokemon12',
  'pokemon123',
  'dragon12',
  'dragon123',
  'monkey12',
  'master12',
  'shadow12',
  'sunshine12',
  'sunshine123',
  'iloveyou12',
  'iloveyou123',
  'welcome12',
  'welcome123',
  'letmein12',
  'letmein123',
  'abcdef12',
  'abcdef123',
  'abcdefgh12',
  'abcdefg123',
  'bienvenue12',
  'bienvenue123',
  'vacances12',
  'famille12',
  'famille123',
  'amoureux12',
  'maison12',
  'maison123',
  'france12',
  'france123',
  'france2024',
  'francais12',
  'parisien12',
  'parisiens12',
  'toulouse31',
  'bordeaux33',
  'lyonnais69',
  'nantes44',
  'lillois59',
  'bretagne29',
  'bretagne35',
  'normandie14',
  'alsace67',
  'corsica20',
  'martinique972',
  'guadeloupe971',
  'reunion974',
  'entreprise12',
  'entreprise123',
  'societe12',
  'comptable12',
  'comptabilite12',
  'netentreprises12',
  'netentreprise12',
  'apprentissage12',
  'formation12',
  'soltea2024',
  'soltea2025',
  'administrateur12',
  'admin12admin',
  'adminadmin12',
  'utilisateur12',
  'utilisateur123',
  'compte12',
  'compte123',
  'secret12',
  'secret123',
  'changeme12',
  'bonsoir12',
  'coucoucou12',
  'salutsalut12',
  'bisous12',
  'bisous123',
  'mamour12',
  'monamour12',
  'doudou2024',
  'chaton12',
  'chaton123',
  'minette12',
  'titouan12',
  'papamaman12',
  'mamanpapa12',
  'loveyou12',
];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Control, format (invisible/bidi), lone surrogate, line/paragraph separator characters. */
const FORBIDDEN_CHARS = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const LETTER = /\p{L}/gu;
const ASCII_DIGIT = /[0-9]/g;

/** Canonical form of a password before evaluation and hashing (NFC: "é" is one character). */
export function normalizePassword(pw: string): string {
  return pw.normalize('NFC');
}

/** Lower case, accents removed, for case/accent-insensitive comparisons. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const COMMON_SET: ReadonlySet<string> = new Set(COMMON_PASSWORDS.map(fold));

/** True when the password (ignoring case, accents and surrounding symbols) is in COMMON_PASSWORDS. */
export function isCommonPassword(pw: string): boolean {
  const f = fold(pw);
  const core = f.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  return COMMON_SET.has(f) || COMMON_SET.has(core);
}

/** Name parts of at least 3 letters (« Jean-Pierre » → jean, pierre; « Li » is ignored). */
function nameParts(context: PasswordContext | undefined): string[] {
  const parts: string[] = [];
  for (const value of [context?.nom, context?.prenom]) {
    if (!value) continue;
    for (const p of fold(value).split(/[^\p{L}]+/u)) if ([...p].length >= 3) parts.push(p);
  }
  return parts;
}

function containsPersonalData(pw: string, context: PasswordContext | undefined): boolean {
  const haystack = fold(pw);
  return nameParts(context).some((p) => haystack.includes(p));
}

// ---------------------------------------------------------------------------
// Password evaluation
// ---------------------------------------------------------------------------

export function evaluatePassword(password: string, context?: PasswordContext): PasswordEvaluation {
  const pw = normalizePassword(password);
  const chars = [...pw];
  const letters = pw.match(LETTER)?.length ?? 0;
  const digits = pw.match(ASCII_DIGIT)?.length ?? 0;
  const hasUpper = /\p{Lu}/u.test(pw);
  const hasLower = /\p{Ll}/u.test(pw);
  const hasAccented = /[^\P{L}A-Za-z]/u.test(pw); // a letter outside A–Z / a–z
  const hasSpecial = chars.some((c) => !/[\p{L}0-9]/u.test(c) && !FORBIDDEN_CHARS.test(c));

  const results: Record<PasswordRuleId, boolean> = {
    minLetters: letters >= PASSWORD_MIN_LETTERS,
    minDigits: digits >= PASSWORD_MIN_DIGITS,
    maxLength: chars.length <= PASSWORD_MAX_LENGTH,
    mixedCase: hasUpper && hasLower,
    specialChars: hasAccented || hasSpecial,
  };
  const checks: PasswordCheck[] = PASSWORD_RULES.map((r) => ({ ...r, ok: results[r.id] }));

  const errors: string[] = [];
  if (pw.length === 0) {
    errors.push(PASSWORD_MESSAGES.required);
  } else {
    for (const c of checks) if (c.required && !c.ok) errors.push(RULE_ERRORS[c.id]);
    if (FORBIDDEN_CHARS.test(pw)) errors.push(PASSWORD_MESSAGES.controlChars);
    if (isCommonPassword(pw)) errors.push(PASSWORD_MESSAGES.common);
    if (containsPersonalData(pw, context)) errors.push(PASSWORD_MESSAGES.personal);
  }
  const valid = errors.length === 0;

  // Score: 0 when refused; otherwise 1 + one point per recommendation met + 1 for ≥ 12
  // characters, capped at 1 when the password uses fewer than 5 distinct characters.
  let score: PasswordScore = 0;
  if (valid) {
    const points = 1 + Number(results.mixedCase) + Number(results.specialChars) + Number(chars.length >= 12);
    const distinct = new Set(chars.map((c) => c.toLowerCase())).size;
    score = (distinct < 5 ? 1 : Math.min(points, 4)) as PasswordScore;
  }
  return { checks, valid, score, scoreLabel: PASSWORD_SCORE_LABELS[score], errors };
}

/**
 * The checklist and gauge shown beside the field (the page rendered by the server and the browser's
 * live update draw it from this one function): nothing is shown as met while the field is empty.
 */
export function passwordChecklist(
  password: string,
  context?: PasswordContext,
): { checks: PasswordCheck[]; score: PasswordScore; label: string } {
  const r = evaluatePassword(password, context);
  const empty = password.length === 0;
  return {
    checks: r.checks.map((c) => ({ ...c, ok: !empty && c.ok })),
    score: r.score,
    label: `${PASSWORD_GAUGE_LABEL} : ${empty ? 'à saisir' : r.scoreLabel}`,
  };
}

// ---------------------------------------------------------------------------
// Secret question / answer
// Reference: net-entreprises.fr guide — the secret question (chosen by the user) and its
// answer allow resetting a forgotten password online. Lengths used by the portal:
// question 10–100 characters, answer 5–50 characters; the answer must not appear in
// the question (OWASP « Choosing and Using Security Questions » cheat sheet: the answer
// must not be guessable, let alone readable, from the question).
// ---------------------------------------------------------------------------

export const SECRET_QUESTION_MIN = 10;
export const SECRET_QUESTION_MAX = 100;
export const SECRET_ANSWER_MIN = 5;
export const SECRET_ANSWER_MAX = 50;

export interface SimpleEvaluation {
  valid: boolean;
  errors: string[];
}

/** Trims, collapses inner whitespace and applies NFC (the form stored and compared). */
export function normalizeSecretText(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

function codePointLength(s: string): number {
  return [...s].length;
}

/** The rules a secret question and its answer share: required, bounded length, allowed characters. */
function secretTextErrors(text: string, label: string, min: number, max: number): string[] {
  if (text === '') return [`${label} est obligatoire.`];
  const errors: string[] = [];
  const n = codePointLength(text);
  if (n < min) errors.push(`${label} doit comporter au moins ${min} caractères.`);
  if (n > max) errors.push(`${label} doit comporter ${max} caractères maximum.`);
  if (FORBIDDEN_CHARS.test(text)) errors.push(`${label} contient des caractères non autorisés.`);
  return errors;
}

export function evaluateSecretQuestion(question: string): SimpleEvaluation {
  const errors = secretTextErrors(normalizeSecretText(question), 'La question secrète', SECRET_QUESTION_MIN, SECRET_QUESTION_MAX);
  return { valid: errors.length === 0, errors };
}

export function evaluateSecretAnswer(answer: string, context: { question: string }): SimpleEvaluation {
  const a = normalizeSecretText(answer);
  const errors = secretTextErrors(a, 'La réponse secrète', SECRET_ANSWER_MIN, SECRET_ANSWER_MAX);
  if (a !== '' && fold(normalizeSecretText(context.question)).includes(fold(a))) {
    errors.push('La réponse secrète ne doit pas figurer dans la question.');
  }
  return { valid: errors.length === 0, errors };
}
