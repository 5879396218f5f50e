import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console: a single-page app built into web/dist and served by `npm start` at `/` (infra/local/console.ts), or from
 * S3 through CloudFront in the cloud, where `/config.json` (written by the stack) names the API and the sign-in; locally the
 * API is the same origin. `VITE_API_URL` still overrides the API's address for a build without config.json.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
  server: { proxy: {} },
});
