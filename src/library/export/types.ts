/** What the exporters need to know about one image; the UI's store maps its own records onto this. */
export interface ExportImage {
  /** Path inside the dropped folder, with "/" separators, e.g. "wedding/IMG_0012.JPG". */
  path: string;
  name: string;
  /**
   * The RAW shot with this JPEG (a RAW+JPEG pair, one photo): the decision and stars are its too. Absent or
   * null for a photo of one file.
   */
  raw?: ExportCompanion | null;
  /** SHA-256 of the file's bytes, hex. */
  contentHash: string;
  width: number | null;
  height: number | null;
  /** The aesthetic head's score; null when the image was not (or could not be) scored. */
  aesthetic: number | null;
  decision: 'pick' | 'reject' | 'none';
  stars: 0 | 1 | 2 | 3 | 4 | 5;
  /** Lightroom's colour label (keys 6–9); absent means none. */
  label?: 'none' | 'red' | 'yellow' | 'green' | 'blue';
  /** Technical and people flags, as the Flags filter names them, e.g. ["blurry", "eyes-closed"]. */
  flags: string[];
  /** Faces the people checks found; null when the image was not checked. */
  faces: number | null;
  /** The people score, 0..1 (src/scoring/faces/faceJudgement.ts); null when no face was judged. */
  peopleScore: number | null;
  tags: ExportImageTag[];
  error: string | null;
}

/** The second file of a photo, e.g. "wedding/IMG_0012.CR2" beside "wedding/IMG_0012.JPG". */
export interface ExportCompanion {
  path: string;
  name: string;
  bytes: number;
}

export interface ExportImageTag {
  tag: string;
  relevance: number;
  /** Null when the image is below the tag's threshold. */
  rank: number | null;
  /** Tag-conditioned score when a tag head exists, else null. */
  score: number | null;
}

export interface ExportTagSetting {
  tag: string;
  threshold: number;
  tieMargin: number;
}

export interface ExportContext {
  appVersion: string;
  modelId: string;
  createdAt: Date;
  /** The session's tags, in the order the exports list them. */
  tags: ExportTagSetting[];
}
