/**
 * The inscription's choices, each a step of the machine (inscription.ts), in the guide's order:
 * « Quel est votre profil d'entreprise ? » (profil), « Validation de vos déclarations » (declarations),
 * « Votre inscription en tant qu'entreprise [tiers] déclarante » and its rights table (habilitations),
 * « Inscription des déclarants » for a tiers-déclarant (declarants). Nothing is created here: the
 * choices wait in the draft for « Valider l'inscription » (inscription-account.ts).
 */
import type { AppContext } from '../../app-context.js';
import { declarationsOfDomains, DOMAINS, findDeclaration, ORGANISATION_TYPES } from '../../domain/declarations.js';
import { loginKey } from './login-key.js';
import { advance, InscriptionError, type DraftData, type DraftDeclarant, type DraftRight } from './inscription.js';
import { nextStep, type InscriptionKind, type Step } from './inscription-path.js';

export interface ProfileInput {
  kind: InscriptionKind;
  organisationType: string;
  domains: string[];
  /** the declarations kept in the dialog « Validation de vos déclarations », when it was shown on the profile page */
  declarations?: string[];
  /** true: the dialog was answered « Valider » on the profile page (its modal); otherwise it comes as the next page */
  confirme?: boolean;
}

/** The declarations proposed for the chosen domains (the dialog's « Vos déclarations »). */
export const offeredCodes = (domains: readonly string[]) => declarationsOfDomains(domains).map((d) => d.code);

/**
 * « Valider » on the profile: the profile is kept, and the dialog « Validation de vos déclarations »
 * comes next with every declaration of the chosen domains. When the page's modal was already answered
 * (`confirme`), its list is kept and the rights table comes next.
 */
export async function saveProfile(ctx: AppContext, draftId: string | undefined, input: ProfileInput): Promise<Step> {
  checkProfile(input);
  return advance(ctx, draftId, 'profil', async (_tx, d) => {
    const profile = { kind: input.kind, organisationType: input.organisationType, domains: [...new Set(input.domains)] };
    if (!input.confirme) {
      const data = { ...d.data, ...profile, declarations: offeredCodes(profile.domains) };
      return { next: 'declarations' as const, data, result: 'declarations' as const };
    }
    const declarations = checkDeclarations(profile.domains, input.declarations ?? []);
    const data = { ...d.data, ...profile, declarations, rights: defaultRights(declarations, d.data.rights) };
    return { next: 'habilitations' as const, data, result: 'habilitations' as const };
  });
}

/** Only the proposed choices: free text here would be stored in the espace (and a NUL would make the insert fail). */
function checkProfile(input: ProfileInput) {
  if (!ORGANISATION_TYPES.some((o) => o.code === input.organisationType))
    throw new InscriptionError('invalid', 'Indiquez le type de votre organisation parmi ceux proposés.', 'organisationType');
  if (input.domains.some((d) => !DOMAINS.some((x) => x.code === d)))
    throw new InscriptionError('invalid', 'Choisissez les domaines de services parmi ceux proposés.', 'domains');
}

function checkDeclarations(domains: readonly string[], declarations: readonly string[]): string[] {
  const offered = new Set(offeredCodes(domains));
  const chosen = [...new Set(declarations)];
  if (chosen.some((c) => !offered.has(c)))
    throw new InscriptionError('invalid', 'Une déclaration choisie ne correspond à aucun des services sélectionnés.', 'declarations');
  return chosen;
}

/** Every right on each declaration (« Payer » where it applies), or the one already chosen when the person came back. */
function defaultRights(declarations: readonly string[], before: DraftData['rights']): Record<string, DraftRight> {
  return Object.fromEntries(declarations.map((c) => [c, before?.[c] ?? { declarer: true, payer: findDeclaration(c)!.payable }]));
}

/** « Valider » in « Validation de vos déclarations » (its own page): the list, as kept or modified. */
export async function confirmDeclarations(ctx: AppContext, draftId: string | undefined, declarations: string[]): Promise<void> {
  await advance(ctx, draftId, 'declarations', async (_tx, d) => {
    const chosen = checkDeclarations(d.data.domains ?? [], declarations);
    return {
      next: 'habilitations',
      data: { ...d.data, declarations: chosen, rights: defaultRights(chosen, d.data.rights) },
      result: undefined,
    };
  });
}

export interface RightsInput {
  declarer: string[];
  payer: string[];
}

/**
 * « Etape suivante » under « Gestion des habilitations pour l'entreprise »: the rights of the registrant
 * on each declaration kept. « Payer » only where it applies; a declaration with no right stays added to
 * the company, its rights to be given later under « Gérer les habilitations ».
 */
export async function saveRights(ctx: AppContext, draftId: string | undefined, input: RightsInput): Promise<Step> {
  return advance(ctx, draftId, 'habilitations', async (_tx, d) => {
    const chosen = new Set(d.data.declarations ?? []);
    if ([...input.declarer, ...input.payer].some((c) => !chosen.has(c)))
      throw new InscriptionError('invalid', 'Un droit demandé porte sur une déclaration qui n’a pas été choisie.', 'declarer');
    if (input.payer.some((c) => !findDeclaration(c)!.payable))
      throw new InscriptionError('invalid', 'Le droit « Payer » ne s’applique pas à l’une des déclarations cochées.', 'payer');
    const declarer = new Set(input.declarer);
    const payer = new Set(input.payer);
    const rights = Object.fromEntries([...chosen].map((c) => [c, { declarer: declarer.has(c), payer: payer.has(c) }]));
    const next = nextStep('habilitations', d.data.kind);
    return { next, data: { ...d.data, rights }, result: next };
  });
}

/** At most this many collaborators in one inscription; more are added afterwards under « Gérer les déclarants ». */
export const MAX_DRAFT_DECLARANTS = 20;

/**
 * « Ajout d'un déclarant » (tiers-déclarants): a collaborator kept in the draft, to be invited once the
 * inscription is validated. The names sign in with the SIRET: they must differ from the registrant's and
 * from the other collaborators'.
 */
export async function addDraftDeclarant(ctx: AppContext, draftId: string | undefined, input: DraftDeclarant): Promise<void> {
  await advance(ctx, draftId, 'declarants', async (_tx, d) => {
    const list = d.data.declarants ?? [];
    if (list.length >= MAX_DRAFT_DECLARANTS)
      throw new InscriptionError(
        'invalid',
        `Vous pouvez ajouter ${MAX_DRAFT_DECLARANTS} déclarants au plus pendant l’inscription ; les suivants s’ajoutent ensuite dans « Gérer les déclarants ».`,
        'nom',
      );
    const key = loginKey(input.nom, input.prenom);
    if ([d.data, ...list].some((p) => loginKey(p.nom, p.prenom) === key))
      throw new InscriptionError(
        'invalid',
        'Une personne portant ces nom et prénom est déjà inscrite sur ce SIRET : le couple nom et prénom sert à la connexion et doit être unique.',
        'nom',
      );
    const declarant = { nom: input.nom, prenom: input.prenom, email: input.email, telephone: input.telephone };
    return { next: 'declarants', data: { ...d.data, declarants: [...list, declarant] }, result: undefined };
  });
}

/** « Supprimer » a collaborator added by mistake (by its place in the list). */
export async function removeDraftDeclarant(ctx: AppContext, draftId: string | undefined, index: number): Promise<void> {
  await advance(ctx, draftId, 'declarants', async (_tx, d) => {
    const list = d.data.declarants ?? [];
    if (!Number.isInteger(index) || index < 0 || index >= list.length)
      throw new InscriptionError('invalid', 'Ce déclarant ne figure pas dans la liste.', 'declarant');
    return { next: 'declarants', data: { ...d.data, declarants: list.filter((_, i) => i !== index) }, result: undefined };
  });
}

/** « Etape suivante » under « Inscription des déclarants ». */
export async function confirmDeclarants(ctx: AppContext, draftId: string | undefined): Promise<void> {
  await advance(ctx, draftId, 'declarants', async (_tx, d) => ({ next: 'confirmation', data: d.data, result: undefined }));
}
