/** « Attribuer » (from the fiche of an establishment): its targets, the ones already chosen, their percentages. */
import type { ReactNode } from 'react';
import { NATIONAL_LIST_CAP_BP } from '../../domain/referentiel.js';
import { formatSiret } from '../../domain/identifiers.js';
import { formatEuros, formatPercent } from '../../shared/format.js';
import type { FieldErrors } from '../../shared/fields.js';
import type { Synthese } from '../../modules/attributions/synthese.js';
import type { EstablishmentTargets } from '../../modules/attributions/targets.js';
import { CsrfField, ErrorSummary } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { attribuerUrl, EmployerFrame, employerUrl, type EmployerHeader } from './soltea-employeur-frame.js';
import { Calendrier, EnveloppeSummary } from './soltea-employeur-synthese.js';

export interface AttribuerProps {
  ctx: PageContext;
  head: EmployerHeader;
  s: Synthese;
  targets: EstablishmentTargets;
  /** typed values by field name (`pct_e12`, `pct_f34`) and the ticked boxes */
  values: Record<string, string>;
  checked: Set<string>;
  errors?: FieldErrors;
  alert?: string;
  /** the form's name of a target (the route's contract) */
  cibleOf: (t: { formationId?: number | null; etablissementId: number }) => string;
}

function TargetRow(props: {
  cible: string;
  label: ReactNode;
  name: string;
  hint?: string;
  value?: string;
  checked: boolean;
  error?: string;
  disabled: boolean;
}) {
  const { cible } = props;
  const id = `pct_${cible}`;
  return (
    <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--middle fr-mb-1w">
      <div className="fr-col-12 fr-col-md-8">
        <div className="fr-checkbox-group">
          <input
            type="checkbox"
            id={`cible-${cible}`}
            name="cible"
            value={cible}
            defaultChecked={props.checked}
            disabled={props.disabled}
            data-cible={cible}
          />
          <label className="fr-label" htmlFor={`cible-${cible}`}>
            {props.label}
            {props.hint ? <span className="fr-hint-text">{props.hint}</span> : null}
          </label>
        </div>
      </div>
      <div className="fr-col-12 fr-col-md-4">
        <div className={`fr-input-group fr-mb-0 ${props.error ? 'fr-input-group--error' : ''}`}>
          <label className="fr-label" htmlFor={id}>
            Pourcentage (%)<span className="fr-sr-only">{` pour ${props.name}`}</span>
          </label>
          <input
            className={`fr-input ${props.error ? 'fr-input--error' : ''}`}
            id={id}
            name={id}
            inputMode="decimal"
            defaultValue={props.value ?? ''}
            disabled={props.disabled}
            data-pct={cible}
            aria-describedby={props.error ? `${id}-messages` : undefined}
          />
          {props.error ? (
            <p className="fr-error-text" id={`${id}-messages`}>
              {props.error}
            </p>
          ) : null}
        </div>
      </div>
    </div>
  );
}

export function AttribuerPage(props: AttribuerProps) {
  const { s, head, targets: t, cibleOf } = props;
  const e = props.errors ?? {};
  const can = s.modifiable.ok && s.groupe?.role !== 'membre' && s.enveloppe !== null;
  const hasComposantes = t.places.length > 1;
  // what the other establishments already receive (the live total adds this page's percentages)
  const here = new Set([...t.places.map((p) => `${p.id}:0`), ...t.formations.map((f) => `${f.etablissementId}:${f.id}`)]);
  const autresBp = s.lines.filter((l) => !here.has(`${l.etablissementId}:${l.formationId ?? 0}`)).reduce((x, l) => x + l.pointsBase, 0);
  return (
    <EmployerFrame
      ctx={props.ctx}
      head={head}
      tab="recherche"
      title={`Attribuer à ${t.etablissement.nom}`}
      crumbs={[{ href: employerUrl(head.siret, 'recherche'), label: 'Recherche établissement' }]}
    >
      {props.alert ? (
        <div className="fr-alert fr-alert--error fr-mb-3w" role="alert" id="erreurs">
          <h2 className="fr-alert__title">Vos choix n’ont pas été enregistrés</h2>
          <p>{props.alert}</p>
          {Object.keys(e).filter((k) => k !== '_form').length ? (
            <ul>
              {Object.entries(e)
                .filter(([k]) => k !== '_form')
                .map(([k, m]) => (
                  <li key={k}>
                    <a href={`#${k}`}>{m}</a>
                  </li>
                ))}
            </ul>
          ) : null}
        </div>
      ) : (
        <ErrorSummary errors={e} message={Object.keys(e).length ? 'Vos choix n’ont pas été enregistrés' : undefined} />
      )}
      <p>
        {`${t.etablissement.commune ?? ''}${t.etablissement.national ? ' · organisme de la liste nationale' : ''} · `}
        <a href={`/soltea/etablissements/${t.etablissement.siret}`}>Voir la fiche de l’établissement</a>
      </p>
      <Calendrier s={s} />
      {s.enveloppe ? (
        <p>
          {`Crédits à répartir : ${formatEuros(s.enveloppe.creditsCents)} · déjà attribué : ${formatPercent(s.totalBp)} · reste à attribuer : `}
          <strong>{formatPercent(s.resteBp)}</strong>
        </p>
      ) : (
        <EnveloppeSummary s={s} />
      )}
      {t.etablissement.national ? (
        <p className="fr-text--sm">{`Les organismes de la liste nationale reçoivent ensemble au plus ${formatPercent(NATIONAL_LIST_CAP_BP)} de votre solde (article L. 6241-5, 13° du code du travail) ; vous leur attribuez déjà ${formatPercent(s.nationalBp)}.`}</p>
      ) : null}
      <form method="post" action={attribuerUrl(head.siret, t.etablissement.siret)} data-attribuer="" data-autres-bp={autresBp}>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="version" value={s.version} />
        <fieldset className="fr-fieldset" aria-labelledby="places-legend">
          <legend className="fr-fieldset__legend" id="places-legend">
            {hasComposantes ? 'Attribuer à la composante / établissement secondaire' : 'Attribuer à l’établissement'}
            <span className="fr-hint-text">Cochez et indiquez le pourcentage de vos crédits à répartir (deux décimales au plus).</span>
          </legend>
          <div className="fr-fieldset__element">
            {t.places.map((p) => {
              const c = cibleOf({ etablissementId: p.id });
              return (
                <TargetRow
                  key={c}
                  cible={c}
                  label={p.kind === 'etablissement' ? `${p.nom} (établissement)` : p.nom}
                  name={p.nom}
                  hint={[
                    p.kind === 'composante' ? 'Composante / établissement secondaire' : null,
                    p.commune,
                    `SIRET ${formatSiret(p.siret)}`,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                  value={props.values[`pct_${c}`] ?? ''}
                  checked={props.checked.has(c)}
                  disabled={!can}
                  {...(e[`pct_${c}`] ? { error: e[`pct_${c}`] } : {})}
                />
              );
            })}
          </div>
        </fieldset>
        {t.formations.length ? (
          <fieldset className="fr-fieldset" aria-labelledby="formations-legend">
            <legend className="fr-fieldset__legend" id="formations-legend">
              Attribuer à l’une / des formations de l’établissement
              <span className="fr-hint-text">{`${t.formations.length} formation${t.formations.length > 1 ? 's' : ''} habilitée${t.formations.length > 1 ? 's' : ''}`}</span>
            </legend>
            <div className="fr-fieldset__element">
              {t.formations.map((f) => {
                const c = cibleOf({ etablissementId: f.etablissementId, formationId: f.id });
                return (
                  <TargetRow
                    key={c}
                    cible={c}
                    label={f.intitule}
                    name={f.intitule}
                    hint={[f.type, f.niveau ? `niveau ${f.niveau}` : null, f.composante, f.commune].filter(Boolean).join(' · ')}
                    value={props.values[`pct_${c}`] ?? ''}
                    checked={props.checked.has(c)}
                    disabled={!can}
                    {...(e[`pct_${c}`] ? { error: e[`pct_${c}`] } : {})}
                  />
                );
              })}
            </div>
          </fieldset>
        ) : (
          <p>Aucune formation n’est rattachée à cet établissement dans le référentiel : attribuez à l’établissement lui-même.</p>
        )}
        <p id="reste-live" className="fr-text--bold" role="status" aria-live="polite"></p>
        {can ? (
          <ul className="fr-btns-group fr-btns-group--inline-md">
            <li>
              <button className="fr-btn" type="submit">
                Enregistrer mes choix
              </button>
            </li>
            <li>
              <a className="fr-btn fr-btn--secondary" href={employerUrl(head.siret)}>
                Voir la synthèse
              </a>
            </li>
          </ul>
        ) : null}
      </form>
    </EmployerFrame>
  );
}
