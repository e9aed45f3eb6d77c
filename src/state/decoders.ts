/** The app's one pool of decode workers, shared by identification (hashing) and analysis (decoding). */
import { DecodePool } from '../library/decodePool';

let pool: DecodePool | null = null;

export function decodePool(): DecodePool {
  // Leave a core for the encoder: on two cores, decode and inference compete (REFERENCE §7).
  pool ??= new DecodePool(Math.max(2, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)));
  return pool;
}
