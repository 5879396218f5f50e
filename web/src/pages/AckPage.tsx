import './ack.css';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { ApiError, get, post, seg, wordsOf } from '../lib/api';
import type { AckNotice } from '../lib/types';

/** A reported quantity: a number of at most 3 decimals, 0 or more (the API says the same, field by field). */
export function quantityError(text: string): string | null {
  if (text.trim() === '') return 'Enter a number (0 if none)';
  if (!/^\d+(\.\d{1,3})?$/.test(text.trim())) return 'Enter a number such as 0, 12 or 2.5';
  return null;
}

/**
 * `/ack/{token}`: the link in every recall notice. No sign-in, no console around it: the notice in large type and three
 * questions, so that a store clerk, a distributor or a customer can answer on a phone.
 */
export default function AckPage() {
  const { token = '' } = useParams();
  const notice = useQuery({ queryKey: ['ack', token], queryFn: () => get<AckNotice>(`/ack/${seg(token)}`), retry: false });
  const [onHand, setOnHand] = useState('');
  const [removed, setRemoved] = useState('');
  const [further, setFurther] = useState(false);
  const [note, setNote] = useState('');
  const [touched, setTouched] = useState(false);
  const m = useMutation({
    mutationFn: () =>
      post(`/ack/${seg(token)}`, {
        quantityOnHand: Number(onHand),
        quantityRemoved: Number(removed),
        furtherDistributed: further,
        ...(note.trim() ? { note: note.trim() } : {}),
      }),
  });
  const n = notice.data;
  useEffect(() => {
    document.title = n ? `${n.title}: ${n.products.map((p) => p.description ?? p.gtin).join(', ')}` : 'Recall acknowledgement';
  }, [n]);
  const errs = { onHand: quantityError(onHand), removed: quantityError(removed) };
  const dead = notice.error instanceof ApiError && notice.error.status === 404;
  return (
    <main className="ack">
      {notice.isLoading && <output style={{ display: 'block' }}>Loading the recall notice…</output>}
      {dead && (
        <>
          <h1>This link no longer works</h1>
          <p>
            The recall it belongs to was closed, or the link is not complete. If you still hold the product, call the number on the notice you
            received.
          </p>
        </>
      )}
      {notice.error && !dead && (
        <p className="error" role="alert">
          The notice could not be loaded: {wordsOf(notice.error)}
        </p>
      )}
      {n && (
        <>
          <p className={n.urgent ? 'urgent' : 'plain'}>{n.title}</p>
          <h1>{n.products.map((p) => p.description ?? p.gtin).join(', ')}</h1>
          <p>
            Class {n.classification} recall, for {n.recipient.name}.
          </p>
          <h2>Why</h2>
          <p>{n.reason}</p>
          {n.hazard && (
            <>
              <h2>Hazard</h2>
              <p>{n.hazard}</p>
            </>
          )}
          {n.instructions && (
            <>
              <h2>What to do</h2>
              <p>{n.instructions}</p>
            </>
          )}
          <h2>Products</h2>
          <ul>
            {n.products.map((p) => (
              <li key={`${p.gtin}/${p.lot}`}>
                {p.description ?? 'Product'}: lot <strong>{p.lot}</strong>, GTIN {p.gtin}
                {p.expiry ? `, expiry ${p.expiry}` : ''}
                {p.quantity !== undefined ? `, ${p.quantity} sent to you` : ''}
              </li>
            ))}
          </ul>
          {m.isSuccess ? (
            <output className="done" style={{ display: 'block' }}>
              Thank you. Your answer was recorded. You can close this page.
            </output>
          ) : (
            <form
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                setTouched(true);
                if (!errs.onHand && !errs.removed) m.mutate();
              }}
            >
              <h2>Your answer</h2>
              {Boolean(n.acknowledged) && <p>You answered before; a new answer replaces it.</p>}
              <label htmlFor="ack-removed">How many did you remove from sale?</label>
              <input
                id="ack-removed"
                type="number"
                inputMode="decimal"
                min="0"
                step="any"
                value={removed}
                onChange={(e) => setRemoved(e.target.value)}
                aria-invalid={touched && Boolean(errs.removed)}
                aria-describedby={touched && errs.removed ? 'ack-removed-error' : undefined}
              />
              {touched && errs.removed && (
                <span id="ack-removed-error" className="error" style={{ display: 'block' }}>
                  {errs.removed}
                </span>
              )}
              <label htmlFor="ack-onhand">How many do you still hold (set aside, not for sale)?</label>
              <input
                id="ack-onhand"
                type="number"
                inputMode="decimal"
                min="0"
                step="any"
                value={onHand}
                onChange={(e) => setOnHand(e.target.value)}
                aria-invalid={touched && Boolean(errs.onHand)}
                aria-describedby={touched && errs.onHand ? 'ack-onhand-error' : undefined}
              />
              {touched && errs.onHand && (
                <span id="ack-onhand-error" className="error" style={{ display: 'block' }}>
                  {errs.onHand}
                </span>
              )}
              <div className="check">
                <input id="ack-further" type="checkbox" checked={further} onChange={(e) => setFurther(e.target.checked)} />
                <label htmlFor="ack-further" style={{ margin: 0 }}>
                  I sold or sent some of it on to others
                </label>
              </div>
              <label htmlFor="ack-note">Anything else? (optional)</label>
              <textarea id="ack-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
              <button type="submit" disabled={m.isPending}>
                {m.isPending ? 'Sending…' : 'Send my answer'}
              </button>
              {m.error && (
                <p className="error" role="alert">
                  Your answer was not recorded: {wordsOf(m.error)}
                </p>
              )}
            </form>
          )}
        </>
      )}
    </main>
  );
}
