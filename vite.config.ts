import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';

// The renderer is served from app://studio/ (Electron) or the loopback host (browser mode): relative base, no CDN.
export default defineConfig({
  root: path.resolve(import.meta.dirname, 'renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: path.resolve(import.meta.dirname, 'dist/renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    sourcemap: false,
    minify: process.env.STUDIO_NO_MINIFY ? false : true,
    // Everything the first screen needs in one file: left to itself the bundler splits out the small modules it
    // shares with lazy chunks (React's JSX runtime, the store context, the exporter), four more requests before the
    // page can start (npm run bench -- --only startup). What is loaded later stays in chunks of its own.
    rolldownOptions: { output: { codeSplitting: { groups: [{ name: 'index', tags: ['$initial'] }] } } },
  },
  worker: { format: 'es' },
  server: { port: 5173, strictPort: false },
});
