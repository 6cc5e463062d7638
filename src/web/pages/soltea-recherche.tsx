/**
 * « Recherche établissement »: the GET form (the real platform's two fields and
 * « Lancer une recherche », an « Affiner » fieldset), the results list with « Voir la fiche » and the
 * DSFR pagination. Works without JavaScript; also embedded in the employer's entry page.
 */
import type { FieldErrors } from '../../shared/fields.js';
import { formatSiret } from '../../domain/identifiers.js';
import { CATEGORIES_L6241_5, LISTES, NIVEAUX } from '../../domain/referentiel.js';
import { criteriaQuery, type CriteriaField, FIELD_LABELS, hasRefinements, MAX_FIELD_LENGTH, RAYONS_KM } from '../../domain/recherche.js';
import type { ResultItem } from '../../modules/recherche/search.js';
import type { SearchView } from '../../modules/recherche/search-view.js';
import { plural } from '../../shared/format.js';
import { Alert, ErrorSummary, Fieldset, Input, Select } from '../components/form.js';
import { ButtonsGroup } from '../components/buttons.js';
import { Layout, type PageContext } from '../layout.js';
import { Pagination } from './habilitations.js';

export const SOLTEA_BREADCRUMB = [
  { href: '/', label: 'Accueil' },
  { href: '/soltea', label: 'SOLTéA' },
];

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The values and errors of the search form, which each criterion's field reads by its name. */
interface CriteriaForm {
  values: Record<string, string>;
  errors: FieldErrors;
}

/** What a criterion's field in its grid column reads of the form: the label of its name and its error. */
const fieldOf = (name: CriteriaField, form: CriteriaForm) => ({ name, label: FIELD_LABELS[name], error: form.errors[name] });

/** A text criterion in its grid column, with its value. */
function CriterionInput(props: { col: string; name: CriteriaField; hint: string; form: CriteriaForm; maxLength?: number }) {
  const field = fieldOf(props.name, props.form);
  const maxLength = props.maxLength ?? MAX_FIELD_LENGTH;
  return (
    <div className={props.col}>
      <Input {...field} hint={props.hint} value={props.form.values[props.name]} maxLength={maxLength} />
    </div>
  );
}

/** A criterion chosen from a list, in its grid column; `all`, the first choice, which leaves it out. */
function CriterionSelect(props: {
  col: string;
  name: CriteriaField;
  form: CriteriaForm;
  value: string;
  all?: string;
  options: readonly { value: string; label: string }[];
}) {
  const options = props.all === undefined ? props.options : [{ value: '', label: props.all }, ...props.options];
  return (
    <div className={props.col}>
      <Select {...fieldOf(props.name, props.form)} value={props.value} options={options} />
    </div>
  );
}

const HALF = 'fr-col-12 fr-col-md-6';
const THIRD = 'fr-col-12 fr-col-md-4';
const TWO_THIRDS = 'fr-col-12 fr-col-md-8';

/** The two main fields and « Lancer une recherche » (the SOLTéA home shows only these). */
export function MainFields(props: { values: Record<string, string>; errors?: FieldErrors }) {
  const form = { values: props.values, errors: props.errors ?? {} };
  return (
    <div className="fr-grid-row fr-grid-row--gutters">
      <CriterionInput col={HALF} name="q" hint="Exemples : Lycée Raspail, 197 506 918 00048, 0750691U" form={form} />
      <CriterionInput col={HALF} name="lieu" hint="Exemples : Tours, 37000, 37 ou Indre-et-Loire, Centre-Val de Loire" form={form} />
    </div>
  );
}

export function SearchForm(props: { action: string; view: SearchView }) {
  const { view } = props;
  const v = view.values;
  const e = view.errors ?? {};
  const form = { values: v, errors: e };
  const refine =
    hasRefinements(view.criteria) || ['formation', 'niveau', 'rncp', 'type', 'categorie', 'liste', 'autourDe', 'rayonKm'].some((k) => e[k]);
  return (
    <form
      method="get"
      action={props.action}
      className="fr-mb-4w"
      role="search"
      aria-label="Recherche d’établissements habilités"
      data-recherche=""
    >
      <MainFields values={v} errors={e} />
      <details className="fr-mb-3w" open={refine}>
        <summary className="fr-text--bold fr-py-1w">Affiner la recherche</summary>
        {/* The content of <details> sits in the element's internal slot, which has content-box: DSFR's
            « box-sizing: inherit » would make every field 2 rem wider than its column. */}
        <div style={{ boxSizing: 'border-box' }}>
          <Fieldset
            id="affiner"
            className="fr-mt-2w"
            legendId="affiner-legend"
            legend="Critères complémentaires"
            hint="Ils se combinent avec les deux champs ci-dessus."
          >
            <div className="fr-grid-row fr-grid-row--gutters">
              <CriterionInput col={TWO_THIRDS} name="autourDe" hint="Exemple : Tours ; les résultats indiquent la distance" form={form} />
              <CriterionSelect
                col={THIRD}
                name="rayonKm"
                form={form}
                value={String(view.criteria.rayonKm)}
                options={RAYONS_KM.map((r) => ({ value: String(r), label: `${r} km` }))}
              />
              <FormationFields form={form} types={view.types} />
              <EtablissementFields form={form} />
            </div>
          </Fieldset>
        </div>
      </details>
      {view.criteria.annee !== null ? <input type="hidden" name="annee" value={String(view.criteria.annee)} /> : null}
      <SearchButtons
        other={{ label: 'Effacer les critères', href: props.action, className: 'fr-btn fr-btn--tertiary fr-icon-close-line' }}
      />
    </form>
  );
}

/** « Lancer une recherche », and the other way out of the form (a link). */
export function SearchButtons(props: { other: { label: string; href: string; className: string } }) {
  return (
    <ButtonsGroup
      className="fr-btns-group--inline-md fr-btns-group--icon-left"
      buttons={[{ label: 'Lancer une recherche', submit: true, className: 'fr-btn fr-icon-search-line' }, props.other]}
    />
  );
}

/** « Affiner »: the formation criteria. */
function FormationFields(props: { form: CriteriaForm; types: readonly string[] }) {
  const { form } = props;
  const v = form.values;
  return (
    <>
      <CriterionInput
        col="fr-col-12"
        name="formation"
        hint="Mots du titre du diplôme, ou son code (CFD). Exemple : management commercial"
        form={form}
      />
      <CriterionSelect
        col={THIRD}
        name="niveau"
        form={form}
        value={str(v.niveau)}
        all="Tous les niveaux"
        options={NIVEAUX.map((n) => ({ value: String(n.niveau), label: n.libelle }))}
      />
      <CriterionSelect
        col={THIRD}
        name="type"
        form={form}
        value={str(v.type).toUpperCase()}
        all="Tous les types"
        options={props.types.map((t) => ({ value: t, label: t }))}
      />
      <CriterionInput col={THIRD} name="rncp" hint="Exemple : RNCP38362" form={form} maxLength={20} />
    </>
  );
}

/** « Affiner »: the establishment's category and list. */
function EtablissementFields(props: { form: CriteriaForm }) {
  const { form } = props;
  return (
    <>
      <CriterionSelect
        col={TWO_THIRDS}
        name="categorie"
        form={form}
        value={str(form.values.categorie)}
        all="Toutes les catégories"
        options={CATEGORIES_L6241_5.map((c) => ({ value: c.code, label: `${c.code} ${c.libelle}` }))}
      />
      <CriterionSelect
        col={THIRD}
        name="liste"
        form={form}
        value={str(form.values.liste)}
        all="Toutes les listes"
        options={LISTES.map((l) => ({ value: l.code, label: l.libelle }))}
      />
    </>
  );
}

function ResultCard(props: { r: ResultItem; formationCriteria: boolean; hrefSuffix: string; attribuerHref?: (siret: string) => string }) {
  const r = props.r;
  const href = `/soltea/etablissements/${r.siret}${props.hrefSuffix}`;
  return (
    <li className="fr-mb-2w">
      <div className="fr-card fr-card--sm fr-card--no-arrow">
        <div className="fr-card__body">
          <div className="fr-card__content">
            <h3 className="fr-card__title">{r.nom}</h3>
            <div className="fr-card__desc">
              <p className="fr-mb-1w">
                {[r.adresse, [r.codePostal, r.commune].filter(Boolean).join(' ')].filter(Boolean).join(', ')}
                {r.departement ? ` — ${r.departementNom ?? 'Département'} (${r.departement})` : ''}
              </p>
              <p className="fr-mb-1w">
                <span>SIRET : {formatSiret(r.siret)}</span>
                {r.uais.length ? <span>{` — ${r.uais.length > 1 ? 'UAI' : 'UAI'} : ${r.uais.join(', ')}`}</span> : null}
              </p>
              <p className="fr-mb-1w">
                {props.formationCriteria
                  ? plural(r.formations, 'formation correspondante', 'formations correspondantes')
                  : plural(r.formations, 'formation', 'formations')}
                {r.distanceKm !== null ? ` — à ${r.distanceKm.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km` : ''}
              </p>
              {r.composantes.length ? (
                <div className="fr-mb-1w">
                  <p className="fr-mb-0">{r.composantes.length > 1 ? 'Composantes correspondantes :' : 'Composante correspondante :'}</p>
                  <ul>
                    {r.composantes.map((c) => (
                      <li key={`${c.siret}-${c.nom}`}>
                        {c.nom}
                        {c.uais.length ? ` (UAI ${c.uais.join(', ')})` : ''}
                        {c.commune ? ` — ${c.commune}` : ''}
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null}
            </div>
            <div className="fr-card__start">
              <ul className="fr-tags-group">
                <li>
                  <p className="fr-tag" title={r.categorieLibelle}>{`Catégorie ${r.categorie}`}</p>
                </li>
                <li>
                  <p className="fr-tag">{r.listeLibelle}</p>
                </li>
              </ul>
            </div>
          </div>
          <div className="fr-card__footer">
            <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--sm">
              {props.attribuerHref ? (
                <li>
                  <a className="fr-btn" href={props.attribuerHref(r.siret)}>
                    Attribuer<span className="fr-sr-only">{` à ${r.nom}`}</span>
                  </a>
                </li>
              ) : null}
              <li>
                <a className="fr-btn fr-btn--secondary" href={href}>
                  Voir la fiche<span className="fr-sr-only">{` de ${r.nom}`}</span>
                </a>
              </li>
            </ul>
          </div>
        </div>
      </div>
    </li>
  );
}

/** The results: count (aria-live), how the criteria were understood, the cards, the pagination. */
/** `attribuerHref`: in an employer's space, each card also links to its « Attribuer » page. */
export function SearchResults(props: { action: string; view: SearchView; attribuerHref?: (siret: string) => string }) {
  const { view } = props;
  const o = view.outcome;
  if (!o) return null;
  const c = view.criteria;
  const formationCriteria = Boolean(c.formation || c.niveau !== null || c.rncp || c.type);
  const reasons = Object.values(o.fieldMessages);
  const count =
    o.annee === null
      ? 'Le référentiel des établissements habilités est vide : aucune campagne n’a encore été importée.'
      : o.results.length === 0 && o.page > 1
        ? `Aucun résultat sur la page ${o.page}.${o.total ? ` La recherche compte ${plural(o.total, 'établissement', 'établissements')}, sur ${plural(o.pages, 'page', 'pages')}.` : ''}`
        : o.total === 0
          ? 'Aucun établissement ne correspond à votre recherche.'
          : `${plural(o.total, 'établissement trouvé', 'établissements trouvés')} pour la campagne ${o.annee}${o.pages > 1 ? ` — page ${o.page} sur ${o.pages}` : ''}.`;
  const suffix = c.annee !== null ? `?annee=${c.annee}` : '';
  return (
    <section aria-labelledby="resultats-titre" className="fr-mt-2w">
      <h2 id="resultats-titre">Résultats</h2>
      <div role="status" aria-live="polite" aria-atomic="true" id="resultats-nombre">
        <p className="fr-text--lead fr-mb-1w">{count}</p>
      </div>
      {o.understood.length ? <p className="fr-text--sm">{`Critères retenus : ${o.understood.join(' ; ')}.`}</p> : null}
      {reasons.length ? (
        <Alert type="warning" title="Un critère n’a pas pu être compris">
          <ul>
            {reasons.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {o.results.length === 0 && o.annee !== null && !reasons.length ? (
        <p>
          {o.page > 1 ? (
            <a className="fr-link" href={`${props.action}?${criteriaQuery(c, { page: 1 })}`}>
              Revenir à la première page
            </a>
          ) : (
            'Vérifiez l’orthographe, retirez un critère, ou élargissez le rayon de recherche.'
          )}
        </p>
      ) : null}
      {o.results.length ? (
        <ul className="fr-raw-list" aria-label="Établissements trouvés">
          {o.results.map((r) => (
            <ResultCard
              key={r.siret}
              r={r}
              formationCriteria={formationCriteria}
              hrefSuffix={suffix}
              {...(props.attribuerHref ? { attribuerHref: props.attribuerHref } : {})}
            />
          ))}
        </ul>
      ) : null}
      <Pagination
        page={o.page}
        pages={o.pages}
        href={(p) => `${props.action}?${criteriaQuery(c, { page: p })}`}
        label="Pages de résultats"
      />
    </section>
  );
}

/** The whole search: why a criterion is refused, the notices, the form, the results (see `SearchResults`). */
export function Search(props: { action: string; view: SearchView; attribuerHref?: ((siret: string) => string) | undefined }) {
  const { view } = props;
  return (
    <>
      {view.invalid ? <ErrorSummary errors={view.errors} message="Un critère de recherche est incorrect" /> : null}
      {(view.notices ?? []).map((n) => (
        <Alert key={n} type="info">
          {n}
        </Alert>
      ))}
      <SearchForm action={props.action} view={view} />
      <SearchResults action={props.action} view={view} {...(props.attribuerHref ? { attribuerHref: props.attribuerHref } : {})} />
    </>
  );
}

export function RecherchePage(props: { ctx: PageContext; view: SearchView }) {
  return (
    <Layout ctx={props.ctx} title="Recherche établissement" breadcrumb={SOLTEA_BREADCRUMB} wide>
      <h1>Recherche établissement</h1>
      <p className="fr-text--lead">
        Trouvez les établissements habilités à percevoir le solde de la taxe d’apprentissage, et leurs formations.
      </p>
      <Search action="/soltea/recherche" view={props.view} />
    </Layout>
  );
}
