/** Which page to show of `total` items, `size` a page: the page asked, kept between 1 and the last; its offset. */
export function pageWindow(total: number, size: number, asked: number): { page: number; pages: number; offset: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, Math.trunc(asked) || 1), pages);
  return { page, pages, offset: (page - 1) * size };
}
