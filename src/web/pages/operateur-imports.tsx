/**
 * « Imports » of the operator's space: the history with the five kinds of file, the form of a kind (the
 * file last, so that the server reads the fields first), and one import's page: its progress bar while it
 * runs (the script `client/operateur-imports.ts` reads it back every second; without script, « Actualiser »),
 * then the command's French report.
 */
import type { ImportJob, ImportState } from '../../modules/operateur/imports.js';
import type { ImportType, ImportTypeInfo } from '../../modules/operateur/import-types.js';
import { formatDateTime, formatInteger, plural } from '../../shared/format.js';
import type { FieldErrors } from '../../shared/fields.js';
import { Alert, CsrfField, ErrorSummary, Input } from '../components/form.js';
import { Table } from '../components/table.js';
import { BackAndSubmit } from '../components/buttons.js';
import type { PageContext } from '../layout.js';
import { OperatorFrame, Pager } from './operateur.js';

const STATES: Record<ImportState, { label: string; badge: string }> = {
  en_cours: { label: 'En cours', badge: 'fr-badge--info' },
  reussi: { label: 'Réussi', badge: 'fr-badge--success' },
  refuse: { label: 'Refusé : rien importé', badge: 'fr-badge--warning' },
  echoue: { label: 'Échoué : rien importé', badge: 'fr-badge--error' },
};

/** The kinds of file, as the route gives them (the module's table). */
export type ImportKinds = Readonly<Record<ImportType, ImportTypeInfo>>;

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${formatInteger(bytes)} octets`;
  if (bytes < 1024 * 1024) return `${formatInteger(Math.ceil(bytes / 1024))} Ko`;
  return `${(bytes / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

function StateBadge(props: { etat: ImportState }) {
  const s = STATES[props.etat];
  return <p className={`fr-badge fr-badge--sm ${s.badge}`}>{s.label}</p>;
}

export function ImportsPage(props: {
  ctx: PageContext;
  kinds: ImportKinds;
  rows: ImportJob[];
  total: number;
  page: number;
  pages: number;
}) {
  const gestionnaire = props.ctx.agent?.role === 'gestionnaire';
  return (
    <OperatorFrame ctx={props.ctx} tab="imports" title="Imports">
      <p>
        Importez les fichiers de la campagne depuis votre navigateur : chaque import se poursuit si vous fermez la page, tout ou rien, avec
        le même compte rendu ligne par ligne que la ligne de commande.
      </p>
      {gestionnaire ? (
        <>
          <h2>Nouvel import</h2>
          <ul className="fr-grid-row fr-grid-row--gutters fr-raw-list">
            {(Object.keys(props.kinds) as ImportType[]).map((t) => (
              <li key={t} className="fr-col-12 fr-col-md-6">
                <div className="fr-tile fr-enlarge-link">
                  <div className="fr-tile__body">
                    <h3 className="fr-tile__title">
                      <a href={`/operateur/imports/${t}`}>{props.kinds[t].label}</a>
                    </h3>
                    <p className="fr-tile__desc">{props.kinds[t].description}</p>
                  </div>
                </div>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <Alert type="info">Les imports sont réservés aux agents gestionnaires ; vous pouvez consulter leur historique.</Alert>
      )}
      <h2 className="fr-mt-4w">Historique des imports</h2>
      <History kinds={props.kinds} rows={props.rows} total={props.total} />
      <Pager page={props.page} pages={props.pages} base="/operateur/imports" />
    </OperatorFrame>
  );
}

function History(props: { kinds: ImportKinds; rows: ImportJob[]; total: number }) {
  return (
    <Table
      caption={`Imports, les plus récents d’abord (${plural(props.total, 'import', 'imports')})`}
      columns={['N°', 'Déposé le', 'Type', 'Année', 'Fichier et empreinte SHA-256', 'Taille', 'Agent', 'État', 'Lignes', 'Rejets']}
      rows={props.rows}
      empty="Aucun import depuis le navigateur pour le moment."
      row={(j) => (
        <tr key={j.id}>
          <td>
            <a href={`/operateur/imports/suivi/${j.id}`}>{`Import n° ${j.id}`}</a>
          </td>
          <td>{formatDateTime(j.createdAt)}</td>
          <td>{props.kinds[j.type]?.label ?? j.type}</td>
          <td>{j.annee === null ? '—' : String(j.annee)}</td>
          <td>
            {j.fichier}
            <br />
            <code className="fr-text--xs import-sha">{j.sha256}</code>
          </td>
          <td>{formatSize(j.taille)}</td>
          <td>{j.agent}</td>
          <td>
            <StateBadge etat={j.etat} />
          </td>
          <td>{j.comptes ? formatInteger(j.comptes.lignes ?? 0) : '—'}</td>
          <td>{j.comptes ? formatInteger(j.comptes.rejets ?? 0) : '—'}</td>
        </tr>
      )}
    />
  );
}

export function ImportFormPage(props: {
  ctx: PageContext;
  type: ImportType;
  info: ImportTypeInfo;
  message?: string;
  errors?: FieldErrors;
  values?: Record<string, string>;
}) {
  const info = props.info;
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  return (
    <OperatorFrame
      ctx={props.ctx}
      tab="imports"
      title={`Importer : ${info.label}`}
      breadcrumb={[{ href: '/operateur/imports', label: 'Imports' }]}
    >
      <p>{info.description}</p>
      <p className="fr-text--sm">{`Le même import que la commande « ${info.commande} » (format : ${info.format}). Tout ou rien : une ligne refusée et rien n’est importé.`}</p>
      <ErrorSummary errors={errors} message={props.message} />
      <form method="post" action={`/operateur/imports/${props.type}`} encType="multipart/form-data" id="import-operateur">
        <CsrfField token={props.ctx.csrfToken} />
        {info.annee ? (
          <Input
            name="annee"
            label="Année de campagne"
            required
            inputMode="numeric"
            maxLength={4}
            hint="Par exemple 2025."
            value={values.annee}
            error={errors.annee}
          />
        ) : null}
        {info.frais ? (
          <Input
            name="frais"
            label="Frais de gestion de l’opérateur (en euros, facultatif)"
            hint="Répartis au premier import de l’année ; sans montant, celui de l’arrêté du 15 juin 2023."
            value={values.frais}
            error={errors.frais}
            maxLength={30}
          />
        ) : null}
        <FileField info={info} error={errors.fichier} />
        <BackAndSubmit className="fr-btns-group--inline-md" back="/operateur/imports" backLabel="Retour" submit="Importer" />
      </form>
    </OperatorFrame>
  );
}

/** The file, last in the form (the server reads the fields before it). */
function FileField(props: { info: ImportTypeInfo; error?: string | undefined }) {
  const info = props.info;
  return (
    <div className={`fr-upload-group fr-mb-3w ${props.error ? 'fr-input-group--error' : ''}`}>
      <label className="fr-label" htmlFor="fichier">
        Fichier à importer
        <span className="fr-hint-text">{`Taille maximale : ${formatSize(info.maxBytes)}. Format : ${info.extensions.join(', ')}.`}</span>
      </label>
      <input
        className="fr-upload"
        type="file"
        id="fichier"
        name="fichier"
        accept={info.extensions.join(',')}
        required
        aria-required="true"
        aria-describedby={props.error ? 'fichier-erreur' : undefined}
      />
      {props.error ? (
        <p className="fr-error-text" id="fichier-erreur">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function ImportJobPage(props: { ctx: PageContext; job: ImportJob; label: string }) {
  const j = props.job;
  return (
    <OperatorFrame
      ctx={props.ctx}
      tab="imports"
      title={`Import n° ${j.id} : ${props.label}`}
      breadcrumb={[{ href: '/operateur/imports', label: 'Imports' }]}
    >
      <ul>
        <li>{`Fichier : ${j.fichier} (${formatSize(j.taille)})`}</li>
        <li>
          Empreinte SHA-256 : <code>{j.sha256}</code>
        </li>
        <li>{`Déposé le ${formatDateTime(j.createdAt)} par ${j.agent}${j.annee === null ? '' : `, campagne ${j.annee}`}`}</li>
        {j.finishedAt ? <li>{`Terminé le ${formatDateTime(j.finishedAt)}`}</li> : null}
      </ul>
      <StateBadge etat={j.etat} />
      {j.etat === 'en_cours' ? <Progress job={j} /> : <Report job={j} />}
      <p className="fr-mt-4w">
        <a className="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/operateur/imports">
          Retour aux imports
        </a>
      </p>
    </OperatorFrame>
  );
}

/** The progress bar, read back from the database (the script polls the page's JSON). */
function Progress(props: { job: ImportJob }) {
  const j = props.job;
  const pct = j.total > 0 ? Math.min(100, Math.floor((j.fait / j.total) * 100)) : 0;
  return (
    <div className="fr-mt-3w" data-import-suivi={`/operateur/imports/suivi/${j.id}`}>
      <p className="fr-text--sm">L’import se poursuit si vous fermez cette page ; revenez-y depuis l’historique des imports.</p>
      <label className="fr-label" htmlFor="progression">
        {`Progression : ${j.phase ?? 'en attente'}`}
      </label>
      <progress id="progression" className="import-progress" max={100} value={pct}>
        {`${pct} %`}
      </progress>
      <p className="fr-text--sm" id="progression-texte" aria-live="polite">
        {j.total > 0 ? `${formatInteger(j.fait)} sur ${formatInteger(j.total)} (${pct} %)` : 'Démarrage…'}
      </p>
      <p>
        <a className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-refresh-line fr-btn--icon-left" href={`/operateur/imports/suivi/${j.id}`}>
          Actualiser
        </a>
      </p>
    </div>
  );
}

function Report(props: { job: ImportJob }) {
  const j = props.job;
  const c = j.comptes;
  return (
    <>
      {j.etat === 'reussi' ? (
        <Alert type="success" title="Import terminé">
          Le fichier est importé.
        </Alert>
      ) : (
        <Alert type={j.etat === 'refuse' ? 'warning' : 'error'} title="Rien n’a été importé">
          {j.etat === 'refuse' ? 'Des lignes sont refusées : corrigez le fichier puis importez-le à nouveau.' : 'L’import n’a pas abouti.'}
        </Alert>
      )}
      {c ? (
        <p className="fr-mt-2w">{`${plural(c.lignes ?? 0, 'ligne lue', 'lignes lues')}, ${plural(c.rejets ?? 0, 'rejet', 'rejets')}, ${plural(c.avertissements ?? 0, 'avertissement', 'avertissements')} ; ${formatInteger(c.ajoutes ?? 0)} ajouté(s), ${formatInteger(c.modifies ?? 0)} modifié(s), ${formatInteger(c.inchanges ?? 0)} inchangé(s).`}</p>
      ) : null}
      <h2 className="fr-mt-3w">Compte rendu</h2>
      <pre className="import-rapport">{(j.rapport ?? []).join('\n')}</pre>
    </>
  );
}
