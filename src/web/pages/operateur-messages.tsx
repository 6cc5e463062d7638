/** « Messages » of the operator's space: the mail queue and the campaign's messages (docs/messages.md). */
import type { QueueOverview } from '../../modules/messages/suivi.js';
import { formatDateTime, plural } from '../../shared/format.js';
import { Alert } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { OperatorFrame } from './operateur.js';

export function OperatorMessagesPage(props: { ctx: PageContext; o: QueueOverview }) {
  const { o } = props;
  return (
    <OperatorFrame ctx={props.ctx} tab="messages" title="Messages">
      <p>
        {`${plural(o.waiting, 'courriel', 'courriels')} en attente d’envoi (dont ceux qu’un échec fait réessayer plus tard) ; ${plural(o.gaveUp, 'courriel abandonné', 'courriels abandonnés')} après trop d’échecs.`}
      </p>
      <h2>Courriels abandonnés</h2>
      {o.abandonnes.length === 0 ? (
        <Alert type="info">Aucun courriel n’a été abandonné.</Alert>
      ) : (
        <div className="fr-table">
          <table>
            <caption>{`Les ${o.abandonnes.length} derniers courriels abandonnés`}</caption>
            <thead>
              <tr>
                <th scope="col">N°</th>
                <th scope="col">Destinataire</th>
                <th scope="col">Objet</th>
                <th scope="col">Essais</th>
                <th scope="col">Dernière erreur</th>
                <th scope="col">Abandonné le</th>
              </tr>
            </thead>
            <tbody>
              {o.abandonnes.map((a) => (
                <tr key={a.id}>
                  <td>{a.id}</td>
                  <td>{a.to}</td>
                  <td>{a.subject}</td>
                  <td>{a.attempts}</td>
                  <td>{a.lastError ?? ''}</td>
                  <td>{formatDateTime(a.gaveUpAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Messages de la campagne</h2>
      {o.evenements.length === 0 ? (
        <Alert type="info">Aucun message de la campagne n’a encore été envoyé.</Alert>
      ) : (
        <div className="fr-table">
          <table>
            <caption>Ouvertures, rappels avant la fin des périodes et récapitulatifs quotidiens envoyés</caption>
            <thead>
              <tr>
                <th scope="col">Événement</th>
                <th scope="col">Traité le</th>
                <th scope="col">Courriels</th>
              </tr>
            </thead>
            <tbody>
              {o.evenements.map((e) => (
                <tr key={e.cle}>
                  <td>{e.cle}</td>
                  <td>{formatDateTime(e.traiteLe)}</td>
                  <td>{e.messages}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </OperatorFrame>
  );
}
