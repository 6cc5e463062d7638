/**
 * « Chiffres des campagnes » (/soltea/chiffres, public): the totals of a past campaign, by region (a map
 * beside its table) and by category of establishment (L. 6241-5), and the reliquat's split
 * (docs/regles.md#statistiques). Each table has its CSV.
 */
import type { LigneVentilee, StatistiquesView } from '../../modules/statistiques/statistiques.js';
import { formatEuros } from '../../shared/format.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';
import { CampagnesNav, CarteBloc, ReliquatBloc, VentilationBloc } from './statistiques-blocs.js';

const csvOf = (annee: number, tableau: string) => `/soltea/chiffres/${annee}/${tableau}.csv`;

export function ChiffresPage(props: {
  ctx: PageContext;
  /** the past campaigns, most recent first */
  annees: readonly number[];
  /** the chosen campaign's figures, null when no campaign is over yet */
  view: StatistiquesView | null;
  parRegion: readonly LigneVentilee[];
  parCategorie: readonly LigneVentilee[];
}) {
  const v = props.view;
  const title = v ? `Chiffres de la campagne ${v.annee}` : 'Chiffres des campagnes';
  return (
    <Layout
      ctx={props.ctx}
      title={title}
      breadcrumb={[
        { href: '/', label: 'Accueil' },
        { href: '/soltea', label: 'SOLTéA' },
      ]}
      wide
    >
      <h1>{title}</h1>
      <p>
        La répartition du solde de la taxe d’apprentissage des campagnes terminées : ce que les employeurs ont attribué aux établissements
        habilités, ce qui leur a été versé, et la répartition du reliquat (article R. 6241-28 du code du travail).
      </p>
      {props.annees.length ? (
        <CampagnesNav label="Campagnes terminées" annees={props.annees} courante={v?.annee} href={(a) => `/soltea/chiffres?annee=${a}`} />
      ) : (
        <p>Aucune campagne n’est encore terminée.</p>
      )}
      {v ? (
        <>
          <Table
            caption={`Totaux de la campagne ${v.annee}`}
            bordered
            columns={['Rubrique', 'Montant']}
            rows={
              [
                ['Crédits à répartir', v.creditsCents],
                ['Attribué aux établissements', v.alloueCents],
                ['Versé aux établissements', v.verseCents],
                ['Reliquat à répartir', v.reliquat?.poolCents ?? null],
              ] as const
            }
            row={([libelle, cents]) => (
              <tr key={libelle}>
                <td>{libelle}</td>
                <td>{cents === null ? 'Non calculé' : formatEuros(cents)}</td>
              </tr>
            )}
          />
          <CarteBloc id="region" lignes={props.parRegion} csv={csvOf(v.annee, 'region')} annee={v.annee} />
          <VentilationBloc
            id="categorie"
            titre="Par catégorie d’établissement (article L. 6241-5 du code du travail)"
            lignes={props.parCategorie}
            csv={csvOf(v.annee, 'categorie')}
            public
          />
          <ReliquatBloc id="reliquat" reliquat={v.reliquat} csv={csvOf(v.annee, 'reliquat')} />
        </>
      ) : null}
    </Layout>
  );
}
