/**
 * The guide's words as the only way to find a control: a journey presses « Valider », « Consultation »…
 * by the accessible name the guide gives it, exactly, so that a renamed button or link fails the
 * journey instead of being found some other way.
 */
import type { Locator, Page } from 'playwright-core';

/** The one button or link whose accessible name is exactly `words` (fails when there is none or several). */
export async function control(page: Page, words: string): Promise<Locator> {
  const found = page.getByRole('button', { name: words, exact: true }).or(page.getByRole('link', { name: words, exact: true }));
  const n = await found.count();
  if (n !== 1) {
    const names = await page
      .locator('a:visible, button:visible')
      .evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').replace(/\s+/g, ' ').trim()));
    throw new Error(
      `« ${words} » : ${n === 0 ? 'aucun bouton ni lien' : `${n} boutons ou liens`} de ce nom sur ${page.url()}. Présents : ${names.filter(Boolean).join(' | ')}`,
    );
  }
  return found;
}

/** Presses the button or link the guide names `words`, then waits for the page it leads to. */
export async function press(page: Page, words: string): Promise<void> {
  await (await control(page, words)).click();
  await page.waitForLoadState('load');
}

/** Whether a button or link named exactly `words` is on the page. */
export async function shows(page: Page, words: string): Promise<boolean> {
  return (
    (await page
      .getByRole('button', { name: words, exact: true })
      .or(page.getByRole('link', { name: words, exact: true }))
      .count()) > 0
  );
}
