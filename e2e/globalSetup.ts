import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { preview, type PreviewServer } from 'vite';

let server: PreviewServer | null = null;

/** Serves the built app (dist/) on 127.0.0.1 with the same headers as `npm start`. */
export async function setup(project: TestProject): Promise<void> {
  const root = resolve(import.meta.dirname, '..');
  if (!existsSync(resolve(root, 'dist/index.html'))) throw new Error('dist/ is missing: run `npm run build` first');
  if (!existsSync(resolve(root, 'dist/models/clip-tiny/manifest.json'))) {
    throw new Error('dist/models/clip-tiny is missing: run `npm run models:test` before `npm run build`');
  }
  server = await preview({ root, preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('preview server has no URL');
  project.provide('baseUrl', url);
}

export async function teardown(): Promise<void> {
  await server?.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
