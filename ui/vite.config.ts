import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The web UI is built into dist/ui, which the server serves at `/` (src/api/routes/ui.ts).
// `npm run dev:ui` serves it with hot reload and forwards API calls to a LogSentinel on :3100.
const api = process.env.LOGSENTINEL_URL ?? 'http://127.0.0.1:3100';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/loki': { target: api, ws: true },
      '/prometheus': api,
      '/api': api,
      '/metrics': api,
    },
  },
});
