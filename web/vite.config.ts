import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console: a single-page app built into web/dist and served by `npm start` at `/` (infra/local/console.ts), or from
 * S3 through CloudFront in the cloud. `VITE_API_URL` points a cloud build at the API; locally the API is the same origin.
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
