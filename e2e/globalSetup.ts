import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { preview, type PreviewServer } from 'vite';

let server: PreviewServer | null = null;

/** Serves the built app (dist/) on 127.0.0.1 with the same headers as `npm start`. */
export async function setup(project: TestProject): Promise<void> {
  const root = resolve(import.meta.dirname, '..');
  // LOUPE_DIST lets parallel work serve its own build (`vite build --outDir …`) without racing on dist/.
  const outDir = resolve(root, process.env.LOUPE_DIST ?? 'dist');
  if (!existsSync(resolve(outDir, 'index.html'))) throw new Error(`${outDir} is missing: run \`npm run build\` first`);
  if (!existsSync(resolve(outDir, 'models/clip-tiny/manifest.json'))) {
    throw new Error(`${outDir}/models/clip-tiny is missing: run \`npm run models:test\` before \`npm run build\``);
  }
  server = await preview({ root, build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
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
