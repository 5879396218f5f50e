// @vitest-environment happy-dom
/// <reference lib="dom" />
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FETCH, KdeGaps } from '../../web/src/components/KdeGaps.js';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
const gap = (n: number) => ({
  eventId: `E-${n}`,
  cte: 'Shipping',
  gtin: '00614141000012',
  lot: `L${n}`,
  eventTime: '2026-11-01T10:00:00Z',
  missing: ['Reference Document Number'],
  why: '§1.1340(a)(7)',
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('KDE gaps table', () => {
  it('pages over every gap the API has, fetching the next API page by its cursor when the table reaches it', async () => {
    // Prepare: 250 gaps, served 200 at a time
    const total = FETCH + 50;
    const urls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(String(input), 'http://local');
        urls.push(url.pathname + url.search);
        const offset = url.searchParams.get('cursor') === 'next' ? FETCH : 0;
        const limit = Number(url.searchParams.get('limit'));
        const items = Array.from({ length: Math.min(limit, total - offset) }, (_, i) => gap(offset + i));
        return json({ items, total, ...(offset + limit < total ? { nextCursor: 'next' } : {}) });
      }),
    );
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <KdeGaps from="2026-11-01" to="2026-11-30" />
      </QueryClientProvider>,
    );
    // Act: the first page, then the last one (13 pages of 20)
    await screen.findByText('E-0');
    expect(screen.getByText('(250)')).toBeTruthy();
    expect(urls).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Page 13' }));
    // Assess: its rows came from the API's second page, asked for with the cursor
    await screen.findByText('E-249');
    expect(screen.queryByText('E-0')).toBeNull();
    expect(urls[1]).toContain('cursor=next');
    expect(urls[0]).toContain(`limit=${FETCH}`);
  });
});
