import { defineConfig } from 'vite';

// Local FastAPI (uvicorn app.main:app --port 8000): same-origin /api in dev, like CloudFront's /api/* behaviour.
const apiProxy = {
  '/api': { target: 'http://127.0.0.1:8000' },
};

export default defineConfig({
  // Absolute asset URLs, so deep links such as /items/42 load /assets/... and not /items/assets/...
  base: '/',
  server: { proxy: apiProxy },
  preview: { proxy: apiProxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
