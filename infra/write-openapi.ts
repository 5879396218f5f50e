import { readFileSync, writeFileSync } from 'node:fs';
import { buildOpenApi } from './openapi.js';

/** `npm run openapi`: regenerate openapi.json at the repository root (a test fails while it is stale). */
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const doc = buildOpenApi(version);
writeFileSync(new URL('../openapi.json', import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
console.log(`openapi.json written: ${Object.keys(doc.paths as object).length} paths`);
