/**
 * « Mon établissement » (what the referential of the campaign says about the establishment, and where
 * its fiche stands) and « Lien direct » (the address of its public fiche and a message ready to send).
 */
import type { ReactNode } from 'react';
import { formatSiret } from '../../domain/identifiers.js';
import type { EstablishmentView, FicheSummary } from '../../modules/espace-etablissement/etablissement.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { BankBadge, SpaceFrame, spaceUrl, type SpaceHeader } from './soltea-etablissement.js';

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
const address = (parts: { adresse: string; codePostal: string | null; commune: string | null }) =>
  [parts.adresse, [parts.codePostal, parts.commune].filter(Boolean).join(' ')].filter(Boolean).join(', ');

function FicheState(props: { siret: string; summary: FicheSummary }) {
  const s = props.summary;
  return (
    <ul>
      <li>
        {s.presentation ? 'Présentation rédigée' : 'Présentation à rédiger'} ;{' '}
        {s.contacts ? `${s.contacts} contact${s.contacts > 1 ? 's' : ''}` : 'aucun contact (au moins un est attendu)'} ;{' '}
        {s.sites ? `${s.sites} site${s.sites > 1 ? 's' : ''} internet` : 'aucun site internet'} :{' '}
        <a className="fr-link" href={spaceUrl(props.siret, 'presentation')}>
          Présentation et contacts
        </a>
      </li>
      <li>
        Coordonnées bancaires : <BankBadge statut={s.bank} small />{' '}
        <a className="fr-link" href={spaceUrl(props.siret, 'banque')}>
          Coordonnées bancaires
        </a>
      </li>
    </ul>
  );
}

function ReferentielData(props: { view: EstablishmentView }) {
  const v = props.view;
  return (
    <>
      <p>
        Ces informations proviennent des listes d’établissements habilités de la campagne {v.annee}. Elles ne se modifient pas ici : si
        l’une d’elles est inexacte, signalez-le au service qui a arrêté la liste (préfecture de région pour les listes régionales) ; elle
        sera corrigée à la prochaine publication.
      </p>
      <dl className="recap">
        <Row term="Nom">{v.nom}</Row>
        <Row term="SIRET">{formatSiret(v.siret)}</Row>
        <Row term={v.uais.length > 1 ? 'Codes UAI' : 'Code UAI'}>{v.uais.length ? v.uais.join(', ') : 'Aucun'}</Row>
        <Row term="Adresse">{address(v) || 'Non renseignée'}</Row>
        <Row term="Département">{v.departementLibelle ?? 'Non renseigné'}</Row>
        <Row term="Région">{v.regionLibelle ?? 'Non renseignée'}</Row>
        <Row term="Catégorie (article L. 6241-5 du code du travail)">{`${v.categorie} ${v.categorieLibelle}`}</Row>
        <Row term="Liste d’habilitation">{v.listeLibelle}</Row>
        <Row term="Formations">{`${v.formations.length} formation${v.formations.length > 1 ? 's' : ''}`}</Row>
      </dl>
    </>
  );
}

function Composantes(props: { view: EstablishmentView }) {
  const v = props.view;
  if (!v.composantes.length) return <p>Aucune composante ni établissement secondaire n’est rattaché à l’établissement.</p>;
  return (
    <Table
      caption="Composantes et établissements secondaires"
      captionClassName="fr-sr-only"
      columns={['Nom', 'Adresse', 'UAI', 'Formations']}
      rows={v.composantes}
      rowKey={(c) => c.id}
      rowHeader
      cells={(c) => [c.nom, address(c), c.uais.join(', '), v.formationsParLieu[c.id] ?? 0]}
    />
  );
}

/** The first 300 formations (a national establishment may have thousands). */
function Formations(props: { view: EstablishmentView }) {
  const v = props.view;
  const shown = v.formations.slice(0, 300);
  return (
    <>
      {shown.length ? (
        <Table
          caption="Formations de l’établissement"
          captionClassName="fr-sr-only"
          columns={['Intitulé', 'Niveau', 'Code RNCP', 'Code diplôme', 'Lieu']}
          rows={shown}
          rowKey={(f) => f.id}
          rowHeader
          cells={(f) => [
            f.intitule,
            niveauLabel(f.niveau),
            f.rncp ?? '',
            f.cfd ?? '',
            v.composantes.find((c) => c.id === f.etablissementId)?.nom ?? f.commune ?? v.commune ?? '',
          ]}
        />
      ) : (
        <p>Aucune formation n’est rattachée à l’établissement dans le référentiel.</p>
      )}
      {v.formations.length > shown.length ? (
        <p>{`Les ${shown.length} premières formations sont affichées sur ${v.formations.length}.`}</p>
      ) : null}
    </>
  );
}

export function MonEtablissementPage(props: { ctx: PageContext; head: SpaceHeader; view: EstablishmentView; summary: FicheSummary }) {
  return (
    <SpaceFrame ctx={props.ctx} head={props.head} tab="etablissement" title="Mon établissement">
      <h2>Votre fiche</h2>
      <FicheState siret={props.view.siret} summary={props.summary} />
      <h2>Données du référentiel</h2>
      <ReferentielData view={props.view} />
      <h2>Composantes et établissements secondaires</h2>
      <Composantes view={props.view} />
      <h2>Formations</h2>
      <Formations view={props.view} />
    </SpaceFrame>
  );
}

// ── « Lien direct » ────────────────────────────────────────────────────────────────────────────

function CopyButton(props: { source: string; secondary?: boolean; children: ReactNode }) {
  return (
    <button
      type="button"
      className={`fr-btn${props.secondary ? ' fr-btn--secondary' : ''} fr-icon-clipboard-line fr-btn--icon-left`}
      data-copy={props.source}
      hidden
    >
      {props.children}
    </button>
  );
}

function GeneratedLink(props: { link: string; message: string }) {
  return (
    <>
      <div className="fr-input-group">
        <label className="fr-label" htmlFor="lien-direct">
          Lien direct vers la fiche de l’établissement
        </label>
        <input className="fr-input" id="lien-direct" type="text" readOnly value={props.link} />
      </div>
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
        <li>
          <CopyButton source="lien-direct">Copier le lien</CopyButton>
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
          <CopyButton source="message-lien" secondary>
            Copier le message
          </CopyButton>
        </li>
      </ul>
      <p id="copie-statut" className="fr-text--sm" role="status" aria-live="polite"></p>
    </>
  );
}

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
      {props.link && props.message ? <GeneratedLink link={props.link} message={props.message} /> : null}
    </SpaceFrame>
  );
}
