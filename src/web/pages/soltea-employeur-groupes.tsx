/** « Mes groupes »: the groups of SIRETs of the company, and the form of a new one. */
import type { ReactNode } from 'react';
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

interface Groupe {
  id: number;
  nom: string;
  reference: string;
  membres: string[];
}

interface GroupValues {
  nom?: string;
  reference?: string;
  membres?: string[];
}

/** A SIRET as the page names it: the number, then its name and town when known. */
function candidateLabel(candidates: readonly GroupCandidate[], siret: string): string {
  const c = candidates.find((x) => x.siret === siret);
  return `${formatSiret(siret)}${c?.denomination ? ` — ${c.denomination}` : ''}${c?.commune ? ` (${c.commune})` : ''}`;
}

/** One group: its reference, its other SIRETs, and « Dissoudre le groupe ». */
function GroupSection(props: { ctx: PageContext; siret: string; g: Groupe; label: (siret: string) => string }) {
  const { g, label } = props;
  return (
    <section className="fr-p-3w fr-mb-2w soltea-encadre" aria-labelledby={`groupe-${g.id}`}>
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
      <form method="post" action={`/soltea/employeur/${props.siret}/groupes/${g.id}/supprimer`}>
        <CsrfField token={props.ctx.csrfToken} />
        <button className="fr-btn fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left" type="submit">
          Dissoudre le groupe<span className="fr-sr-only">{` ${g.nom}`}</span>
        </button>
      </form>
    </section>
  );
}

/** « Nom du groupe ». */
function NameField(props: { value?: string; error?: string }) {
  const { error } = props;
  return (
    <div className={`fr-input-group ${error ? 'fr-input-group--error' : ''}`}>
      <label className="fr-label" htmlFor="nom">
        Nom du groupe
      </label>
      <input
        className={`fr-input ${error ? 'fr-input--error' : ''}`}
        id="nom"
        name="nom"
        maxLength={GROUP_NAME_MAX_UI}
        defaultValue={props.value ?? ''}
        aria-describedby={error ? 'nom-messages' : undefined}
      />
      {error ? (
        <p className="fr-error-text" id="nom-messages">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The SIRETs out of any group, as radio buttons (« SIRET de référence ») or boxes (« Autres SIRET du groupe »). */
function SiretChoices(props: {
  name: 'reference' | 'membres';
  type: 'radio' | 'checkbox';
  /** the inputs' ids are `${idPrefix}-${siret}` */
  idPrefix: string;
  legend: ReactNode;
  free: GroupCandidate[];
  isChecked: (siret: string) => boolean;
  error?: string;
  label: (siret: string) => string;
}) {
  const { name, error, label } = props;
  return (
    <fieldset className={`fr-fieldset ${error ? 'fr-fieldset--error' : ''}`} id={name} aria-labelledby={`${name}-legend`}>
      <legend className="fr-fieldset__legend" id={`${name}-legend`}>
        {props.legend}
      </legend>
      {props.free.map((c) => (
        <div key={c.siret} className="fr-fieldset__element">
          <div className={`fr-${props.type}-group`}>
            <input
              type={props.type}
              id={`${props.idPrefix}-${c.siret}`}
              name={name}
              value={c.siret}
              defaultChecked={props.isChecked(c.siret)}
            />
            <label className="fr-label" htmlFor={`${props.idPrefix}-${c.siret}`}>
              {label(c.siret)}
            </label>
          </div>
        </div>
      ))}
      {error ? <p className="fr-error-text fr-fieldset__element">{error}</p> : null}
    </fieldset>
  );
}

/** « Créer un groupe »: the form, or why it cannot be offered (fewer than two SIRETs out of any group). */
function CreateGroup(props: {
  ctx: PageContext;
  siret: string;
  free: GroupCandidate[];
  values: GroupValues;
  errors: FieldErrors;
  label: (siret: string) => string;
}) {
  const { errors: e, values: v, free, label } = props;
  if (free.length < 2)
    return (
      <p>
        Il faut au moins deux SIRET de la même entreprise, hors groupe, pour lesquels vous êtes habilité à « SOLTéA - Employeurs ». Votre
        administrateur gère vos habilitations.
      </p>
    );
  return (
    <form method="post" action={`/soltea/employeur/${props.siret}/groupes`}>
      <CsrfField token={props.ctx.csrfToken} />
      <ErrorSummary errors={e} message={Object.keys(e).length ? 'Le groupe n’a pas été créé' : undefined} />
      <NameField value={v.nom} error={e.nom} />
      <SiretChoices
        name="reference"
        type="radio"
        idPrefix="reference"
        legend={
          <>
            SIRET de référence
            <span className="fr-hint-text">Ses choix s’appliqueront à tout le groupe ; ceux des autres SIRET sont remplacés.</span>
          </>
        }
        free={free}
        isChecked={(siret) => (v.reference ?? props.siret) === siret}
        error={e.reference}
        label={label}
      />
      <SiretChoices
        name="membres"
        type="checkbox"
        idPrefix="membre"
        legend="Autres SIRET du groupe"
        free={free}
        isChecked={(siret) => (v.membres ?? []).includes(siret)}
        error={e.membres}
        label={label}
      />
      <button className="fr-btn" type="submit">
        Créer le groupe
      </button>
    </form>
  );
}

export function GroupesPage(props: {
  ctx: PageContext;
  head: EmployerHeader;
  groupes: Groupe[];
  candidates: GroupCandidate[];
  values?: GroupValues;
  errors?: FieldErrors;
  notice?: string;
}) {
  const { head, candidates } = props;
  const label = (siret: string) => candidateLabel(candidates, siret);
  const grouped = candidates.filter((c) => c.groupe);
  return (
    <EmployerFrame ctx={props.ctx} head={head} tab="groupes" title="Mes groupes" {...(props.notice ? { notice: props.notice } : {})}>
      <p>
        Une entreprise qui a plusieurs SIRET peut les réunir en groupe : les choix du <strong>SIRET de référence</strong> s’appliquent
        automatiquement à tous les SIRET du groupe, chacun sur ses propres crédits à répartir.
      </p>
      {props.groupes.length ? (
        props.groupes.map((g) => <GroupSection key={g.id} ctx={props.ctx} siret={head.siret} g={g} label={label} />)
      ) : (
        <p>Vous n’avez pas encore créé de groupe pour cette campagne.</p>
      )}
      <h2>Créer un groupe</h2>
      <CreateGroup
        ctx={props.ctx}
        siret={head.siret}
        free={candidates.filter((c) => !c.groupe)}
        values={props.values ?? {}}
        errors={props.errors ?? {}}
        label={label}
      />
      {grouped.length ? (
        <p className="fr-text--sm">{`Déjà dans un groupe : ${grouped.map((c) => `${formatSiret(c.siret)} (${c.groupe})`).join(', ')}.`}</p>
      ) : null}
    </EmployerFrame>
  );
}

const GROUP_NAME_MAX_UI = 80;
