/**
 * The SOLTéA establishment space (« SOLTéA - Etablissements »): the frame of its pages (side menu,
 * establishment, notice), the choice of establishment and the page of an establishment that is not
 * habilitated. One page per entry of the side menu: « Mon établissement » and « Lien direct »
 * (soltea-etablissement-accueil.tsx), « Présentation et contacts » (-fiche.tsx), « Coordonnées
 * bancaires » (-banque.tsx), « Attributions reçues » (-attributions.tsx), « Versements » (-versements.tsx), « Mes courriels »
 * (-courriels.tsx).
 */
import type { ReactNode } from 'react';
import type { BankStatus } from '../../domain/coordonnees-bancaires.js';
import { formatSiret } from '../../domain/identifiers.js';
import type { EstablishmentChoice } from '../../modules/espace-etablissement/access.js';
import { SpaceColumns } from '../components/side-menu.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';

export const SPACE_TITLE = 'SOLTéA - Etablissements';
export const SPACE_BREADCRUMB = [{ href: '/menu', label: 'Menu personnalisé' }];

export type SpaceTab = 'etablissement' | 'presentation' | 'lien' | 'banque' | 'attributions' | 'versements' | 'courriels';

export const SPACE_TABS: readonly { tab: SpaceTab; label: string; path: string }[] = [
  { tab: 'etablissement', label: 'Mon établissement', path: '' },
  { tab: 'presentation', label: 'Présentation et contacts', path: '/presentation' },
  { tab: 'lien', label: 'Lien direct', path: '/lien' },
  { tab: 'banque', label: 'Coordonnées bancaires', path: '/coordonnees-bancaires' },
  { tab: 'attributions', label: 'Attributions reçues', path: '/attributions' },
  { tab: 'versements', label: 'Versements', path: '/versements' },
  { tab: 'courriels', label: 'Mes courriels', path: '/courriels' },
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
      <SpaceColumns
        menu={{
          id: 'espace-menu',
          title: 'Espace établissement',
          items: SPACE_TABS.map((t) => ({ key: t.tab, label: t.label, href: spaceUrl(head.siret, t.tab) })),
          current: props.tab,
        }}
        back={head.several ? { href: '/soltea/etablissement', label: 'Changer d’établissement' } : null}
        title={props.title}
        name={head.nom}
        identity={`SIRET ${formatSiret(head.siret)} · campagne ${head.annee}`}
        notice={props.notice}
      >
        {props.children}
      </SpaceColumns>
    </Layout>
  );
}

// ── the choice of establishment ─────────────────────────────────────────────────────────────────

/** How an establishment that is not on the lists becomes habilitated (docs/regles.md#referentiel). */
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
        <Table
          bordered
          caption={`Vos établissements habilités${props.annee ? ` pour la campagne ${props.annee}` : ''}`}
          columns={['Établissement', 'SIRET', 'Commune', 'Espace']}
          rows={ok}
          rowKey={(c) => c.siret}
          rowHeader
          cells={(c) => [
            c.nom,
            formatSiret(c.siret),
            c.commune ?? '',
            <a className="fr-link" href={spaceUrl(c.siret)} aria-label={`Accéder à l’espace de ${c.nom} (${formatSiret(c.siret)})`}>
              Accéder à l’espace
            </a>,
          ]}
        />
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

/** A key figure of the establishment's lists (a third of the row): the value, and what it counts. */
export function Figure(props: { value: string; label: string }) {
  return (
    <div className="fr-col-12 fr-col-md-4">
      <div className="fr-callout fr-py-2w" style={{ height: '100%' }}>
        <p className="fr-callout__title">{props.value}</p>
        <p className="fr-callout__text fr-text--sm">{props.label}</p>
      </div>
    </div>
  );
}
