/** « Mes courriels » of the establishment space: the daily digest of the allocations received, on or off. */
import { CsrfField } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { SpaceFrame, spaceUrl, type SpaceHeader } from './soltea-etablissement.js';

export function CourrielsPage(props: { ctx: PageContext; head: SpaceHeader; resumeQuotidien: boolean; notice?: string | undefined }) {
  return (
    <SpaceFrame ctx={props.ctx} head={props.head} tab="courriels" title="Mes courriels" notice={props.notice}>
      <p>
        Vous recevez, par courriel et sur votre tableau de bord, l’ouverture de chaque campagne, les rappels avant la fin des périodes de
        répartition si vos coordonnées bancaires manquent, et chaque versement. Ces messages ne peuvent pas être désactivés.
      </p>
      <form method="post" action={spaceUrl(props.head.siret, 'courriels')}>
        <CsrfField token={props.ctx.csrfToken} />
        <fieldset className="fr-fieldset" aria-labelledby="resume-legend">
          <legend className="fr-fieldset__legend" id="resume-legend">
            Récapitulatif quotidien
          </legend>
          <div className="fr-fieldset__element">
            <div className="fr-checkbox-group">
              <input type="checkbox" id="resumeQuotidien" name="resumeQuotidien" value="1" defaultChecked={props.resumeQuotidien} />
              <label className="fr-label" htmlFor="resumeQuotidien">
                Recevoir chaque matin le récapitulatif des attributions reçues la veille
                <span className="fr-hint-text">
                  Pour tous les établissements dont vous gérez l’espace : le nombre d’employeurs et le montant attendu.
                </span>
              </label>
            </div>
          </div>
        </fieldset>
        <button type="submit" className="fr-btn">
          Enregistrer mes choix
        </button>
      </form>
    </SpaceFrame>
  );
}
