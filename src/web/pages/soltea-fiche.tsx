/**
 * The fiche établissement (« Voir la fiche »): identity, address, UAI, category and list, composantes,
 * formations by niveau, the establishment's own presentation, contacts and websites, and the direct
 * link (this page's stable address) to send to companies.
 */
import { formatSiret } from '../../domain/identifiers.js';
import type { Fiche } from '../../modules/recherche/fiche.js';
import { Alert } from '../components/form.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';
import { SOLTEA_BREADCRUMB } from './soltea-recherche.js';

const BREADCRUMB = [...SOLTEA_BREADCRUMB, { href: '/soltea/recherche', label: 'Recherche établissement' }];

function Row(props: { term: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

/** The campaign, the category and the list of habilitation, as tags under the name. */
function FicheTags(props: { f: Fiche }) {
  const { f } = props;
  return (
    <ul className="fr-tags-group fr-mb-2w">
      <li>
        <p className="fr-tag">{`Campagne ${f.annee}`}</p>
      </li>
      <li>
        <p className="fr-tag">{`Catégorie ${f.categorie}`}</p>
      </li>
      <li>
        <p className="fr-tag">{f.listeLibelle}</p>
      </li>
    </ul>
  );
}

/** The fiche of another campaign than the current one: a link to the current one, or why there is none. */
function OtherCampaignWarning(props: { f: Fiche; currentAnnee: number }) {
  const { f, currentAnnee } = props;
  return (
    <Alert type="warning" title={`Fiche de la campagne ${f.annee}`}>
      {f.annees.includes(currentAnnee) ? (
        <p>
          Vous consultez une campagne passée.{' '}
          <a className="fr-link" href={`/soltea/etablissements/${f.siret}`}>
            Voir la fiche de la campagne {currentAnnee}
          </a>
        </p>
      ) : (
        <p>{`Cet établissement ne figure pas sur les listes d’établissements habilités de la campagne ${currentAnnee}.`}</p>
      )}
    </Alert>
  );
}

/** « Identité »: SIRET, UAI, address, département, région, category and list. */
function Identite(props: { f: Fiche }) {
  const { f } = props;
  return (
    <>
      <h2>Identité</h2>
      <dl className="recap">
        <Row term="SIRET">{formatSiret(f.siret)}</Row>
        <Row term={f.uais.length > 1 ? 'Codes UAI' : 'Code UAI'}>{f.uais.length ? f.uais.join(', ') : 'Non renseigné'}</Row>
        <Row term="Adresse">
          {f.adresse || 'Non renseignée'}
          {f.codePostal || f.commune ? (
            <>
              <br />
              {[f.codePostal, f.commune].filter(Boolean).join(' ')}
            </>
          ) : null}
        </Row>
        <Row term="Département">{f.departement ? `${f.departementNom ?? ''} (${f.departement})`.trim() : 'Non renseigné'}</Row>
        <Row term="Région">{f.regionNom ?? f.region ?? 'Non renseignée'}</Row>
        <Row term="Catégorie (article L. 6241-5 du code du travail)">{`${f.categorie} ${f.categorieLibelle}`}</Row>
        <Row term="Liste d’habilitation">{f.listeLibelle}</Row>
      </dl>
    </>
  );
}

/** The links to the fiche of the other campaigns in which this SIRET is habilitated. */
function OtherCampaigns(props: { f: Fiche }) {
  const { f } = props;
  return (
    <nav aria-label="Autres campagnes">
      <p className="fr-mb-1w">Autres campagnes :</p>
      <ul>
        {f.annees
          .filter((a) => a !== f.annee)
          .map((a) => (
            <li key={a}>
              <a className="fr-link" href={`/soltea/etablissements/${f.siret}?annee=${a}`}>{`Campagne ${a}`}</a>
            </li>
          ))}
      </ul>
    </nav>
  );
}

/** « Lien direct »: this page's stable address, to copy and send to companies, and the other campaigns. */
function LienDirect(props: { f: Fiche; directLink: string }) {
  const { f } = props;
  return (
    <>
      <h2>Lien direct</h2>
      <p>Communiquez ce lien aux entreprises : il mène toujours à cette fiche.</p>
      <div className="fr-input-group">
        <label className="fr-label" htmlFor="lien-direct">
          Lien direct vers la fiche
        </label>
        <input className="fr-input" id="lien-direct" type="text" readOnly value={props.directLink} />
      </div>
      {/* shown by the client script (src/web/client/espace-etablissement.ts handles every [data-copy]) */}
      <button type="button" className="fr-btn fr-btn--secondary fr-btn--sm fr-mt-1w" data-copy="lien-direct" hidden>
        Copier le lien
      </button>
      <p id="copie-statut" className="fr-text--sm" aria-live="polite"></p>
      <p>
        <a className="fr-link" href={`/soltea/etablissements/${f.siret}`}>
          Ouvrir le lien direct
        </a>
      </p>
      {f.annees.length > 1 ? <OtherCampaigns f={f} /> : null}
    </>
  );
}

/** « Présentation », as the establishment wrote it (a paragraph per blank line). */
function Presentation(props: { presentation: string }) {
  return (
    <>
      <h2>Présentation</h2>
      {props.presentation ? (
        props.presentation.split(/\n{2,}/).map((p, i) => <p key={i}>{p}</p>)
      ) : (
        <p>L’établissement n’a pas encore rédigé de présentation.</p>
      )}
    </>
  );
}

/** « Contacts » of the establishment. */
function Contacts(props: { contacts: Fiche['profil']['contacts'] }) {
  const { contacts } = props;
  return (
    <>
      <h2>Contacts</h2>
      {contacts.length ? (
        <Table
          caption="Contacts de l’établissement"
          captionClassName="fr-sr-only"
          columns={['Fonction', 'Nom', 'Courriel', 'Téléphone']}
          rows={contacts}
          row={(c, i) => (
            <tr key={i}>
              <td>{c.fonction}</td>
              <td>{c.nom}</td>
              <td>{c.courriel ? <a href={`mailto:${c.courriel}`}>{c.courriel}</a> : null}</td>
              <td>{c.telephone}</td>
            </tr>
          )}
        />
      ) : (
        <p>Aucun contact n’est encore renseigné par l’établissement.</p>
      )}
    </>
  );
}

/** « Sites internet » of the establishment. */
function Sites(props: { sites: Fiche['profil']['sites'] }) {
  const { sites } = props;
  return (
    <>
      <h2>Sites internet</h2>
      {sites.length ? (
        <ul>
          {sites.map((s) => (
            <li key={s.url}>
              <a className="fr-link" href={s.url} rel="noopener noreferrer external">
                {s.libelle || s.url}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p>Aucun site internet n’est encore renseigné par l’établissement.</p>
      )}
    </>
  );
}

/** « Composantes et établissements secondaires », with their SIRET, UAI, town and number of formations. */
function Composantes(props: { f: Fiche }) {
  const { f } = props;
  return (
    <>
      <h2>Composantes et établissements secondaires</h2>
      {f.composantes.length ? (
        <Table
          caption={`Composantes de ${f.nom}`}
          captionClassName="fr-sr-only"
          columns={['Nom', 'SIRET', 'Code UAI', 'Commune', 'Formations']}
          rows={f.composantes}
          row={(c, i) => (
            <tr key={i}>
              <td>{c.nom}</td>
              <td>{formatSiret(c.siret)}</td>
              <td>{c.uais.join(', ') || '—'}</td>
              <td>{[c.codePostal, c.commune].filter(Boolean).join(' ') || '—'}</td>
              <td>{c.formations}</td>
            </tr>
          )}
        />
      ) : (
        <p>Cet établissement n’a pas de composante déclarée.</p>
      )}
    </>
  );
}

/** The table of the formations of one niveau. */
function NiveauFormations(props: { g: Fiche['niveaux'][number] }) {
  const { g } = props;
  return (
    <Table
      caption={`${g.libelle} — ${g.formations.length} formation${g.formations.length > 1 ? 's' : ''}`}
      columns={['Intitulé', 'Type', 'Code diplôme (CFD)', 'Code RNCP', 'Lieu']}
      rows={g.formations}
      row={(x, i) => (
        <tr key={i}>
          <td>{x.intitule}</td>
          <td>{x.type ?? '—'}</td>
          <td>{x.cfd ?? '—'}</td>
          <td>{x.rncp ?? '—'}</td>
          <td>{[x.composante, x.commune].filter(Boolean).join(', ') || 'Établissement'}</td>
        </tr>
      )}
    />
  );
}

/** « Formations », a table per niveau. */
function Formations(props: { f: Fiche }) {
  const { f } = props;
  return (
    <>
      <h2>{`Formations (${f.formations.length})`}</h2>
      {f.niveaux.length === 0 ? <p>Aucune formation n’est déclarée pour cette campagne.</p> : null}
      {f.niveaux.map((g) => (
        <NiveauFormations key={String(g.niveau)} g={g} />
      ))}
    </>
  );
}

export function FichePage(props: { ctx: PageContext; fiche: Fiche; directLink: string; currentAnnee: number | null }) {
  const f = props.fiche;
  const { currentAnnee } = props;
  return (
    <Layout ctx={props.ctx} title={`${f.nom} - fiche établissement`} breadcrumb={BREADCRUMB} wide>
      <h1>{f.nom}</h1>
      <FicheTags f={f} />
      {currentAnnee !== null && f.annee !== currentAnnee ? <OtherCampaignWarning f={f} currentAnnee={currentAnnee} /> : null}
      {f.parent ? (
        <p>
          Composante ou établissement secondaire de{' '}
          <a className="fr-link" href={`/soltea/etablissements/${f.parent.siret}?annee=${f.annee}`}>
            {f.parent.nom}
          </a>
          .
        </p>
      ) : null}

      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-7">
          <Identite f={f} />
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <LienDirect f={f} directLink={props.directLink} />
        </div>
      </div>

      <Presentation presentation={f.profil.presentation} />
      <Contacts contacts={f.profil.contacts} />
      <Sites sites={f.profil.sites} />
      <Composantes f={f} />
      <Formations f={f} />
      <p className="fr-mt-4w">
        <a className="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/soltea/recherche">
          Nouvelle recherche
        </a>
      </p>
    </Layout>
  );
}

export function FicheIntrouvablePage(props: { ctx: PageContext; siret: string; annee: number | null }) {
  const valid = /^\d{14}$/.test(props.siret);
  return (
    <Layout ctx={props.ctx} title="Établissement introuvable" breadcrumb={BREADCRUMB}>
      <h1>Établissement introuvable</h1>
      <Alert type="error">
        {valid
          ? `Aucun établissement habilité ne porte le SIRET ${formatSiret(props.siret)}${props.annee !== null ? ` pour la campagne ${props.annee}` : ''}.`
          : 'Le lien de cette fiche est incorrect : un SIRET comporte 14 chiffres.'}
      </Alert>
      <p>
        <a className="fr-link" href="/soltea/recherche">
          Rechercher un établissement
        </a>
      </p>
    </Layout>
  );
}
