/**
 * « Attribuer » page enhancements (the form works without them):
 * - typing a percentage ticks its target, emptying it unticks it; ticking a box moves to its field;
 * - the live « reste à attribuer » after the percentages typed on the page (`#reste-live`, aria-live),
 *   computed in basis points with the server's own parser, so it says exactly what the server will;
 * - in the employer space, a refused form's messages (`#erreurs`) take the focus, so that keyboard and
 *   screen-reader users land on them.
 */
import { parsePercent } from '../../domain/money.js';
import { formatPercent } from '../../shared/format.js';

const errors = document.querySelector<HTMLElement>('[data-espace-employeur] #erreurs');
if (errors) {
  errors.setAttribute('tabindex', '-1');
  errors.focus();
}

const form = document.querySelector<HTMLFormElement>('form[data-attribuer]');
if (form) {
  const live = document.getElementById('reste-live');
  const base = Number(form.dataset.autresBp ?? '0');
  const update = () => {
    if (!live) return;
    let bp = base;
    let wrong = false;
    form.querySelectorAll<HTMLInputElement>('input[data-pct]').forEach((input) => {
      const box = document.getElementById(`cible-${input.dataset.pct}`) as HTMLInputElement | null;
      if (!box?.checked || !input.value.trim()) return;
      const p = parsePercent(input.value);
      if (p.ok) bp += p.bp;
      else wrong = true;
    });
    live.textContent = wrong
      ? 'Un pourcentage saisi est incorrect.'
      : bp > 10_000
        ? `Total après vos choix : ${formatPercent(bp)}, au-delà de 100 % : diminuez un pourcentage.`
        : `Total après vos choix : ${formatPercent(bp)} ; reste à attribuer : ${formatPercent(10_000 - bp)}.`;
  };
  form.querySelectorAll<HTMLInputElement>('input[data-pct]').forEach((input) => {
    const box = document.getElementById(`cible-${input.dataset.pct}`) as HTMLInputElement | null;
    if (!box) return;
    input.addEventListener('input', () => {
      box.checked = input.value.trim() !== '';
      update();
    });
    box.addEventListener('change', () => {
      if (box.checked && !input.value.trim()) input.focus();
      update();
    });
  });
  update();
}
