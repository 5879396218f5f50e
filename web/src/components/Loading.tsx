/** A plain progress line that needs no component library (shown while a page's code loads). */
export function Loading({ what }: { what: string }) {
  return (
    <output aria-live="polite" style={{ display: 'block', padding: '1rem', fontFamily: 'system-ui, sans-serif' }}>
      Loading {what}…
    </output>
  );
}
