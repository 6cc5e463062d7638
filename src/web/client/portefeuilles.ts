/**
 * « Imprimer le récapitulatif »: the print button of the printable récapitulatif opens the browser's
 * print dialog (the page's print stylesheet hides the header, footer and .no-print parts). Without
 * JavaScript the page still says to use the browser's « Imprimer » command.
 */
function bindPrintButtons(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-action="imprimer"]'))
    b.addEventListener('click', () => window.print());
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', bindPrintButtons);
else bindPrintButtons();
