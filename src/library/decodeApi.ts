/**
 * What a decode worker (decode.worker.ts) offers the pool (decodePool.ts): one file decoded for CLIP with its
 * thumbnail, figures and metadata, or its content hash. A file that cannot be read is an answer (`failed`,
 * with the reason the tile shows), not an error.
 */
import type { ImageMetadata } from './metadata/readMetadata';
import type { TechnicalQuality } from '../scoring/technicalQuality';

/** What the pixels were decoded from, when it is not simply the whole file at full size. */
export type PixelOrigin =
  /** The whole file, at its full size. */
  | { kind: 'file' }
  /** A JPEG decoded by its own decoder at a k/8 scale (DCT scaling): width × height, before orientation. */
  | { kind: 'reduced'; width: number; height: number }
  /** The large preview a camera JPEG embeds (MPF), at its stored size (before orientation): the fast path. */
  | { kind: 'jpeg-preview'; width: number; height: number }
  /** A camera RAW's largest embedded JPEG preview, at its stored size (before orientation). */
  | { kind: 'raw-preview'; format: string; width: number; height: number }
  /** A HEIC/HEIF decoded by libheif (WebAssembly), its irot/imir applied. */
  | { kind: 'heic' };

export interface DecodedImage {
  type: 'decoded';
  origin: PixelOrigin;
  /** The photo upright at the people checks' working size, when asked for (transferred). */
  faceImage: ImageBitmap | null;
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

/** Files whose first looks are wanted, a few per call (each is a small read and a small decode). */
export interface FirstLooksRequest {
  files: { file: Blob; name: string }[];
  /** Long side of each first-look thumbnail at most (it is never enlarged). */
  size: number;
}

export interface FirstLooksOutcome {
  type: 'first-looks';
  /**
   * Per file, in order: the grid's first look, before the file is even identified: its own small preview (a
   * JPEG's EXIF thumbnail, a RAW's embedded preview), upright, as a JPEG; null when it has none.
   */
  looks: (Blob | null)[];
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
  /**
   * True: every JPEG decoded at full size, as PIL does (the exact path). False: JPEGs are decoded by their own
   * decoder at the smallest k/8 scale whose short side still reaches twice the model's input (the fast path;
   * docs/preprocessing.md gives its cost).
   */
  exact: boolean;
  /** Long side of `faceImage` for the people checks; 0 for none. */
  faceLongSide: number;
}

/** The photo upright at a given long side, for a people check made after its analysis. */
export interface FaceImageRequest {
  file: Blob;
  name: string;
  longSide: number;
}

export interface FaceImageOutcome {
  type: 'face-image';
  bitmap: ImageBitmap;
  /** The photo's full displayed size. */
  width: number;
  height: number;
}

export interface DecodeApi {
  decode(request: DecodeRequest): Promise<DecodeOutcome>;
  /** sha256 of the file's bytes. */
  hash(file: Blob): Promise<HashOutcome>;
  /** First-look thumbnails, read from the first bytes of each file (no file is read whole). */
  firstLooks(request: FirstLooksRequest): Promise<FirstLooksOutcome>;
  /** The photo decoded (any format the decode reads) and scaled for the people checks. */
  faceImage(request: FaceImageRequest): Promise<FaceImageOutcome | UnreadableFile>;
}
