/**
 * « Importer des attributions » (SOLTéA - Employeurs): a CSV file of allocations for many employer
 * SIRETs at once (tiers-déclarants for their clients). A plain multipart form (works without
 * JavaScript); the result is the line-by-line report of a refused file, or the summary per SIRET.
 */
import { formatSiret } from '../../domain/identifiers.js';
import { formatPercent } from '../../shared/format.js';
import { Alert, Checkbox, CsrfField, Fieldset } from '../components/form.js';
import { LineReport, RefusedFile, Table, type ReportLine } from '../components/table.js';
import { BackAndSubmit } from '../components/buttons.js';
import { Layout, type PageContext } from '../layout.js';

export interface ImportClientRow {
  siret: string;
  denomination: string | null;
  lignes: number;
  totalBp: number;
  statut: 'modifie' | 'inchange';
  membres: number;
}

export interface UnavailableSiret {
  siret: string;
  denomination: string | null;
  raison: string;
}

export interface SolteaEmployeurImportProps {
  ctx: PageContext;
  annee: number;
  /** SIRETs the person may allocate for now */
  disponibles: number;
  indisponibles: UnavailableSiret[];
  /** « Valider les attributions » as last submitted (ticked by default) */
  valider: boolean;
  /** refused file: the headline and the report */
  error?: string;
  report?: ReportLine[];
  /** accepted file */
  result?: { lignes: number; modifies: number; clients: ImportClientRow[]; valider: boolean };
  /** the last file's name, shown again after a refusal */
  fichier?: string;
}

const MAX_REPORT_ROWS = 1000;

function Report(props: { report: ReportLine[] }) {
  const shown = props.report.slice(0, MAX_REPORT_ROWS);
  return (
    <LineReport
      caption={
        <>
          Compte rendu ligne par ligne ({props.report.length} problème{props.report.length > 1 ? 's' : ''}
          {props.report.length > shown.length ? `, les ${shown.length} premiers affichés` : ''})
        </>
      }
      report={shown}
    />
  );
}

function Summary(props: { result: NonNullable<SolteaEmployeurImportProps['result']> }) {
  const { result } = props;
  const title =
    result.modifies === 0
      ? 'Le fichier est correct : il ne modifie aucune attribution.'
      : `Import terminé : ${result.modifies} SIRET mis à jour, ${result.lignes} ligne${result.lignes > 1 ? 's' : ''} lue${result.lignes > 1 ? 's' : ''}.`;
  return (
    <>
      <Alert type="success" title={title}>
        <p>
          {result.valider
            ? 'Les attributions importées sont validées : elles seront prises en compte au prochain versement.'
            : 'Les attributions importées sont enregistrées sans être validées : validez-les depuis la synthèse de chaque SIRET, ou importez à nouveau le fichier en cochant « Valider les attributions ».'}
        </p>
      </Alert>
      <Table
        caption="Résultat par SIRET employeur"
        columns={['SIRET', 'Dénomination', 'Lignes', 'Total attribué', 'Résultat']}
        rows={result.clients}
        row={(c) => (
          <tr key={c.siret}>
            <td>{formatSiret(c.siret)}</td>
            <td>{c.denomination ?? '—'}</td>
            <td>{c.lignes}</td>
            <td>{formatPercent(c.totalBp)}</td>
            <td>
              {c.statut === 'modifie' ? 'Mis à jour' : 'Inchangé'}
              {c.membres ? ` (et ${c.membres} SIRET de son groupe)` : ''}
            </td>
          </tr>
        )}
      />
    </>
  );
}

/** A refused file: the headline, the file's name and the line-by-line report. */
function Refused(props: { error: string; fichier?: string; report?: ReportLine[] }) {
  return (
    <RefusedFile error={props.error}>
      {props.fichier ? <p>Fichier : {props.fichier}</p> : null}
      {props.report?.length ? <Report report={props.report} /> : null}
    </RefusedFile>
  );
}

/** « Préparer le fichier »: export the current allocations or start from the model, edit, upload. */
function Preparation(props: { disponibles: number }) {
  return (
    <>
      <h2>Préparer le fichier</h2>
      <ol>
        <li>
          <a className="fr-link" href="/soltea/employeur/export.csv" download>
            Exportez les attributions actuelles (CSV)
          </a>{' '}
          : une ligne par attribution de chaque SIRET pour lequel vous pouvez répartir ({props.disponibles}), ou partez du{' '}
          <a className="fr-link" href="/soltea/employeur/import/modele.csv" download>
            modèle de fichier (CSV)
          </a>
          .
        </li>
        <li>Complétez ou modifiez les lignes dans votre tableur, puis enregistrez au format CSV (séparateur point-virgule).</li>
        <li>Choisissez le fichier ci-dessous, puis cliquez sur « Importer ».</li>
      </ol>
    </>
  );
}

/** The file's columns: the column, what it holds, an example. */
const FILE_COLUMNS: readonly (readonly [string, string, string])[] = [
  ['siret_employeur', 'SIRET (14 chiffres) de l’établissement employeur qui répartit son solde', '14 chiffres, sans espace'],
  ['siret_beneficiaire', 'SIRET de l’établissement ou de la composante habilité pour la campagne', '14 chiffres, sans espace'],
  [
    'formation',
    'Vide pour l’établissement ou la composante lui-même ; sinon le code CFD (8 caractères) ou le code RNCP d’une de ses formations',
    '32025520 ou RNCP35346',
  ],
  ['pourcentage', 'Part des crédits à répartir, de 0,01 à 100, deux décimales au plus', '12,5'],
  [
    'uai, lieu (facultatives)',
    'L’UAI d’une composante qui partage le SIRET de son établissement ; le code commune INSEE d’une formation enseignée à plusieurs endroits. Les autres colonnes du fichier exporté (noms, intitulés, statut) sont ignorées.',
    '0754999X ; 75114',
  ],
];

/** The file's columns, what each holds, and an example. */
function FileFormat() {
  return (
    <Table
      caption="Format du fichier : une ligne d’en-tête, puis une ligne par attribution"
      columns={['Colonne', 'Contenu', 'Exemple']}
      rows={FILE_COLUMNS}
      rowKey={([column]) => column}
      cells={(r) => r}
    />
  );
}

/** « Tout ou rien »: how a file replaces the allocations, and its limits. */
function AllOrNothing() {
  return (
    <Alert type="warning" title="Tout ou rien">
      <ul>
        <li>
          Pour chaque SIRET employeur présent dans le fichier, ses attributions sont remplacées par les lignes du fichier ; les SIRET
          absents du fichier ne changent pas.
        </li>
        <li>Une ligne qui ne contient que le SIRET employeur (autres colonnes vides) retire toutes les attributions de ce SIRET.</li>
        <li>
          Tout le fichier est vérifié avant d’être appliqué : si une seule ligne est incorrecte, ou si un SIRET dépasse 100 % ou le plafond
          de 30 % de la liste nationale, aucune attribution n’est enregistrée et le compte rendu indique chaque ligne à corriger.
        </li>
        <li>20 000 lignes et 5 Mo au plus ; encodage UTF-8 ou Windows-1252 (CSV d’Excel).</li>
      </ul>
    </Alert>
  );
}

const VALIDER_HINT =
  'Les attributions validées sont celles que paient les vagues de versement. Décochez pour seulement les enregistrer et les valider plus tard depuis la synthèse.';

/** « Valider les attributions » (ticked unless the person unticked it last time). */
function ValidationFieldset(props: { valider: boolean }) {
  return (
    <Fieldset legendId="validation-legend" legend="Validation">
      <Checkbox name="valider" value="1" label="Valider les attributions" hint={VALIDER_HINT} checked={props.valider} />
    </Fieldset>
  );
}

/** The upload form: the file, « Valider les attributions », « Retour » and « Importer ». */
function ImportForm(props: { csrfToken: string; valider: boolean }) {
  return (
    <form method="post" action="/soltea/employeur/import" encType="multipart/form-data" id="import-attributions">
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="envoye" value="1" />
      <div className="fr-upload-group fr-mb-3w">
        <label className="fr-label" htmlFor="fichier">
          Fichier CSV des attributions
          <span className="fr-hint-text">Taille maximale : 5 Mo. Format : CSV, séparateur point-virgule, avec sa ligne d’en-tête.</span>
        </label>
        <input className="fr-upload" type="file" id="fichier" name="fichier" accept=".csv,text/csv" required aria-required="true" />
      </div>
      <ValidationFieldset valider={props.valider} />
      <BackAndSubmit back="/soltea/employeur" backLabel="Retour" submit="Importer" />
    </form>
  );
}

const MAX_UNAVAILABLE_ROWS = 500;

/** The SIRETs of the person's portefeuilles whose lines would be refused, and why. */
function Unavailable(props: { indisponibles: UnavailableSiret[] }) {
  return (
    <>
      <h2>SIRET pour lesquels vous ne pouvez pas répartir</h2>
      <Table
        caption={<>{props.indisponibles.length} SIRET de vos portefeuilles : leurs lignes seraient refusées</>}
        columns={['SIRET', 'Dénomination', 'Raison']}
        rows={props.indisponibles.slice(0, MAX_UNAVAILABLE_ROWS)}
        rowKey={(s) => s.siret}
        cells={(s) => [formatSiret(s.siret), s.denomination ?? '—', s.raison]}
      />
    </>
  );
}

export function SolteaEmployeurImportPage(props: SolteaEmployeurImportProps) {
  return (
    <Layout
      ctx={props.ctx}
      title="Importer des attributions"
      breadcrumb={[
        { href: '/menu', label: 'Menu personnalisé' },
        { href: '/soltea/employeur', label: 'SOLTéA - Employeurs' },
      ]}
      wide
    >
      <h1>Importer des attributions (fichier CSV)</h1>
      <p className="fr-text--lead">
        Répartissez en une fois le solde de la taxe d’apprentissage de plusieurs SIRET employeurs (les vôtres, ou ceux de vos clients) pour
        la campagne {props.annee}.
      </p>
      {props.error ? <Refused error={props.error} fichier={props.fichier} report={props.report} /> : null}
      {props.result ? <Summary result={props.result} /> : null}

      <Preparation disponibles={props.disponibles} />
      <FileFormat />
      <AllOrNothing />

      <ImportForm csrfToken={props.ctx.csrfToken} valider={props.valider} />

      {props.indisponibles.length ? <Unavailable indisponibles={props.indisponibles} /> : null}
    </Layout>
  );
}
