import type { ackLinkView } from '../domain/recall-acknowledgements.js';

type View = Awaited<ReturnType<typeof ackLinkView>>;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The minimal acknowledgement page of /ack/{token}: the notice, and a form that posts back to the same URL. */
export function ackPage(v: View, justAcknowledged: boolean): string {
  const products = v.products
    .map(
      (p) =>
        `<li>${esc(p.description ?? p.gtin)} - GTIN ${esc(p.gtin)}, lot ${esc(p.lot)}${p.expiry ? `, expiry ${esc(p.expiry)}` : ''}, quantity ${p.quantity}</li>`,
    )
    .join('');
  const done = v.acknowledged
    ? `<p role="status"><strong>${justAcknowledged ? 'Thank you: your answer was recorded.' : 'Already acknowledged.'}</strong> On hand ${v.acknowledged.quantityOnHand}, removed ${v.acknowledged.quantityRemoved} (${esc(v.acknowledged.at)}). You may send a corrected answer below.</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(v.title)}</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em">
<h1>${esc(v.title)}</h1>
<p>Class ${esc(v.classification)} recall ${esc(v.recallId)} for ${esc(v.recipient.name)}</p>
<ul>${products}</ul>
<p><strong>Reason:</strong> ${esc(v.reason)}</p>
<p><strong>Hazard:</strong> ${esc(v.hazard ?? '')}</p>
<p><strong>What to do:</strong> ${esc(v.instructions ?? '')}</p>
${done}
<form method="post">
<p><label>Units you still hold <input name="quantityOnHand" type="number" min="0" step="any" required></label></p>
<p><label>Units removed, returned or destroyed <input name="quantityRemoved" type="number" min="0" step="any" required></label></p>
<p><label><input name="furtherDistributed" type="checkbox"> I passed some of these products on to others</label></p>
<p><label>Note <textarea name="note" maxlength="2000"></textarea></label></p>
<p><button type="submit">Acknowledge</button></p>
</form>
</body></html>`;
}
