/**
 * SOLTéA home: what the platform is, the two entries (employeur, établissement
 * bénéficiaire) through the net-entreprises account, and the public search.
 */
import { Layout, type PageContext } from '../layout.js';
import { MainFields, SearchButtons } from './soltea-recherche.js';

/** The tile of one space or page (half the width from md up), the whole tile a link. */
export function EntryTile(props: { href: string; title: string; desc: string; detail?: string }) {
  return (
    <div className="fr-col-12 fr-col-md-6">
      <div className="fr-tile fr-enlarge-link">
        <div className="fr-tile__body">
          <div className="fr-tile__content">
            <h3 className="fr-tile__title">
              <a href={props.href}>{props.title}</a>
            </h3>
            <p className="fr-tile__desc">{props.desc}</p>
            {props.detail ? <p className="fr-tile__detail">{props.detail}</p> : null}
          </div>
        </div>
      </div>
    </div>
  );
}

export function SolteaAccueilPage(props: { ctx: PageContext; annee: number | null; etablissements: number }) {
  const signedIn = props.ctx.viewer !== null;
  const entry = (path: string) => (signedIn ? path : `/connexion?retour=${encodeURIComponent(path)}`);
  return (
    <Layout ctx={props.ctx} title="SOLTéA" breadcrumb={[{ href: '/', label: 'Accueil' }]} wide>
      <h1>SOLTéA, le solde de la taxe d’apprentissage</h1>
      <p className="fr-text--lead">
        Chaque employeur redevable choisit, sur SOLTéA, les établissements habilités et les formations qui recevront le solde de sa taxe
        d’apprentissage (0,09 % de sa masse salariale). Les établissements y complètent leur fiche et suivent les fonds qui leur sont
        attribués.
      </p>
      {props.annee !== null ? (
        <p>{`Campagne ${props.annee} : ${props.etablissements.toLocaleString('fr-FR')} établissements habilités.`}</p>
      ) : (
        <p>La liste des établissements habilités n’a pas encore été publiée.</p>
      )}
      <p>
        <a className="fr-link fr-icon-calendar-line fr-link--icon-left" href="/soltea/calendrier">
          Calendrier de la campagne
        </a>
      </p>

      <h2>Accéder à votre espace</h2>
      <p>
        {signedIn
          ? 'Votre espace s’ouvre si vous êtes habilité à la déclaration correspondante dans votre compte net-entreprises.'
          : 'Connectez-vous avec votre compte net-entreprises. L’administrateur de votre entreprise ajoute la déclaration « SOLTéA - Employeurs » ou « SOLTéA - Etablissements » et vous y habilite ; l’accès ouvre 24 heures plus tard.'}
      </p>
      <div className="fr-grid-row fr-grid-row--gutters fr-mb-4w">
        <EntryTile
          href={entry('/soltea/employeur')}
          title="Employeur"
          desc="Consultez votre solde et répartissez-le entre les établissements et les formations de votre choix."
          detail={signedIn ? 'Espace SOLTéA - Employeurs' : 'Connexion net-entreprises'}
        />
        <EntryTile
          href={entry('/soltea/etablissement')}
          title="Établissement bénéficiaire"
          desc="Vérifiez et complétez votre fiche, vos coordonnées bancaires, et suivez les fonds attribués."
          detail={signedIn ? 'Espace SOLTéA - Etablissements' : 'Connexion net-entreprises'}
        />
      </div>

      <h2 id="recherche-titre">Recherche établissement</h2>
      <p>Sans compte : trouvez un établissement habilité par son nom, son SIRET ou son code UAI, ou par sa ville.</p>
      <form method="get" action="/soltea/recherche" role="search" aria-labelledby="recherche-titre">
        <MainFields values={{}} />
        <SearchButtons
          other={{
            label: 'Recherche détaillée (formation, niveau, distance…)',
            href: '/soltea/recherche',
            className: 'fr-btn fr-btn--secondary fr-icon-equalizer-line',
          }}
        />
      </form>
    </Layout>
  );
}
