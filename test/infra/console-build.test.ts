import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSOLE_DIST } from '../../infra/local/console.js';

/**
 * The test run builds the console (global setup) with NODE_ENV=test, and `npm start` then serves that build while it is
 * fresh: it must be the production build of React, not the development one Vite picks when NODE_ENV is not production.
 */
describe('the console built under the test runner', () => {
  it('bundles React for production', () => {
    expect(process.env.NODE_ENV).toBe('test');
    const assets = readdirSync(join(CONSOLE_DIST, 'assets')).filter((f) => f.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.filter((f) => f.startsWith('jsx-dev-runtime'))).toEqual([]);
    // a warning only React's development build carries
    const dev = assets.filter((f) =>
      readFileSync(join(CONSOLE_DIST, 'assets', f), 'utf8').includes('is deprecated in plain JavaScript React classes'),
    );
    expect(dev).toEqual([]);
  });
});
