/** « Messages » of the operator's space: the mail queue and the campaign's messages (docs/messages.md). */
import type { QueueOverview } from '../../modules/messages/suivi.js';
import { formatDateTime, plural } from '../../shared/format.js';
import { Alert } from '../components/form.js';
import { Table } from '../components/table.js';
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
        <Table
          caption={`Les ${o.abandonnes.length} derniers courriels abandonnés`}
          columns={['N°', 'Destinataire', 'Objet', 'Essais', 'Dernière erreur', 'Abandonné le']}
          rows={o.abandonnes}
          rowKey={(a) => a.id}
          cells={(a) => [a.id, a.to, a.subject, a.attempts, a.lastError ?? '', formatDateTime(a.gaveUpAt)]}
        />
      )}
      <h2>Messages de la campagne</h2>
      {o.evenements.length === 0 ? (
        <Alert type="info">Aucun message de la campagne n’a encore été envoyé.</Alert>
      ) : (
        <Table
          caption="Ouvertures, rappels avant la fin des périodes et récapitulatifs quotidiens envoyés"
          columns={['Événement', 'Traité le', 'Courriels']}
          rows={o.evenements}
          rowKey={(e) => e.cle}
          cells={(e) => [e.cle, formatDateTime(e.traiteLe), e.messages]}
        />
      )}
    </OperatorFrame>
  );
}
