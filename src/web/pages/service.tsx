import type { Declaration } from '../../domain/declarations.js';
import { formatSiret } from '../../domain/identifiers.js';
import { Alert } from '../components/form.js';
import { payerCell, Table, yesNo } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';

/** Entry of a declaration opened from its tile: the établissements the user may act for. */
export function ServicePage(props: {
  ctx: PageContext;
  declaration: Declaration;
  sirets: { siret: string; declarer: boolean; payer: boolean }[];
}) {
  const d = props.declaration;
  return (
    <Layout ctx={props.ctx} title={d.name} breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]}>
      <h1>{d.name}</h1>
      <p className="fr-text--lead">{d.description}</p>
      <Alert type="info">
        Ce service est ouvert pour les établissements ci-dessous. Ses écrans de déclaration sont déployés progressivement.
      </Alert>
      <Table
        caption="Établissements pour lesquels vous êtes habilité"
        columns={['Siret', 'Déclarer', 'Payer']}
        rows={props.sirets}
        row={(s) => (
          <tr key={s.siret}>
            <td>{formatSiret(s.siret)}</td>
            <td>{yesNo(s.declarer)}</td>
            <td>{payerCell(d.payable, s.payer)}</td>
          </tr>
        )}
      />
    </Layout>
  );
}
