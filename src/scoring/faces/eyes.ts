/**
 * Eye openness from a face mesh, on the 468-point MediaPipe face mesh that Human returns (478 points with the
 * iris model: the iris model re-fits the eye contours in place and appends 10 iris points). Two figures per eye:
 *
 * - the eye aspect ratio (EAR) of Soukupová & Čech, "Real-Time Eye Blink Detection using Facial Landmarks"
 *   (CVWW 2016): EAR = (|p2 − p6| + |p3 − p5|) / (2 |p1 − p4|), the lid gap over the eye's width. Reported,
 *   not used for the verdict: on the labelled photos a closed-eye face with the head tilted back read 0.27
 *   (rotation off) to 0.50 and no threshold caught every closed face without several false alarms
 *   (docs/faces.md). Tilting the head foreshortens the lid gap but not the eye's width, so EAR moves with pose.
 * - the openness ratio: the lid gap at the eye's middle over the height of the ring of mesh points around the
 *   eye socket, straight above and below it (the ratio Human's own "blink" gesture uses). Both lengths are
 *   vertical at the same place, so pitch and yaw foreshorten them alike and the ratio stays; this is the
 *   figure the verdict uses (EYE_CLOSED_OPENNESS).
 *
 * Which mesh points (MediaPipe's canonical face mesh, the numbering of Human's `facemeshcoords.ts`):
 * - the lid margin is the "EyeUpper0" / "EyeLower0" contour (the "1", "2", "3" lines are rings further out,
 *   on the skin around the eye); these are also the points the iris model re-fits.
 * - subject's right eye (left in a frontal picture): lower contour 33, 7, 163, 144, 145, 153, 154, 155, 133
 *   runs from the outer corner (33) to the inner corner (133); upper contour 246, 161, 160, 159, 158, 157, 173
 *   runs the same way. EAR: p1 = 33, p4 = 133, upper 160 and 158 (a third of the way in from each corner) over
 *   lower 144 and 153. Openness: the middle of the lids, 159 over 145, divided by the "EyeUpper2"/"EyeLower2"
 *   ring's middle points 223 over 230.
 * - subject's left eye, the mirror image: lower 263, 249, 390, 373, 374, 380, 381, 382, 362 (outer 263 →
 *   inner 362), upper 466, 388, 387, 386, 385, 384, 398. EAR: p1 = 263, p4 = 362, upper 387 and 385 over
 *   lower 373 and 380. Openness: 386 over 374, divided by 443 over 450.
 *
 * "Right" and "left" are the subject's, as in Human's annotations (`rightEyeLower0` starts at 33); the
 * labelled wink (subject's right eye closed) confirms it.
 */

/** A mesh point in pixels: x, y and (unused here) depth. */
export type MeshPoint = readonly [number, number, number?] | readonly number[];

export interface EyeLandmarks {
  /** p1: the outer corner. */
  readonly outer: number;
  /** p4: the inner corner. */
  readonly inner: number;
  /** p2, p3: upper lid, a third of the way from the outer and from the inner corner. */
  readonly upper: readonly [number, number];
  /** p6, p5: lower lid under p2 and p3. */
  readonly lower: readonly [number, number];
  /** The lids' middle points: upper, lower. */
  readonly lidMiddle: readonly [number, number];
  /** The socket ring's points above and below the lids' middle. */
  readonly socket: readonly [number, number];
}

export const EYE_LANDMARKS: { readonly right: EyeLandmarks; readonly left: EyeLandmarks } = {
  right: { outer: 33, inner: 133, upper: [160, 158], lower: [144, 153], lidMiddle: [159, 145], socket: [223, 230] },
  left: { outer: 263, inner: 362, upper: [387, 385], lower: [373, 380], lidMiddle: [386, 374], socket: [443, 450] },
};

/** Points a mesh must have for the indices above (Human gives 468, or 478 with the iris model). */
export const MESH_POINTS = 468;

/**
 * Below this openness an eye counts as closed. Calibrated on ../shared/images/faces (docs/faces.md): each
 * closed-eye face there had an eye under 0.19 (the wink's closed eye 0.18, its open one 0.31), and every eye of
 * the open-eyed faces measured ≥ 0.25; any threshold from 0.19 to 0.25 met the bar, 0.22 is the middle.
 */
export const EYE_CLOSED_OPENNESS = 0.22;

function distance(a: MeshPoint, b: MeshPoint): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** The six-point EAR of one eye; NaN when the eye's corners coincide (a degenerate mesh). */
export function eyeAspectRatio(mesh: readonly MeshPoint[], eye: EyeLandmarks): number {
  if (mesh.length < MESH_POINTS) throw new Error(`eyeAspectRatio needs a ${MESH_POINTS}-point face mesh, got ${mesh.length} points`);
  const width = distance(mesh[eye.outer], mesh[eye.inner]);
  if (!(width > 0)) return Number.NaN;
  const h1 = distance(mesh[eye.upper[0]], mesh[eye.lower[0]]);
  const h2 = distance(mesh[eye.upper[1]], mesh[eye.lower[1]]);
  return (h1 + h2) / (2 * width);
}

/** Lid gap over socket height at the eye's middle; NaN when the socket points coincide. */
export function eyeOpenness(mesh: readonly MeshPoint[], eye: EyeLandmarks): number {
  if (mesh.length < MESH_POINTS) throw new Error(`eyeOpenness needs a ${MESH_POINTS}-point face mesh, got ${mesh.length} points`);
  const socket = distance(mesh[eye.socket[0]], mesh[eye.socket[1]]);
  if (!(socket > 0)) return Number.NaN;
  return distance(mesh[eye.lidMiddle[0]], mesh[eye.lidMiddle[1]]) / socket;
}

export interface EyeRatios {
  /** The subject's right eye. */
  readonly right: number;
  /** The subject's left eye. */
  readonly left: number;
}

/** Both eyes' EAR, or null when the mesh is missing or too short (a detector-only face). */
export function eyeAspectRatios(mesh: readonly MeshPoint[] | null | undefined): EyeRatios | null {
  if (!mesh || mesh.length < MESH_POINTS) return null;
  return { right: eyeAspectRatio(mesh, EYE_LANDMARKS.right), left: eyeAspectRatio(mesh, EYE_LANDMARKS.left) };
}

/** Both eyes' openness, or null when the mesh is missing or too short. */
export function eyeOpennessRatios(mesh: readonly MeshPoint[] | null | undefined): EyeRatios | null {
  if (!mesh || mesh.length < MESH_POINTS) return null;
  return { right: eyeOpenness(mesh, EYE_LANDMARKS.right), left: eyeOpenness(mesh, EYE_LANDMARKS.left) };
}

/** Eye width in pixels (corner to corner), the larger of the two: how many pixels the lids were judged on. */
export function eyeWidthPx(mesh: readonly MeshPoint[] | null | undefined): number {
  if (!mesh || mesh.length < MESH_POINTS) return 0;
  const r = distance(mesh[EYE_LANDMARKS.right.outer], mesh[EYE_LANDMARKS.right.inner]);
  const l = distance(mesh[EYE_LANDMARKS.left.outer], mesh[EYE_LANDMARKS.left.inner]);
  return Math.max(r, l);
}
