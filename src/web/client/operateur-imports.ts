/**
 * « Imports » of the operator's space: while an import runs, its page reads the progress back from the
 * server every second (the job's JSON) and moves the bar; once the import has ended, the page reloads to
 * show the report. Without script, the page's « Actualiser » link does the same by hand.
 */
const box = document.querySelector<HTMLElement>('[data-import-suivi]');

interface JobState {
  etat: string;
  phase: string | null;
  fait: number;
  total: number;
}

function show(j: JobState): void {
  const pct = j.total > 0 ? Math.min(100, Math.floor((j.fait / j.total) * 100)) : 0;
  const bar = document.getElementById('progression') as HTMLProgressElement | null;
  if (bar) {
    bar.value = pct;
    bar.textContent = `${pct} %`;
  }
  const label = box?.querySelector('label[for="progression"]');
  if (label) label.textContent = `Progression : ${j.phase ?? 'en attente'}`;
  const text = document.getElementById('progression-texte');
  if (text && j.total > 0) text.textContent = `${j.fait.toLocaleString('fr-FR')} sur ${j.total.toLocaleString('fr-FR')} (${pct} %)`;
}

if (box) {
  const url = box.dataset.importSuivi!;
  const poll = async (): Promise<void> => {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (res.ok) {
        const j = (await res.json()) as JobState;
        if (j.etat !== 'en_cours') {
          window.location.reload();
          return;
        }
        show(j);
      }
    } catch {
      /* the server is busy or restarting: try again */
    }
    window.setTimeout(() => void poll(), 1000);
  };
  window.setTimeout(() => void poll(), 1000);
}
