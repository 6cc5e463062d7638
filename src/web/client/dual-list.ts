/**
 * « Gérer les déclarations »: the two lists (« disponibles » / « sélectionnées ») moved in the page
 * instead of a round trip to the server. Progressive enhancement of a form that works without it
 * (the arrows are submit buttons). The DOM is the state: an item of the selected list carries a
 * hidden `declarations` input, so « Valider » posts the full selected list.
 * Ways to move: check items then an arrow button (mouse, or Enter/Space on it); Enter on an item;
 * drag and drop an item onto the other list.
 */

type Side = 'disponibles' | 'selectionnees';

function listOf(form: HTMLElement, side: Side): HTMLUListElement | null {
  return form.querySelector<HTMLUListElement>(`[data-list="${side}"]`);
}

function sideOf(li: HTMLElement): Side {
  return li.closest<HTMLElement>('[data-list]')?.dataset.list === 'selectionnees' ? 'selectionnees' : 'disponibles';
}

/** Puts `li` into `to`, in catalogue order, and fixes its field names (`field`: the selected list's name). */
function place(li: HTMLLIElement, to: HTMLUListElement, side: Side, field: string) {
  const box = li.querySelector<HTMLInputElement>('input[type="checkbox"]');
  if (box) {
    box.checked = false;
    box.name = side === 'selectionnees' ? 'retirer' : 'ajouter';
  }
  const hidden = li.querySelector<HTMLInputElement>(`input[type="hidden"][name="${field}"]`);
  if (side === 'selectionnees' && !hidden) {
    const h = document.createElement('input');
    h.type = 'hidden';
    h.name = field;
    h.value = li.dataset.code ?? '';
    li.appendChild(h);
  } else if (side === 'disponibles' && hidden) {
    hidden.remove();
  }
  const order = Number(li.dataset.order ?? 0);
  const next = [...to.children].find((c) => Number((c as HTMLElement).dataset.order ?? 0) > order);
  to.insertBefore(li, next ?? null);
}

function setup(form: HTMLElement) {
  if (form.dataset.dualReady) return; // set up once, even if the script is loaded twice
  form.dataset.dualReady = '1';
  const dispo = listOf(form, 'disponibles');
  const sel = listOf(form, 'selectionnees');
  if (!dispo || !sel) return;
  const status = form.querySelector<HTMLElement>('[data-dual-status]');
  // what the lists hold: data-dual-field (hidden inputs' name), data-dual-one / -many, data-dual-feminine
  const field = form.dataset.dualField || 'declarations';
  const one = form.dataset.dualOne || 'déclaration';
  const many = form.dataset.dualMany || 'déclarations';
  const e = form.dataset.dualFeminine === '0' ? '' : 'e';
  const closed = !!form.querySelector('button[data-move="ajouter"][disabled]');

  const move = (items: HTMLLIElement[], to: Side) => {
    const target = to === 'selectionnees' ? sel : dispo;
    const moving = items.filter((li) => sideOf(li) !== to && !(to === 'selectionnees' && closed));
    for (const li of moving) place(li, target, to, field);
    if (status) {
      const n = moving.length;
      status.textContent = n
        ? `${n} ${n > 1 ? many : one} déplacé${e}${n > 1 ? 's' : ''} vers la liste des ${many} ${to === 'selectionnees' ? `sélectionné${e}s` : 'disponibles'}. Cliquez sur « Valider » pour enregistrer.`
        : `Cochez d’abord ${e ? 'une' : 'un'} ${one} dans la liste des ${many} ${to === 'selectionnees' ? 'disponibles' : `sélectionné${e}s`}.`;
    }
    return moving;
  };
  const itemsOf = (list: HTMLUListElement, onlyChecked: boolean) =>
    [...list.querySelectorAll<HTMLLIElement>('li[data-code]')].filter(
      (li) => !onlyChecked || li.querySelector<HTMLInputElement>('input[type="checkbox"]')?.checked,
    );

  for (const button of form.querySelectorAll<HTMLButtonElement>('button[data-move]')) {
    button.addEventListener('click', (e) => {
      e.preventDefault();
      const kind = button.dataset.move;
      if (kind === 'ajouter') move(itemsOf(dispo, true), 'selectionnees');
      else if (kind === 'ajouter-tout') move(itemsOf(dispo, false), 'selectionnees');
      else if (kind === 'retirer') move(itemsOf(sel, true), 'disponibles');
      else if (kind === 'retirer-tout') move(itemsOf(sel, false), 'disponibles');
    });
  }

  // Enter on an item moves it (and the other checked items of its list) to the other list; focus follows it.
  form.addEventListener('keydown', (e) => {
    const box = e.target as HTMLElement;
    if (e.key !== 'Enter' || !(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
    const li = box.closest<HTMLLIElement>('li[data-code]');
    if (!li) return;
    e.preventDefault();
    const from = sideOf(li);
    const others = itemsOf(from === 'disponibles' ? dispo : sel, true).filter((x) => x !== li);
    const moved = move([li, ...others], from === 'disponibles' ? 'selectionnees' : 'disponibles');
    if (moved.includes(li)) box.focus();
  });

  setUpDragAndDrop(form, { disponibles: dispo, selectionnees: sel }, move);
}

type Move = (items: HTMLLIElement[], to: Side) => HTMLLIElement[];

/** Drag and drop (mouse): an item dropped on the other list moves there. */
function setUpDragAndDrop(form: HTMLElement, lists: Record<Side, HTMLUListElement>, move: Move) {
  let dragged: HTMLLIElement | null = null;
  form.addEventListener('dragstart', (e) => {
    const li = (e.target as HTMLElement).closest?.<HTMLLIElement>('li[data-code]');
    if (!li) return;
    dragged = li;
    e.dataTransfer?.setData('text/plain', li.dataset.code ?? '');
    if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
  });
  form.addEventListener('dragend', () => {
    dragged = null;
  });
  for (const side of ['disponibles', 'selectionnees'] as const) {
    const list = lists[side];
    list.addEventListener('dragover', (e) => {
      if (dragged && sideOf(dragged) !== side) e.preventDefault();
    });
    list.addEventListener('drop', (e) => {
      e.preventDefault();
      const code = e.dataTransfer?.getData('text/plain');
      const li = dragged ?? (code ? form.querySelector<HTMLLIElement>(`li[data-code="${CSS.escape(code)}"]`) : null);
      if (li) move([li], side);
      dragged = null;
    });
  }
}

export function initDualLists(root: ParentNode = document) {
  for (const form of root.querySelectorAll<HTMLElement>('[data-dual-list]')) setup(form);
}

// Module scripts run after the document is parsed: importing this file is enough.
if (typeof document !== 'undefined') initDualLists();
