import { sha256Hex } from '../platform/sha256Hex';

/** Files above this are identified by their size, head and tail: reading 2 GB to hash it is not worth it. */
export const FULL_HASH_LIMIT = 512 * 1024 * 1024;
const PART = 64 * 1024 * 1024;

/**
 * The key under which an image's embeddings, scores and decisions are kept: sha256 of the file's bytes,
 * so a renamed or moved file keeps its work, and an edited one starts afresh.
 */
export async function contentHash(file: Blob): Promise<string> {
  if (file.size <= FULL_HASH_LIMIT) return sha256Hex(new Uint8Array(await file.arrayBuffer()));
  const head = new Uint8Array(await file.slice(0, PART).arrayBuffer());
  const tail = new Uint8Array(await file.slice(file.size - PART).arrayBuffer());
  const size = new TextEncoder().encode(`${file.size}:`);
  const joined = new Uint8Array(size.length + head.length + tail.length);
  joined.set(size, 0);
  joined.set(head, size.length);
  joined.set(tail, size.length + head.length);
  // A distinct prefix keeps partial digests from ever equalling a full one.
  return `p${await sha256Hex(joined)}`;
}
