/** « Mes courriels » of the establishment space: the daily digest of the allocations received, on or off. */
import { PreferenceForm, type Preference } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { SpaceFrame, spaceUrl, type SpaceHeader } from './soltea-etablissement.js';

const RESUME: Preference = {
  name: 'resumeQuotidien',
  legend: 'Récapitulatif quotidien',
  choice: {
    value: '1',
    label: 'Recevoir chaque matin le récapitulatif des attributions reçues la veille',
    hint: 'Pour tous les établissements dont vous gérez l’espace : le nombre d’employeurs et le montant attendu.',
  },
  submit: { label: 'Enregistrer mes choix', className: 'fr-btn' },
};

export function CourrielsPage(props: { ctx: PageContext; head: SpaceHeader; resumeQuotidien: boolean; notice?: string | undefined }) {
  return (
    <SpaceFrame ctx={props.ctx} head={props.head} tab="courriels" title="Mes courriels" notice={props.notice}>
      <p>
        Vous recevez, par courriel et sur votre tableau de bord, l’ouverture de chaque campagne, les rappels avant la fin des périodes de
        répartition si vos coordonnées bancaires manquent, et chaque versement. Ces messages ne peuvent pas être désactivés.
      </p>
      <PreferenceForm
        action={spaceUrl(props.head.siret, 'courriels')}
        csrfToken={props.ctx.csrfToken}
        preference={RESUME}
        checked={props.resumeQuotidien}
      />
    </SpaceFrame>
  );
}
