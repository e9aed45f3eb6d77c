/**
 * Downloading one model file: streamed with progress, checked against the manifest's size and sha256.
 * Shared by the browser loader (modelSources.ts) and the Node downloader (cli/models-fetch.ts), so a file
 * is refused for the same reasons in both.
 */
import { sha256Hex } from '../platform/sha256Hex';

export interface DownloadProgress {
  loaded: number;
  /** Expected total in bytes; undefined when neither the manifest nor the server says. */
  total: number | undefined;
}

export interface ExpectedContent {
  bytes?: number;
  sha256?: string;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  expected?: ExpectedContent;
  fetchImpl?: typeof fetch;
  /** Names the file in error messages; defaults to the last segment of the URL. */
  name?: string;
  /** Longest wait for the response headers (connect + first answer). No limit when absent. */
  connectTimeoutMs?: number;
  /** Longest wait between two body chunks, so a stalled server does not hang a download forever. */
  stallTimeoutMs?: number;
}

/**
 * `network`: the host could not be reached or the connection broke; `status`: a non-2xx answer;
 * `html`: an HTML page instead of the file (an SPA fallback or a login page); `size` / `sha256`: the bytes
 * are not the ones the manifest names.
 */
export type DownloadErrorKind = 'network' | 'status' | 'html' | 'size' | 'sha256';

export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    message: string,
    readonly kind: DownloadErrorKind,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

export async function downloadWithProgress(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const { signal, onProgress, expected = {}, fetchImpl = fetch } = options;
  const name = options.name ?? fileNameOf(url);
  const host = hostOf(url);
  throwIfAborted(signal);

  // One internal controller carries both the caller's abort and our timeouts into fetch and the body.
  const controller = new AbortController();
  let timedOut: string | undefined;
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number | undefined, why: string): void => {
    clearTimeout(timer);
    if (ms === undefined) return;
    timer = setTimeout(() => {
      timedOut = why;
      controller.abort(new Error(why));
    }, ms);
  };

  try {
    let response: Response;
    arm(options.connectTimeoutMs, `no answer within ${seconds(options.connectTimeoutMs)}`);
    try {
      response = await fetchImpl(url, { signal: controller.signal });
    } catch (error) {
      throwIfAborted(signal);
      throw new DownloadError(`cannot reach ${host}: ${timedOut ?? networkReason(error)}`, 'network', url);
    }

    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const statusText = response.statusText ? ` ${response.statusText}` : '';
      throw new DownloadError(`${url} answered ${response.status}${statusText}`, 'status', url, response.status);
    }
    if (isHtml(response)) {
      await response.body?.cancel().catch(() => undefined);
      throw new DownloadError(
        `${url} answered an HTML page instead of ${name} (a web server's fallback page: the file is not there)`,
        'html',
        url,
        response.status,
      );
    }

    const announced = announcedLength(response);
    if (expected.bytes !== undefined && announced !== undefined && announced !== expected.bytes) {
      await response.body?.cancel().catch(() => undefined);
      throw sizeError(name, url, expected.bytes, announced, ' (Content-Length)');
    }

    arm(options.stallTimeoutMs, `${host} sent nothing for ${seconds(options.stallTimeoutMs)}`);
    let bytes: Uint8Array;
    try {
      bytes = await readAllWithProgress(response.body, {
        total: expected.bytes ?? announced,
        maxBytes: expected.bytes,
        onProgress,
        onChunk: () => arm(options.stallTimeoutMs, `${host} sent nothing for ${seconds(options.stallTimeoutMs)}`),
        tooLarge: (got) => sizeError(name, url, expected.bytes ?? 0, got, ' or more'),
      });
    } catch (error) {
      throwIfAborted(signal);
      if (error instanceof DownloadError) throw error;
      throw new DownloadError(
        `connection to ${host} broke while downloading ${url}: ${timedOut ?? networkReason(error)}`,
        'network',
        url,
      );
    }
    clearTimeout(timer);

    await verifyBytes(bytes, expected, name, url);
    return bytes;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export interface ReadOptions {
  /** Used for progress and to size the buffer once instead of growing it. */
  total?: number;
  /** Reading stops with `tooLarge(got)` as soon as more than this many bytes arrive. */
  maxBytes?: number;
  tooLarge?: (got: number) => Error;
  onProgress?: (progress: DownloadProgress) => void;
  onChunk?: () => void;
  /** For streams that are not tied to a fetch (a picked file's blob). */
  signal?: AbortSignal;
}

/**
 * Reads a byte stream into one buffer. When the total is known the buffer is allocated once: a 350 MB
 * encoder collected as chunks and then concatenated would need twice its size at the peak.
 */
const MAX_PREALLOCATION = 1024 * 1024 * 1024;

export async function readAllWithProgress(
  stream: ReadableStream<Uint8Array> | null,
  options: ReadOptions = {},
): Promise<Uint8Array> {
  const { total, maxBytes, onProgress, onChunk } = options;
  let loaded = 0;
  onProgress?.({ loaded, total });
  if (stream === null) return new Uint8Array(0);
  // A lying Content-Length must not make us allocate gigabytes up front.
  let buffer = new Uint8Array(total !== undefined && total <= MAX_PREALLOCATION ? total : 64 * 1024);

  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (options.signal?.aborted) {
        await reader.cancel().catch(() => undefined);
        throwIfAborted(options.signal);
      }
      onChunk?.();
      const next = loaded + value.byteLength;
      if (maxBytes !== undefined && next > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw options.tooLarge?.(next) ?? new Error(`more than ${maxBytes} bytes`);
      }
      if (next > buffer.byteLength) {
        const grown = new Uint8Array(Math.max(next, buffer.byteLength * 2));
        grown.set(buffer.subarray(0, loaded));
        buffer = grown;
      }
      buffer.set(value, loaded);
      loaded = next;
      onProgress?.({ loaded, total });
    }
  } finally {
    reader.releaseLock();
  }
  return loaded === buffer.byteLength ? buffer : buffer.slice(0, loaded);
}

/** Refuses bytes whose size or sha256 differ from the expected ones; a missing expectation is not checked. */
export async function verifyBytes(
  bytes: Uint8Array,
  expected: ExpectedContent,
  name: string,
  from: string,
): Promise<void> {
  if (expected.bytes !== undefined && bytes.byteLength !== expected.bytes) {
    throw sizeError(name, from, expected.bytes, bytes.byteLength, '');
  }
  if (expected.sha256 !== undefined) {
    const got = await sha256Hex(bytes);
    if (got !== expected.sha256.toLowerCase()) {
      throw new DownloadError(
        `${name} from ${from} is not the expected file: sha256 expected ${expected.sha256}, got ${got}`,
        'sha256',
        from,
      );
    }
  }
}

function sizeError(name: string, from: string, expected: number, got: number, note: string): DownloadError {
  return new DownloadError(
    `${name} from ${from} has the wrong size: expected ${expected} bytes, got ${got}${note}`,
    'size',
    from,
  );
}

function isHtml(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html');
}

/** Content-Length counts encoded bytes; with gzip it says nothing about the size we will read. */
function announcedLength(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  if (encoding !== null && encoding !== 'identity') return undefined;
  const raw = response.headers.get('content-length');
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  throw isAbortError(reason) ? reason : new DOMException('The download was aborted', 'AbortError');
}

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'host name not found (offline, or DNS blocked)',
  EAI_AGAIN: 'DNS lookup failed (offline?)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
};

/**
 * Node's fetch hides the useful part in `cause` (often with an errno code); the browser only says
 * "Failed to fetch", which covers offline, blocked and missing-CORS alike.
 */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as unknown) : undefined;
  const code = errorCode(cause) ?? errorCode(error);
  if (code !== undefined && NETWORK_CODES[code] !== undefined) return NETWORK_CODES[code];
  // The fetch standard blocks some ports outright (9, 25, 6000, ...); undici says only "bad port".
  if (cause instanceof Error && cause.message === 'bad port') return 'fetch refuses to connect to this port';
  if (cause instanceof Error && cause.message) return cause.message;
  if (error instanceof Error && /failed to fetch|networkerror|load failed/i.test(error.message)) {
    return 'network error (offline, blocked, or the server sent no CORS headers)';
  }
  return error instanceof Error ? error.message : String(error);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Node reports a failed dual-stack connect as an AggregateError of per-address errors.
  if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0]);
  return undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function fileNameOf(url: string): string {
  try {
    const segments = new URL(url).pathname.split('/');
    return decodeURIComponent(segments[segments.length - 1] || url);
  } catch {
    return url;
  }
}

function seconds(ms: number | undefined): string {
  return `${Math.round((ms ?? 0) / 100) / 10} s`;
}
