/**
 * Live validation with check marks (guide: each field validated as typed), the password gauge and
 * the SIRET look-up. Pure rules come from src/domain, the same code the server runs.
 */
import { parseSiret } from '../../domain/identifiers.js';
import { evaluatePassword, evaluateSecretAnswer, evaluateSecretQuestion, passwordChecklist } from '../../domain/password-policy.js';

const EMAIL_RE = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const PHONE_RE = /^(?:0[1-9](?:[ .-]?\d{2}){4}|\+\d{2,3}[ .-]?\d(?:[ .-]?\d{2}){4})$/;
const NAME_RE = /^[\p{L}][\p{L}\p{M} '’.-]*$/u;

type Check = (value: string, input: HTMLInputElement) => string | null | Promise<string | null>;

function valueOf(id: string): string {
  return (document.getElementById(id) as HTMLInputElement | null)?.value ?? '';
}

const checks: Record<string, Check> = {
  required: (v) => (v.trim() ? null : 'Ce champ est obligatoire.'),
  name: (v) =>
    !v.trim()
      ? 'Ce champ est obligatoire.'
      : !NAME_RE.test(v.trim())
        ? 'Seuls les lettres, espaces, apostrophes et tirets sont acceptés.'
        : null,
  email: (v) =>
    !v.trim()
      ? 'Le courriel est obligatoire.'
      : !EMAIL_RE.test(v.trim())
        ? 'Adresse électronique non valide (exemple : nom@domaine.fr).'
        : null,
  phone: (v) =>
    !v.trim()
      ? 'Le téléphone est obligatoire.'
      : !PHONE_RE.test(v.trim())
        ? 'Le numéro doit comporter 10 chiffres (exemple : 01 23 45 67 89).'
        : null,
  'phone-optional': (v) =>
    v.trim() && !PHONE_RE.test(v.trim()) ? 'Le numéro doit comporter 10 chiffres (exemple : 06 12 34 56 78).' : null,
  siret: async (v) => {
    const r = parseSiret(v);
    if (!r.ok) return r.message;
    try {
      const res = await fetch(`/api/registre/etablissements/${r.value}`, { headers: { accept: 'application/json' } });
      if (res.status === 404) return 'Ce numéro SIRET est inconnu du répertoire des entreprises (SIRENE).';
      const body = (await res.json()) as { actif?: boolean };
      if (!body.actif) return 'Cet établissement est fermé dans le répertoire SIRENE.';
    } catch {
      /* offline: the server checks again */
    }
    return null;
  },
  password: (v) => {
    const context = { nom: valueOf('nom'), prenom: valueOf('prenom') };
    renderPasswordRules(passwordChecklist(v, context));
    const r = evaluatePassword(v, context);
    return r.valid ? null : (r.errors[0] ?? 'Mot de passe non conforme.');
  },
  question: (v) => evaluateSecretQuestion(v).errors[0] ?? null,
  answer: (v) => evaluateSecretAnswer(v, { question: valueOf('secretQuestion') }).errors[0] ?? null,
};

/** Redraws the criteria and the gauge the server rendered (web/pages/password-fields.tsx), from the same checklist. */
function renderPasswordRules(r: ReturnType<typeof passwordChecklist>) {
  for (const c of r.checks) {
    const li = document.querySelector<HTMLElement>(`[data-rule="${c.id}"]`);
    if (!li) continue;
    li.classList.toggle('rule-ok', c.ok);
    li.classList.toggle('rule-ko', !c.ok);
    const state = li.querySelector('.rule-state');
    if (state) state.textContent = `${c.required ? ' (obligatoire)' : ''} : ${c.ok ? 'respecté' : 'non respecté'}`;
  }
  const meter = document.getElementById('password-gauge') as HTMLMeterElement | null;
  if (meter) meter.value = r.score;
  const label = document.getElementById('password-gauge-label');
  if (label) label.textContent = r.label;
}

function setState(input: HTMLInputElement, error: string | null) {
  const group = input.closest('.fr-input-group');
  const messages = document.getElementById(`${input.id}-messages`);
  if (!group || !messages) return;
  group.classList.toggle('fr-input-group--error', Boolean(error));
  group.classList.toggle('fr-input-group--valid', !error);
  input.classList.toggle('fr-input--error', Boolean(error));
  input.classList.toggle('fr-input--valid', !error);
  if (error) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  messages.innerHTML = '';
  const p = document.createElement('p');
  p.className = `fr-message ${error ? 'fr-message--error' : 'fr-message--valid'}`;
  p.textContent = error ?? 'Valide';
  messages.appendChild(p);
}

async function run(input: HTMLInputElement) {
  const spec = input.dataset.validate ?? '';
  let error: string | null;
  if (spec.startsWith('confirm:')) {
    const other = valueOf(spec.slice('confirm:'.length));
    error = !input.value ? 'La confirmation est obligatoire.' : input.value !== other ? 'La confirmation ne correspond pas.' : null;
  } else {
    const check = checks[spec];
    if (!check) return;
    error = await check(input.value, input);
  }
  if (spec === 'phone-optional' && !input.value.trim()) {
    input.closest('.fr-input-group')?.classList.remove('fr-input-group--valid', 'fr-input-group--error');
    const m = document.getElementById(`${input.id}-messages`);
    if (m) m.innerHTML = '';
    return;
  }
  setState(input, error);
}

const timers = new WeakMap<HTMLInputElement, number>();
document.querySelectorAll<HTMLInputElement>('input[data-validate]').forEach((input) => {
  const schedule = () => {
    const t = timers.get(input);
    if (t) window.clearTimeout(t);
    timers.set(
      input,
      window.setTimeout(() => void run(input), 250),
    );
  };
  input.addEventListener('input', () => {
    if (input.dataset.validate === 'password') void checks.password!(input.value, input);
    if (input.value || input.dataset.touched) schedule();
  });
  input.addEventListener('blur', () => {
    input.dataset.touched = '1';
    void run(input);
  });
});

// Print buttons (« Imprimer le récapitulatif »).
document.querySelectorAll<HTMLButtonElement>('[data-print]').forEach((b) => b.addEventListener('click', () => window.print()));

import './inscription.js';
import './dual-list.js';
import './habilitations.js';
import './portefeuilles.js';
import './soltea-recherche.js';
import './espace-etablissement.js';
import './soltea-employeur.js';
import './operateur-imports.js';
