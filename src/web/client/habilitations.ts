/**
 * « Gérer les habilitations », progressive enhancement (without JavaScript the same buttons post the
 * grid and the server toggles the column):
 * - « Tout (dé)cocher »: checks every box of the column on the page, or unchecks them all when they
 *   are all checked already; nothing is saved before « Valider ».
 * - the import page: a file input whose content is copied into the « Contenu du fichier CSV » area
 *   (the server accepts no multipart upload).
 */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

function setUpColumnToggles(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-bascule]')) {
    button.addEventListener('click', (event) => {
      event.preventDefault();
      const column = button.dataset.bascule;
      const form = button.closest('form');
      if (!form || !column) return;
      const boxes = [...form.querySelectorAll<HTMLInputElement>(`input[type="checkbox"][data-colonne="${column}"]`)];
      const all = boxes.length > 0 && boxes.every((b) => b.checked);
      for (const b of boxes) b.checked = !all;
      button.setAttribute('aria-pressed', String(!all));
    });
  }
}

function setUpFileImport(): void {
  const group = document.querySelector<HTMLElement>('[data-import-fichier]');
  const input = document.getElementById('fichier-habilitations') as HTMLInputElement | null;
  const area = document.getElementById('csv') as HTMLTextAreaElement | null;
  if (!group || !input || !area) return;
  group.hidden = false;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      area.value = '';
      input.setCustomValidity('Le fichier dépasse la taille maximale de 2 Mo.');
      input.reportValidity();
      return;
    }
    input.setCustomValidity('');
    const reader = new FileReader();
    reader.onload = () => {
      area.value = typeof reader.result === 'string' ? reader.result : '';
    };
    reader.readAsText(file, 'utf-8');
  });
}

export function setUpHabilitations(): void {
  setUpColumnToggles();
  setUpFileImport();
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setUpHabilitations);
  else setUpHabilitations();
}
