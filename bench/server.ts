/**
 * Builds the app when dist/ is missing or older than its sources, and serves it with vite `preview()`
 * on 127.0.0.1: the same server and COOP/COEP headers as `npm start` after a build (vite.config.ts), plus
 * the generated benchmark JPEGs at /bench-images/, the labelled face photos of ../shared at /bench-faces/ and
 * all of ../shared/images at /bench-shared/, so pages can fetch them same-origin.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { preview, type Connect, type Plugin, type PreviewServer } from 'vite';
import { IMAGES_ROOT } from './images';

export const ROOT = resolve(import.meta.dirname, '..');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Why dist/ must be rebuilt, or null when it is current. */
export function distStaleReason(outDir = join(ROOT, 'dist')): string | null {
  const outputs = ['index.html', 'lab.html', 'models/clip-tiny/manifest.json'].map((f) => join(outDir, f));
  const missing = outputs.find((f) => !existsSync(f));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  // bench/pixels.ts is bundled into the lab page, so it counts as a source.
  const sources = ['src', 'public', 'index.html', 'lab.html', 'vite.config.ts', 'package.json', 'package-lock.json', 'bench/pixels.ts'];
  const newer = sources.find((s) => newestMtime(join(ROOT, s)) > built);
  return newer ? `${newer} changed since the last build` : null;
}

export function viteBuild(extraArgs: string[] = []): void {
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', ...extraArgs], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status ?? r.signal})`);
}

/** The labelled photos bench/faces.ts times (read-only, outside the repo). */
export const FACES_ROOT = resolve(ROOT, '../shared/images/faces');
/** All of ../shared/images (read-only), for bench/fastPath.ts. */
export const SHARED_IMAGES_ROOT = resolve(ROOT, '../shared/images');

function staticJpegs(prefix: string, root: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = req.url?.split('?')[0] ?? '';
    if (!url.startsWith(prefix)) return next();
    const file = normalize(join(root, decodeURIComponent(url.slice(prefix.length))));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return next();
    res.setHeader('Content-Length', statSync(file).size);
    res.setHeader('Content-Type', 'image/jpeg');
    // The page is cross-origin isolated (COEP require-corp); same-origin needs no CORP, but say it anyway.
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    createReadStream(file).pipe(res);
  };
}

function benchImages(): Plugin {
  return {
    name: 'loupe-bench-images',
    configurePreviewServer: (server) => {
      server.middlewares.use(staticJpegs('/bench-images/', IMAGES_ROOT));
      server.middlewares.use(staticJpegs('/bench-faces/', FACES_ROOT));
      server.middlewares.use(staticJpegs('/bench-shared/', SHARED_IMAGES_ROOT));
    },
  };
}

export async function serve(outDir = 'dist'): Promise<{ server: PreviewServer; baseUrl: string }> {
  const server = await preview({
    root: ROOT,
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
    plugins: [benchImages()],
    logLevel: 'warn',
  });
  const baseUrl = server.resolvedUrls?.local[0];
  if (!baseUrl) throw new Error('preview server has no URL');
  return { server, baseUrl };
}
