/** « Demande en attente »: candidats AD, passwords to reset, and the mandates asked by tiers-déclarants. */
import type { MandatView } from '../../modules/accounts/mandats.js';
import { formatDateTimeShort } from '../../shared/format.js';
import { DownloadLink, PostButton } from '../components/buttons.js';
import { Alert } from '../components/form.js';
import { Layout, type PageContext } from '../layout.js';
import { MandatCard } from './mandats.js';

/** What an administrator answers to a request to become administrator. */
const DECISIONS = [
  { action: 'accorder', label: 'Accorder', className: 'fr-btn' },
  { action: 'refuser', label: 'Refuser', className: 'fr-btn fr-btn--secondary' },
] as const;

export function DemandesPage(props: {
  ctx: PageContext;
  demandes: { id: string; kind: string; createdAt: Date; nom: string; prenom: string; email: string; siret: string }[];
  mandats: MandatView[];
  notice?: string;
}) {
  const pendingMandats = props.mandats.filter((m) => m.statut === 'en_attente');
  const acceptedMandats = props.mandats.filter((m) => m.statut === 'accepte');
  return (
    <Layout ctx={props.ctx} title="Demande en attente" breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]}>
      <h1>Demande en attente</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      {props.demandes.length === 0 && pendingMandats.length === 0 ? <p>Aucune demande en attente.</p> : null}
      <DownloadLink href="/menu/demandes.csv" label="Exporter les demandes (CSV)" />
      {pendingMandats.map((m) => (
        <MandatCard key={m.id} csrfToken={props.ctx.csrfToken} m={m} level={2} />
      ))}
      {props.demandes.map((d) => (
        <div className="fr-card fr-p-3w fr-mb-2w" key={d.id}>
          <h2 className="fr-h5">
            {d.kind === 'candidat_ad'
              ? `${d.prenom} ${d.nom} demande à devenir administrateur`
              : `${d.prenom} ${d.nom} demande la réinitialisation de son mot de passe`}
          </h2>
          <p>
            Courriel : {d.email} · Siret : {d.siret} · Demande du {formatDateTimeShort(d.createdAt)}
          </p>
          {d.kind === 'candidat_ad' ? (
            <ul className="fr-btns-group fr-btns-group--inline-md">
              {DECISIONS.map((x) => (
                <li key={x.action}>
                  <PostButton
                    csrfToken={props.ctx.csrfToken}
                    action={`/menu/demandes/${d.id}/${x.action}`}
                    className={x.className}
                    ariaLabel={`${x.label} la demande de ${d.prenom} ${d.nom}`}
                    label={x.label}
                  />
                </li>
              ))}
            </ul>
          ) : (
            <PostButton
              csrfToken={props.ctx.csrfToken}
              action={`/menu/demandes/${d.id}/reinitialiser`}
              className="fr-btn"
              ariaLabel={`Réinitialiser le mot de passe de ${d.prenom} ${d.nom}`}
              label="Réinitialiser le mot de passe"
            />
          )}
        </div>
      ))}
      {acceptedMandats.length > 0 ? (
        <section className="fr-mt-4w" aria-labelledby="mandats-acceptes">
          <h2 id="mandats-acceptes">Mandats accordés à des tiers déclarants</h2>
          {acceptedMandats.map((m) => (
            <MandatCard key={m.id} csrfToken={props.ctx.csrfToken} m={m} level={3} />
          ))}
        </section>
      ) : null}
    </Layout>
  );
}
