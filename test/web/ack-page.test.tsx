// @vitest-environment happy-dom
/// <reference lib="dom" />
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AckPage from '../../web/src/pages/AckPage.js';

const NOTICE = {
  recallId: 'R-1',
  classification: 'I',
  urgent: true,
  title: 'URGENT: FOOD RECALL',
  reason: 'Listeria',
  hazard: 'Listeria monocytogenes',
  instructions: 'Remove from sale',
  products: [{ gtin: '00614141000012', lot: 'RMN-001', description: 'Romaine hearts 3ct', expiry: '2026-06-10', quantity: 40 }],
  recipient: { name: 'FreshMart #101', kind: 'store' },
};

function page(fetchImpl: typeof fetch) {
  vi.stubGlobal('fetch', vi.fn(fetchImpl));
  return render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={['/ack/tok%2F1']}>
        <Routes>
          <Route path="/ack/:token" element={<AckPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('acknowledgement page', () => {
  it('shows the notice, refuses an empty answer in words, then posts the numbers to the same token', async () => {
    const posts: unknown[] = [];
    page(async (input, init) => {
      if (init?.method === 'POST') {
        posts.push({ url: String(input), body: JSON.parse(String(init.body)) });
        return json(200, { ok: true });
      }
      return json(200, NOTICE);
    });
    await screen.findByText('URGENT: FOOD RECALL');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Romaine hearts 3ct');
    fireEvent.click(screen.getByRole('button', { name: 'Send my answer' }));
    expect(await screen.findAllByText('Enter a number (0 if none)')).toHaveLength(2);
    expect(posts).toEqual([]);
    fireEvent.change(screen.getByLabelText('How many did you remove from sale?'), { target: { value: '12' } });
    fireEvent.change(screen.getByLabelText('How many do you still hold (set aside, not for sale)?'), { target: { value: '0.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send my answer' }));
    await screen.findByText(/Thank you/);
    expect(posts).toEqual([{ url: '/ack/tok%2F1', body: { quantityOnHand: 0.5, quantityRemoved: 12, furtherDistributed: false } }]);
  });

  it('says the API refusal in words, and a dead link plainly', async () => {
    page(async (_input, init) =>
      init?.method === 'POST'
        ? json(400, {
            error: { code: 'validation_failed', message: 'Invalid request', details: [{ path: 'quantityRemoved', message: 'must be at most 1e9' }] },
          })
        : json(200, NOTICE),
    );
    await screen.findByText('URGENT: FOOD RECALL');
    fireEvent.change(screen.getByLabelText('How many did you remove from sale?'), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('How many do you still hold (set aside, not for sale)?'), { target: { value: '1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send my answer' }));
    await screen.findByText('Your answer was not recorded: Invalid request (quantityRemoved: must be at most 1e9)');
    cleanup();
    page(async () => json(404, { error: { code: 'ack_not_found', message: 'Unknown or closed link' } }));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'This link no longer works' })).toBeTruthy());
  });
});
