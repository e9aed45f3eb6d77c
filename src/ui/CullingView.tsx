import { useRef, type CSSProperties, type PointerEvent } from 'react';
import type { JudgedFace } from '../scoring/faces/faceJudgement';
import type { FaceBox } from '../scoring/faces/measure';
import { faceRows } from '../scoring/faces/faceTracks';
import type { CullStop } from '../state/cullStops';
import type { Tile } from '../state/libraryStore';
import { cullKeep, cullMoves } from './actions/cullActions';
import { pick, reject } from './actions/decisionActions';
import { useAction } from './actions/useAction';
import { ActionButton } from './actions/ActionButton';
import { ColourLabelBadge } from './ColourLabelBadge';
import { DecisionBadge } from './DecisionBadge';
import { FileName } from './FileName';
import { formatScore } from './format';
import { Overlay } from './Overlay';
import { showBidiControls } from './safeName';
import { StarsBadge } from './StarsBadge';
import { Thumbnail } from './Thumbnail';
import './culling.css';
import { useThumbnailUrl } from './useThumbnailUrl';

export interface CullingViewProps {
  stop: CullStop;
  stopIndex: number;
  stopCount: number;
  /** Groups and photos with an undecided photo, this one included. */
  openStops: number;
  tiles: Record<string, Tile>;
  shownId: string;
  /** The original file of the shown frame, when it is here (else its thumbnail is shown). */
  fileUrl: string | null;
  onShow(id: string): void;
  onClose(): void;
}

const EYES: Record<JudgedFace['eyes'], string> = { open: 'eyes open', 'one-closed': 'one eye closed', 'both-closed': 'eyes closed', 'not-judged': 'eyes ?' };
const FOCUS: Record<JudgedFace['focus'], string> = { sharp: 'sharp', soft: 'soft', 'not-judged': 'focus ?' };

/**
 * A face's crop, drawn from the frame's thumbnail with CSS (no decode on the main thread): the box grown by a
 * fifth on each side, made square in the photo's pixels, and the image scaled and shifted so it fills the crop.
 */
function cropStyle(box: FaceBox, aspect: number): { frame: CSSProperties; image: CSSProperties } {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // Square in pixels: a side of s × width in x is s × width / height… in y, as fractions of each axis.
  const side = 1.4 * Math.max(box.width, box.height / aspect);
  const w = side;
  const h = side * aspect;
  const x = cx - w / 2;
  const y = cy - h / 2;
  return {
    frame: { aspectRatio: '1 / 1' },
    image: { width: `${100 / w}%`, height: `${100 / h}%`, left: `${(-100 * x) / w}%`, top: `${(-100 * y) / h}%` },
  };
}

function FaceCrop({ tile, face }: { tile: Tile; face: JudgedFace | null }) {
  const thumbUrl = useThumbnailUrl(tile.id, tile.hasThumb && !!face);
  if (!face || !thumbUrl) {
    return (
      <figure className="cull-face is-missing" data-testid="cull-face-crop" data-verdict="">
        <div className="cull-face-image" />
        <figcaption>not found</figcaption>
      </figure>
    );
  }
  const aspect = tile.width && tile.height ? tile.width / tile.height : 1;
  const { frame, image } = cropStyle(face.box, aspect);
  const bad = face.eyes === 'one-closed' || face.eyes === 'both-closed' || face.focus === 'soft';
  const verdict = `${EYES[face.eyes]} · ${FOCUS[face.focus]}`;
  return (
    <figure className={`cull-face${bad ? ' is-bad' : ''}`} data-testid="cull-face-crop" data-verdict={verdict} data-id={tile.id}>
      <div className="cull-face-image" style={frame}>
        <img src={thumbUrl} alt="" style={image} draggable={false} />
      </div>
      <figcaption>{verdict}</figcaption>
    </figure>
  );
}

/** Each prominent face of the shown frame, lined up across the group's frames. */
function FaceRows({ frames, shownIndex }: { frames: Tile[]; shownIndex: number }) {
  if (!frames.some((t) => (t.people?.faces.length ?? 0) > 0)) return null;
  const faces = frames.map((t) => t.people?.faces ?? []);
  const rows = faceRows(faces, shownIndex, 8);
  if (rows.length === 0) return null;
  return (
    <section className="cull-faces" data-testid="cull-faces" aria-label="Faces across the frames">
      {rows.map((row, r) => (
        <div key={r} className="cull-face-row" data-testid="cull-face-row">
          <span className="cull-face-person">Person {r + 1}</span>
          {row.map((faceIndex, f) => (
            <FaceCrop key={frames[f].id} tile={frames[f]} face={faceIndex === null ? null : faces[f][faceIndex]} />
          ))}
        </div>
      ))}
    </section>
  );
}

/** Touch: a sideways swipe over the shown frame goes to the next (left) or previous (right) frame, an upward one to the next group. */
function useSwipe() {
  const start = useRef<{ x: number; y: number } | null>(null);
  const [previousFrame, nextFrame, nextGroup] = [useAction(cullMoves[2]), useAction(cullMoves[3]), useAction(cullMoves[1])];
  return {
    onPointerDown: (e: PointerEvent) => void (start.current = { x: e.clientX, y: e.clientY }),
    onPointerUp: (e: PointerEvent) => {
      const from = start.current;
      start.current = null;
      if (!from) return;
      const dx = e.clientX - from.x;
      const dy = e.clientY - from.y;
      if (Math.abs(dx) >= 50 && Math.abs(dx) > 1.5 * Math.abs(dy)) (dx < 0 ? nextFrame : previousFrame).run();
      else if (dy <= -60 && Math.abs(dy) > 1.5 * Math.abs(dx)) nextGroup.run();
    },
    style: { touchAction: 'none' } as CSSProperties,
  };
}

export function CullingView({ stop, stopIndex, stopCount, openStops, tiles, shownId, fileUrl, onShow, onClose }: CullingViewProps) {
  const frames = stop.members.map((id) => tiles[id]).filter(Boolean);
  const shown = tiles[shownId];
  const shownIndex = frames.findIndex((t) => t.id === shownId);
  const thumbUrl = useThumbnailUrl(shown?.id, !!shown?.hasThumb);
  const src = fileUrl ?? thumbUrl;
  const heading = stop.kind === 'group' ? `Group of ${frames.length}` : 'Photo of no group';
  const swipe = useSwipe();
  return (
    <Overlay label={`Culling mode: ${heading}`} className="culling" data-testid="culling" data-stop={stopIndex} data-kind={stop.kind} data-shown={shownId}>
      <header className="cull-header">
        <h2>
          {heading} <span className="cull-count">· {stopIndex + 1} of {stopCount}</span>
        </h2>
        <span className="overlay-hint" data-testid="cull-left">
          {openStops === 0 ? 'Every group and photo has a decision.' : `${openStops} left to decide (a group counts once)`}
        </span>
        <button type="button" className="overlay-close" aria-label="Close culling mode" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="cull-main" data-testid="cull-main" {...swipe}>
        {src ? <img className="cull-image" src={src} alt={shown ? showBidiControls(shown.name) : ''} draggable={false} /> : <div className="cull-image">No preview yet.</div>}
      </div>
      {shown && (
        <div className="cull-info">
          <span className="cull-name">
            <FileName text={shown.name} />
          </span>
          {shownId === stop.best && stop.kind === 'group' && <span className="cull-suggested" data-testid="cull-suggested">★ suggested</span>}
          <span>Score {formatScore(shown.score)}</span>
          <DecisionBadge decision={shown.decision} />
          <StarsBadge stars={shown.stars} />
          <ColourLabelBadge label={shown.label} />
        </div>
      )}
      {frames.length > 1 && (
        <nav className="cull-strip" aria-label="Frames of this group">
          {frames.map((t) => (
            <button
              key={t.id}
              type="button"
              className={`cull-frame${t.id === shownId ? ' is-shown' : ''} decision-${t.decision}`}
              data-testid="cull-frame"
              data-id={t.id}
              data-best={t.id === stop.best ? 'true' : undefined}
              data-decision={t.decision}
              aria-pressed={t.id === shownId}
              title={showBidiControls(t.name)}
              onClick={() => onShow(t.id)}
            >
              <Thumbnail tile={t} fallback={<span>{showBidiControls(t.name)}</span>} />
              {t.id === stop.best && <span className="cull-star">★</span>}
              <DecisionBadge decision={t.decision} />
            </button>
          ))}
        </nav>
      )}
      <FaceRows frames={frames} shownIndex={Math.max(0, shownIndex)} />
      <footer className="cull-keys">
        <ActionButton action={cullKeep} testId="cull-keep" className="primary" />
        <ActionButton action={pick} testId="cull-pick" className="cull-touch" />
        <ActionButton action={reject} testId="cull-reject" className="cull-touch" />
        <ActionButton action={cullMoves[0]} testId="cull-previous-group" />
        <ActionButton action={cullMoves[1]} testId="cull-next-group" />
        <span className="overlay-hint">Enter keeps this frame and rejects the rest · ↑ ↓ group · ← → frame · P X U, 0–5, 6–9 as everywhere · Esc grid</span>
      </footer>
    </Overlay>
  );
}
