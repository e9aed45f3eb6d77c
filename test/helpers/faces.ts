/** Hand-made face measurements for tests of the verdicts, flags and views (no models involved). */
import type { FaceBox, MeasuredFace, MeasuredFaces } from '../../src/scoring/faces/measure';

export const OPEN = { right: 0.35, left: 0.33 };

export function face(over: Partial<MeasuredFace> & { box: FaceBox }): MeasuredFace {
  return {
    extent: over.box,
    confidence: 0.99,
    detectorConfidence: 0.9,
    openness: OPEN,
    ear: { right: 0.3, left: 0.3 },
    eyeWidthPx: over.box.width / 11,
    sharpness: 300,
    yaw: 0,
    pitch: 0,
    roll: 0,
    ...over,
  };
}

export function photo(faces: MeasuredFace[], over: Partial<MeasuredFaces> = {}): MeasuredFaces {
  return { width: 1000, height: 800, sourceWidth: 4000, sourceHeight: 3200, imageSharpness: 500, backgroundSharpness: 600, backgroundTiles: 40, faces, ...over };
}
