/** « Importer des habilitations »: the file (pasted or read), and the line-by-line report of a refused one. */
import { Alert, CsrfField } from '../components/form.js';
import { LineReport, RefusedFile, type ReportLine } from '../components/table.js';
import { BackAndSubmit } from '../components/buttons.js';
import { Layout, type PageContext } from '../layout.js';
import { HABILITATIONS_CRUMB } from './habilitations.js';

/** The refusal of a file: why, and the line-by-line report. */
function ImportRefused(props: { error: string; report?: ReportLine[] }) {
  return (
    <RefusedFile error={props.error}>
      {props.report?.length ? <LineReport caption="Compte rendu ligne par ligne" report={props.report} /> : null}
    </RefusedFile>
  );
}

export function HabilitationsImportPage(props: { ctx: PageContext; csv?: string; error?: string; report?: ReportLine[]; notice?: string }) {
  return (
    <Layout ctx={props.ctx} title="Importer des habilitations" breadcrumb={HABILITATIONS_CRUMB}>
      <h1>Importer des habilitations</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      {props.error ? <ImportRefused error={props.error} report={props.report} /> : null}
      <ol>
        <li>
          <a className="fr-link" href="/gestion/habilitations/export.csv" download>
            Exportez les habilitations actuelles (CSV)
          </a>{' '}
          : une ligne par déclarant et par SIRET, 1 (accordé) ou 0 (retiré) pour chaque déclaration.
        </li>
        <li>Modifiez les 1 et les 0 dans votre tableur, enregistrez au format CSV (séparateur point-virgule).</li>
        <li>Choisissez le fichier ou collez son contenu ci-dessous, puis cliquez sur « Importer ».</li>
      </ol>
      <Alert type="warning">
        Tout le fichier est vérifié avant d’être appliqué : si une seule ligne est incorrecte, aucune habilitation n’est modifiée. Une seule
        demande de modification en masse est possible par période de 48 heures (pour votre entreprise, et pour chaque portefeuille).
      </Alert>
      <form method="post" action="/gestion/habilitations/import" id="import-habilitations">
        <CsrfField token={props.ctx.csrfToken} />
        <div className="fr-upload-group fr-mb-3w" hidden data-import-fichier>
          <label className="fr-label" htmlFor="fichier-habilitations">
            Fichier CSV
            <span className="fr-hint-text">
              Format CSV, séparateur point-virgule, 2 Mo au maximum. Son contenu est recopié dans la zone ci-dessous.
            </span>
          </label>
          <input className="fr-upload" type="file" id="fichier-habilitations" accept=".csv,text/csv" />
        </div>
        <div className="fr-input-group">
          <label className="fr-label" htmlFor="csv">
            Contenu du fichier CSV
            <span className="fr-hint-text">Collez ici le contenu du fichier, en-tête compris.</span>
          </label>
          <textarea className="fr-input" id="csv" name="csv" rows={12} defaultValue={props.csv ?? ''} spellCheck={false} />
        </div>
        <BackAndSubmit back="/gestion/habilitations" backLabel="Retour" submit="Importer" />
      </form>
    </Layout>
  );
}
