import type { ApiClient } from './api-client.js';

/** `path` with `cursor` added to its query. */
export const withCursor = (path: string, cursor: string) => `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;

/** Every page of a paged JSON answer, following `nextCursor` from the first page to the last. */
export async function allPages<P extends { nextCursor?: string }>(api: ApiClient, path: string): Promise<P[]> {
  const pages: P[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<P>(cursor === undefined ? path : withCursor(path, cursor));
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}
