/**
 * `npm run demo`: the built app and its models on http://127.0.0.1 only, for a laptop without a network.
 * Builds dist/ first when it is missing or older than the sources (public/models included, so models
 * fetched since the last build are served), then serves it with the same cross-origin isolation
 * headers as `npm start` (vite.config.ts), and says which models are there.
 *
 *   tsx cli/demo.ts [--port 4173] [--out-dir dist] [--no-build]
 *
 * Prepare while online: `npm run models:fetch` (the real CLIP ViT-B/32 into public/models/).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, preview } from 'vite';
import { catalogueDefault, modelInventory, staleReason, type ModelPresence } from './lib/demoModels';

const ROOT = resolve(import.meta.dirname, '..');
/** What a build is made from: when any is newer than dist/index.html, the demo rebuilds. */
const SOURCES = ['index.html', 'lab.html', 'src', 'public', 'build', 'vite.config.ts', 'package.json'].map((p) => resolve(ROOT, p));
const FETCH_HINT = 'npm run models:fetch';

function describe(m: ModelPresence, url: string): string {
  const kind = m.synthetic ? 'random test weights, scores mean nothing' : 'real CLIP weights';
  const parts = [
    m.vision.length ? `image encoder ${m.vision.join('/')}` : 'no image encoder',
    m.text.length ? `text encoder ${m.text.join('/')}` : 'no text encoder',
    m.tokenizer ? 'tokenizer' : 'no tokenizer',
    m.aestheticHead ? 'aesthetic head' : 'no aesthetic head',
  ];
  if (!m.vision.length && !m.text.length && !m.tokenizer && !m.aestheticHead) return `  ${m.id} (${kind}): not fetched`;
  const state = m.canScore ? (m.canTag ? 'complete' : 'scores only, no tags') : 'incomplete: cannot score';
  return `  ${m.id} (${kind}): ${state}; ${parts.join(', ')}\n      ${url}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4173' },
      'out-dir': { type: 'string', default: process.env.LOUPE_DIST ?? 'dist' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: tsx cli/demo.ts [--port 4173] [--out-dir dist] [--no-build]\n');
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port`);
  const outDir = resolve(ROOT, values['out-dir']);

  const stale = staleReason(outDir, SOURCES);
  if (stale !== null && !values['no-build']) {
    console.log(`Building the app (${stale})…`);
    await build({ root: ROOT, build: { outDir, emptyOutDir: true }, logLevel: 'warn' });
  } else if (stale !== null) {
    console.log(`Not rebuilding although ${stale} (--no-build).`);
  }

  // 127.0.0.1 only: nothing else on the network can reach the demo.
  const server = await preview({
    root: ROOT,
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: false, open: false },
    logLevel: 'warn',
  });
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('the preview server has no URL');

  const modelsDir = resolve(outDir, 'models');
  const models = modelInventory(modelsDir);
  const defaultId = catalogueDefault(modelsDir);
  const urlFor = (id: string): string => (id === defaultId ? base : new URL(`?model=${encodeURIComponent(id)}`, base).href);
  const lines = [`Loupe is served on ${base} (this machine only; Ctrl-C stops it).`, '', `Models in ${modelsDir}:`];
  if (models.length === 0) lines.push('  none');
  for (const m of models) lines.push(describe(m, urlFor(m.id)));
  const real = models.filter((m) => !m.synthetic && m.canScore);
  if (real.length === 0) {
    lines.push(
      '',
      'No real CLIP model is in public/models: the app opens and shows thumbnails, but cannot score photos',
      `(the test models' scores are random). While online, run \`${FETCH_HINT}\`, then \`npm run demo\` again.`,
    );
  }
  lines.push('', 'After one visit the app also works with the server stopped (its service worker and the model cache).');
  console.log(lines.join('\n'));

  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
