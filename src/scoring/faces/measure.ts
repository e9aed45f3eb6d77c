/**
 * What the face worker measures on one image: the raw figures, before any verdict. Pure code on plain
 * arrays (no Human, no DOM), so it runs in the worker and in Node tests alike. The verdicts, with their
 * calibrated thresholds, are in faceJudgement.ts: keeping the two apart lets a stored measurement be judged
 * again when a threshold moves, without running the models.
 *
 * Coordinates are pixels of the analysed image: the photo as the worker saw it, scaled down so that its long
 * side is at most FACE_WORKING_LONG_SIDE (never up). `sourceWidth`/`sourceHeight` give the original size.
 */
import { technicalQuality } from '../technicalQuality';
import { eyeAspectRatios, eyeOpennessRatios, eyeWidthPx, type EyeRatios, type MeshPoint } from './eyes';

/**
 * The long side, in pixels, the worker scales photos down to before detection. The detector looks at a
 * 256×256 resample whatever the input; the mesh (192 px) and iris (64 px) models crop the face and eyes from
 * this image, so a face keeps its own pixels up to here. 1600 px keeps a face that fills a tenth of the long
 * side at 160 px (enough for the mesh) and costs ≈ 25 ms to read and measure (docs/faces.md).
 */
export const FACE_WORKING_LONG_SIDE = 1600;

/** An axis-aligned box in pixels. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface MeasuredFace {
  /** The face box (Human's, from the mesh, clamped to the image). */
  readonly box: FaceBox;
  /** The mesh's extent before clamping: it crosses the image's edges where the frame cuts the face. */
  readonly extent: FaceBox | null;
  /** Human's face score: the mesh model's confidence that this is a face (the detector's when no mesh). */
  readonly confidence: number;
  /** The detector's (BlazeFace) score for the box the mesh started from. */
  readonly detectorConfidence: number;
  /** Eye openness (lid gap over socket height, eyes.ts): what the verdict uses. Null without a 468-point mesh. */
  readonly openness: EyeRatios | null;
  /** Eye aspect ratios (Soukupová & Čech), for reference. Null without a 468-point mesh. */
  readonly ear: EyeRatios | null;
  /** The wider eye's corner-to-corner width in pixels: how large the eyes were when judged. */
  readonly eyeWidthPx: number;
  /** Laplacian variance of the face box's luma (technicalQuality.ts's sharpness); null when the box is under 3 px. */
  readonly sharpness: number | null;
  /** Head pose from the mesh, radians (Human's `rotation.angle`); null when unknown. */
  readonly yaw: number | null;
  readonly pitch: number | null;
  readonly roll: number | null;
}

export interface MeasuredFaces {
  /** The analysed image's size (pixels the boxes are in). */
  readonly width: number;
  readonly height: number;
  /** The photo's own size (after EXIF orientation). */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  /** Laplacian variance of the whole analysed image's luma, the same measure as each face's; null under 3×3 px. */
  readonly imageSharpness: number | null;
  /**
   * What each face is compared with: the mean sharpness of the tiles of a FOCUS_GRID × FOCUS_GRID grid that
   * touch no face box (the rest of the picture, faces excluded); null when fewer than MIN_BACKGROUND_TILES
   * are free of faces.
   */
  readonly backgroundSharpness: number | null;
  /** How many tiles `backgroundSharpness` averages. */
  readonly backgroundTiles: number;
  /** Every face the models returned (Human's own floor is DETECTOR_FLOOR), best first. */
  readonly faces: readonly MeasuredFace[];
}

/**
 * The confidence floor handed to Human: low, so that the measurements keep the doubtful faces and the
 * calibrated cut (MIN_FACE_CONFIDENCE in faceJudgement.ts) is applied, and can be revisited, on our side.
 */
export const DETECTOR_FLOOR = 0.2;

/** The fields of a Human face result this module reads (Human's own type is wider). */
export interface HumanFaceLike {
  readonly box: readonly [number, number, number, number] | readonly number[];
  readonly score: number;
  readonly boxScore: number;
  readonly mesh: readonly MeshPoint[];
  readonly rotation?: { readonly angle: { readonly roll: number; readonly yaw: number; readonly pitch: number } } | null;
}

/** The size to scale a `width`×`height` photo to so that its long side is at most `longSide` (never up). */
export function workingSize(width: number, height: number, longSide = FACE_WORKING_LONG_SIDE): { width: number; height: number; scale: number } {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), scale };
}

/** The box of a set of points (unclamped); null for no points. */
export function pointsExtent(points: readonly MeshPoint[]): FaceBox | null {
  if (points.length === 0) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    if (p[0] < x0) x0 = p[0];
    if (p[0] > x1) x1 = p[0];
    if (p[1] < y0) y0 = p[1];
    if (p[1] > y1) y1 = p[1];
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Integer pixel bounds of `box` inside a `width`×`height` image: [x0, y0, x1, y1), possibly empty. */
export function clampedPixelBounds(box: FaceBox, width: number, height: number): [number, number, number, number] {
  const x0 = Math.max(0, Math.min(width, Math.floor(box.x)));
  const y0 = Math.max(0, Math.min(height, Math.floor(box.y)));
  const x1 = Math.max(x0, Math.min(width, Math.ceil(box.x + box.width)));
  const y1 = Math.max(y0, Math.min(height, Math.ceil(box.y + box.height)));
  return [x0, y0, x1, y1];
}

/** A copy of the RGBA pixels inside `box` (clamped to the image), with its size. */
export function cropRgba(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  box: FaceBox,
): { data: Uint8ClampedArray; width: number; height: number } {
  const [x0, y0, x1, y1] = clampedPixelBounds(box, width, height);
  const w = x1 - x0;
  const h = y1 - y0;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * width + x0) * 4;
    out.set(rgba.subarray(from, from + w * 4), y * w * 4);
  }
  return { data: out, width: w, height: h };
}

/** technicalQuality.ts's sharpness (variance of the 3×3 Laplacian of luma) inside `box`; null under 3×3 px. */
export function boxSharpness(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, box: FaceBox): number | null {
  const crop = cropRgba(rgba, width, height, box);
  if (crop.width < 3 || crop.height < 3) return null;
  return technicalQuality(crop.data, crop.width, crop.height).sharpness;
}

/** The grid the rest of the picture is cut into for `backgroundSharpness`. */
export const FOCUS_GRID = 8;
/** Fewer face-free tiles than this (an eighth of the picture) leave nothing to compare faces with. */
export const MIN_BACKGROUND_TILES = 8;

function intersects(x0: number, y0: number, x1: number, y1: number, b: FaceBox): boolean {
  return x0 < b.x + b.width && x1 > b.x && y0 < b.y + b.height && y1 > b.y;
}

/**
 * Mean technicalQuality.ts sharpness of the FOCUS_GRID × FOCUS_GRID tiles (bounds floor(k·size/GRID)) that
 * intersect none of `boxes`: the picture's sharpness away from the faces, at the faces' pixel scale.
 */
export function backgroundSharpness(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  boxes: readonly FaceBox[],
): { sharpness: number | null; tiles: number } {
  let sum = 0;
  let tiles = 0;
  for (let ty = 0; ty < FOCUS_GRID; ty++) {
    const y0 = Math.floor((ty * height) / FOCUS_GRID);
    const y1 = Math.floor(((ty + 1) * height) / FOCUS_GRID);
    for (let tx = 0; tx < FOCUS_GRID; tx++) {
      const x0 = Math.floor((tx * width) / FOCUS_GRID);
      const x1 = Math.floor(((tx + 1) * width) / FOCUS_GRID);
      if (x1 - x0 < 3 || y1 - y0 < 3) continue;
      if (boxes.some((b) => intersects(x0, y0, x1, y1, b))) continue;
      const s = boxSharpness(rgba, width, height, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
      if (s === null) continue;
      sum += s;
      tiles++;
    }
  }
  return { sharpness: tiles >= MIN_BACKGROUND_TILES ? sum / tiles : null, tiles };
}

/** One face's measurements from Human's result and the analysed image's pixels. */
export function measureFace(face: HumanFaceLike, rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): MeasuredFace {
  const [bx, by, bw, bh] = face.box;
  const box: FaceBox = { x: bx, y: by, width: bw, height: bh };
  const angle = face.rotation?.angle;
  const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
  return {
    box,
    extent: pointsExtent(face.mesh),
    confidence: face.score,
    detectorConfidence: face.boxScore,
    openness: eyeOpennessRatios(face.mesh),
    ear: eyeAspectRatios(face.mesh),
    eyeWidthPx: eyeWidthPx(face.mesh),
    sharpness: boxSharpness(rgba, width, height, box),
    yaw: finite(angle?.yaw),
    pitch: finite(angle?.pitch),
    roll: finite(angle?.roll),
  };
}

/** All faces of one image, most confident first, with the sharpness of the rest of the picture for comparison. */
export function measureFaces(
  faces: readonly HumanFaceLike[],
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  source: { width: number; height: number },
): MeasuredFaces {
  const measured = faces.map((f) => measureFace(f, rgba, width, height)).sort((a, b) => b.confidence - a.confidence);
  const background = backgroundSharpness(rgba, width, height, measured.map((f) => f.box));
  return {
    width,
    height,
    sourceWidth: source.width,
    sourceHeight: source.height,
    imageSharpness: width >= 3 && height >= 3 ? technicalQuality(rgba, width, height).sharpness : null,
    backgroundSharpness: background.sharpness,
    backgroundTiles: background.tiles,
    faces: measured,
  };
}
