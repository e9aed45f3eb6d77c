/**
 * Verdicts on the people in a photo, from the face worker's raw measurements (measure.ts): which
 * detections are faces, whose eyes are closed, whether each face is in focus, whether the frame cuts it,
 * how large it is, and one `peopleScore` for choosing the best frame of a burst. Pure functions: the UI can
 * judge stored measurements again without the models. Every threshold is calibrated on
 * ../shared/images/faces in e2e/faces.e2e.ts; docs/faces.md gives the numbers.
 */
import { EYE_CLOSED_OPENNESS, type EyeRatios } from './eyes';
import type { FaceBox, MeasuredFace, MeasuredFaces } from './measure';

/**
 * Faces below this confidence (Human's face score) are dropped. Human's own default, 0.2, keeps false faces
 * (a cloud at 0.25, a second box on one face at 0.34); every real face of the labelled set scored higher
 * than this (docs/faces.md).
 */
export const MIN_FACE_CONFIDENCE = 0.5;

/**
 * Two kept faces whose boxes overlap more than this (intersection over union) are one face found twice: two
 * detector boxes whose meshes landed on the same head, one shifted by about an eye distance. The more
 * confident one stays. In the 1927 group such pairs had IoU 0.28–0.62, distinct neighbours at most 0.17
 * (one head half behind another); Human's detector itself suppresses boxes above IoU 0.1.
 */
export const DUPLICATE_IOU = 0.25;

/**
 * Eyes are judged only on faces at least this large (the box's longer side, in pixels of the analysed
 * image). Human's face box is about 11 eye widths across and an open eye's lid gap about a third of its width,
 * so at 80 px an open eye's gap spans ≈ 2 pixels: below that, open and closed lids cannot be told apart. Such
 * faces are counted and marked "not judged".
 */
export const MIN_FACE_PX_FOR_EYES = 80;

/**
 * Faces under this size (box's longer side, analysed pixels; eyes ≈ 15 px wide) are judged, but from a few
 * pixels per lid: `eyesReliable` is false on them. The labelled closed eyes at ≈ 105 px were all caught, but
 * on the 1927 group photo (blurry scan, ≈ 100-px faces) 5 of the 20 judged faces read one-closed, unverified
 * (docs/faces.md).
 */
export const RELIABLE_FACE_PX = 160;

/** Below this many pixels (longer side) a face's sharpness is not judged either: too few pixels to measure. */
export const MIN_FACE_PX_FOR_FOCUS = 48;

/**
 * A face is soft when its sharpness is below this fraction of the rest of the picture's (both technicalQuality.ts's
 * Laplacian variance on the analysed image; the rest is the face-free tiles, measure.ts). Faces carry less
 * fine detail than most scenes, so in-focus faces already measure well under 1: down to 0.28 in the modern
 * labelled photos and 0.12 in the 1927 scan. Blurring the faces alone by 2 % of their size (focus behind the
 * people) brought them to 0.00–0.08 (docs/faces.md). "Soft" therefore flags a clear miss, not a slight one.
 */
export const SOFT_FACE_RATIO = 0.1;

/**
 * Below this background sharpness (Laplacian variance, luma 0..255, as Chromium decodes) the rest of the
 * picture is too plain to compare a face with (a studio backdrop, sand and sky): focus is not judged. On the
 * labelled photos plain backgrounds measured 4–100, scenes 243–2256 (docs/faces.md).
 */
export const MIN_BACKGROUND_SHARPNESS = 150;

/** A face is cut by an edge when its mesh reaches within this fraction of its size of that edge (or beyond). */
export const EDGE_MARGIN = 0.02;

export type EyeVerdict = 'open' | 'one-closed' | 'both-closed' | 'not-judged';
export type FocusVerdict = 'sharp' | 'soft' | 'not-judged';
export type FrameEdge = 'left' | 'top' | 'right' | 'bottom';
export type FaceSizeClass = 'small' | 'medium' | 'large';

export interface FaceThresholds {
  minConfidence: number;
  duplicateIou: number;
  eyeClosedOpenness: number;
  minFacePxForEyes: number;
  reliableFacePx: number;
  minFacePxForFocus: number;
  softFaceRatio: number;
  minBackgroundSharpness: number;
  edgeMargin: number;
}

export const FACE_THRESHOLDS: Readonly<FaceThresholds> = {
  minConfidence: MIN_FACE_CONFIDENCE,
  duplicateIou: DUPLICATE_IOU,
  eyeClosedOpenness: EYE_CLOSED_OPENNESS,
  minFacePxForEyes: MIN_FACE_PX_FOR_EYES,
  reliableFacePx: RELIABLE_FACE_PX,
  minFacePxForFocus: MIN_FACE_PX_FOR_FOCUS,
  softFaceRatio: SOFT_FACE_RATIO,
  minBackgroundSharpness: MIN_BACKGROUND_SHARPNESS,
  edgeMargin: EDGE_MARGIN,
};

export interface JudgedFace {
  /** Index of the face in `MeasuredFaces.faces`. */
  readonly index: number;
  /** The face box as fractions (0..1) of the image's width and height: draw it over any size of the photo. */
  readonly box: FaceBox;
  readonly confidence: number;
  /** The box's longer side in pixels of the analysed image, and of the original photo. */
  readonly sizePx: number;
  readonly sourceSizePx: number;
  /** The box's share of the image's area (0..1). */
  readonly areaFraction: number;
  /** small: under MIN_FACE_PX_FOR_EYES px (eyes not judged); large: a tenth or more of the image's area. */
  readonly sizeClass: FaceSizeClass;
  readonly eyes: EyeVerdict;
  /** The subject's right and left eye closed; null when eyes were not judged. */
  readonly closed: { readonly right: boolean; readonly left: boolean } | null;
  /** False when the eyes were judged on a small face (under RELIABLE_FACE_PX): show the verdict as a maybe. */
  readonly eyesReliable: boolean;
  /** The figures the eye verdict came from (openness) and the classic EAR, for the explain panel. */
  readonly openness: EyeRatios | null;
  readonly ear: EyeRatios | null;
  readonly focus: FocusVerdict;
  /** Face sharpness ÷ the rest of the picture's (face-free tiles); null when either is missing. */
  readonly relativeSharpness: number | null;
  /** The frame edges that cut the face; empty when the face is whole. */
  readonly cutBy: readonly FrameEdge[];
  /** Why eyes or focus were not judged, for the explain panel; null when both were. */
  readonly notJudgedReason: string | null;
}

export interface PeopleInPicture {
  /** The faces kept, largest first. */
  readonly faces: readonly JudgedFace[];
  /** Detections dropped: below the confidence cut, or a second box on a kept face. */
  readonly dropped: number;
  readonly counts: {
    readonly faces: number;
    readonly open: number;
    readonly oneClosed: number;
    readonly bothClosed: number;
    readonly eyesNotJudged: number;
    readonly soft: number;
    readonly cut: number;
  };
  /** Someone's eye(s) closed: the flag to show on a tile. */
  readonly closedEyes: boolean;
  /** Some judged face is clearly softer than the rest of the picture: focus missed the people. */
  readonly softFaces: boolean;
  /** 0..1 for best-of-group (1: every prominent face open-eyed, sharp and whole); null with no judged face. */
  readonly peopleScore: number | null;
  /** The face (index into `faces`) whose verdicts set the people score: the worst prominent one. */
  readonly decidingFace: number | null;
}

/** Intersection over union of two boxes (0 when they do not overlap or either is empty). */
export function boxIou(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Indices of the faces to keep: confident enough, and not a second box on a more confident face. Greedy,
 * most confident first; ties keep the earlier face.
 */
export function keptFaces(faces: readonly MeasuredFace[], t: FaceThresholds = FACE_THRESHOLDS): number[] {
  const order = faces
    .map((f, i) => i)
    .filter((i) => faces[i].confidence >= t.minConfidence)
    .sort((a, b) => faces[b].confidence - faces[a].confidence || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.some((k) => boxIou(faces[k].box, faces[i].box) > t.duplicateIou)) continue;
    kept.push(i);
  }
  return kept;
}

/** Open / one closed / both closed from the two eyes' openness (NaN or missing: not judged). */
export function eyeVerdict(
  openness: EyeRatios | null,
  closedBelow: number = EYE_CLOSED_OPENNESS,
): { eyes: EyeVerdict; closed: { right: boolean; left: boolean } | null } {
  if (!openness || !Number.isFinite(openness.right) || !Number.isFinite(openness.left)) return { eyes: 'not-judged', closed: null };
  const closed = { right: openness.right < closedBelow, left: openness.left < closedBelow };
  const n = Number(closed.right) + Number(closed.left);
  return { eyes: n === 0 ? 'open' : n === 1 ? 'one-closed' : 'both-closed', closed };
}

/** The edges of a `width`×`height` image that the face's extent reaches (within `margin` × its size) or crosses. */
export function edgesCut(extent: FaceBox, width: number, height: number, margin: number = EDGE_MARGIN): FrameEdge[] {
  const tol = Math.max(1, margin * Math.max(extent.width, extent.height));
  const edges: FrameEdge[] = [];
  if (extent.x <= tol) edges.push('left');
  if (extent.y <= tol) edges.push('top');
  if (extent.x + extent.width >= width - tol) edges.push('right');
  if (extent.y + extent.height >= height - tol) edges.push('bottom');
  return edges;
}

/**
 * Face sharpness relative to the rest of the picture's, and the verdict, with the reason when not judged:
 * a face too small, or a background too plain (or too little of it) to compare with.
 */
export function focusVerdict(
  faceSharpness: number | null,
  backgroundSharpness: number | null,
  sizePx: number,
  t: FaceThresholds = FACE_THRESHOLDS,
): { focus: FocusVerdict; relativeSharpness: number | null; reason: string | null } {
  const ratio = faceSharpness !== null && backgroundSharpness !== null && backgroundSharpness > 0 ? faceSharpness / backgroundSharpness : null;
  const notJudged = (reason: string) => ({ focus: 'not-judged' as const, relativeSharpness: ratio, reason });
  if (faceSharpness === null || sizePx < t.minFacePxForFocus) return notJudged(`focus: face ${Math.round(sizePx)} px, under ${t.minFacePxForFocus} px`);
  if (backgroundSharpness === null) return notJudged('focus: too little of the picture outside the faces to compare with');
  if (backgroundSharpness < t.minBackgroundSharpness || ratio === null) return notJudged('focus: the rest of the picture is too plain to compare with');
  return { focus: ratio < t.softFaceRatio ? 'soft' : 'sharp', relativeSharpness: ratio, reason: null };
}

/** One face's verdicts; `index` is its place in `measured.faces`. */
export function judgeFace(measured: MeasuredFaces, index: number, t: FaceThresholds = FACE_THRESHOLDS): JudgedFace {
  const f = measured.faces[index];
  const { width: W, height: H } = measured;
  const sizePx = Math.max(f.box.width, f.box.height);
  const scale = Math.max(measured.sourceWidth / W, measured.sourceHeight / H);
  const areaFraction = (f.box.width * f.box.height) / (W * H);
  const reasons: string[] = [];
  let eyes: { eyes: EyeVerdict; closed: { right: boolean; left: boolean } | null };
  if (sizePx < t.minFacePxForEyes) {
    eyes = { eyes: 'not-judged', closed: null };
    reasons.push(`eyes: face ${Math.round(sizePx)} px, under ${t.minFacePxForEyes} px`);
  } else {
    eyes = eyeVerdict(f.openness, t.eyeClosedOpenness);
    if (eyes.eyes === 'not-judged') reasons.push('eyes: no face mesh');
  }
  const focus = focusVerdict(f.sharpness, measured.backgroundSharpness, sizePx, t);
  if (focus.reason) reasons.push(focus.reason);
  return {
    index,
    box: { x: f.box.x / W, y: f.box.y / H, width: f.box.width / W, height: f.box.height / H },
    confidence: f.confidence,
    sizePx,
    sourceSizePx: sizePx * scale,
    areaFraction,
    sizeClass: sizePx < t.minFacePxForEyes ? 'small' : areaFraction >= 0.1 ? 'large' : 'medium',
    eyes: eyes.eyes,
    closed: eyes.closed,
    eyesReliable: eyes.eyes !== 'not-judged' && sizePx >= t.reliableFacePx,
    openness: f.openness,
    ear: f.ear,
    focus: focus.focus,
    relativeSharpness: focus.relativeSharpness,
    cutBy: edgesCut(f.extent ?? f.box, W, H, t.edgeMargin),
    notJudgedReason: reasons.length > 0 ? reasons.join('; ') : null,
  };
}

/**
 * One face's contribution to the people score, or null when nothing about it was judged:
 * eyes open 1, one closed 0.5, both closed 0; in focus ×1, soft ×0.5; cut by the frame ×0.8.
 * A wink is half a blink: it is usually a blink caught half-way, sometimes a pose.
 */
export function faceQuality(face: JudgedFace): number | null {
  if (face.eyes === 'not-judged' && face.focus === 'not-judged') return null;
  const eyes = face.eyes === 'open' ? 1 : face.eyes === 'one-closed' ? 0.5 : face.eyes === 'both-closed' ? 0 : 1;
  const focus = face.focus === 'soft' ? 0.5 : 1;
  const whole = face.cutBy.length > 0 ? 0.8 : 1;
  return eyes * focus * whole;
}

/**
 * A face at least this fraction of the largest judged face's size is prominent: one of the people the photo is
 * of. Smaller ones (a passer-by behind a couple, the back rows seen from far) do not decide the people score.
 * In a group shot the people stand at about one distance, so their faces differ by far less than half.
 */
export const PROMINENT_FACE_FRACTION = 0.5;

/**
 * The prominent judged faces' indices (into `faces`) with their qualities. Size is compared in pixels of the
 * analysed image (`sizePx`), the same for every face of one photo.
 */
function prominentQualities(faces: readonly JudgedFace[]): { index: number; quality: number }[] {
  const judged = faces.flatMap((f, index) => {
    const quality = faceQuality(f);
    return quality === null ? [] : [{ index, quality, size: f.sizePx }];
  });
  const largest = Math.max(0, ...judged.map((j) => j.size));
  return judged.filter((j) => !(j.size < PROMINENT_FACE_FRACTION * largest)).map(({ index, quality }) => ({ index, quality }));
}

/**
 * The people score of a photo, 0..1: the worst prominent face decides, the mean of the prominent faces breaks
 * ties. A group frame where one of six people blinks loses to one where nobody does, whatever the other five
 * look like: a mean would let five good faces hide one closed pair of eyes. As 0.99 × worst + 0.01 × mean, the
 * worst face always wins over the mean (face qualities differ by at least 0.05, which 0.01 × a mean cannot
 * undo). 1 when every prominent face is open-eyed, sharp and whole; null when no face was judged (no people,
 * or only faces too small): then it has no say in the choice.
 */
export function peopleScore(faces: readonly JudgedFace[]): number | null {
  const q = prominentQualities(faces).map((p) => p.quality);
  if (q.length === 0) return null;
  return 0.99 * Math.min(...q) + 0.01 * (q.reduce((s, v) => s + v, 0) / q.length);
}

/** The face that decides the people score (index into `faces`): the worst prominent one; null with none judged. */
export function decidingFace(faces: readonly JudgedFace[]): number | null {
  const q = prominentQualities(faces);
  if (q.length === 0) return null;
  return q.reduce((worst, p) => (p.quality < worst.quality ? p : worst)).index;
}

/** Every verdict for one photo. */
export function judgePeople(measured: MeasuredFaces, t: FaceThresholds = FACE_THRESHOLDS): PeopleInPicture {
  const kept = keptFaces(measured.faces, t);
  const faces = kept.map((i) => judgeFace(measured, i, t)).sort((a, b) => b.sizePx - a.sizePx || a.index - b.index);
  const count = (e: EyeVerdict) => faces.filter((f) => f.eyes === e).length;
  const counts = {
    faces: faces.length,
    open: count('open'),
    oneClosed: count('one-closed'),
    bothClosed: count('both-closed'),
    eyesNotJudged: count('not-judged'),
    soft: faces.filter((f) => f.focus === 'soft').length,
    cut: faces.filter((f) => f.cutBy.length > 0).length,
  };
  return {
    faces,
    dropped: measured.faces.length - kept.length,
    counts,
    closedEyes: counts.oneClosed + counts.bothClosed > 0,
    softFaces: counts.soft > 0,
    peopleScore: peopleScore(faces),
    decidingFace: decidingFace(faces),
  };
}
