/**
 * The SOLTéA establishment space (PRODUCT.md §4.3): the choice of establishment, then one page per
 * entry of the side menu: « Mon établissement », « Présentation et contacts », « Lien direct »,
 * « Coordonnées bancaires » (soltea-etablissement-banque.tsx), « Attributions reçues ».
 */
import type { ReactNode } from 'react';
import { formatSiret } from '../../domain/identifiers.js';
import { formatEuros, formatPercent } from '../../shared/format.js';
import type { EstablishmentChoice } from '../../modules/espace-etablissement/access.js';
import { ANONYMOUS_EMPLOYER, STATUT_LIBELLES, type ReceivedView } from '../../modules/espace-etablissement/attributions.js';
import type { BankStatus } from '../../modules/espace-etablissement/bank-rules.js';
import type { EstablishmentView } from '../../modules/espace-etablissement/etablissement.js';
import { Alert } from '../components/form.js';
import { SideMenu } from '../components/side-menu.js';
import { Layout, type PageContext } from '../layout.js';

export const SPACE_TITLE = 'SOLTéA - Etablissements';
export const SPACE_BREADCRUMB = [{ href: '/menu', label: 'Menu personnalisé' }];

export type SpaceTab = 'etablissement' | 'presentation' | 'lien' | 'banque' | 'attributions';

export const SPACE_TABS: readonly { tab: SpaceTab; label: string; path: string }[] = [
  { tab: 'etablissement', label: 'Mon établissement', path: '' },
  { tab: 'presentation', label: 'Présentation et contacts', path: '/presentation' },
  { tab: 'lien', label: 'Lien direct', path: '/lien' },
  { tab: 'banque', label: 'Coordonnées bancaires', path: '/coordonnees-bancaires' },
  { tab: 'attributions', label: 'Attributions reçues', path: '/attributions' },
];

export const spaceUrl = (siret: string, tab: SpaceTab = 'etablissement') =>
  `/soltea/etablissement/${siret}${SPACE_TABS.find((t) => t.tab === tab)?.path ?? ''}`;

export interface SpaceHeader {
  siret: string;
  nom: string;
  annee: number;
  /** the user has several establishments: show « Changer d’établissement » */
  several: boolean;
}

/** DSFR badge of a bank-details status. */
export function BankBadge(props: { statut: BankStatus | null; small?: boolean }) {
  const sm = props.small ? ' fr-badge--sm' : '';
  switch (props.statut) {
    case null:
      return <span className={`fr-badge fr-badge--no-icon${sm}`}>Non renseignées</span>;
    case 'a_verifier':
      return <span className={`fr-badge fr-badge--warning${sm}`}>À vérifier</span>;
    case 'verifiee':
      return <span className={`fr-badge fr-badge--success${sm}`}>Vérifiée</span>;
    case 'rejetee':
      return <span className={`fr-badge fr-badge--error${sm}`}>Rejetée</span>;
  }
}

/** The frame of every page of the space: side menu, title, establishment, notice. */
export function SpaceFrame(props: {
  ctx: PageContext;
  head: SpaceHeader;
  tab: SpaceTab;
  title: string;
  notice?: string;
  children: ReactNode;
  breadcrumbExtra?: { href: string; label: string }[];
}) {
  const { head } = props;
  const crumbs = [...SPACE_BREADCRUMB, { href: '/soltea/etablissement', label: SPACE_TITLE }, ...(props.breadcrumbExtra ?? [])];
  return (
    <Layout ctx={props.ctx} title={`${props.title} - ${head.nom}`} breadcrumb={crumbs} wide>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <SideMenu
            id="espace-menu"
            title="Espace établissement"
            items={SPACE_TABS.map((t) => ({ key: t.tab, label: t.label, href: spaceUrl(head.siret, t.tab) }))}
            current={props.tab}
          />
          {head.several ? (
            <p className="fr-mt-2w">
              <a className="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/soltea/etablissement">
                Changer d’établissement
              </a>
            </p>
          ) : null}
        </div>
        <div className="fr-col-12 fr-col-md-9">
          <h1>{props.title}</h1>
          <p className="fr-text--lead fr-mb-1w">{head.nom}</p>
          <p className="fr-text--sm">{`SIRET ${formatSiret(head.siret)} · campagne ${head.annee}`}</p>
          {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
          {props.children}
        </div>
      </div>
    </Layout>
  );
}

// ── the choice of establishment ─────────────────────────────────────────────────────────────────

/** How an establishment that is not on the lists becomes habilitated (research/soltea.md §1.4, §5.3). */
export function NotHabilitatedExplanation(props: { annee: number | null; plural?: boolean }) {
  return (
    <>
      <p>
        {props.annee
          ? `${props.plural ? 'Ils ne figurent' : 'Il ne figure'} pas sur les listes des établissements habilités à percevoir le solde de la taxe d’apprentissage pour la campagne ${props.annee}.`
          : 'Les listes des établissements habilités de la campagne ne sont pas encore publiées sur SOLTéA.'}{' '}
        Seuls les établissements de ces listes (listes régionales arrêtées par le préfet de région, liste nationale fixée par arrêté) ont un
        espace établissement et peuvent recevoir des fonds.
      </p>
      <p>
        Pour être habilité, l’établissement dépose une demande d’habilitation (première demande ou renouvellement) sur SOLTéA pendant la
        campagne d’habilitation, avec ses pièces justificatives ; les services de l’État et de la Région l’instruisent. Seule la publication
        de l’établissement sur une liste vaut habilitation. Si vous pensez que l’établissement devrait y figurer, contactez le service
        instructeur de votre région.
      </p>
    </>
  );
}

export function ChooserPage(props: { ctx: PageContext; annee: number | null; choices: EstablishmentChoice[] }) {
  const ok = props.choices.filter((c) => c.habilite);
  const ko = props.choices.filter((c) => !c.habilite);
  return (
    <Layout ctx={props.ctx} title={SPACE_TITLE} breadcrumb={SPACE_BREADCRUMB}>
      <h1>{SPACE_TITLE}</h1>
      <p className="fr-text--lead">
        Vérifiez et complétez la fiche de votre établissement, ses contacts et ses coordonnées bancaires, et suivez les fonds que les
        employeurs lui attribuent.
      </p>
      {ok.length ? (
        <div className="fr-table fr-table--bordered">
          <table>
            <caption>{`Vos établissements habilités${props.annee ? ` pour la campagne ${props.annee}` : ''}`}</caption>
            <thead>
              <tr>
                <th scope="col">Établissement</th>
                <th scope="col">SIRET</th>
                <th scope="col">Commune</th>
                <th scope="col">Espace</th>
              </tr>
            </thead>
            <tbody>
              {ok.map((c) => (
                <tr key={c.siret}>
                  <th scope="row">{c.nom}</th>
                  <td>{formatSiret(c.siret)}</td>
                  <td>{c.commune ?? ''}</td>
                  <td>
                    <a className="fr-link" href={spaceUrl(c.siret)} aria-label={`Accéder à l’espace de ${c.nom} (${formatSiret(c.siret)})`}>
                      Accéder à l’espace
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {ko.length ? (
        <div className="fr-alert fr-alert--warning fr-mb-3w" role="status">
          <h2 className="fr-alert__title">
            {ko.length > 1 ? 'Ces établissements ne sont pas habilités' : 'Cet établissement n’est pas habilité'}
          </h2>
          <ul>
            {ko.map((c) => (
              <li key={c.siret}>{`${c.nom} - SIRET ${formatSiret(c.siret)}`}</li>
            ))}
          </ul>
          <NotHabilitatedExplanation annee={props.annee} plural={ko.length > 1} />
        </div>
      ) : null}
      <p>
        <a className="fr-link" href="/menu">
          Retour au menu personnalisé
        </a>
      </p>
    </Layout>
  );
}

export function NotHabilitatedPage(props: { ctx: PageContext; nom: string; siret: string; annee: number | null }) {
  return (
    <Layout
      ctx={props.ctx}
      title="Établissement non habilité"
      breadcrumb={[...SPACE_BREADCRUMB, { href: '/soltea/etablissement', label: SPACE_TITLE }]}
    >
      <h1>Établissement non habilité</h1>
      <div className="fr-alert fr-alert--warning fr-mb-3w" role="status">
        <h2 className="fr-alert__title">{`${props.nom} - SIRET ${formatSiret(props.siret)}`}</h2>
        <NotHabilitatedExplanation annee={props.annee} />
      </div>
      <p>
        <a className="fr-link" href="/soltea/etablissement">
          Retour au choix de l’établissement
        </a>
      </p>
    </Layout>
  );
}

// ── « Mon établissement » ───────────────────────────────────────────────────────────────────────

function Row(props: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

const niveauLabel = (n: number | null) => (n ? String(n) : 'Non précisé');

export function MonEtablissementPage(props: {
  ctx: PageContext;
  head: SpaceHeader;
  view: EstablishmentView;
  summary: { contacts: number; sites: number; presentation: boolean; bank: BankStatus | null };
}) {
  const v = props.view;
  const s = props.summary;
  const shown = v.formations.slice(0, 300);
  return (
    <SpaceFrame ctx={props.ctx} head={props.head} tab="etablissement" title="Mon établissement">
      <h2>Votre fiche</h2>
      <ul>
        <li>
          {s.presentation ? 'Présentation rédigée' : 'Présentation à rédiger'} ;{' '}
          {s.contacts ? `${s.contacts} contact${s.contacts > 1 ? 's' : ''}` : 'aucun contact (au moins un est attendu)'} ;{' '}
          {s.sites ? `${s.sites} site${s.sites > 1 ? 's' : ''} internet` : 'aucun site internet'} :{' '}
          <a className="fr-link" href={spaceUrl(v.siret, 'presentation')}>
            Présentation et contacts
          </a>
        </li>
        <li>
          Coordonnées bancaires : <BankBadge statut={s.bank} small />{' '}
          <a className="fr-link" href={spaceUrl(v.siret, 'banque')}>
            Coordonnées bancaires
          </a>
        </li>
      </ul>

      <h2>Données du référentiel</h2>
      <p>
        Ces informations proviennent des listes d’établissements habilités de la campagne {v.annee}. Elles ne se modifient pas ici : si
        l’une d’elles est inexacte, signalez-le au service qui a arrêté la liste (préfecture de région pour les listes régionales) ; elle
        sera corrigée à la prochaine publication.
      </p>
      <dl className="recap">
        <Row term="Nom">{v.nom}</Row>
        <Row term="SIRET">{formatSiret(v.siret)}</Row>
        <Row term={v.uais.length > 1 ? 'Codes UAI' : 'Code UAI'}>{v.uais.length ? v.uais.join(', ') : 'Aucun'}</Row>
        <Row term="Adresse">
          {[v.adresse, [v.codePostal, v.commune].filter(Boolean).join(' ')].filter(Boolean).join(', ') || 'Non renseignée'}
        </Row>
        <Row term="Département">{v.departementLibelle ?? 'Non renseigné'}</Row>
        <Row term="Région">{v.regionLibelle ?? 'Non renseignée'}</Row>
        <Row term="Catégorie (article L. 6241-5 du code du travail)">{`${v.categorie} ${v.categorieLibelle}`}</Row>
        <Row term="Liste d’habilitation">{v.listeLibelle}</Row>
        <Row term="Formations">{`${v.formations.length} formation${v.formations.length > 1 ? 's' : ''}`}</Row>
      </dl>

      <h2>Composantes et établissements secondaires</h2>
      {v.composantes.length ? (
        <div className="fr-table">
          <table>
            <caption className="fr-sr-only">Composantes et établissements secondaires</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Adresse</th>
                <th scope="col">UAI</th>
                <th scope="col">Formations</th>
              </tr>
            </thead>
            <tbody>
              {v.composantes.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.nom}</th>
                  <td>{[c.adresse, [c.codePostal, c.commune].filter(Boolean).join(' ')].filter(Boolean).join(', ')}</td>
                  <td>{c.uais.join(', ')}</td>
                  <td>{v.formationsParLieu[c.id] ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>Aucune composante ni établissement secondaire n’est rattaché à l’établissement.</p>
      )}

      <h2>Formations</h2>
      {shown.length ? (
        <div className="fr-table">
          <table>
            <caption className="fr-sr-only">Formations de l’établissement</caption>
            <thead>
              <tr>
                <th scope="col">Intitulé</th>
                <th scope="col">Niveau</th>
                <th scope="col">Code RNCP</th>
                <th scope="col">Code diplôme</th>
                <th scope="col">Lieu</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((f) => (
                <tr key={f.id}>
                  <th scope="row">{f.intitule}</th>
                  <td>{niveauLabel(f.niveau)}</td>
                  <td>{f.rncp ?? ''}</td>
                  <td>{f.cfd ?? ''}</td>
                  <td>{v.composantes.find((c) => c.id === f.etablissementId)?.nom ?? f.commune ?? v.commune ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>Aucune formation n’est rattachée à l’établissement dans le référentiel.</p>
      )}
      {v.formations.length > shown.length ? (
        <p>{`Les ${shown.length} premières formations sont affichées sur ${v.formations.length}.`}</p>
      ) : null}
    </SpaceFrame>
  );
}

// ── « Lien direct » ────────────────────────────────────────────────────────────────────────────

export function LienPage(props: { ctx: PageContext; head: SpaceHeader; link: string | null; message: string | null }) {
  const h = props.head;
  return (
    <SpaceFrame ctx={props.ctx} head={h} tab="lien" title="Lien direct">
      <p>
        Le lien direct mène à la fiche publique de l’établissement sur SOLTéA. Envoyez-le aux entreprises partenaires : elles y trouvent vos
        formations et vos contacts, et peuvent vous attribuer une part du solde de leur taxe d’apprentissage. Ce lien ne change pas d’une
        campagne à l’autre.
      </p>
      {props.link ? null : (
        <form method="get" action={spaceUrl(h.siret, 'lien')}>
          <input type="hidden" name="generer" value="1" />
          <button type="submit" className="fr-btn">
            Générer le lien
          </button>
        </form>
      )}
      {props.link && props.message ? (
        <>
          <div className="fr-input-group">
            <label className="fr-label" htmlFor="lien-direct">
              Lien direct vers la fiche de l’établissement
            </label>
            <input className="fr-input" id="lien-direct" type="text" readOnly value={props.link} />
          </div>
          <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
            <li>
              <button type="button" className="fr-btn fr-icon-clipboard-line fr-btn--icon-left" data-copy="lien-direct" hidden>
                Copier le lien
              </button>
            </li>
            <li>
              <a className="fr-btn fr-btn--secondary" href={props.link}>
                Ouvrir la fiche publique
              </a>
            </li>
          </ul>
          <div className="fr-input-group">
            <label className="fr-label" htmlFor="message-lien">
              Message prêt à envoyer
              <span className="fr-hint-text">Vous pouvez le copier dans un courriel ou le modifier avant de l’envoyer.</span>
            </label>
            <textarea className="fr-input" id="message-lien" rows={9} readOnly defaultValue={props.message} />
          </div>
          <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
            <li>
              <button
                type="button"
                className="fr-btn fr-btn--secondary fr-icon-clipboard-line fr-btn--icon-left"
                data-copy="message-lien"
                hidden
              >
                Copier le message
              </button>
            </li>
          </ul>
          <p id="copie-statut" className="fr-text--sm" role="status" aria-live="polite"></p>
        </>
      ) : null}
    </SpaceFrame>
  );
}

/** The message an establishment sends to its partner companies with its direct link. */
export function linkMessage(nom: string, siret: string, uais: string[], annee: number, link: string): string {
  const ids = [`SIRET ${formatSiret(siret)}`, ...(uais.length ? [`UAI ${uais.join(', ')}`] : [])].join(', ');
  return (
    `Madame, Monsieur,\n\n` +
    `${nom} (${ids}) est habilité à percevoir le solde de la taxe d’apprentissage pour la campagne ${annee}.\n` +
    `Vous pouvez nous en attribuer une part sur la plateforme SOLTéA ; notre fiche, avec nos formations et nos contacts, est accessible directement par ce lien :\n\n` +
    `${link}\n\n` +
    `Nous vous remercions de votre soutien.`
  );
}

// ── « Attributions reçues » ────────────────────────────────────────────────────────────────────

export function AttributionsPage(props: { ctx: PageContext; head: SpaceHeader; view: ReceivedView }) {
  const v = props.view;
  const h = props.head;
  return (
    <SpaceFrame ctx={props.ctx} head={h} tab="attributions" title="Attributions reçues">
      <p>
        Les attributions des employeurs à votre établissement, à ses composantes et à ses formations pour la campagne {v.annee}, au fil de
        leurs choix. Le montant attendu est la part des crédits de l’employeur, calculée au centime ; il peut encore évoluer tant que
        l’employeur n’a pas validé son attribution et jusqu’au versement. L’employeur n’est nommé que s’il a accepté le partage de ses
        coordonnées.
      </p>
      {v.lines.length === 0 ? (
        <Alert type="info" title="Aucune attribution pour l’instant">
          <p>{`Aucun employeur n’a encore attribué de part du solde de sa taxe d’apprentissage à votre établissement pour la campagne ${v.annee}. Les attributions apparaîtront ici dès qu’elles seront enregistrées. Faites connaître votre fiche aux entreprises avec le lien direct.`}</p>
        </Alert>
      ) : (
        <>
          <div className="fr-grid-row fr-grid-row--gutters fr-mb-2w">
            <div className="fr-col-12 fr-col-md-4">
              <div className="fr-callout fr-py-2w" style={{ height: '100%' }}>
                <p className="fr-callout__title">{formatEuros(v.totalCents)}</p>
                <p className="fr-callout__text fr-text--sm">montant attendu au total</p>
              </div>
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <div className="fr-callout fr-py-2w" style={{ height: '100%' }}>
                <p className="fr-callout__title">{String(v.employeurs)}</p>
                <p className="fr-callout__text fr-text--sm">{`employeur${v.employeurs > 1 ? 's' : ''}, dont ${v.anonymes} sans partage d’identité`}</p>
              </div>
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <div className="fr-callout fr-py-2w" style={{ height: '100%' }}>
                <p className="fr-callout__title">{String(v.lines.length)}</p>
                <p className="fr-callout__text fr-text--sm">{`attribution${v.lines.length > 1 ? 's' : ''}`}</p>
              </div>
            </div>
          </div>
          <div className="fr-table fr-table--bordered">
            <table>
              <caption>{`Attributions reçues pour la campagne ${v.annee}`}</caption>
              <thead>
                <tr>
                  <th scope="col">Employeur</th>
                  <th scope="col">Bénéficiaire</th>
                  <th scope="col">Pourcentage</th>
                  <th scope="col">Montant attendu</th>
                  <th scope="col">Statut</th>
                </tr>
              </thead>
              <tbody>
                {v.lines.map((l) => (
                  <tr key={l.id}>
                    <th scope="row">
                      {l.employeur ? (
                        <>
                          {l.employeur.raisonSociale}
                          <br />
                          <span className="fr-text--sm">{`SIRET ${formatSiret(l.employeur.siret)}`}</span>
                        </>
                      ) : (
                        ANONYMOUS_EMPLOYER
                      )}
                    </th>
                    <td>
                      {l.beneficiaire}
                      {l.formation ? (
                        <>
                          <br />
                          <span className="fr-text--sm">{`Formation : ${l.formation}`}</span>
                        </>
                      ) : null}
                    </td>
                    <td>{formatPercent(l.pointsBase)}</td>
                    <td>{l.montantCents === null ? 'Montant à venir' : formatEuros(l.montantCents)}</td>
                    <td>{STATUT_LIBELLES[l.statut] ?? l.statut}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={3}>
                    Total
                  </th>
                  <td>{formatEuros(v.totalCents)}</td>
                  <td></td>
                </tr>
              </tfoot>
            </table>
          </div>
          {v.sansMontant ? (
            <p className="fr-text--sm">{`${v.sansMontant} attribution(s) sans montant : les crédits de l’employeur ne sont pas encore connus.`}</p>
          ) : null}
          <p>
            <a className="fr-link fr-icon-download-line fr-link--icon-right" href={`${spaceUrl(h.siret, 'attributions')}.csv`} download>
              Télécharger les attributions (CSV)
            </a>
          </p>
        </>
      )}
      <p className="fr-text--sm">
        Les virements sont faits par la Caisse des Dépôts aux dates de la campagne, sur les coordonnées bancaires vérifiées de
        l’établissement, avec le libellé « TAXE- APPRENTISSAGE - {h.siret}- {v.annee} - n° de virement ».
      </p>
    </SpaceFrame>
  );
}
