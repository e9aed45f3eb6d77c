import { useLayoutEffect, useRef, useState, useSyncExternalStore, type PointerEvent } from 'react';
import type { Tile } from '../state/libraryStore';
import { useAction } from './actions/useAction';
import { zoom as zoomAction } from './actions/viewActions';
import { DecisionBadge } from './DecisionBadge';
import { formatScore, shortTag } from './format';
import { Overlay } from './Overlay';
import { StarsBadge } from './StarsBadge';
import { ColourLabelBadge } from './ColourLabelBadge';
import { RawBadge } from './RawBadge';
import { FileName } from './FileName';
import { showBidiControls } from './safeName';
import './overlays.css';
import { useThumbnailUrl } from './useThumbnailUrl';

export type Zoom = 'fit' | '100';

export interface LoupeViewProps {
  tile: Tile;
  /** Object URL of the original file; null when the file is not attached (after a reload). */
  fileUrl: string | null;
  zoom: Zoom;
  onZoom(zoom: Zoom): void;
  onClose(): void;
  rank?: number | null;
  relevance?: number | null;
  tag?: string | null;
}

// Browser zoom and moving the window to another screen change the ratio and fire 'resize'.
const subscribeDpr = (cb: () => void) => {
  window.addEventListener('resize', cb);
  return () => window.removeEventListener('resize', cb);
};
const useDevicePixelRatio = () => useSyncExternalStore(subscribeDpr, () => window.devicePixelRatio || 1);

/** Where the image should sit after switching to 100 %: fraction of the image under a point of the stage. */
interface Anchor {
  fx: number;
  fy: number;
  vx: number;
  vy: number;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
/** Mouse travel (px) below which a press-and-release is a click rather than a pan. */
const DRAG_SLOP = 4;

interface StageProps {
  src: string;
  alt: string;
  source: 'file' | 'thumbnail';
  /** Size of the original, so a thumbnail at "100 %" still shows the original's size (blurred). */
  originalSize: { w: number; h: number } | null;
  zoom: Zoom;
  onZoom(zoom: Zoom): void;
}

/** Keyed by src by the caller, so a new image starts unloaded and re-centres. */
function LoupeStage({ src, alt, source, originalSize, zoom, onZoom }: StageProps) {
  const stageRef = useRef<HTMLDivElement>(null);
  const imgRef = useRef<HTMLImageElement>(null);
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null);
  const [loaded, setLoaded] = useState<'loading' | 'ok' | 'error'>('loading');
  const dpr = useDevicePixelRatio();
  const anchor = useRef<Anchor | null>(null);
  const needsPlacing = useRef(true);
  const drag = useRef<{ x: number; y: number; left: number; top: number; moved: boolean; onImage: boolean } | null>(null);
  const [panning, setPanning] = useState(false);

  // The file's own pixels define 100 %; a thumbnail stands in at the original's size when that is known.
  const pixels = source === 'file' ? (natural ?? originalSize) : (originalSize ?? natural);
  const cssSize = pixels ? { w: pixels.w / dpr, h: pixels.h / dpr } : null;
  const actual = zoom === '100' && cssSize !== null;

  useLayoutEffect(() => {
    const stage = stageRef.current;
    const img = imgRef.current;
    if (zoom !== '100') {
      needsPlacing.current = true;
      return;
    }
    if (!needsPlacing.current || !cssSize || !stage || !img) return;
    needsPlacing.current = false;
    const a = anchor.current ?? { fx: 0.5, fy: 0.5, vx: stage.clientWidth / 2, vy: stage.clientHeight / 2 };
    anchor.current = null;
    stage.scrollLeft = img.offsetLeft + a.fx * cssSize.w - a.vx;
    stage.scrollTop = img.offsetTop + a.fy * cssSize.h - a.vy;
    // Keyed on the numbers, not the object rebuilt each render, so a pan or a re-render never re-places it.
  }, [zoom, cssSize?.w, cssSize?.h]);

  const toggleAt = (clientX: number, clientY: number) => {
    const stage = stageRef.current;
    const img = imgRef.current;
    if (zoom === '100' || !stage || !img) {
      onZoom(zoom === '100' ? 'fit' : '100');
      return;
    }
    // In fit mode the img box fills the stage and object-fit letterboxes the picture inside it.
    const box = img.getBoundingClientRect();
    const ratio = natural ? natural.w / natural.h : box.width / box.height;
    const w = Math.min(box.width, box.height * ratio);
    const h = w / ratio;
    const left = box.left + (box.width - w) / 2;
    const top = box.top + (box.height - h) / 2;
    const s = stage.getBoundingClientRect();
    anchor.current = { fx: clamp01((clientX - left) / w), fy: clamp01((clientY - top) / h), vx: clientX - s.left, vy: clientY - s.top };
    onZoom('100');
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || !stageRef.current) return;
    drag.current = {
      x: e.clientX,
      y: e.clientY,
      left: stageRef.current.scrollLeft,
      top: stageRef.current.scrollTop,
      moved: false,
      onImage: e.target === imgRef.current,
    };
    // Touch and pen pan by native scrolling; only the mouse needs a hand-rolled drag.
    if (e.pointerType === 'mouse') e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    const stage = stageRef.current;
    if (!d || !stage || e.pointerType !== 'mouse') return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < DRAG_SLOP) return;
    d.moved = true;
    if (!actual) return;
    setPanning(true);
    stage.scrollLeft = d.left - dx;
    stage.scrollTop = d.top - dy;
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    drag.current = null;
    setPanning(false);
    if (d && !d.moved && d.onImage && loaded === 'ok') toggleAt(e.clientX, e.clientY);
  };
  const onPointerCancel = () => {
    drag.current = null;
    setPanning(false);
  };

  return (
    <div
      ref={stageRef}
      className={`loupe-stage${actual ? ' loupe-stage-100' : ''}${panning ? ' is-panning' : ''}`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerCancel}
    >
      <img
        ref={imgRef}
        src={src}
        alt={alt}
        decoding="async"
        draggable={false}
        data-testid="loupe-image"
        data-source={source}
        data-loaded={loaded}
        className={`loupe-image${source === 'thumbnail' ? ' is-thumbnail' : ''}`}
        style={actual ? { width: `${cssSize.w}px`, height: `${cssSize.h}px` } : undefined}
        title={zoom === '100' ? 'Click to fit the window' : 'Click to zoom to 100 % here'}
        onLoad={(e) => {
          setNatural({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight });
          setLoaded('ok');
        }}
        onError={() => setLoaded('error')}
      />
      {loaded === 'loading' && <div className="loupe-status">Loading…</div>}
      {loaded === 'error' && <div className="loupe-status loupe-status-error">This image could not be shown.</div>}
    </div>
  );
}

export function LoupeView({ tile, fileUrl, zoom, onZoom, onClose, rank = null, relevance = null, tag = null }: LoupeViewProps) {
  const thumbUrl = useThumbnailUrl(tile.id, tile.hasThumb);
  const src = fileUrl ?? thumbUrl;
  const source = fileUrl ? 'file' : 'thumbnail';
  const originalSize = tile.width && tile.height ? { w: tile.width, h: tile.height } : null;
  const toggleZoom = useAction(zoomAction);

  return (
    <Overlay label={`Loupe: ${showBidiControls(tile.name)}`} className="loupe" data-testid="loupe" data-zoom={zoom} data-id={tile.id}>
      <div className="loupe-main">
        {src ? (
          <LoupeStage key={src} src={src} alt={showBidiControls(tile.name)} source={source} originalSize={originalSize} zoom={zoom} onZoom={onZoom} />
        ) : (
          <div className="loupe-stage">
            <div className="loupe-status">No preview of this image yet.</div>
          </div>
        )}
        {!fileUrl && (
          <p className="loupe-note" role="note" data-testid="loupe-note">
            Full-size view needs the file: drop the folder again
          </p>
        )}
        <button type="button" className="overlay-close loupe-close" aria-label="Close loupe" onClick={onClose}>
          ×
        </button>
      </div>
      <footer className="loupe-info" data-testid="loupe-info">
        <span className="loupe-path" title={showBidiControls(tile.path)}>
          <FileName text={tile.path} />
        </span>
        {originalSize && (
          <span className="loupe-meta" data-testid="loupe-dimensions">
            {originalSize.w}×{originalSize.h}
          </span>
        )}
        <span className="loupe-meta">
          Score <strong className="loupe-score">{formatScore(tile.score)}</strong>
        </span>
        {rank !== null && (
          <span className="loupe-meta" data-testid="loupe-rank">
            #{rank}
            {tag ? ` in “${shortTag(tag)}”` : ''}
          </span>
        )}
        {relevance !== null && (
          <span className="loupe-meta" data-testid="loupe-relevance" title="Cosine similarity of the image and the tag">
            relevance {relevance.toFixed(3)}
          </span>
        )}
        <DecisionBadge decision={tile.decision} />
        <StarsBadge stars={tile.stars} />
        <ColourLabelBadge label={tile.label} />
        <RawBadge tile={tile} />
        <span className="loupe-spacer" />
        <button
          type="button"
          className="loupe-zoom"
          aria-pressed={zoom === '100'}
          title={toggleZoom.title}
          onClick={toggleZoom.run}
        >
          {zoom === '100' ? '100 %' : 'Fit'}
        </button>
      </footer>
    </Overlay>
  );
}
