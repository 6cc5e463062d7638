/**
 * The mandates of tiers-déclarants in « Demande en attente » (docs/regles.md#tiers-declarants): a pending
 * one with « Accepter » / « Refuser », an accepted one with « Révoquer ».
 */
import { formatSiren } from '../../domain/identifiers.js';
import type { MandatView } from '../../modules/accounts/mandats.js';
import { formatDateTimeShort } from '../../shared/format.js';
import { PostButton } from '../components/buttons.js';

/** One decision button on a mandate (a form of its own, so it works without JavaScript). */
function MandatButton(props: {
  csrfToken: string;
  m: MandatView;
  decision: 'accepter' | 'refuser' | 'revoquer';
  label: string;
  secondary?: boolean;
}) {
  return (
    <PostButton
      csrfToken={props.csrfToken}
      action={`/menu/demandes/mandats/${props.m.id}/${props.decision}`}
      className={props.secondary ? 'fr-btn fr-btn--secondary' : 'fr-btn'}
      ariaLabel={`${props.label} le mandat de ${props.m.tiersNom}`}
      label={props.label}
    />
  );
}

/** A tiers-déclarant's mandate on the company (docs/regles.md#tiers-declarants): pending ones are decided, accepted ones revoked. */
export function MandatCard(props: { csrfToken: string; m: MandatView; level: 2 | 3 }) {
  const m = props.m;
  const pending = m.statut === 'en_attente';
  const Heading = props.level === 2 ? 'h2' : 'h3';
  return (
    <div className="fr-card fr-p-3w fr-mb-2w">
      <Heading className="fr-h5">
        {pending
          ? `Un tiers déclarant, ${m.tiersNom}, a ajouté votre entreprise à son portefeuille`
          : `Mandat accepté : ${m.tiersNom}, tiers déclarant`}
      </Heading>
      <p>
        {`SIREN ${formatSiren(m.tiersSiren)} · Demande du ${formatDateTimeShort(m.requestedAt)}${m.demandePar ? ` par ${m.demandePar}` : ''}`}
        {m.decidedAt ? ` · Accepté le ${formatDateTimeShort(m.decidedAt)}` : ''}
      </p>
      <p className="fr-text--sm">
        {pending
          ? 'Accepté, ce mandat lui permet d’agir pour vos établissements dans « SOLTéA - Etablissements » (fiche, coordonnées bancaires avec un code envoyé à vos administrateurs). Refusez si vous ne le connaissez pas.'
          : 'Révoqué, ce mandat ne lui permet plus d’ouvrir l’espace « SOLTéA - Etablissements » de vos établissements.'}
      </p>
      <ul className="fr-btns-group fr-btns-group--inline-md">
        {pending ? (
          <>
            <li>
              <MandatButton csrfToken={props.csrfToken} m={m} decision="accepter" label="Accepter" />
            </li>
            <li>
              <MandatButton csrfToken={props.csrfToken} m={m} decision="refuser" label="Refuser" secondary />
            </li>
          </>
        ) : (
          <li>
            <MandatButton csrfToken={props.csrfToken} m={m} decision="revoquer" label="Révoquer" secondary />
          </li>
        )}
      </ul>
    </div>
  );
}
