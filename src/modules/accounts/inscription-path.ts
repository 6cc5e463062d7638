/**
 * The order of the inscription's steps (the guide « n'êtes pas inscrit sur net-entreprises »), pure:
 * which step follows which, which one « Étape précédente » returns to, and the steps a person walks
 * (the stepper counts these). A tiers-déclarant (« Votre entreprise et vos clients ») has one step more,
 * « Inscription des déclarants ». The step machine (inscription.ts) enforces this order in the database.
 */
export type Step =
  'cgu' | 'identification' | 'password' | 'recap' | 'profil' | 'declarations' | 'habilitations' | 'declarants' | 'confirmation' | 'done';

export type InscriptionKind = 'entreprise' | 'tiers_declarant';

const COMMON: readonly Step[] = ['cgu', 'identification', 'password', 'recap', 'profil', 'declarations', 'habilitations'];

/**
 * The steps walked after « Je m'inscris », in order, up to « Valider l'inscription » (`confirmation`).
 * « Validation de vos déclarations » (`declarations`) is the profile's dialog: a page of its own without
 * JavaScript, a modal of the profile page with it; the stepper counts it with the profile.
 */
export function pathOf(kind: InscriptionKind | undefined): readonly Step[] {
  return kind === 'tiers_declarant' ? [...COMMON, 'declarants', 'confirmation'] : [...COMMON, 'confirmation'];
}

/** The step after `step` on this person's path (`done` after `confirmation`). */
export function nextStep(step: Step, kind: InscriptionKind | undefined): Step {
  const path = pathOf(kind);
  const i = path.indexOf(step);
  return i < 0 || i === path.length - 1 ? 'done' : path[i + 1]!;
}

/**
 * « Étape précédente »: the step before `step`, or null where there is none (the conditions générales
 * follow « Je m'inscris », whose form is not a step of the draft; nothing goes back once the
 * inscription is validated).
 */
export function previousStep(step: Step, kind: InscriptionKind | undefined): Step | null {
  if (step === 'done') return null;
  const path = pathOf(kind);
  const i = path.indexOf(step);
  return i <= 0 ? null : path[i - 1]!;
}

/** The stepper's items: « Vos coordonnées » (the form before the draft), then the path, the dialog counted with the profile. */
export type StepperItem = 'coordonnees' | Exclude<Step, 'declarations' | 'done'>;

export function stepperOf(kind: InscriptionKind | undefined): StepperItem[] {
  return ['coordonnees', ...pathOf(kind).filter((s): s is Exclude<Step, 'declarations' | 'done'> => s !== 'declarations' && s !== 'done')];
}

/** Where `step` stands in the stepper (1-based), and how many steps this person walks. */
export function stepperPosition(step: StepperItem | 'declarations', kind: InscriptionKind | undefined): { current: number; total: number } {
  const items = stepperOf(kind);
  const at = step === 'declarations' ? 'profil' : step;
  return { current: items.indexOf(at) + 1, total: items.length };
}
