/** « Mes groupes »: the groups of SIRETs of the company, and the form of a new one. */
import { formatSiret } from '../../domain/identifiers.js';
import type { FieldErrors } from '../../shared/fields.js';
import { CsrfField, ErrorSummary } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { EmployerFrame, employerUrl, type EmployerHeader } from './soltea-employeur-frame.js';

export interface GroupCandidate {
  siret: string;
  denomination: string | null;
  commune: string | null;
  /** the group it already belongs to this campaign */
  groupe: string | null;
}

export function GroupesPage(props: {
  ctx: PageContext;
  head: EmployerHeader;
  groupes: { id: number; nom: string; reference: string; membres: string[] }[];
  candidates: GroupCandidate[];
  values?: { nom?: string; reference?: string; membres?: string[] };
  errors?: FieldErrors;
  notice?: string;
}) {
  const { head } = props;
  const e = props.errors ?? {};
  const v = props.values ?? {};
  const free = props.candidates.filter((c) => !c.groupe);
  const label = (siret: string) => {
    const c = props.candidates.find((x) => x.siret === siret);
    return `${formatSiret(siret)}${c?.denomination ? ` — ${c.denomination}` : ''}${c?.commune ? ` (${c.commune})` : ''}`;
  };
  return (
    <EmployerFrame ctx={props.ctx} head={head} tab="groupes" title="Mes groupes" {...(props.notice ? { notice: props.notice } : {})}>
      <p>
        Une entreprise qui a plusieurs SIRET peut les réunir en groupe : les choix du <strong>SIRET de référence</strong> s’appliquent
        automatiquement à tous les SIRET du groupe, chacun sur ses propres crédits à répartir.
      </p>
      {props.groupes.length ? (
        props.groupes.map((g) => (
          <section key={g.id} className="fr-p-3w fr-mb-2w soltea-encadre" aria-labelledby={`groupe-${g.id}`}>
            <h2 id={`groupe-${g.id}`} className="fr-h4">
              {g.nom}
            </h2>
            <p className="fr-mb-1w">
              {'SIRET de référence : '}
              <a href={employerUrl(g.reference)}>{label(g.reference)}</a>
            </p>
            <p className="fr-mb-0">{`${g.membres.length > 1 ? 'Autres SIRET' : 'Autre SIRET'} du groupe :`}</p>
            <ul>
              {g.membres.map((m) => (
                <li key={m}>{label(m)}</li>
              ))}
            </ul>
            <form method="post" action={`/soltea/employeur/${head.siret}/groupes/${g.id}/supprimer`}>
              <CsrfField token={props.ctx.csrfToken} />
              <button className="fr-btn fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left" type="submit">
                Dissoudre le groupe<span className="fr-sr-only">{` ${g.nom}`}</span>
              </button>
            </form>
          </section>
        ))
      ) : (
        <p>Vous n’avez pas encore créé de groupe pour cette campagne.</p>
      )}
      <h2>Créer un groupe</h2>
      {free.length < 2 ? (
        <p>
          Il faut au moins deux SIRET de la même entreprise, hors groupe, pour lesquels vous êtes habilité à « SOLTéA - Employeurs ». Votre
          administrateur gère vos habilitations.
        </p>
      ) : (
        <form method="post" action={`/soltea/employeur/${head.siret}/groupes`}>
          <CsrfField token={props.ctx.csrfToken} />
          <ErrorSummary errors={e} message={Object.keys(e).length ? 'Le groupe n’a pas été créé' : undefined} />
          <div className={`fr-input-group ${e.nom ? 'fr-input-group--error' : ''}`}>
            <label className="fr-label" htmlFor="nom">
              Nom du groupe
            </label>
            <input
              className={`fr-input ${e.nom ? 'fr-input--error' : ''}`}
              id="nom"
              name="nom"
              maxLength={GROUP_NAME_MAX_UI}
              defaultValue={v.nom ?? ''}
              aria-describedby={e.nom ? 'nom-messages' : undefined}
            />
            {e.nom ? (
              <p className="fr-error-text" id="nom-messages">
                {e.nom}
              </p>
            ) : null}
          </div>
          <fieldset className={`fr-fieldset ${e.reference ? 'fr-fieldset--error' : ''}`} id="reference" aria-labelledby="reference-legend">
            <legend className="fr-fieldset__legend" id="reference-legend">
              SIRET de référence
              <span className="fr-hint-text">Ses choix s’appliqueront à tout le groupe ; ceux des autres SIRET sont remplacés.</span>
            </legend>
            {free.map((c) => (
              <div key={c.siret} className="fr-fieldset__element">
                <div className="fr-radio-group">
                  <input
                    type="radio"
                    id={`reference-${c.siret}`}
                    name="reference"
                    value={c.siret}
                    defaultChecked={(v.reference ?? head.siret) === c.siret}
                  />
                  <label className="fr-label" htmlFor={`reference-${c.siret}`}>
                    {label(c.siret)}
                  </label>
                </div>
              </div>
            ))}
            {e.reference ? <p className="fr-error-text fr-fieldset__element">{e.reference}</p> : null}
          </fieldset>
          <fieldset className={`fr-fieldset ${e.membres ? 'fr-fieldset--error' : ''}`} id="membres" aria-labelledby="membres-legend">
            <legend className="fr-fieldset__legend" id="membres-legend">
              Autres SIRET du groupe
            </legend>
            {free.map((c) => (
              <div key={c.siret} className="fr-fieldset__element">
                <div className="fr-checkbox-group">
                  <input
                    type="checkbox"
                    id={`membre-${c.siret}`}
                    name="membres"
                    value={c.siret}
                    defaultChecked={(v.membres ?? []).includes(c.siret)}
                  />
                  <label className="fr-label" htmlFor={`membre-${c.siret}`}>
                    {label(c.siret)}
                  </label>
                </div>
              </div>
            ))}
            {e.membres ? <p className="fr-error-text fr-fieldset__element">{e.membres}</p> : null}
          </fieldset>
          <button className="fr-btn" type="submit">
            Créer le groupe
          </button>
        </form>
      )}
      {props.candidates.some((c) => c.groupe) ? (
        <p className="fr-text--sm">{`Déjà dans un groupe : ${props.candidates
          .filter((c) => c.groupe)
          .map((c) => `${formatSiret(c.siret)} (${c.groupe})`)
          .join(', ')}.`}</p>
      ) : null}
    </EmployerFrame>
  );
}

const GROUP_NAME_MAX_UI = 80;
