/**
 * The employer's space for one SIRET (PRODUCT.md §4.4, research/soltea.md §1.2): « Recherche
 * établissement », « Synthèse » (modify, delete, « Valider mon attribution », « Enregistrer vos
 * attributions », « Répliquer les fléchages », partage de coordonnées), the « Attribuer » page of an
 * establishment (« Attribuer à la composante / établissement secondaire », « Attribuer à l’une / des
 * formations de l’établissement », « Enregistrer mes choix »), « Mes groupes » and « Historique ».
 */
import type { ReactNode } from 'react';
import { NATIONAL_LIST_CAP_BP } from '../../domain/referentiel.js';
import { describePhase, formatJour } from '../../domain/campagne.js';
import { formatSiret } from '../../domain/identifiers.js';
import { formatDate, formatEuros, formatPercent } from '../../shared/format.js';
import type { FieldErrors } from '../../shared/fields.js';
import type { Synthese, SyntheseLine } from '../../modules/attributions/synthese.js';
import type { EstablishmentTargets } from '../../modules/attributions/targets.js';
import { Alert, CsrfField, ErrorSummary } from '../components/form.js';
import { SideMenu } from '../components/side-menu.js';
import { Layout, type PageContext } from '../layout.js';
import type { SearchView } from '../../modules/recherche/search-view.js';
import { SearchForm, SearchResults } from './soltea-recherche.js';

export const EMPLOYER_TITLE = 'SOLTéA - Employeurs';

export type EmployerTab = 'recherche' | 'synthese' | 'groupes' | 'historique';
export const EMPLOYER_TABS: readonly { tab: EmployerTab; label: string; path: string }[] = [
  { tab: 'recherche', label: 'Recherche établissement', path: '/recherche' },
  { tab: 'synthese', label: 'Synthèse', path: '' },
  { tab: 'groupes', label: 'Mes groupes', path: '/groupes' },
  { tab: 'historique', label: 'Historique', path: '/historique' },
];

export const employerUrl = (siret: string, tab: EmployerTab = 'synthese') =>
  `/soltea/employeur/${siret}${EMPLOYER_TABS.find((t) => t.tab === tab)?.path ?? ''}`;
export const attribuerUrl = (siret: string, etab: string) => `/soltea/employeur/${siret}/attribuer/${etab}`;

export interface EmployerHeader {
  siret: string;
  denomination: string | null;
  annee: number;
  /** the person acts for several SIRETs: « Changer de SIRET » */
  several: boolean;
  /** acting for a client (tiers-déclarant) */
  client: boolean;
}

export function EmployerFrame(props: {
  ctx: PageContext;
  head: EmployerHeader;
  tab: EmployerTab;
  title: string;
  notice?: string;
  children: ReactNode;
  crumbs?: { href: string; label: string }[];
}) {
  const { head } = props;
  const name = head.denomination ?? formatSiret(head.siret);
  return (
    <Layout
      ctx={props.ctx}
      title={`${props.title} - ${name}`}
      breadcrumb={[
        { href: '/menu', label: 'Menu personnalisé' },
        { href: '/soltea/employeur', label: EMPLOYER_TITLE },
        ...(props.crumbs ?? []),
      ]}
      wide
    >
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <SideMenu
            id="employeur-menu"
            title="Espace employeur"
            items={EMPLOYER_TABS.map((t) => ({ key: t.tab, label: t.label, href: employerUrl(head.siret, t.tab) }))}
            current={props.tab}
          />
          {head.several ? (
            <p className="fr-mt-2w">
              <a className="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/soltea/employeur">
                Changer de SIRET
              </a>
            </p>
          ) : null}
        </div>
        <div className="fr-col-12 fr-col-md-9" data-espace-employeur="">
          <h1>{props.title}</h1>
          <p className="fr-text--lead fr-mb-1w">{name}</p>
          <p className="fr-text--sm">{`SIRET ${formatSiret(head.siret)} · campagne ${head.annee}${head.client ? ' · vous agissez pour ce client en tant que tiers-déclarant' : ''}`}</p>
          {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
          {props.children}
        </div>
      </div>
    </Layout>
  );
}

const euros = (c: bigint | null) => (c === null ? '—' : formatEuros(c));

function Calendrier(props: { s: Synthese }) {
  const s = props.s;
  return (
    <>
      <p className="fr-mb-1w">{describePhase(s.campaign, s.phase)}</p>
      {s.modifiable.ok ? null : (
        <Alert type="info" title="Vos choix ne peuvent pas être modifiés maintenant">
          <p>{s.modifiable.message}</p>
          <p className="fr-text--xs fr-mb-0">{`Référence : ${s.modifiable.reference}`}</p>
        </Alert>
      )}
    </>
  );
}

function EnveloppeSummary(props: { s: Synthese }) {
  const e = props.s.enveloppe;
  if (!e)
    return (
      <Alert type="warning" title="Aucun solde à répartir">
        <p>{`Aucun solde de taxe d’apprentissage n’a été transmis par l’Urssaf ou la MSA pour ce SIRET pour la campagne ${props.s.annee}. Si votre entreprise y est assujettie, vérifiez vos DSN (code 076 du bloc S21.G00.82).`}</p>
      </Alert>
    );
  return (
    <div className="fr-table fr-table--no-caption fr-mb-2w">
      <table>
        <caption>Vos crédits à répartir</caption>
        <tbody>
          <tr>
            <th scope="row">{`Solde de la taxe d’apprentissage déclaré (${e.collecteur === 'MSA' ? 'MSA' : 'Urssaf'}, code 076)`}</th>
            <td className="fr-cell--right">{formatEuros(e.soldeCents)}</td>
          </tr>
          {e.deductionsCents ? (
            <tr>
              <th scope="row">Déductions (codes 077 et 078)</th>
              <td className="fr-cell--right">{`− ${formatEuros(e.deductionsCents)}`}</td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">Frais de gestion (collecteur et opérateur)</th>
            <td className="fr-cell--right">{`− ${formatEuros(e.fraisCents)}`}</td>
          </tr>
          {e.reportCents ? (
            <tr>
              <th scope="row">
                {e.reportCents > 0n
                  ? 'Report sur la campagne suivante (correction de DSN)'
                  : 'Report de la campagne précédente (correction de DSN)'}
              </th>
              <td className="fr-cell--right">
                {e.reportCents > 0n ? `− ${formatEuros(e.reportCents)}` : `+ ${formatEuros(-e.reportCents)}`}
              </td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">
              <strong>Crédits à répartir</strong>
            </th>
            <td className="fr-cell--right">
              <strong>{formatEuros(e.creditsCents)}</strong>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

const STATUTS: Record<SyntheseLine['statut'], ReactNode> = {
  validee: <span className="fr-badge fr-badge--success fr-badge--sm">Validée</span>,
  enregistree: <span className="fr-badge fr-badge--warning fr-badge--sm">À enregistrer</span>,
};

/** A line's name: the beneficiary (link to its fiche) and the formation. */
function LineName(props: { l: SyntheseLine }) {
  const t = props.l.target;
  if (!t) return <>Établissement retiré du référentiel</>;
  const place = t.kind === 'formation' ? t.libelle.split(' — ')[0]! : t.libelle;
  return (
    <>
      <a href={`/soltea/etablissements/${t.etablissementSiret}`}>{place}</a>
      {t.kind === 'composante' ? <span className="fr-hint-text">{`Composante de ${t.etablissementNom}`}</span> : null}
      {t.commune ? <span className="fr-hint-text">{t.commune}</span> : null}
      {t.national ? <span className="fr-badge fr-badge--sm fr-badge--purple-glycine fr-mt-1v">Liste nationale</span> : null}
    </>
  );
}

const formationOf = (l: SyntheseLine) => (l.target?.kind === 'formation' ? l.target.libelle.split(' — ').slice(1).join(' — ') : '—');

export interface SyntheseProps {
  ctx: PageContext;
  head: EmployerHeader;
  s: Synthese;
  notice?: string;
  /** the line being modified (« Modifier »), with what was typed and its error */
  modifier?: { id: number; value: string; error?: string };
  errors?: FieldErrors;
  /** a message above everything (stale form, rule broken) */
  alert?: { type: 'error' | 'warning'; title: string; messages: string[] };
}

export function SynthesePage(props: SyntheseProps) {
  const { s, head } = props;
  const can = s.modifiable.ok && s.groupe?.role !== 'membre' && s.enveloppe !== null;
  const editing = props.modifier;
  return (
    <EmployerFrame ctx={props.ctx} head={head} tab="synthese" title="Synthèse" {...(props.notice ? { notice: props.notice } : {})}>
      {props.alert ? (
        <div className={`fr-alert fr-alert--${props.alert.type} fr-mb-3w`} role="alert" id="erreurs">
          <h2 className="fr-alert__title">{props.alert.title}</h2>
          {props.alert.messages.length === 1 ? (
            <p>{props.alert.messages[0]}</p>
          ) : (
            <ul>
              {props.alert.messages.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      <Calendrier s={s} />
      {s.groupe ? (
        <Alert type="info" title={`Groupe « ${s.groupe.nom} »`}>
          {s.groupe.role === 'reference' ? (
            <p>{`Ce SIRET est le SIRET de référence du groupe : ses choix s’appliquent aussi à ${s.groupe.membres.length > 1 ? `ses ${s.groupe.membres.length} autres SIRET` : 'son autre SIRET'} (${s.groupe.membres.map(formatSiret).join(', ')}), chacun sur ses propres crédits.`}</p>
          ) : (
            <p>
              {`Ce SIRET fait partie du groupe : ses attributions sont celles du SIRET de référence ${formatSiret(s.groupe.reference)}. `}
              <a href={employerUrl(s.groupe.reference)}>Ouvrir la synthèse du SIRET de référence</a>
            </p>
          )}
        </Alert>
      ) : null}
      <EnveloppeSummary s={s} />
      {s.aValider > 0 && can ? (
        <Alert type="warning" title="Attributions non enregistrées">
          <p>
            {`${s.aValider > 1 ? `${s.aValider} attributions ne sont pas encore enregistrées` : 'Une attribution n’est pas encore enregistrée'} : cliquez sur « Enregistrer vos attributions » avant de quitter. Seules les attributions enregistrées sont versées aux établissements.`}
          </p>
        </Alert>
      ) : null}
      <h2>Vos attributions</h2>
      {s.lines.length === 0 ? (
        <p>
          {'Vous n’avez encore choisi aucun établissement. '}
          <a href={employerUrl(head.siret, 'recherche')}>Rechercher un établissement</a>
          {' ou, si vous aviez réparti votre solde l’an dernier, répliquez vos fléchages.'}
        </p>
      ) : (
        <div className="fr-table fr-table--bordered">
          <table id="synthese">
            <caption>{`Synthèse de vos attributions, campagne ${s.annee}`}</caption>
            <thead>
              <tr>
                <th scope="col">Établissement</th>
                <th scope="col">Formation</th>
                <th scope="col" className="fr-cell--right">
                  Pourcentage
                </th>
                <th scope="col" className="fr-cell--right">
                  Montant attendu
                </th>
                <th scope="col">Statut</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {s.lines.map((l) => {
                const name = l.target?.libelle ?? 'cette attribution';
                const isEditing = editing?.id === l.id;
                return (
                  <tr key={l.id} id={`ligne-${l.id}`}>
                    <td>
                      <LineName l={l} />
                    </td>
                    <td>{formationOf(l)}</td>
                    <td className="fr-cell--right">
                      {isEditing ? (
                        <form method="post" action={`/soltea/employeur/${head.siret}/attributions/${l.id}`} id={`modifier-${l.id}`}>
                          <CsrfField token={props.ctx.csrfToken} />
                          <input type="hidden" name="version" value={s.version} />
                          <div className={`fr-input-group ${editing.error ? 'fr-input-group--error' : ''}`}>
                            <label className="fr-label" htmlFor="pourcentage">
                              {`Pourcentage attribué à ${name}`}
                              <span className="fr-hint-text">{`En %, deux décimales au plus ; reste à attribuer : ${formatPercent(s.resteBp + l.pointsBase)}`}</span>
                            </label>
                            <input
                              className={`fr-input ${editing.error ? 'fr-input--error' : ''}`}
                              id="pourcentage"
                              name="pourcentage"
                              inputMode="decimal"
                              defaultValue={editing.value}
                              aria-describedby={editing.error ? 'pourcentage-messages' : undefined}
                              autoFocus
                            />
                            {editing.error ? (
                              <p className="fr-error-text" id="pourcentage-messages">
                                {editing.error}
                              </p>
                            ) : null}
                          </div>
                        </form>
                      ) : (
                        formatPercent(l.pointsBase)
                      )}
                    </td>
                    <td className="fr-cell--right">{euros(l.montantCents)}</td>
                    <td>{STATUTS[l.statut]}</td>
                    <td>
                      {!can ? (
                        '—'
                      ) : isEditing ? (
                        <ul className="fr-btns-group fr-btns-group--sm">
                          <li>
                            <button className="fr-btn" type="submit" form={`modifier-${l.id}`}>
                              Valider mon attribution
                            </button>
                          </li>
                          <li>
                            <a className="fr-btn fr-btn--tertiary" href={`${employerUrl(head.siret)}#ligne-${l.id}`}>
                              Annuler
                            </a>
                          </li>
                        </ul>
                      ) : (
                        <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
                          <li>
                            <a
                              className="fr-btn fr-btn--secondary fr-icon-edit-line"
                              title={`Modifier ${name}`}
                              href={`${employerUrl(head.siret)}?modifier=${l.id}`}
                            >
                              Modifier<span className="fr-sr-only">{` ${name}`}</span>
                            </a>
                          </li>
                          <li>
                            <form method="post" action={`/soltea/employeur/${head.siret}/attributions/${l.id}/supprimer`}>
                              <CsrfField token={props.ctx.csrfToken} />
                              <input type="hidden" name="version" value={s.version} />
                              <button className="fr-btn fr-btn--tertiary fr-icon-delete-line" type="submit" title={`Supprimer ${name}`}>
                                Supprimer<span className="fr-sr-only">{` ${name}`}</span>
                              </button>
                            </form>
                          </li>
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  Total attribué
                </th>
                <td className="fr-cell--right">
                  <strong>{formatPercent(s.totalBp)}</strong>
                </td>
                <td className="fr-cell--right">
                  <strong>{euros(s.enveloppe ? s.attribueCents : null)}</strong>
                </td>
                <td colSpan={2}></td>
              </tr>
              <tr>
                <th scope="row" colSpan={2}>
                  Reste à attribuer
                </th>
                <td className="fr-cell--right">{formatPercent(s.resteBp)}</td>
                <td className="fr-cell--right">{euros(s.nonAttribueCents)}</td>
                <td colSpan={2}></td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      {s.lines.length ? (
        <p className="fr-text--sm">
          {`Liste nationale : ${formatPercent(s.nationalBp)} attribués (${formatPercent(NATIONAL_LIST_CAP_BP)} au plus, article L. 6241-5, 13° du code du travail). Les montants attendus sont calculés au centime, par la méthode du plus fort reste : leur total ne dépasse jamais vos crédits. Ce qui n’est pas attribué à la clôture est réparti selon l’article R. 6241-28 du code du travail.`}
        </p>
      ) : null}
      {can ? (
        <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-2w">
          {s.lines.length ? (
            <li>
              <form method="post" action={`/soltea/employeur/${head.siret}/enregistrer`}>
                <CsrfField token={props.ctx.csrfToken} />
                <input type="hidden" name="version" value={s.version} />
                <button className="fr-btn fr-icon-save-line fr-btn--icon-left" type="submit" disabled={s.aValider === 0}>
                  Enregistrer vos attributions
                </button>
              </form>
            </li>
          ) : null}
          <li>
            <a className="fr-btn fr-btn--secondary fr-icon-search-line fr-btn--icon-left" href={employerUrl(head.siret, 'recherche')}>
              Rechercher un établissement
            </a>
          </li>
          <li>
            <form method="post" action={`/soltea/employeur/${head.siret}/repliquer`}>
              <CsrfField token={props.ctx.csrfToken} />
              <input type="hidden" name="version" value={s.version} />
              <button className="fr-btn fr-btn--secondary fr-icon-refresh-line fr-btn--icon-left" type="submit">
                Répliquer les fléchages
              </button>
            </form>
          </li>
        </ul>
      ) : null}
      {s.lines.length ? (
        <p>
          <a className="fr-link fr-icon-download-line fr-link--icon-right" href={`/soltea/employeur/${head.siret}/synthese.csv`} download>
            Télécharger la synthèse (CSV)
          </a>
        </p>
      ) : null}
      {s.enveloppe ? <PartageForm ctx={props.ctx} siret={head.siret} partage={s.enveloppe.partage} /> : null}
    </EmployerFrame>
  );
}

function PartageForm(props: { ctx: PageContext; siret: string; partage: boolean }) {
  return (
    <form method="post" action={`/soltea/employeur/${props.siret}/partage`} className="fr-mt-4w">
      <CsrfField token={props.ctx.csrfToken} />
      <fieldset className="fr-fieldset" aria-labelledby="partage-legend">
        <legend className="fr-fieldset__legend" id="partage-legend">
          Partage de coordonnées
        </legend>
        <div className="fr-fieldset__element">
          <div className="fr-checkbox-group">
            <input type="checkbox" id="partage" name="partage" value="oui" defaultChecked={props.partage} aria-describedby="partage-hint" />
            <label className="fr-label" htmlFor="partage">
              J’accepte que les établissements que j’ai choisis voient le nom et le SIRET de mon entreprise
              <span className="fr-hint-text" id="partage-hint">
                Sans votre accord, ils voient le pourcentage et le montant attribués, mais pas qui les leur attribue. Vous pouvez changer
                d’avis à tout moment.
              </span>
            </label>
          </div>
        </div>
        <div className="fr-fieldset__element">
          <button className="fr-btn fr-btn--tertiary" type="submit">
            Enregistrer ce choix
          </button>
        </div>
      </fieldset>
    </form>
  );
}

// ── « Attribuer » (from the fiche of an establishment) ─────────────────────────────────────────

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

// ── « Recherche établissement » in the employer's space ─────────────────────────────────────────

export function EmployerSearchPage(props: { ctx: PageContext; head: EmployerHeader; view: SearchView }) {
  const { view, head } = props;
  const action = employerUrl(head.siret, 'recherche');
  return (
    <EmployerFrame ctx={props.ctx} head={head} tab="recherche" title="Recherche établissement">
      {view.invalid ? <ErrorSummary errors={view.errors} message="Un critère de recherche est incorrect" /> : null}
      {(view.notices ?? []).map((n) => (
        <Alert key={n} type="info">
          {n}
        </Alert>
      ))}
      <SearchForm action={action} view={view} />
      <SearchResults action={action} view={view} attribuerHref={(etab) => attribuerUrl(head.siret, etab)} />
    </EmployerFrame>
  );
}

// ── « Historique » ─────────────────────────────────────────────────────────────────────────────

export function HistoriquePage(props: { ctx: PageContext; head: EmployerHeader; campagnes: Synthese[] }) {
  return (
    <EmployerFrame ctx={props.ctx} head={props.head} tab="historique" title="Historique">
      {props.campagnes.length === 0 ? <p>Aucune campagne n’est encore enregistrée pour ce SIRET.</p> : null}
      {props.campagnes.map((s) => (
        <section key={s.annee} className="fr-mb-4w" aria-labelledby={`campagne-${s.annee}`}>
          <h2 id={`campagne-${s.annee}`}>{`Campagne ${s.annee}`}</h2>
          <p>
            {`Crédits à répartir : ${s.enveloppe ? formatEuros(s.enveloppe.creditsCents) : 'aucun solde transmis'} · attribué : ${formatPercent(s.totalBp)}${s.enveloppe ? ` (${formatEuros(s.attribueCents)})` : ''}${s.validationTotalePeriode ? ` · totalité validée en période ${s.validationTotalePeriode}` : ''}`}
          </p>
          {s.lines.length ? (
            <div className="fr-table">
              <table>
                <caption>{`Attributions de la campagne ${s.annee}`}</caption>
                <thead>
                  <tr>
                    <th scope="col">Établissement</th>
                    <th scope="col">Formation</th>
                    <th scope="col" className="fr-cell--right">
                      Pourcentage
                    </th>
                    <th scope="col" className="fr-cell--right">
                      Montant attendu
                    </th>
                    <th scope="col">Statut</th>
                  </tr>
                </thead>
                <tbody>
                  {s.lines.map((l) => (
                    <tr key={l.id}>
                      <td>
                        <LineName l={l} />
                      </td>
                      <td>{formationOf(l)}</td>
                      <td className="fr-cell--right">{formatPercent(l.pointsBase)}</td>
                      <td className="fr-cell--right">{euros(l.montantCents)}</td>
                      <td>
                        {STATUTS[l.statut]}
                        {l.valideeLe ? <span className="fr-hint-text">{`le ${formatDate(l.valideeLe)}`}</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p>Aucune attribution pour cette campagne.</p>
          )}
          <p className="fr-text--sm">
            {`Versements : ${s.campaign.vagues.map((v) => `vague ${v.numero} à partir du ${formatJour(v.date)} (attributions validées en période ${v.periodeNumero})`).join(' ; ')}. Fonds non attribués répartis à partir du ${formatJour(s.campaign.reliquat)}.`}
          </p>
          <p>
            <a
              className="fr-link fr-icon-download-line fr-link--icon-right"
              href={`/soltea/employeur/${props.head.siret}/synthese.csv?annee=${s.annee}`}
              download
            >
              {`Télécharger la campagne ${s.annee} (CSV)`}
            </a>
          </p>
        </section>
      ))}
    </EmployerFrame>
  );
}

// ── « Mes groupes » ────────────────────────────────────────────────────────────────────────────

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
