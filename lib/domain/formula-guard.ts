/** What a spreadsheet may read as the start of a formula: `=`, `+`, `-`, `@`, or a tab or carriage return before one. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Keep spreadsheets from running a cell of a CSV or xlsx we write: a value that starts like a formula gets a leading `'`.
 * The one guard of every file lotledger writes for spreadsheets (FSMA 204 exports, the lot report CSV).
 * @example guardCell('=HYPERLINK("x")') // "'=HYPERLINK(\"x\")"
 */
export const guardCell = (v: string) => (FORMULA_START.test(v) ? `'${v}` : v);
