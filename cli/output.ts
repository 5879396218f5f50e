import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];
const useColour = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

/** Colour text only on a terminal (and never with NO_COLOR), so pipes and files get plain text. */
export const paint = (style: Style, text: string) => (useColour() ? styleText(style, text) : text);
export const ok = (t: string) => paint('green', t);
export const bad = (t: string) => paint('red', t);
export const dim = (t: string) => paint('dim', t);
export const bold = (t: string) => paint('bold', t);

/** Left-aligned columns, for small tables. */
export function table(rows: (string | number)[][], indent = '  '): string {
  const widths: number[] = [];
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, String(c).length);
  return rows
    .map(
      (r) =>
        indent +
        r
          .map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i] ?? 0) : String(c).padEnd(widths[i] ?? 0)))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

/** Print JSON for scripts. */
export const printJson = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
