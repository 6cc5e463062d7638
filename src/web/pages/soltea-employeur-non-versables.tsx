/**
 * Shares that could not be paid, in the employer's space (D. 6241-27-1): « Non versable » and its reason
 * on the line of the Synthèse, a summary above the table, and the « Redésigner » page — search a
 * habilitated establishment, choose it, confirm.
 */
import { formatJour } from '../../domain/jours.js';
import { formatSiret } from '../../domain/identifiers.js';
import type { RedesignationView } from '../../modules/attributions/redesignation-view.js';
import type { Synthese, SyntheseLine } from '../../modules/attributions/synthese.js';
import { formatEuros } from '../../shared/format.js';
import { Alert, CsrfField, Input, RadioGroup } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { SyntheseFrame, type EmployerHeader } from './soltea-employeur-frame.js';

export const redesignerUrl = (siret: string, id: number) => `/soltea/employeur/${siret}/non-versables/${id}`;

/** On a line of the Synthèse: « Non versable », the amount and reason, and « Redésigner » while it is possible. */
export function NonVersableMention(props: { head: EmployerHeader; s: Synthese; l: SyntheseLine }) {
  const nv = props.l.nonVersable;
  if (!nv) return null;
  const name = props.l.target?.libelle ?? 'cette attribution';
  return (
    <div className="fr-mt-1v">
      <span className="fr-badge fr-badge--error fr-badge--sm">Non versable</span>
      <span className="fr-hint-text">{`${formatEuros(nv.montantCents)} : ${nv.motif}`}</span>
      {props.s.redesignation.ouverte ? (
        <a className="fr-link fr-link--sm" href={redesignerUrl(props.head.siret, nv.id)}>
          Redésigner<span className="fr-sr-only">{` la part non versable de ${name}`}</span>
        </a>
      ) : (
        <span className="fr-hint-text">Délai dépassé : cette part rejoint les fonds non affectés.</span>
      )}
    </div>
  );
}

/** Above the table: how many shares could not be paid, and until when they may be given to another establishment. */
export function NonVersablesAlert(props: { s: Synthese }) {
  const shares = props.s.lines.filter((l) => l.nonVersable);
  if (shares.length === 0) return null;
  const total = shares.reduce((x, l) => x + l.nonVersable!.montantCents, 0n);
  const fin = formatJour(props.s.redesignation.fin);
  return (
    <Alert type={props.s.redesignation.ouverte ? 'warning' : 'info'} title="Attributions non versables">
      <p>
        {`${shares.length > 1 ? `${shares.length} attributions n’ont pas pu être versées` : 'Une attribution n’a pas pu être versée'} (${formatEuros(total)}) : le motif figure sur la ligne « Non versable ». `}
        {props.s.redesignation.ouverte
          ? `Vous pouvez attribuer ces montants à un autre établissement habilité jusqu’au ${fin} inclus avec « Redésigner » ; à défaut, ils rejoindront les fonds non affectés (article D. 6241-27-1 du code du travail).`
          : `Le délai de re-désignation a pris fin le ${fin} : ces montants rejoignent les fonds non affectés (article D. 6241-27-1 du code du travail).`}
      </p>
    </Alert>
  );
}

function Results(props: { ctx: PageContext; head: EmployerHeader; v: RedesignationView }) {
  const { v } = props;
  if (v.results === null) return null;
  if (v.results.length === 0)
    return (
      <p>{v.searchMessage ?? 'Aucun établissement habilité ne correspond à votre recherche : essayez d’autres mots, ou son SIRET.'}</p>
    );
  return (
    <form method="post" action={redesignerUrl(props.head.siret, v.id)}>
      <CsrfField token={props.ctx.csrfToken} />
      <input type="hidden" name="version" value={v.version} />
      <RadioGroup
        name="siret"
        legend={`Établissements trouvés (${v.total > v.results.length ? `les ${v.results.length} premiers sur ${v.total}` : v.results.length})`}
        required
        options={v.results.map((r) => ({
          value: r.siret,
          label: r.nom,
          hint: `SIRET ${formatSiret(r.siret)}${r.commune ? ` · ${r.commune}` : ''} · ${r.categorie} · ${r.liste}`,
        }))}
      />
      <button className="fr-btn" type="submit">
        Attribuer cette part à l’établissement choisi
      </button>
    </form>
  );
}

/** « Redésigner »: the share, then a search and the establishments found, one to choose. */
export function RedesignerPage(props: { ctx: PageContext; head: EmployerHeader; v: RedesignationView; error?: string }) {
  const { v, head } = props;
  return (
    <SyntheseFrame ctx={props.ctx} head={head} backClassName="fr-mt-4w" title="Redésigner une attribution non versable">
      {props.error ? (
        <Alert type="error" title="La part n’a pas été redésignée">
          <p>{props.error}</p>
        </Alert>
      ) : null}
      <p>
        {`${formatEuros(v.montantCents)} de vos attributions à ${v.ancienNom} n’ont pas pu être versés : ${v.motif}. `}
        {v.ouverte
          ? `Vous pouvez attribuer cette part à un autre établissement habilité jusqu’au ${formatJour(v.fin)} inclus ; elle lui sera versée à la prochaine vague de versement.`
          : `Le délai de re-désignation a pris fin le ${formatJour(v.fin)} : cette part rejoint les fonds non affectés (article D. 6241-27-1 du code du travail).`}
      </p>
      {v.ouverte ? (
        <>
          <form method="get" action={redesignerUrl(head.siret, v.id)} role="search" className="fr-mb-4w">
            <Input
              name="q"
              label="Rechercher un établissement habilité"
              hint="Son nom, son SIRET ou son code UAI"
              value={v.q}
              maxLength={200}
            />
            <button className="fr-btn fr-btn--secondary" type="submit">
              Rechercher
            </button>
          </form>
          <Results ctx={props.ctx} head={head} v={v} />
        </>
      ) : null}
    </SyntheseFrame>
  );
}
