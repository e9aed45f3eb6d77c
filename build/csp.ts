/**
 * The app's Content-Security-Policy, in one place: the built pages carry it as a `<meta>` (so it holds on any
 * static host and behind the offline service worker), `vite preview` also sends it as a header (which is
 * what reaches the Web Workers, see docs/security.md), and e2e/privacy.e2e.ts checks every request of a
 * session against the same host list.
 *
 * The dev server (`npm start`) gets no policy: @vitejs/plugin-react injects an inline preamble script for
 * React refresh, and Vite's dev client injects CSS as inline <style> elements.
 */
import type { HtmlTagDescriptor, Plugin } from 'vite';
import { HUB_ORIGIN, type ModelCatalogue } from '../src/engine/manifest.ts';
import catalogue from '../public/models/manifest.json' with { type: 'json' };

/**
 * Hosts a Hugging Face `/resolve/` URL redirects to for files kept in LFS or Xet storage. CSP checks every
 * redirect hop against connect-src, so the targets must be listed, not only huggingface.co. Hugging Face
 * has moved these several times (cdn-lfs.huggingface.co, cdn-lfs-us-1.huggingface.co,
 * cas-bridge.xethub.hf.co, regional *.cdn.hf.co such as us.aws.cdn.hf.co): its own two domains are
 * allowed with a wildcard so that the next move does not break first-run downloads. The bytes are
 * checked against the manifest's size and sha256 wherever it gives them, and the revision is pinned.
 */
export const HF_REDIRECT_SOURCES = ['https://*.huggingface.co', 'https://*.hf.co'] as const;

/**
 * The remote sources the model loader can contact, from the committed catalogue: the hub when a model
 * names a hub repo (plus its redirect targets), and the origin of every file's explicit `urls`
 * (raw.githubusercontent.com for the LAION aesthetic head).
 */
export function modelHostSources(models: ModelCatalogue = catalogue as ModelCatalogue): string[] {
  const sources = new Set<string>();
  for (const model of models.models) {
    if (model.hub !== undefined) {
      sources.add(HUB_ORIGIN);
      for (const s of HF_REDIRECT_SOURCES) sources.add(s);
    }
    const files = [
      ...Object.values(model.vision),
      ...Object.values(model.text),
      model.tokenizer,
      ...(model.aestheticHead ? [model.aestheticHead] : []),
      ...(model.heads ?? []),
    ];
    for (const file of files) for (const url of file?.urls ?? []) sources.add(new URL(url).origin);
  }
  return [...sources];
}

export const MODEL_HOST_SOURCES: readonly string[] = modelHostSources();

/**
 * Directive by directive; docs/security.md says why each source is there. `frame-ancestors` only works as
 * a header (a <meta> policy ignores it), so the meta variant leaves it out.
 */
export function cspDirectives(options: { header: boolean }): [string, ...string[]][] {
  return [
    ['default-src', "'self'"],
    // Same-origin module scripts only; WebAssembly compilation for onnxruntime-web and TF.js's wasm backend.
    ['script-src', "'self'", "'wasm-unsafe-eval'"],
    // Module workers from the app's own files (inference, decode, grouping, taste, ORT's pthreads).
    ['worker-src', "'self'"],
    ['connect-src', "'self'", ...MODEL_HOST_SOURCES],
    // Thumbnails and the loupe show object URLs of the user's files.
    ['img-src', "'self'", 'blob:'],
    // The built CSS is a file; React's style={…} goes through CSSOM, which style-src does not govern.
    ['style-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ...(options.header ? ([['frame-ancestors', "'none'"]] as [string, ...string[]][]) : []),
  ];
}

export function contentSecurityPolicy(options: { header: boolean }): string {
  return cspDirectives(options)
    .map((d) => d.join(' '))
    .join('; ');
}

/** The policy as the built pages' <meta> carries it. */
export const CSP_META = contentSecurityPolicy({ header: false });
/** The policy as a server sends it (adds frame-ancestors). */
export const CSP_HEADER = contentSecurityPolicy({ header: true });

/**
 * Whether `url` is a destination connect-src allows: the page's own origin, or a model host (CSP host
 * matching: `https://*.hf.co` matches any subdomain of hf.co over https, not hf.co itself).
 */
export function isAllowedDestination(url: string, appOrigin: string): boolean {
  const u = new URL(url);
  // Also the page's object URLs (blob:<origin>/…), whose origin is the page's: they never leave the browser.
  if (u.origin === appOrigin) return true;
  return MODEL_HOST_SOURCES.some((source) => {
    const s = new URL(source.replace('*.', 'wildcard.'));
    if (s.protocol !== u.protocol || s.port !== u.port) return false;
    if (!source.includes('*.')) return s.hostname === u.hostname;
    return u.hostname.endsWith(s.hostname.slice('wildcard'.length));
  });
}

/** Adds the policy as the first element of <head> in built pages (it only governs what comes after it). */
export function contentSecurityPolicyPlugin(): Plugin {
  return {
    name: 'loupe-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (): HtmlTagDescriptor[] => [
        { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP_META }, injectTo: 'head-prepend' },
      ],
    },
  };
}
