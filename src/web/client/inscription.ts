/**
 * The inscription's enhancements (web/pages/inscription-profil.tsx): on the profile, « Valider » opens the
 * dialog « Validation de vos déclarations » as a DSFR modal, listing the declarations of the domains ticked
 * (without JavaScript the dialog is the next page); in the rights table, « Tous » ticks its column and
 * follows it.
 */
type Dsfr = (el: Element) => { modal?: { disclose(): void; conceal(): void } };
const dsfr = (): Dsfr | undefined => (window as unknown as { dsfr?: Dsfr }).dsfr;

const form = document.querySelector<HTMLFormElement>('form[data-profile-form]');
const dialog = document.querySelector<HTMLDialogElement>('[data-declarations-dialog]');

/** The modal's list and boxes: the declarations of the domains ticked, all kept by default. */
function syncDialog(f: HTMLFormElement, d: HTMLElement) {
  const domains = new Set([...f.querySelectorAll<HTMLInputElement>('input[name="domains"]:checked')].map((b) => b.value));
  d.querySelectorAll<HTMLElement>('.fr-fieldset__element[data-domain]').forEach((el) => {
    const on = domains.has(el.dataset.domain ?? '');
    el.hidden = !on;
    const box = el.querySelector<HTMLInputElement>('input[type=checkbox]');
    if (box) box.checked = on && (box.dataset.userTouched ? box.checked : true);
  });
  syncList(d);
}

/** « Vos déclarations : » shows the boxes ticked. */
function syncList(d: HTMLElement) {
  d.querySelectorAll<HTMLElement>('#declarations-list li[data-code]').forEach((li) => {
    const box = d.querySelector<HTMLInputElement>(`#declarations-${li.dataset.code}`);
    li.hidden = !box?.checked || Boolean(box.closest<HTMLElement>('[data-domain]')?.hidden);
  });
}

function showList(d: HTMLElement, editing: boolean) {
  d.querySelector<HTMLElement>('#declarations-list')!.hidden = editing;
  d.querySelector<HTMLElement>('#declarations-list-title')!.hidden = editing;
  d.querySelector<HTMLElement>('#declarations')!.hidden = !editing;
}

/** The stepper counts the steps of the kind chosen: a tiers-déclarant walks one more (« Inscription des déclarants »). */
function syncStepper(f: HTMLFormElement) {
  const kind = f.querySelector<HTMLInputElement>('input[name="kind"]:checked')?.value;
  const total = kind === 'tiers_declarant' ? f.dataset.stepsTiers : f.dataset.stepsEntreprise;
  const state = document.querySelector('.fr-stepper__state');
  const steps = document.querySelector<HTMLElement>('.fr-stepper__steps');
  if (!total || !state || !steps) return;
  state.textContent = `Étape ${steps.dataset.frCurrentStep ?? ''} sur ${total}`;
  steps.dataset.frSteps = total;
}

if (form) form.querySelectorAll('input[name="kind"]').forEach((r) => r.addEventListener('change', () => syncStepper(form)));

if (form && dialog) {
  const submit = form.querySelector<HTMLButtonElement>('.fr-btns-group button[type="submit"]:not([form]):not([name])');
  submit?.addEventListener('click', (e) => {
    const api = dsfr()?.(dialog).modal;
    const anyDomain = form.querySelector('input[name="domains"]:checked');
    // no domain ticked: the server answers with its message; no DSFR script: the dialog comes as a page
    if (!api || !anyDomain) return;
    e.preventDefault();
    syncDialog(form, dialog);
    showList(dialog, false);
    api.disclose();
  });
  dialog.querySelector('[data-dialog-cancel]')?.addEventListener('click', () => dsfr()?.(dialog).modal?.conceal());
  dialog.querySelector('[data-dialog-edit]')?.addEventListener('click', () => {
    showList(dialog, true);
    dialog.querySelector<HTMLInputElement>('.fr-fieldset__element:not([hidden]) input')?.focus();
  });
  dialog.querySelectorAll<HTMLInputElement>('input[name="declarations"]').forEach((b) =>
    b.addEventListener('change', () => {
      b.dataset.userTouched = '1';
      syncList(dialog);
    }),
  );
}

// « Tous »: ticks or unticks its column; ticked when every box of the column is.
document.querySelectorAll<HTMLInputElement>('input[data-right-all]').forEach((all) => {
  const column = () => [...document.querySelectorAll<HTMLInputElement>(`input[data-right="${all.dataset.rightAll}"]`)];
  const follow = () => (all.checked = column().length > 0 && column().every((b) => b.checked));
  all.addEventListener('change', () => column().forEach((b) => (b.checked = all.checked)));
  column().forEach((b) => b.addEventListener('change', follow));
  follow();
});
