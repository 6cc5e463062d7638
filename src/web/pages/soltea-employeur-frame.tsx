/**
 * The frame of the employer's space for one SIRET (« SOLTéA - Employeurs »): the side menu
 * (« Recherche établissement », « Synthèse », « Mes groupes », « Historique »), the SIRET and the
 * campaign; and the search in that frame.
 */
import type { ReactNode } from 'react';
import { formatSiret } from '../../domain/identifiers.js';
import type { SearchView } from '../../modules/recherche/search-view.js';
import { SpaceColumns } from '../components/side-menu.js';
import { Layout, type PageContext } from '../layout.js';
import { Search } from './soltea-recherche.js';

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
      <SpaceColumns
        menu={{
          id: 'employeur-menu',
          title: 'Espace employeur',
          items: EMPLOYER_TABS.map((t) => ({ key: t.tab, label: t.label, href: employerUrl(head.siret, t.tab) })),
          current: props.tab,
        }}
        back={head.several ? { href: '/soltea/employeur', label: 'Changer de SIRET' } : null}
        main={{ 'data-espace-employeur': '' }}
        title={props.title}
        name={name}
        identity={`SIRET ${formatSiret(head.siret)} · campagne ${head.annee}${head.client ? ' · vous agissez pour ce client en tant que tiers-déclarant' : ''}`}
        notice={props.notice}
      >
        {props.children}
      </SpaceColumns>
    </Layout>
  );
}

// ── « Recherche établissement » in the employer's space ─────────────────────────────────────────

export function EmployerSearchPage(props: { ctx: PageContext; head: EmployerHeader; view: SearchView }) {
  const { view, head } = props;
  return (
    <EmployerFrame ctx={props.ctx} head={head} tab="recherche" title="Recherche établissement">
      <Search action={employerUrl(head.siret, 'recherche')} view={view} attribuerHref={(etab) => attribuerUrl(head.siret, etab)} />
    </EmployerFrame>
  );
}

/** A page under the « Synthèse » of an employer SIRET (its récapitulatif, a redésignation), ending with the way back to it. */
export function SyntheseFrame(props: {
  ctx: PageContext;
  head: EmployerHeader;
  title: string;
  /** the class of the paragraph of « Retour à la synthèse » */
  backClassName: string;
  children: ReactNode;
}) {
  const synthese = employerUrl(props.head.siret);
  return (
    <EmployerFrame ctx={props.ctx} head={props.head} title={props.title} tab="synthese" crumbs={[{ href: synthese, label: 'Synthèse' }]}>
      {props.children}
      <p className={props.backClassName}>
        <a className="fr-link fr-icon-arrow-left-line fr-link--icon-left" href={synthese}>
          Retour à la synthèse
        </a>
      </p>
    </EmployerFrame>
  );
}
