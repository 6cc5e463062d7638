/**
 * « Recherche établissement » enhancements (the pages work without them):
 * - after a search, focus goes to the error summary when a criterion is wrong, else to the results
 *   heading, so that keyboard and screen-reader users land on what the search produced (the page is
 *   a new page: its aria-live count is not announced by itself);
 * - « Dans un rayon de » is only meaningful with « Autour de la commune »: it is marked disabled
 *   (aria-disabled, still sent) while that field is empty.
 */
const form = document.querySelector<HTMLFormElement>('form[role="search"][data-recherche]');

if (form) {
  const errors = document.getElementById('erreurs');
  const heading = document.getElementById('resultats-titre');
  if (errors) {
    errors.setAttribute('tabindex', '-1');
    errors.focus();
  } else if (heading && new URLSearchParams(location.search).toString() !== '') {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }

  const around = form.querySelector<HTMLInputElement>('#autourDe');
  const rayon = form.querySelector<HTMLSelectElement>('#rayonKm');
  if (around && rayon) {
    const hint = document.createElement('p');
    hint.className = 'fr-hint-text fr-mt-1v';
    hint.id = 'rayonKm-aide';
    hint.textContent = 'Indiquez d’abord une commune.';
    rayon.insertAdjacentElement('afterend', hint);
    const sync = () => {
      const empty = around.value.trim() === '';
      rayon.setAttribute('aria-disabled', String(empty));
      rayon.setAttribute('aria-describedby', empty ? 'rayonKm-messages rayonKm-aide' : 'rayonKm-messages');
      hint.style.display = empty ? '' : 'none';
    };
    around.addEventListener('input', sync);
    sync();
  }
}

export {};
