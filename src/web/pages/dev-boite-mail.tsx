/** Development only: the mail outbox, readable in the browser (links made relative, to follow them here). */
import { formatDateTimeShort } from '../../shared/format.js';
import { Layout, type PageContext } from '../layout.js';

export interface DevMail {
  id: number;
  to: string;
  subject: string;
  text: string;
  createdAt: Date;
}

/** The text of a mail with its links clickable, pointing to this server. */
function MailBody(props: { text: string }) {
  return (
    <div className="mail-body">
      {props.text.split(/(https?:\/\/\S+)/).map((part, i) =>
        /^https?:\/\//.test(part) ? (
          <a key={i} href={part.replace(/^https?:\/\/[^/]+/, '')}>
            {part}
          </a>
        ) : (
          <span key={i}>{part}</span>
        ),
      )}
    </div>
  );
}

export function DevBoiteMailPage(props: { ctx: PageContext; mails: readonly DevMail[] }) {
  return (
    <Layout ctx={props.ctx} title="Boîte mail de développement">
      <h1>Boîte mail de développement</h1>
      <p>Sans serveur SMTP configuré (SMTP_URL), les courriels sont conservés ici. Les plus récents d’abord.</p>
      {props.mails.length === 0 ? <p>Aucun courriel.</p> : null}
      {props.mails.map((m) => (
        <article key={m.id} className="fr-card fr-p-3w fr-mb-2w">
          <h2 className="fr-h6">{m.subject}</h2>
          <p className="fr-text--sm">
            À : {m.to} · {formatDateTimeShort(m.createdAt)}
          </p>
          <MailBody text={m.text} />
        </article>
      ))}
    </Layout>
  );
}
