/**
 * What a decode worker (decode.worker.ts) offers the pool (decodePool.ts): one file decoded for CLIP with its
 * thumbnail, figures and metadata, or its content hash. A file that cannot be read is an answer (`failed`,
 * with the reason the tile shows), not an error.
 */
import type { ImageMetadata } from './metadata/readMetadata';
import type { TechnicalQuality } from '../scoring/technicalQuality';

export interface DecodedImage {
  type: 'decoded';
  /** CHW float32, normalized for CLIP: 3×224×224. */
  pixels: Float32Array;
  thumbnail: Blob | null;
  width: number;
  height: number;
  decodeMs: number;
  preprocessMs: number;
  /** Technical figures at the working resolution; null when they could not be measured. */
  quality: TechnicalQuality | null;
  metadata: ImageMetadata;
}

export interface HashedFile {
  type: 'hashed';
  contentHash: string;
}

export interface UnreadableFile {
  type: 'failed';
  reason: string;
}

export type DecodeOutcome = DecodedImage | UnreadableFile;
export type HashOutcome = HashedFile | UnreadableFile;

export interface DecodeRequest {
  file: Blob;
  name: string;
  /** Long side of the JPEG thumbnail; 0 for none. */
  thumbSize: number;
}

export interface DecodeApi {
  decode(request: DecodeRequest): Promise<DecodeOutcome>;
  /** sha256 of the file's bytes. */
  hash(file: Blob): Promise<HashOutcome>;
}
