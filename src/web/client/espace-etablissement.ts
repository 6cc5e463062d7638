/**
 * SOLTéA establishment space enhancements (every form works without them):
 * - « Copier le lien » / « Copier le message »: buttons `[data-copy="<id of a field>"]`, hidden until
 *   this script shows them, copy the field's value and say so in `#copie-statut` (aria-live);
 * - the presentation's character counter (`[data-counter="<id>"]`).
 */

async function copyText(source: HTMLInputElement | HTMLTextAreaElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(source.value);
    return true;
  } catch {
    // Older browsers, or no permission: select the text and use the legacy command.
    source.focus();
    source.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

document.querySelectorAll<HTMLButtonElement>('button[data-copy]').forEach((button) => {
  const source = document.getElementById(button.dataset.copy ?? '') as HTMLInputElement | HTMLTextAreaElement | null;
  if (!source) return;
  button.hidden = false;
  button.addEventListener('click', () => {
    void copyText(source).then((ok) => {
      const status = document.getElementById('copie-statut');
      const what = source.tagName === 'TEXTAREA' ? 'Le message' : 'Le lien';
      if (status)
        status.textContent = ok
          ? `${what} est copié : collez-le dans votre courriel.`
          : `${what} n’a pas pu être copié : sélectionnez-le et copiez-le vous-même.`;
    });
  });
});

document.querySelectorAll<HTMLTextAreaElement>('textarea[data-counter]').forEach((area) => {
  const counter = document.getElementById(area.dataset.counter ?? '');
  if (!counter) return;
  const max = area.maxLength > 0 ? area.maxLength : 2000;
  const update = () => {
    counter.textContent = `${area.value.length} / ${max} caractères`;
  };
  area.addEventListener('input', update);
});
