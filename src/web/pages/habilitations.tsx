/**
 * « Gérer les habilitations » (guide: « A l'aide des listes déroulantes, sélectionnez les critères
 * puis cliquez sur « Rechercher » », « Cochez ou décochez les cases […] puis cliquez sur « Valider » »),
 * its history, and the bulk import by CSV.
 */
import { Alert, CsrfField, ErrorSummary } from '../components/form.js';
import { Layout, type PageContext } from '../layout.js';

/** a label with only screen-reader text: keep the DSFR box it draws clickable */
const BOX_LABEL = { display: 'inline-block', minWidth: '1.5rem', minHeight: '1.5rem' } as const;
const BREADCRUMB = [{ href: '/menu', label: 'Menu personnalisé' }];
const HABILITATIONS_CRUMB = [...BREADCRUMB, { href: '/gestion/habilitations', label: 'Gérer les habilitations' }];

export interface CriteriaOptions {
  administrateur: string;
  declarants: { value: string; label: string }[];
  services: { value: string; label: string }[];
}

export interface CriteriaValues {
  siret: string;
  declarant: string;
  service: string;
}

export interface GridRowView {
  key: string;
  serviceName: string;
  siret: string;
  personLabel: string;
  payable: boolean;
  declarer: boolean;
  payer: boolean;
}

function query(c: CriteriaValues, page: number): string {
  const q = new URLSearchParams();
  if (c.siret) q.set('siret', c.siret);
  if (c.declarant) q.set('declarant', c.declarant);
  if (c.service) q.set('service', c.service);
  q.set('page', String(page));
  return `/gestion/habilitations?${q.toString()}`;
}

function CriteriaSelect(props: { name: string; label: string; options: { value: string; label: string }[]; value: string }) {
  return (
    <div className="fr-select-group">
      <label className="fr-label" htmlFor={`critere-${props.name}`}>
        {props.label}
      </label>
      <select className="fr-select" id={`critere-${props.name}`} name={props.name} defaultValue={props.value}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Pagination(props: { page: number; pages: number; href: (page: number) => string; label: string }) {
  if (props.pages <= 1) return null;
  const around = [...new Set([1, props.page - 1, props.page, props.page + 1, props.pages])]
    .filter((p) => p >= 1 && p <= props.pages)
    .sort((a, b) => a - b);
  return (
    <nav role="navigation" className="fr-pagination fr-my-3w" aria-label={props.label}>
      <ul className="fr-pagination__list">
        <li>
          {props.page > 1 ? (
            <a className="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" href={props.href(props.page - 1)}>
              Page précédente
            </a>
          ) : (
            <a className="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" aria-disabled="true" role="link">
              Page précédente
            </a>
          )}
        </li>
        {around.map((p) => (
          <li key={p}>
            <a
              className="fr-pagination__link"
              href={props.href(p)}
              aria-current={p === props.page ? 'page' : undefined}
              title={`Page ${p}`}
            >
              {p}
            </a>
          </li>
        ))}
        <li>
          {props.page < props.pages ? (
            <a className="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" href={props.href(props.page + 1)}>
              Page suivante
            </a>
          ) : (
            <a className="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" aria-disabled="true" role="link">
              Page suivante
            </a>
          )}
        </li>
      </ul>
    </nav>
  );
}

export function HabilitationsPage(props: {
  ctx: PageContext;
  options: CriteriaOptions;
  criteria: CriteriaValues;
  searched: boolean;
  grid?: { rows: GridRowView[]; page: number; pages: number; total: number };
  notice?: string;
  info?: string;
  error?: string;
}) {
  const { ctx, options, criteria, grid } = props;
  const anyPayable = grid?.rows.some((r) => r.payable) ?? false;
  return (
    <Layout ctx={ctx} title="Gérer les habilitations" breadcrumb={BREADCRUMB} wide>
      <h1>Gérer les habilitations</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      {props.info ? <Alert type="info">{props.info}</Alert> : null}
      <ErrorSummary message={props.error} />
      <p>À l’aide des listes déroulantes, sélectionnez les critères puis cliquez sur « Rechercher ».</p>
      <form method="get" action="/gestion/habilitations" className="fr-mb-4w">
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">Critères de recherche</legend>
          <div className="fr-fieldset__element">
            <div className="fr-input-group">
              <label className="fr-label" htmlFor="critere-siret">
                Siret
                <span className="fr-hint-text">
                  Facultatif : 14 chiffres. Laissez vide pour tous les établissements que vous administrez.
                </span>
              </label>
              <input
                className="fr-input"
                id="critere-siret"
                name="siret"
                type="text"
                inputMode="numeric"
                autoComplete="off"
                maxLength={20}
                defaultValue={criteria.siret}
              />
            </div>
          </div>
          <div className="fr-fieldset__element">
            <div className="fr-input-group">
              <label className="fr-label" htmlFor="critere-administrateur">
                Administrateur
              </label>
              <input className="fr-input" id="critere-administrateur" type="text" value={options.administrateur} readOnly />
            </div>
          </div>
          <div className="fr-fieldset__element">
            <CriteriaSelect
              name="declarant"
              label="Déclarants"
              options={[{ value: '', label: 'Tous les déclarants' }, ...options.declarants]}
              value={criteria.declarant}
            />
          </div>
          <div className="fr-fieldset__element">
            <CriteriaSelect
              name="service"
              label="Service"
              options={[{ value: '', label: 'Tous les services' }, ...options.services]}
              value={criteria.service}
            />
          </div>
        </fieldset>
        <input type="hidden" name="recherche" value="1" />
        <ul className="fr-btns-group fr-btns-group--inline">
          <li>
            <a className="fr-btn fr-btn--secondary" href="/menu">
              Retour
            </a>
          </li>
          <li>
            <button className="fr-btn" type="submit">
              Rechercher
            </button>
          </li>
        </ul>
      </form>

      {props.searched && grid ? (
        grid.rows.length === 0 ? (
          <Alert type="info">
            Aucune habilitation ne correspond à ces critères : vérifiez que le service est souscrit sur l’établissement (« Gérer les
            déclarations »).
          </Alert>
        ) : (
          <form method="post" action="/gestion/habilitations" id="grille-habilitations">
            <CsrfField token={ctx.csrfToken} />
            <input type="hidden" name="siret" value={criteria.siret} />
            <input type="hidden" name="declarant" value={criteria.declarant} />
            <input type="hidden" name="service" value={criteria.service} />
            <input type="hidden" name="page" value={String(grid.page)} />
            {grid.rows.map((r) => (
              <input key={r.key} type="hidden" name="rows" value={r.key} />
            ))}
            <p>Cochez ou décochez les cases pour ajouter ou supprimer des habilitations, puis cliquez sur « Valider ».</p>
            <div className="fr-table fr-table--bordered">
              <table>
                <caption>
                  Habilitations : {grid.total} ligne{grid.total > 1 ? 's' : ''}
                  {grid.pages > 1 ? `, page ${grid.page} sur ${grid.pages}` : ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">Siret</th>
                    <th scope="col">Déclarants</th>
                    <th scope="col">
                      Déclarer
                      <br />
                      <button
                        className="fr-btn fr-btn--sm fr-btn--tertiary fr-mt-1w"
                        type="submit"
                        name="bascule"
                        value="declarer"
                        data-bascule="declarer"
                        aria-label="Tout (dé)cocher la colonne Déclarer"
                      >
                        Tout (dé)cocher
                      </button>
                    </th>
                    <th scope="col">
                      Payer
                      {anyPayable ? (
                        <>
                          <br />
                          <button
                            className="fr-btn fr-btn--sm fr-btn--tertiary fr-mt-1w"
                            type="submit"
                            name="bascule"
                            value="payer"
                            data-bascule="payer"
                            aria-label="Tout (dé)cocher la colonne Payer"
                          >
                            Tout (dé)cocher
                          </button>
                        </>
                      ) : null}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {grid.rows.map((r, i) => (
                    <tr key={r.key}>
                      <th scope="row">{r.serviceName}</th>
                      <td>{r.siret}</td>
                      <td>{r.personLabel}</td>
                      <td>
                        <div className="fr-checkbox-group fr-checkbox-group--sm">
                          <input
                            type="checkbox"
                            id={`declarer-${i}`}
                            name="declarer"
                            value={r.key}
                            defaultChecked={r.declarer}
                            data-colonne="declarer"
                          />
                          <label className="fr-label" htmlFor={`declarer-${i}`} style={BOX_LABEL}>
                            <span className="fr-sr-only">{`Déclarer ${r.serviceName} pour ${r.personLabel} sur ${r.siret}`}</span>
                          </label>
                        </div>
                      </td>
                      <td>
                        {r.payable ? (
                          <div className="fr-checkbox-group fr-checkbox-group--sm">
                            <input
                              type="checkbox"
                              id={`payer-${i}`}
                              name="payer"
                              value={r.key}
                              defaultChecked={r.payer}
                              data-colonne="payer"
                            />
                            <label className="fr-label" htmlFor={`payer-${i}`} style={BOX_LABEL}>
                              <span className="fr-sr-only">{`Payer ${r.serviceName} pour ${r.personLabel} sur ${r.siret}`}</span>
                            </label>
                          </div>
                        ) : (
                          <span className="fr-hint-text">Sans objet</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <ul className="fr-btns-group fr-btns-group--inline">
              <li>
                <a className="fr-btn fr-btn--secondary" href={query(criteria, grid.page)}>
                  Annuler
                </a>
              </li>
              <li>
                <button className="fr-btn" type="submit">
                  Valider
                </button>
              </li>
            </ul>
            {grid.pages > 1 ? (
              <p className="fr-hint-text">
                Validez chaque page avant de passer à la suivante : seules les lignes de la page affichée sont enregistrées.
              </p>
            ) : null}
          </form>
        )
      ) : null}
      {props.searched && grid ? (
        <Pagination page={grid.page} pages={grid.pages} href={(p) => query(criteria, p)} label="Pages de la grille des habilitations" />
      ) : null}

      <h2 className="fr-mt-6w">Modification en masse et historique</h2>
      <ul>
        <li>
          <a className="fr-link" href="/gestion/habilitations/export.csv" download>
            Exporter les habilitations (CSV)
          </a>
        </li>
        <li>
          <a className="fr-link" href="/gestion/habilitations/import">
            Importer un fichier d’habilitations modifié
          </a>
        </li>
        <li>
          <a className="fr-link" href="/gestion/habilitations/historique">
            Historique des habilitations
          </a>
        </li>
      </ul>
    </Layout>
  );
}

export interface HistoryRowView {
  id: number;
  at: string;
  actor: string;
  person: string;
  siret: string;
  service: string;
  declarer: boolean;
  payer: boolean;
  payable: boolean;
}

const right = (on: boolean) => (on ? 'Oui' : 'Non');

export function HabilitationsHistoryPage(props: { ctx: PageContext; rows: HistoryRowView[]; page: number; pages: number; total: number }) {
  return (
    <Layout ctx={props.ctx} title="Historique des habilitations" breadcrumb={HABILITATIONS_CRUMB} wide>
      <h1>Historique des habilitations</h1>
      <p>
        Chaque attribution et chaque retrait d’un droit, du plus récent au plus ancien : les colonnes « Déclarer » et « Payer » donnent les
        droits après la modification.
      </p>
      <p>
        <a className="fr-link fr-icon-download-line fr-link--icon-left" href="/gestion/habilitations/historique.csv" download>
          Exporter l’historique (CSV)
        </a>
      </p>
      {props.rows.length === 0 ? (
        <Alert type="info">Aucune modification d’habilitation n’a encore été enregistrée.</Alert>
      ) : (
        <div className="fr-table fr-table--bordered">
          <table>
            <caption>
              Historique : {props.total} modification{props.total > 1 ? 's' : ''}
              {props.pages > 1 ? `, page ${props.page} sur ${props.pages}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Par</th>
                <th scope="col">Déclarant</th>
                <th scope="col">Siret</th>
                <th scope="col">Service</th>
                <th scope="col">Déclarer</th>
                <th scope="col">Payer</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr key={r.id}>
                  <td>{r.at}</td>
                  <td>{r.actor}</td>
                  <td>{r.person}</td>
                  <td>{r.siret}</td>
                  <td>{r.service}</td>
                  <td>{right(r.declarer)}</td>
                  <td>{r.payable ? right(r.payer) : 'Sans objet'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination
        page={props.page}
        pages={props.pages}
        href={(p) => `/gestion/habilitations/historique?page=${p}`}
        label="Pages de l’historique"
      />
      <p>
        <a className="fr-link" href="/gestion/habilitations">
          Retour à la gestion des habilitations
        </a>
      </p>
    </Layout>
  );
}

export function HabilitationsImportPage(props: {
  ctx: PageContext;
  csv?: string;
  error?: string;
  report?: { line: number; message: string }[];
  notice?: string;
}) {
  return (
    <Layout ctx={props.ctx} title="Importer des habilitations" breadcrumb={HABILITATIONS_CRUMB}>
      <h1>Importer des habilitations</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      {props.error ? (
        <div className="fr-alert fr-alert--error fr-mb-3w" role="alert" id="erreurs">
          <h2 className="fr-alert__title">{props.error}</h2>
          {props.report?.length ? (
            <div className="fr-table fr-mt-2w">
              <table>
                <caption>Compte rendu ligne par ligne</caption>
                <thead>
                  <tr>
                    <th scope="col">Ligne</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {props.report.map((r, i) => (
                    <tr key={i}>
                      <td>{r.line}</td>
                      <td>{r.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
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
        <ul className="fr-btns-group fr-btns-group--inline">
          <li>
            <a className="fr-btn fr-btn--secondary" href="/gestion/habilitations">
              Retour
            </a>
          </li>
          <li>
            <button className="fr-btn" type="submit">
              Importer
            </button>
          </li>
        </ul>
      </form>
    </Layout>
  );
}
