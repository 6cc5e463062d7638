/**
 * « Coordonnées bancaires » of the establishment space: the current details (IBAN masked but for its
 * last four characters) with the operator's status, « Demander un code », the entry form (IBAN, BIC,
 * titulaire, code), and the history of versions.
 */
import { BANK_CODE_MAX_ATTEMPTS, BANK_CODE_VALIDITY_DAYS } from '../../domain/coordonnees-bancaires.js';
import type { BankView } from '../../modules/espace-etablissement/coordonnees-bancaires.js';
import type { FieldErrors } from '../../shared/fields.js';
import { formatDate, formatDateTime } from '../../shared/format.js';
import { Alert, CsrfField, ErrorSummary, Inputs, type InputSpec } from '../components/form.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { BankBadge, SpaceFrame, spaceUrl, type SpaceHeader } from './soltea-etablissement.js';

/** « par Prénom Nom », or nothing when the person is unknown. */
const by = (who: string | null) => (who ? ` par ${who}` : '');

function CodeState(props: { code: BankView['code'] }) {
  const c = props.code;
  if (!c) return <p>Aucun code n’a encore été demandé pour cet établissement.</p>;
  const who = by(c.requestedBy);
  switch (c.state) {
    case 'actif':
      return (
        <p>
          {`Un code a été demandé le ${formatDateTime(c.createdAt)}${who} et envoyé ${c.channel === 'courrier' ? 'par courrier à l’adresse de l’établissement' : 'par courriel aux administrateurs de l’établissement'}. Il est valable jusqu’au ${formatDate(c.expiresAt)}`}
          {c.attemptsLeft < BANK_CODE_MAX_ATTEMPTS
            ? ` ; il reste ${c.attemptsLeft} essai${c.attemptsLeft > 1 ? 's' : ''} avant qu’il ne soit bloqué.`
            : '.'}
        </p>
      );
    case 'utilise':
      return (
        <p>{`Le dernier code (demandé le ${formatDateTime(c.createdAt)}${who}) a servi : demandez un nouveau code pour modifier les coordonnées.`}</p>
      );
    case 'expire':
      return <p>{`Le dernier code (demandé le ${formatDateTime(c.createdAt)}${who}) a expiré : demandez un nouveau code.`}</p>;
    case 'bloque':
      return (
        <p>{`Le dernier code (demandé le ${formatDateTime(c.createdAt)}${who}) est bloqué après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées : demandez un nouveau code.`}</p>
      );
  }
}

function CurrentDetails(props: { current: BankView['current'] }) {
  const cur = props.current;
  if (!cur)
    return (
      <Alert type="warning" title="Aucune coordonnée bancaire">
        L’établissement n’a pas encore de coordonnées bancaires : demandez un code, puis saisissez l’IBAN, le BIC et le titulaire du compte.
      </Alert>
    );
  return (
    <>
      <dl className="recap">
        <dt>Statut</dt>
        <dd>
          <BankBadge statut={cur.statut} />
          {cur.statut === 'rejetee' && cur.motifRejet ? <p className="fr-mt-1w fr-mb-0">{`Motif du rejet : ${cur.motifRejet}`}</p> : null}
          {cur.statut === 'a_verifier' ? (
            <p className="fr-mt-1w fr-mb-0 fr-text--sm">L’opérateur vérifie les coordonnées avant le premier virement.</p>
          ) : null}
        </dd>
        <dt>IBAN</dt>
        <dd>
          <span aria-hidden="true">{cur.ibanMasque}</span>
          <span className="fr-sr-only">{`IBAN ${cur.pays} masqué, se terminant par ${cur.ibanFin.split('').join(' ')}`}</span>
          <span className="fr-text--sm">{` (se terminant par ${cur.ibanFin})`}</span>
        </dd>
        <dt>BIC</dt>
        <dd>{cur.bic}</dd>
        <dt>Titulaire du compte</dt>
        <dd>{cur.titulaire}</dd>
        <dt>Saisies le</dt>
        <dd>{`${formatDateTime(cur.createdAt)}${by(cur.createdBy)}`}</dd>
      </dl>
      {cur.statut === 'rejetee' ? (
        <Alert type="error" title="Coordonnées rejetées">
          Saisissez de nouvelles coordonnées bancaires avec un nouveau code.
        </Alert>
      ) : null}
    </>
  );
}

function CodeRequest(props: { csrfToken: string; action: string; code: BankView['code']; message?: string }) {
  return (
    <>
      <h2>1. Demander un code</h2>
      <p>
        {`Pour protéger l’établissement, la saisie ou la modification des coordonnées bancaires demande un code, envoyé par courriel aux administrateurs de son entreprise sur net-entreprises, ou par courrier à l’adresse de l’établissement si elle n’en a pas. Il est valable ${BANK_CODE_VALIDITY_DAYS} jours et ne sert qu’une fois ; tant qu’il est valable, aucun autre code ne peut être demandé.`}
      </p>
      <CodeState code={props.code} />
      {props.message ? <Alert type="warning">{props.message}</Alert> : null}
      <form method="post" action={props.action}>
        <CsrfField token={props.csrfToken} />
        <button type="submit" className="fr-btn fr-btn--secondary fr-icon-mail-line fr-btn--icon-left">
          Demander un code
        </button>
      </form>
    </>
  );
}

/** The bank details' form fields, in order. */
const BANK_FIELDS: readonly InputSpec[] = [
  {
    name: 'iban',
    label: 'IBAN',
    required: true,
    maxLength: 50,
    hint: 'Tel qu’il figure sur le RIB de l’établissement, par exemple FR76 3000 6000 0112 3456 7890 189. Compte dans la zone SEPA.',
  },
  { name: 'bic', label: 'BIC', required: true, maxLength: 15, hint: '8 ou 11 caractères, par exemple BNPAFRPP ou TRPUFRP1.' },
  {
    name: 'titulaire',
    label: 'Titulaire du compte',
    required: true,
    maxLength: 100,
    hint: 'Le nom du titulaire tel qu’il figure sur le RIB (70 caractères au maximum).',
  },
  { name: 'code', label: 'Code reçu par courriel', required: true, maxLength: 20, hint: '8 lettres et chiffres, par exemple ABCD-EFGH.' },
];

function BankForm(props: { csrfToken: string; action: string; values: Record<string, unknown>; errors?: FieldErrors }) {
  const e = props.errors ?? {};
  const values = props.values;
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={props.action} noValidate autoComplete="off">
        <CsrfField token={props.csrfToken} />
        <Inputs fields={BANK_FIELDS} values={values} errors={e} />
        <button type="submit" className="fr-btn">
          Enregistrer les coordonnées bancaires
        </button>
      </form>
    </>
  );
}

function History(props: { history: BankView['history'] }) {
  return (
    <>
      <h2 className="fr-mt-5w">Historique</h2>
      <Table
        caption="Versions successives des coordonnées bancaires"
        captionClassName="fr-sr-only"
        columns={['Saisies le', 'IBAN', 'BIC', 'Titulaire', 'Statut', 'Remplacées le']}
        rows={props.history}
        rowKey={(r) => r.id}
        cells={(r) => [
          `${formatDateTime(r.createdAt)}${by(r.createdBy)}`,
          `se terminant par ${r.ibanFin}`,
          r.bic,
          r.titulaire,
          <BankBadge statut={r.statut} small />,
          r.remplaceeLe ? formatDateTime(r.remplaceeLe) : 'Coordonnées actuelles',
        ]}
      />
    </>
  );
}

export function BanquePage(props: {
  ctx: PageContext;
  head: SpaceHeader;
  view: BankView;
  notice?: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  /** a refusal of « Demander un code » */
  codeMessage?: string;
}) {
  const v = props.view;
  const base = spaceUrl(props.head.siret, 'banque');
  return (
    <SpaceFrame ctx={props.ctx} head={props.head} tab="banque" title="Coordonnées bancaires" notice={props.notice}>
      <p>
        Le solde de la taxe d’apprentissage est versé par virement SEPA sur le compte de l’établissement, après vérification de ses
        coordonnées par l’opérateur (Caisse des Dépôts). Elles doivent être complètes avant la fin de chaque période de la campagne : sans
        elles, l’établissement ne peut pas être payé.
      </p>
      <h2>Coordonnées enregistrées</h2>
      <CurrentDetails current={v.current} />
      <CodeRequest csrfToken={props.ctx.csrfToken} action={`${base}/code`} code={v.code} message={props.codeMessage} />
      <h2 className="fr-mt-5w">{v.current ? '2. Modifier les coordonnées bancaires' : '2. Saisir les coordonnées bancaires'}</h2>
      <BankForm csrfToken={props.ctx.csrfToken} action={base} values={props.values ?? {}} errors={props.errors} />
      {v.history.length > 1 ? <History history={v.history} /> : null}
    </SpaceFrame>
  );
}
