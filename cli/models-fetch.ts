/**
 * Downloads the real CLIP encoders, tokenizer and aesthetic head into public/models/<id>/, so the app
 * serves them same-origin and works offline afterwards.
 *
 *   tsx cli/models-fetch.ts [--model id] [--dtype fp32,int8 | all] [--out public/models] [--base-url URL]
 *
 * Default dtypes are fp32 and int8 (≈ 760 MB): fp32 runs on every backend and is the reference the other
 * dtypes are checked against; int8 is the fast WASM path. fp16 (WebGPU with shader-f16) has no pinned
 * size or sha256 in the catalogue yet, so it is opt-in (`--dtype fp32,fp16,int8` or `all`).
 *
 * `--base-url` downloads from a host laid out like the app (`<base>/models/manifest.json` and
 * `<base>/models/<id>/<path>`) instead of the Hugging Face hub and raw GitHub: a mirror, or a test server.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DownloadError, downloadWithProgress, type DownloadProgress } from '../src/engine/download';
import { sha256Hex } from '../src/platform/sha256Hex';
import { sameOriginUrl, type Dtype, type ModelFile, type ModelManifest } from '../src/engine/manifest';
import { isSafeModelId, loadCatalogue, parseCatalogue, remoteUrls, resolveManifest } from '../src/engine/modelSources';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALL_DTYPES: Dtype[] = ['fp32', 'fp16', 'int8'];
const DEFAULT_DTYPES: Dtype[] = ['fp32', 'int8'];
/** Offline machines often hang on connect instead of refusing: give up quickly and say so. */
const CONNECT_TIMEOUT_MS = 10_000;
const STALL_TIMEOUT_MS = 60_000;

const USAGE = `usage: tsx cli/models-fetch.ts [--model id] [--dtype fp32,int8 | all] [--out dir] [--base-url URL]
  --model     model id from public/models/manifest.json (default: the catalogue's default)
  --dtype     encoder dtypes to fetch, comma-separated from ${ALL_DTYPES.join(', ')}, or all (default: ${DEFAULT_DTYPES.join(',')})
  --out       folder that holds <id>/ (default: public/models)
  --base-url  fetch from a host laid out like the app (<base>/models/...) instead of the hub`;

interface Options {
  model?: string;
  dtypes: Dtype[];
  out: string;
  baseUrl?: string;
}

/** A network failure ends the run at once: every other file would fail the same way, slowly. */
class Unreachable extends Error {}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  if ('error' in options) {
    process.stderr.write(`${options.error}\n${USAGE}\n`);
    return 2;
  }
  let modelDir = join(options.out, options.model ?? '<model>');
  try {
    const { manifest, extraManifest } = await findManifest(options);
    if (!isSafeModelId(manifest.id)) throw new Error(`"${manifest.id}" is not a valid model id`);
    modelDir = join(options.out, manifest.id);
    const files = filesToFetch(manifest, options.dtypes);
    let failed = 0;
    let fetched = 0;
    for (const file of files) {
      const outcome = await fetchOne(manifest, file, modelDir, options.baseUrl);
      if (outcome === 'failed') failed += 1;
      if (outcome === 'fetched') fetched += 1;
    }
    if (extraManifest) {
      // A model outside the committed catalogue is found by the app through its own manifest.json.
      await writeAtomically(join(modelDir, 'manifest.json'), new TextEncoder().encode(JSON.stringify(manifest, null, 2)));
    }
    const present = files.length - failed - fetched;
    log(`${manifest.id}: ${fetched} downloaded, ${present} already present, ${failed} failed → ${display(modelDir)}`);
    return failed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof Unreachable) {
      log(
        `${error.message}. Models were not downloaded. Run this on a machine with internet access, ` +
          `or copy the files into ${display(modelDir)}/ (see README).`,
      );
    } else {
      log(error instanceof Error ? error.message : String(error));
    }
    return 1;
  }
}

function parseOptions(argv: string[]): Options | 'help' | { error: string } {
  let values: { model?: string; dtype?: string; out?: string; 'base-url'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        dtype: { type: 'string' },
        out: { type: 'string' },
        'base-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return 'help';

  const requested =
    values.dtype === undefined
      ? DEFAULT_DTYPES
      : values.dtype === 'all'
        ? ALL_DTYPES
        : values.dtype.split(',').map((d) => d.trim());
  const unknown = requested.filter((d) => !ALL_DTYPES.includes(d as Dtype));
  if (unknown.length > 0 || requested.length === 0) return { error: `unknown dtype: ${unknown.join(', ') || '(none)'}` };

  let baseUrl = values['base-url'];
  if (baseUrl !== undefined) {
    if (!URL.canParse(baseUrl)) return { error: `--base-url is not a URL: ${baseUrl}` };
    if (!baseUrl.endsWith('/')) baseUrl += '/';
  }
  return {
    model: values.model,
    dtypes: requested as Dtype[],
    out: resolve(values.out ?? join(REPO_ROOT, 'public', 'models')),
    baseUrl,
  };
}

async function findManifest(options: Options): Promise<{ manifest: ModelManifest; extraManifest: boolean }> {
  if (options.baseUrl !== undefined) {
    const catalogue = await unreachableOnNetworkError(loadCatalogue(options.baseUrl));
    const id = options.model ?? catalogue.default;
    const manifest = await unreachableOnNetworkError(resolveManifest(catalogue, id, options.baseUrl));
    return { manifest, extraManifest: !catalogue.models.some((m) => m.id === id) };
  }
  const path = join(REPO_ROOT, 'public', 'models', 'manifest.json');
  const catalogue = parseCatalogue(JSON.parse(await readFile(path, 'utf8')) as unknown, path);
  const id = options.model ?? catalogue.default;
  const manifest = catalogue.models.find((m) => m.id === id);
  if (manifest === undefined) {
    throw new Error(`Unknown model "${id}": ${path} lists ${catalogue.models.map((m) => m.id).join(', ')}`);
  }
  if (manifest.hub === undefined) throw new Error(`${id} has no hub repository to download from`);
  return { manifest, extraManifest: false };
}

function filesToFetch(manifest: ModelManifest, dtypes: Dtype[]): ModelFile[] {
  const files: ModelFile[] = [];
  for (const part of ['vision', 'text'] as const) {
    const available = dtypes.filter((d) => manifest[part][d] !== undefined);
    if (available.length === 0) {
      throw new Error(`${manifest.id} has no ${part} encoder in ${dtypes.join(', ')}; it has ${Object.keys(manifest[part]).join(', ')}`);
    }
    const missing = dtypes.filter((d) => !available.includes(d));
    if (missing.length > 0) log(`${manifest.id} has no ${missing.join(', ')} ${part} encoder; skipping it`);
    for (const d of available) files.push(manifest[part][d] as ModelFile);
  }
  files.push(manifest.tokenizer);
  if (manifest.aestheticHead !== undefined) files.push(manifest.aestheticHead);
  return files;
}

async function fetchOne(
  manifest: ModelManifest,
  file: ModelFile,
  modelDir: string,
  baseUrl: string | undefined,
): Promise<'present' | 'fetched' | 'failed'> {
  const dest = resolve(modelDir, ...file.path.split('/'));
  // Paths come from a manifest that may have been downloaded: they must stay inside the model folder.
  if (!dest.startsWith(modelDir + sep)) {
    log(`✗ ${file.path}: path leaves the model folder; refused`);
    return 'failed';
  }
  if (await isPresent(dest, file)) {
    log(`✓ ${file.path} already present`);
    return 'present';
  }
  const urls = baseUrl !== undefined ? [sameOriginUrl(baseUrl, manifest.id, file)] : remoteUrls(manifest, file);
  const reasons: string[] = [];
  for (const url of urls) {
    const progress = progressLine(file.path);
    try {
      const bytes = await downloadWithProgress(url, {
        expected: { bytes: file.bytes, sha256: file.sha256 },
        name: file.path,
        onProgress: progress.update,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        stallTimeoutMs: STALL_TIMEOUT_MS,
      });
      progress.done();
      await writeAtomically(dest, bytes);
      if (file.sha256 === undefined) {
        log(`  note: the catalogue pins no sha256 for ${file.path}; it is ${bytes.byteLength} bytes, sha256 ${await sha256Hex(bytes)}`);
      }
      log(`✓ ${file.path} (${formatBytes(bytes.byteLength, undefined)}) downloaded from ${new URL(url).host}`);
      return 'fetched';
    } catch (error) {
      progress.done();
      if (error instanceof DownloadError && error.kind === 'network') throw new Unreachable(error.message);
      reasons.push(error instanceof Error ? error.message : String(error));
    }
  }
  log(`✗ ${file.path}: ${reasons.join('; ') || 'no URL to download it from'}`);
  return 'failed';
}

/** A file is present when it has the catalogue's size and sha256; without those, existing is enough. */
async function isPresent(path: string, file: ModelFile): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return false;
  if (file.bytes !== undefined && info.size !== file.bytes) {
    log(`  ${file.path} exists with ${info.size} bytes instead of ${file.bytes}; downloading it again`);
    return false;
  }
  if (file.sha256 !== undefined) {
    const digest = await hashFile(path);
    if (digest !== file.sha256.toLowerCase()) {
      log(`  ${file.path} exists but its sha256 is ${digest}, not ${file.sha256}; downloading it again`);
      return false;
    }
  }
  return true;
}

/** Streamed, so checking a 350 MB file does not hold it in memory. */
function hashFile(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolveHash(hash.digest('hex')));
  });
}

/** The app must never see half a file: write beside it, then rename over it. */
async function writeAtomically(dest: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const temp = `${dest}.part-${process.pid}`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, dest);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * On a terminal, one line rewritten in place five times a second. In logs (CI, pipes), a line every
 * five seconds and nothing for files that arrive sooner: the "downloaded" line follows anyway.
 */
function progressLine(name: string): { update: (p: DownloadProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  const interval = tty ? 200 : 5_000;
  let last = tty ? 0 : Date.now();
  let shown = false;
  let latest = '';
  const write = (): void => {
    process.stderr.write(tty ? `\r${latest.padEnd(78)}` : `${latest}\n`);
    shown = true;
  };
  return {
    update({ loaded, total }) {
      latest = `  ${name}  ${formatBytes(loaded, total)}`;
      const now = Date.now();
      if (now - last >= interval) {
        last = now;
        write();
      }
    },
    done() {
      if (tty && shown) {
        write();
        process.stderr.write('\n');
      }
    },
  };
}

function formatBytes(loaded: number, total: number | undefined): string {
  const biggest = Math.max(loaded, total ?? 0);
  const scale = biggest >= 1e6 ? { div: 1e6, unit: 'MB' } : biggest >= 1e3 ? { div: 1e3, unit: 'kB' } : { div: 1, unit: 'B' };
  const n = (v: number): string => (v / scale.div).toFixed(scale.div === 1 ? 0 : 1);
  if (total === undefined || total === 0) return `${n(loaded)} ${scale.unit}`;
  return `${n(loaded)} / ${n(total)} ${scale.unit}  ${((100 * loaded) / total).toFixed(1)}%`;
}

async function unreachableOnNetworkError<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof DownloadError && error.kind === 'network') throw new Unreachable(error.message);
    throw error;
  }
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

// Exit explicitly: idle keep-alive sockets to the hub would otherwise hold the process open for seconds.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
