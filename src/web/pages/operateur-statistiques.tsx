/**
 * « Statistiques » of the operator's space (docs/regles.md#statistiques): a campaign's figures, its
 * allocation lines day by day and broken down by region, département, category, list and niveau, and its
 * reliquat; each chart beside its table, each table with its CSV.
 */
import { formatJour } from '../../domain/jours.js';
import type { JourStatistique, LigneVentilee, StatistiquesView } from '../../modules/statistiques/statistiques.js';
import { formatDateTime, formatEuros, plural } from '../../shared/format.js';
import { Barres, COULEURS, Courbes, eurosDessin } from '../components/graphique.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { OperatorFrame } from './operateur.js';
import { CsvLink } from './operateur-reliquat.js';
import { CampagnesNav, ReliquatBloc, VentilationBloc } from './statistiques-blocs.js';

export interface FigureLigne {
  libelle: string;
  cents: bigint | null;
  texte?: string | undefined;
}

export interface VentilationAffichee {
  cle: string;
  titre: string;
  lignes: LigneVentilee[];
}

const csvOf = (annee: number, tableau: string) => `/operateur/statistiques/${tableau}.csv?annee=${annee}`;

function Figures(props: { view: StatistiquesView; figures: readonly FigureLigne[] }) {
  const v = props.view;
  const drawn = props.figures.filter((f): f is FigureLigne & { cents: bigint } => f.cents !== null);
  return (
    <section className="fr-mb-6w" aria-labelledby="campagne-h">
      <h2 id="campagne-h">Chiffres de la campagne</h2>
      <p>{`${plural(v.employeurs, 'SIRET employeur', 'SIRET employeurs')} avec une enveloppe, ${plural(v.lignes, 'ligne d’attribution', 'lignes d’attribution')} ; calculés le ${formatDateTime(v.calculeLe)}.`}</p>
      <Barres
        id="campagne-graphique"
        titre={`Chiffres de la campagne ${v.annee}`}
        description="Un montant par barre, du collecté au reliquat ; les montants exacts sont dans le tableau qui suit."
        barres={drawn.map((f) => ({ label: f.libelle, valeur: eurosDessin(f.cents) }))}
        legende={{ valeur: 'Montant' }}
      />
      <CsvLink href={csvOf(v.annee, 'campagne')} label="Télécharger les chiffres de la campagne (CSV)" />
      <Table
        caption={`Chiffres de la campagne ${v.annee}`}
        bordered
        columns={['Rubrique', 'Montant']}
        rows={props.figures}
        rowKey={(f) => f.libelle}
        cells={(f) => [f.libelle, f.cents === null ? (f.texte ?? '') : formatEuros(f.cents)]}
      />
    </section>
  );
}

function Jours(props: { annee: number; jours: readonly JourStatistique[] }) {
  const actifs = props.jours.filter((j) => j.valideCents !== 0n || j.enregistreCents !== 0n);
  return (
    <section className="fr-mb-6w" aria-labelledby="jours-h">
      <h2 id="jours-h">Jour après jour</h2>
      {props.jours.length ? (
        <Courbes
          id="jours-graphique"
          titre={`Attributions jour après jour, campagne ${props.annee}`}
          description="Deux courbes des montants cumulés depuis l’ouverture aux employeurs : attribué selon le jour du dernier enregistrement de chaque ligne, et validé selon le jour de sa validation. Les montants sont dans le tableau qui suit."
          jours={props.jours.map((j) => j.jour)}
          series={[
            {
              label: 'Enregistré (cumul)',
              color: COULEURS.secondaire,
              valeurs: props.jours.map((j) => eurosDessin(j.enregistreCumulCents)),
            },
            { label: 'Validé (cumul)', color: COULEURS.principale, valeurs: props.jours.map((j) => eurosDessin(j.valideCumulCents)) },
          ]}
        />
      ) : null}
      <CsvLink href={csvOf(props.annee, 'jours')} label="Télécharger tous les jours (CSV)" />
      <Table
        caption="Jours où des attributions ont été enregistrées ou validées"
        bordered
        columns={['Jour', 'Enregistré ce jour', 'Enregistré depuis l’ouverture', 'Validé ce jour', 'Validé depuis l’ouverture']}
        rows={actifs}
        empty="Aucune attribution enregistrée."
        rowKey={(j) => j.jour}
        cells={(j) => [
          formatJour(j.jour),
          formatEuros(j.enregistreCents),
          formatEuros(j.enregistreCumulCents),
          formatEuros(j.valideCents),
          formatEuros(j.valideCumulCents),
        ]}
      />
    </section>
  );
}

export function StatistiquesPage(props: {
  ctx: PageContext;
  view: StatistiquesView;
  figures: readonly FigureLigne[];
  ventilations: readonly VentilationAffichee[];
  annees: readonly number[];
}) {
  const v = props.view;
  return (
    <OperatorFrame ctx={props.ctx} tab="statistiques" title={`Statistiques de la campagne ${v.annee}`}>
      <CampagnesNav label="Campagnes" annees={props.annees} courante={v.annee} href={(a) => `/operateur/statistiques?annee=${a}`} />
      <Figures view={v} figures={props.figures} />
      <Jours annee={v.annee} jours={v.jours} />
      {props.ventilations.map((t) => (
        <VentilationBloc
          key={t.cle}
          id={t.cle}
          titre={t.titre}
          lignes={t.lignes}
          csv={csvOf(v.annee, t.cle)}
          {...(t.cle === 'departement' ? { top: 15 } : {})}
        />
      ))}
      <ReliquatBloc id="reliquat" reliquat={v.reliquat} csv={csvOf(v.annee, 'reliquat')} />
    </OperatorFrame>
  );
}
