/**
 * The lab page exposes the app's real engine parts (decode pool, inference client) to benchmarks and
 * browser tests, so they measure and check the exact code users run, without test hooks in the app.
 */
import { DecodePool } from '../library/decodePool';
import { benchApi } from './benchApi';

let pool: DecodePool | null = null;

/** Decodes + preprocesses like the app; returns the CHW float tensor as a plain array for the test. */
async function decodeForClip(bytes: Uint8Array, name: string): Promise<{ ok: boolean; pixels?: number[]; reason?: string; width?: number; height?: number }> {
  pool ??= new DecodePool(1);
  const r = await pool.decode(new Blob([bytes as BlobPart]), name, 0);
  if (r.type === 'failed') return { ok: false, reason: r.reason };
  return { ok: true, pixels: Array.from(r.pixels), width: r.width, height: r.height };
}

const lab = { decodeForClip, ...benchApi };
(window as unknown as { loupeLab: typeof lab }).loupeLab = lab;
document.body.dataset.ready = 'true';
