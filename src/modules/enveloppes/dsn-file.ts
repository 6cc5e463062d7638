/**
 * DSN lines (docs/enveloppes-format.md §2): the real textual syntax of the norme NEODeS (P24V01),
 * `S21.G00.82.001,'1234.56'`, one rubric per line — not CSV. The entreprise is S21.G00.06 (SIREN in
 * 06.001), the établissement S21.G00.11 (NIC in 11.001, SIRET = SIREN + NIC), each S21.G00.82
 * « Cotisation établissement » block carries 82.001 Valeur, 82.002 Code de cotisation (076 solde, 077
 * and 078 deductions), 82.003 / 82.004 the period (JJMMAAAA), 82.005 Référence réglementaire (Urssaf:
 * SIRET of the Urssaf; MSA: code caisse); the émetteur (who filed) is S10.G00.01 (SIREN 001, NIC 002,
 * name 003), the declaration S20.G00.05 (nature 001, type 002, date de constitution 007, champ 008).
 *
 * The rubrics are read first (blocks and their occurrences) and the envoi checked, then — a second
 * reading — each cotisation of 076, 077 or 078 is checked and emitted with its declaration's deposit.
 */
import { isValidSiret } from '../../domain/identifiers.js';
import type { Collecteur } from '../../domain/enveloppe.js';
import { ENVELOPE_CODES, MAX_LINE_CHARS, type Declarant, type EnvelopeCode, type FileReading, type Periode } from './lines.js';
import { checkExercice, parseDay, parseDsnAmount, parseNom, periodeOf, quoteValue } from './values.js';

const RUBRIC = /^(S\d{2}\.G\d{2}\.\d{2})\.(\d{3}),'(.*)'\s*$/;

/** One S21.G00.82 block. */
interface Cotisation {
  line: number;
  valeur?: string;
  code?: string;
  debut?: string;
  fin?: string;
  reference?: string;
}

/** One S20.G00.05 declaration of the envoi (a deposit of its own). */
interface Declaration {
  index: number;
  line: number;
  nature: string | null;
  type: string | null;
  dateFichier: string | null;
  champ: string | null;
  refused: boolean;
}

/** The envoi's header: essai or réel, point de dépôt, émetteur. */
interface Envoi {
  essai: string | null;
  essaiLine: number;
  pointDepot: string | null;
  siren: string | null;
  nic: string | null;
  nom: string | null;
}

interface Pending {
  cot: Cotisation;
  siret: string | null;
  decl: Declaration;
}

const isEnvelopeCode = (code: string | undefined): code is EnvelopeCode => ENVELOPE_CODES.includes((code ?? '') as EnvelopeCode);

/** Reads a DSN file into `file` (its amounts emitted, its rejections and warnings reported). */
export function parseDsnFile(text: string, file: FileReading): void {
  const check = dsnChecking(file);
  const lineCount = forEachLine(text, check.read);
  const emitting = check.end(lineCount);
  if (emitting) {
    forEachLine(text, emitting.read);
    emitting.end();
  }
}

/** One reading of a DSN file's lines (numbered from 1), then its end. */
export interface DsnReading {
  read: (raw: string, n: number) => void;
  end: () => void;
}

/**
 * A DSN file is read twice, line by line (csv-stream.ts reads a file on disk so, never whole): the first
 * reading checks the rubrics (their rejections reported) and the envoi as a whole (an envoi d'essai is
 * refused, a truncated one warned: that needs its last line); `end(lineCount)` then gives the second
 * reading, which emits each cotisation as its block ends, with the envoi of the first (or null: nothing
 * to import). The same report, in the same order, as reading the whole text, and no cotisation held.
 */
export function dsnChecking(file: FileReading): { read: (raw: string, n: number) => void; end: (lineCount: number) => DsnReading | null } {
  const rubrics = new DsnRubrics(file, null);
  return {
    read: (raw, n) => rubrics.read(raw, n),
    end(lineCount) {
      rubrics.end();
      if (!checkEnvoi(rubrics, lineCount, file)) return null;
      const envoi = rubrics.envoi;
      const emetteur = emetteurOf(envoi);
      // the rubrics' own rejections were reported by the first reading
      const silent: FileReading = { ...file, reject: () => undefined, warn: () => undefined };
      const emitting = new DsnRubrics(silent, (p) => emitCotisation(p, envoi, emetteur, file));
      return { read: (raw, n) => emitting.read(raw, n), end: () => emitting.end() };
    },
  };
}

/** Calls `fn` on each line of `text` (breaks: CRLF, CR or LF), numbered from 1; returns the number of lines (a final break ends an empty last line). */
function forEachLine(text: string, fn: (raw: string, n: number) => void): number {
  const br = /\r\n|\r|\n/g;
  let n = 0;
  let start = 0;
  for (let m = br.exec(text); m; m = br.exec(text)) {
    fn(text.slice(start, m.index), ++n);
    start = br.lastIndex;
  }
  fn(text.slice(start), ++n);
  return n;
}

/** The rubrics of a file, read line by line into the envoi, its declarations and their cotisations. */
class DsnRubrics {
  readonly envoi: Envoi = { essai: null, essaiLine: 0, pointDepot: null, siren: null, nic: null, nom: null };
  count = 0;
  announced: { count: number; line: number } | null = null;
  private decl: Declaration | null = null;
  private declCount = 0;
  private siren: { value: string; line: number } | null = null;
  private etab: { siret: string | null; line: number } | null = null;
  private cot: Cotisation | null = null;
  private lastBlock = '';
  private lastField = 0;

  /** `onCotisation` receives each cotisation block as it ends (null: the first reading, nothing emitted) */
  constructor(
    private readonly file: FileReading,
    private readonly onCotisation: ((p: Pending) => void) | null,
  ) {}

  read(raw: string, n: number): void {
    if (raw.trim() === '') return;
    if (raw.length > MAX_LINE_CHARS) return this.file.reject(n, `La ligne dépasse ${MAX_LINE_CHARS} caractères : elle est ignorée.`);
    const m = RUBRIC.exec(raw);
    if (!m)
      return this.file.reject(
        n,
        `Ligne DSN mal formée : attendu « S21.G00.82.001,'valeur' » (code de rubrique, virgule, valeur entre apostrophes), reçu ${quoteValue(raw)}.`,
      );
    this.count++;
    const block = m[1]!;
    const field = Number(m[2]);
    // a new occurrence of a block starts when its field numbers go back
    const newOccurrence = block !== this.lastBlock || field <= this.lastField;
    this.lastBlock = block;
    this.lastField = field;
    if (this.cot && (block !== 'S21.G00.82' || newOccurrence)) this.flushCotisation();
    this.rubric(block, field, m[3]!, n, newOccurrence);
  }

  /** The end of the file: the last cotisation block is complete. */
  end(): void {
    this.flushCotisation();
  }

  private rubric(block: string, field: number, value: string, n: number, newOccurrence: boolean): void {
    if (block === 'S10.G00.00') {
      if (field === 5) {
        this.envoi.essai = value;
        this.envoi.essaiLine = n;
      } else if (field === 7) this.envoi.pointDepot = value;
    } else if (block === 'S10.G00.01') {
      if (field === 1) this.envoi.siren = value.trim();
      else if (field === 2) this.envoi.nic = value.trim();
      else if (field === 3) this.envoi.nom = value;
    } else if (block === 'S20.G00.05') this.declaration(field, value, n, newOccurrence);
    else if (block === 'S21.G00.06') {
      if (field === 1) {
        this.siren = { value: value.trim(), line: n };
        this.etab = null;
      }
    } else if (block === 'S21.G00.11') {
      if (field === 1) this.etablissement(value.trim(), n);
    } else if (block === 'S21.G00.82') this.cotisation(field, value, n, newOccurrence);
    else if (block === 'S90.G00.90' && field === 1) this.announced = { count: Number(value), line: n };
  }

  private declaration(field: number, value: string, n: number, newOccurrence: boolean): void {
    if (field === 1 || !this.decl || newOccurrence) {
      this.declCount++;
      this.decl = { index: this.declCount, line: n, nature: null, type: null, dateFichier: null, champ: null, refused: false };
      this.siren = null;
      this.etab = null;
    }
    if (field === 1) this.decl.nature = value;
    else if (field === 2) this.decl.type = value;
    else if (field === 7) this.decl.dateFichier = value;
    else if (field === 8) this.decl.champ = value;
  }

  /** S21.G00.11.001: the NIC, which makes the SIRET with the entreprise's SIREN. */
  private etablissement(nic: string, n: number): void {
    const siren = this.siren;
    if (!siren) {
      this.file.reject(n, 'Établissement (S21.G00.11) sans entreprise (S21.G00.06) avant lui : son SIRET ne peut pas être formé.');
      this.etab = { siret: null, line: n };
    } else if (!/^\d{9}$/.test(siren.value) || !/^\d{5}$/.test(nic)) {
      this.file.reject(
        n,
        `SIRET incomplet : SIREN ${quoteValue(siren.value)} (S21.G00.06.001, 9 chiffres) et NIC ${quoteValue(nic)} (S21.G00.11.001, 5 chiffres).`,
      );
      this.etab = { siret: null, line: n };
    } else this.etab = { siret: siren.value + nic, line: n };
  }

  private cotisation(field: number, value: string, n: number, newOccurrence: boolean): void {
    if (newOccurrence || !this.cot) this.cot = { line: n };
    const cot = this.cot;
    if (field === 1) cot.valeur = value;
    else if (field === 2) cot.code = value.trim();
    else if (field === 3) cot.debut = value.trim();
    else if (field === 4) cot.fin = value.trim();
    else if (field === 5) cot.reference = value.trim();
  }

  private flushCotisation(): void {
    const cot = this.cot;
    if (cot && this.decl && this.etab) this.onCotisation?.({ cot, siret: this.etab.siret, decl: this.decl });
    else if (cot && isEnvelopeCode(cot.code))
      this.file.reject(
        cot.line,
        'Bloc S21.G00.82 en dehors d’un établissement (S21.G00.11) d’une déclaration (S20.G00.05) : montant ignoré.',
      );
    this.cot = null;
  }
}

/** The envoi as a whole: not empty, not a test envoi (refused), complete (warned). False: nothing to import. */
function checkEnvoi(rubrics: DsnRubrics, lineCount: number, file: FileReading): boolean {
  if (rubrics.count === 0) {
    file.reject(1, 'Le fichier ne contient aucune rubrique DSN.');
    return false;
  }
  const envoi = rubrics.envoi;
  if (envoi.essai === '01') {
    file.reject(envoi.essaiLine, 'Envoi d’essai (S10.G00.00.005 = 01) : ses montants ne sont pas importés. Déposez l’envoi réel (02).');
    return false;
  }
  const ann = rubrics.announced;
  if (ann && ann.count !== rubrics.count)
    file.warn(
      ann.line,
      `Le nombre total de rubriques annoncé (S90.G00.90.001 = ${ann.count}) ne correspond pas au fichier (${rubrics.count}) : le fichier est peut-être tronqué.`,
    );
  else if (!ann && envoi.essai !== null)
    file.warn(lineCount, 'L’envoi n’a pas de bloc de fin (S90.G00.90) : le fichier est peut-être tronqué.');
  return true;
}

/** Who filed the envoi (S10.G00.01), the déclarant of its amounts. */
function emetteurOf(envoi: Envoi): Declarant | null {
  if (!envoi.siren && !envoi.nom) return null;
  const siret = envoi.siren && envoi.nic && /^\d{9}$/.test(envoi.siren) && /^\d{5}$/.test(envoi.nic) ? envoi.siren + envoi.nic : null;
  const nom = envoi.nom ? parseNom(envoi.nom, 'Le nom de l’émetteur') : null;
  return { siret, nom: nom && nom.ok ? nom.value : null };
}

/** One cotisation block: checked against its declaration, then emitted when it is a 076, 077 or 078. */
function emitCotisation({ cot: c, siret, decl: d }: Pending, envoi: Envoi, emetteur: Declarant | null, file: FileReading): void {
  const code = c.code;
  if (!isEnvelopeCode(code)) return; // other cotisations établissement
  if (siret === null) return; // already rejected at its S21.G00.11
  if (!declarationAccepted(d, c, file)) return;
  const before = file.out.rejectionCount;
  const bad = (message: string) => file.reject(c.line, message);
  const amount = parseDsnAmount(c.valeur ?? '');
  if (c.valeur === undefined) bad('Bloc S21.G00.82 sans valeur (S21.G00.82.001).');
  else if (!amount.ok) bad(amount.message);
  const periode = cotisationPeriode(c, file.annee, bad);
  if (file.out.rejectionCount !== before || !amount.ok || !periode) return;
  const collecteur = collecteurOf(c, d, envoi, file);
  if (!isValidSiret(siret))
    file.warn(c.line, `Le numéro SIRET ${siret} ne passe pas la clé de contrôle : ligne importée avec un avertissement.`);
  file.emit({
    fichier: file.fichier,
    line: c.line,
    siret,
    collecteur,
    annee: file.annee,
    code,
    cents: amount.value,
    periode,
    declarant: emetteur,
    deposeLe: depositDay(d, file),
    depot: `${file.fichier}#${d.index}`,
  });
}

/** A declaration « annule » is refused once; the solde is declared in a DSN mensuelle only. */
function declarationAccepted(d: Declaration, c: Cotisation, file: FileReading): boolean {
  if (d.type === '04') {
    if (!d.refused)
      file.reject(
        d.line,
        'Déclaration « annule » (S20.G00.05.002 = 04) : non prise en charge ; déposez une déclaration « annule et remplace » (03) avec les montants corrigés, à zéro si besoin.',
      );
    d.refused = true;
    return false;
  }
  if (d.nature !== null && d.nature !== '01') {
    file.reject(
      c.line,
      `Le solde de la taxe d’apprentissage se déclare dans une DSN mensuelle (S20.G00.05.001 = 01), pas dans la nature ${quoteValue(d.nature)}.`,
    );
    return false;
  }
  return true;
}

/** The period of rattachement (82.003 and 82.004), of the campaign's payroll year or an earlier one. */
function cotisationPeriode(c: Cotisation, annee: number, bad: (message: string) => void): Periode | null {
  if (!c.debut || !c.fin) {
    bad('Bloc S21.G00.82 sans période de rattachement (S21.G00.82.003 et .004, JJMMAAAA).');
    return null;
  }
  const dd = parseDay(c.debut);
  const ff = parseDay(c.fin);
  if (!dd.ok) bad(`S21.G00.82.003 : ${dd.message}`);
  if (!ff.ok) bad(`S21.G00.82.004 : ${ff.message}`);
  if (!dd.ok || !ff.ok) return null;
  const p = periodeOf(dd.value, ff.value, `${c.debut}-${c.fin}`);
  if (!p.ok) {
    bad(p.message);
    return null;
  }
  checkExercice(p.value, annee, bad);
  return p.value;
}

/** The collector: the Urssaf's SIRET or the MSA's code caisse in 82.005, else the point de dépôt or champ. */
function collecteurOf(c: Cotisation, d: Declaration, envoi: Envoi, file: FileReading): Collecteur {
  if (c.reference && /^\d{14}$/.test(c.reference)) return 'URSSAF';
  if (c.reference) return 'MSA';
  if (d.champ === '02' || envoi.pointDepot === '02') return 'MSA';
  file.warn(
    c.line,
    'Référence de l’organisme (S21.G00.82.005) absente : organisme collecteur supposé URSSAF (point de dépôt net-entreprises).',
  );
  return 'URSSAF';
}

/** The declaration's date de constitution (S20.G00.05.007), its deposit date (a warning when unreadable). */
function depositDay(d: Declaration, file: FileReading): string | null {
  if (!d.dateFichier) return null;
  const dep = parseDay(d.dateFichier);
  if (dep.ok) return dep.value;
  file.warn(d.line, `Date de constitution du fichier (S20.G00.05.007) illisible : ${dep.message}`);
  return null;
}
