import { CsrfField, Alert } from '../components/form.js';
import { Layout, type PageContext } from '../layout.js';

export interface DeclarantRow {
  id: string;
  nom: string;
  prenom: string;
  email: string;
  role: string;
  status: string;
  self: boolean;
}

const STATUS: Record<string, string> = {
  active: 'Actif',
  email_pending: 'Courriel à valider',
  candidat: 'Demande en attente',
  suspended: 'Suspendu',
};

/** « Gérer les déclarants »: the people of the company; the administrator can reset a password. */
export function DeclarantsPage(props: { ctx: PageContext; rows: DeclarantRow[]; notice?: string }) {
  return (
    <Layout ctx={props.ctx} title="Gérer les déclarants" breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]} wide>
      <h1>Gérer les déclarants</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <div className="fr-table fr-table--bordered">
        <table>
          <caption>Les personnes de votre entreprise</caption>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">Prénom</th>
              <th scope="col">Courriel</th>
              <th scope="col">Rôle</th>
              <th scope="col">État</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.id}>
                <td>{r.nom}</td>
                <td>{r.prenom}</td>
                <td>{r.email}</td>
                <td>{r.role === 'administrateur' ? 'Administrateur' : 'Déclarant'}</td>
                <td>{STATUS[r.status] ?? r.status}</td>
                <td>
                  {!r.self && r.status === 'active' ? (
                    <form method="post" action={`/gestion/declarants/${r.id}/reinitialiser`}>
                      <CsrfField token={props.ctx.csrfToken} />
                      <button className="fr-btn fr-btn--sm fr-btn--secondary" type="submit" aria-label={`Réinitialiser le mot de passe de ${r.prenom} ${r.nom}`}>
                        Réinitialiser le mot de passe
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
