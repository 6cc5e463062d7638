/**
 * The five kinds of file the operator imports from the browser (« Imports », imports.ts): each one calls
 * the use case its command runs (`import-registry`, `import-referential`, `import-envelopes`,
 * `import-encaissements`, `import-metiers-en-tension`) on the uploaded file, and gives back the same French
 * report the command prints, with a few counts for the history.
 */
import { open } from 'node:fs/promises';
import type { Cents } from '../../domain/money.js';
import type { Db } from '../../infra/db/index.js';
import { formatRegistryReport, importRegistry } from '../entreprises/import-registry.js';
import { formatEnvelopeReport } from '../enveloppes/cli-commands.js';
import { importEnveloppes } from '../enveloppes/import.js';
import { formatImportReport } from '../referentiel/cli-commands.js';
import { importReferentiel } from '../referentiel/import.js';
import { formatEncaissementsReport } from '../versements/cli-commands.js';
import { importEncaissements } from '../versements/encaissements.js';
import { importMetiersEnTension } from '../versements/metiers-en-tension.js';
import { formatMetiersReport } from '../versements/reliquat-cli.js';

export const IMPORT_TYPES = ['enveloppes', 'referentiel', 'registre', 'encaissements', 'metiers'] as const;
export type ImportType = (typeof IMPORT_TYPES)[number];

export const isImportType = (v: unknown): v is ImportType => typeof v === 'string' && (IMPORT_TYPES as readonly string[]).includes(v);

const MB = 1024 * 1024;

/** What the form of a kind asks, and how its file is recognised. */
export interface ImportTypeInfo {
  label: string;
  /** the sentence under the title of its form */
  description: string;
  /** the command of the same import, and the document of its format */
  commande: string;
  format: string;
  /** file name endings accepted (the `accept` of the form, and the first check) */
  extensions: readonly string[];
  /** the largest file accepted, refused before it is read */
  maxBytes: number;
  /** JSON (the registry) or text lines (CSV, DSN) */
  contenu: 'json' | 'texte';
  /** the campaign year is asked; the operator's fee too (envelopes) */
  annee: boolean;
  frais: boolean;
}

export const IMPORT_TYPE_INFO: Readonly<Record<ImportType, ImportTypeInfo>> = {
  enveloppes: {
    label: 'Enveloppes (montants Urssaf et MSA)',
    description:
      'Les montants du solde de la taxe d’apprentissage déclarés par SIRET (CSV ou lignes DSN S21.G00.82) : ils deviennent les enveloppes et les crédits à répartir de la campagne.',
    commande: 'import-envelopes',
    format: 'docs/enveloppes-format.md',
    extensions: ['.csv', '.txt', '.dsn'],
    maxBytes: 500 * MB,
    contenu: 'texte',
    annee: true,
    frais: true,
  },
  referentiel: {
    label: 'Référentiel des établissements habilités',
    description: 'Les établissements, composantes et formations habilités de la campagne (un fichier CSV établissements ou formations).',
    commande: 'import-referential',
    format: 'docs/referentiel-format.md',
    extensions: ['.csv', '.txt'],
    maxBytes: 200 * MB,
    contenu: 'texte',
    annee: true,
    frais: false,
  },
  registre: {
    label: 'Répertoire des entreprises (SIRENE)',
    description: 'Des entreprises et établissements au format JSON de l’API recherche-entreprises.',
    commande: 'import-registry',
    format: 'README.md',
    extensions: ['.json'],
    maxBytes: 200 * MB,
    contenu: 'json',
    annee: false,
    frais: false,
  },
  encaissements: {
    label: 'Fonds reçus (encaissements)',
    description: 'Les fonds versés par l’Urssaf et la MSA pour chaque SIRET (CSV).',
    commande: 'import-encaissements',
    format: 'docs/encaissements-format.md',
    extensions: ['.csv', '.txt'],
    maxBytes: 100 * MB,
    contenu: 'texte',
    annee: true,
    frais: false,
  },
  metiers: {
    label: 'Métiers en tension',
    description: 'Les métiers en tension de chaque région et leurs codes RNCP (CSV) ; la liste de l’année est remplacée.',
    commande: 'import-metiers-en-tension',
    format: 'docs/metiers-en-tension-format.md',
    extensions: ['.csv', '.txt'],
    maxBytes: 2 * MB,
    contenu: 'texte',
    annee: true,
    frais: false,
  },
};

/** The limit in French (« 500 Mo »). */
export const formatLimit = (bytes: number) => `${Math.round(bytes / MB)} Mo`;

/** What a kind's run is given. */
export interface ImportRun {
  path: string;
  /** the name of the file as uploaded (the report names it) */
  fichier: string;
  annee: number | null;
  fraisCents: Cents | null;
  agentId: string;
  now: Date;
  onProgress: (phase: string, done: number, total: number) => void;
}

/** What a kind's run gives back: the command's report, and counts for the history. */
export interface ImportOutcome {
  ok: boolean;
  rapport: string[];
  comptes: Record<string, number>;
}

const ENVELOPE_PHASES: Record<string, string> = {
  lecture: 'Lecture du fichier',
  calcul: 'Calcul des enveloppes',
  ecriture: 'Écriture en base',
};
const REFERENTIAL_PHASES: Record<string, string> = {
  lecture: 'Lecture du fichier',
  etablissements: 'Établissements et composantes',
  formations: 'Formations',
};

const year = (r: ImportRun) => r.annee ?? 0;

/** Runs the import of one kind on the uploaded file. */
export async function runImportType(db: Db, type: ImportType, r: ImportRun): Promise<ImportOutcome> {
  switch (type) {
    case 'enveloppes': {
      const report = await importEnveloppes(db, year(r), [{ fichier: r.fichier, path: r.path }], {
        now: r.now,
        actorAgentId: r.agentId,
        ...(r.fraisCents === null ? {} : { operatorFeeCents: r.fraisCents }),
        onProgress: (p) => r.onProgress(ENVELOPE_PHASES[p.phase] ?? p.phase, p.done, p.total),
      });
      const e = report.envelopes;
      return {
        ok: report.ok,
        rapport: formatEnvelopeReport(report),
        comptes: counts(report.lines, report.rejectedCount, report.warningCount, e.inserted, e.updated, e.unchanged),
      };
    }
    case 'referentiel': {
      const report = await importReferentiel(db, year(r), [r.path], {
        now: r.now,
        onProgress: (p) => r.onProgress(REFERENTIAL_PHASES[p.phase] ?? p.phase, p.done, p.total),
      });
      const all = [report.etablissements, report.composantes, report.formations];
      const sum = (k: 'inserted' | 'updated' | 'unchanged') => all.reduce((s, c) => s + c[k], 0);
      return {
        ok: report.rejected.length === 0,
        rapport: formatImportReport(report),
        comptes: counts(report.rows, report.rejected.length, report.warnings.length, sum('inserted'), sum('updated'), sum('unchanged')),
      };
    }
    case 'registre': {
      const report = await importRegistry(db, [r.path], {
        now: r.now,
        allOrNothing: true,
        onProgress: (done, total) => r.onProgress('Entreprises et établissements', done, total),
      });
      const a = report.entreprises;
      const b = report.etablissements;
      return {
        ok: report.rejected.length === 0,
        rapport: formatRegistryReport(report),
        comptes: counts(
          a.inserted + a.updated + a.unchanged + b.inserted + b.updated + b.unchanged,
          report.rejected.length,
          report.warnings.length,
          a.inserted + b.inserted,
          a.updated + b.updated,
          a.unchanged + b.unchanged,
        ),
      };
    }
    case 'encaissements': {
      r.onProgress('Lecture et enregistrement', 0, 1);
      const report = await importEncaissements(db, year(r), [r.path], r.now, r.agentId);
      return {
        ok: report.rejected.length === 0,
        rapport: formatEncaissementsReport(report),
        comptes: counts(report.lines, report.rejected.length, 0, report.inserted, report.updated, report.unchanged),
      };
    }
    case 'metiers': {
      r.onProgress('Lecture et enregistrement', 0, 1);
      const report = await importMetiersEnTension(db, year(r), r.path, { now: r.now, agentId: r.agentId });
      return {
        ok: report.rejected.length === 0,
        rapport: formatMetiersReport(report),
        comptes: counts(report.lines, report.rejected.length, report.unknownRncp.length, report.codes, 0, 0),
      };
    }
  }
}

function counts(lignes: number, rejets: number, avertissements: number, ajoutes: number, modifies: number, inchanges: number) {
  return { lignes, rejets, avertissements, ajoutes, modifies, inchanges };
}

/**
 * Why the file is not of the kind chosen, read from its name and first bytes, or null: a spreadsheet or
 * an archive, a PDF, JSON where lines are expected (or the reverse). The import's own checks (its
 * header, each line) come after.
 */
export async function wrongKind(type: ImportType, path: string, fichier: string): Promise<string | null> {
  const info = IMPORT_TYPE_INFO[type];
  const name = fichier.toLowerCase();
  const expected = info.extensions.map((e) => `« ${e} »`).join(', ');
  const head = await firstBytes(path, 4096);
  if (head.length === 0) return 'Le fichier est vide.';
  if (head[0] === 0x50 && head[1] === 0x4b)
    return `Ce fichier est un classeur (Excel, LibreOffice) ou une archive ZIP : enregistrez-le au format ${info.contenu === 'json' ? 'JSON' : 'CSV'} puis recommencez.`;
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'Ce fichier est un PDF : il faut le fichier de données lui-même.';
  if (!info.extensions.some((e) => name.endsWith(e)))
    return `Ce fichier n’est pas un fichier « ${info.label} » : extension attendue ${expected}.`;
  const text = head.toString('latin1').replace(/^\uFEFF|^\u00ef\u00bb\u00bf/, '');
  const first = /\S/.exec(text)?.[0];
  const json = first === '{' || first === '[';
  if (info.contenu === 'json' && !json) return `Ce fichier n’est pas au format JSON : ce n’est pas un fichier « ${info.label} ».`;
  if (info.contenu === 'texte' && json)
    return `Ce fichier est au format JSON (le répertoire des entreprises ?) : ce n’est pas un fichier « ${info.label} ».`;
  return null;
}

async function firstBytes(path: string, n: number): Promise<Buffer> {
  const f = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await f.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await f.close();
  }
}
