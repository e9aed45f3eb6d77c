import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useEngine } from '../state/engineStore';
import { useUi } from '../state/uiStore';
import type { ViewItem } from '../state/view';
import { DecisionBadge } from './DecisionBadge';
import { formatBytes, formatScore } from './format';
import { StarsBadge } from './StarsBadge';
import { ColourLabelBadge } from './ColourLabelBadge';
import { RawBadge } from './RawBadge';
import { tasteRanks, useTaste } from '../state/tasteStore';
import { useInsights } from '../state/insightsStore';
import { addTag } from '../state/tags';
import { flagReason, qualityFlags } from '../library/quality/flags';
import { peopleFlags } from '../scoring/faces/peopleFlags';
import { flagLabel, flagReasons } from './peopleWording';
import type { AutoTag } from '../scoring/autoTags';
import { useView } from './useView';
import { originShort } from './originNote';
import { FileName } from './FileName';
import { showBidiControls } from './safeName';
import { useFirstLooks, type FirstLook } from '../state/firstLooks';
import { filtersAreOff, useRanking } from '../state/rankingStore';
import { Thumbnail } from './Thumbnail';

export const TILE_WIDTH = 200;
export const TILE_HEIGHT = 262;
export const GAP = 14;
/** Rows drawn above and below the window, so fast scrolling shows no blank tiles. */
const OVERSCAN_ROWS = 3;

function statusNote(item: ViewItem): string {
  const t = item.tile;
  if (t.status === 'queued') return ' · waiting';
  if (t.status === 'decoded') return ' · not scored (no model)';
  if (t.status === 'cancelled') return t.hasFile ? ' · cancelled' : ' · drop the file again to analyse';
  return '';
}

interface TileProps {
  item: ViewItem;
  scale: string | null;
  focused: boolean;
  selected: boolean;
  byTaste: boolean;
  tags: AutoTag[] | undefined;
  adherence: number | undefined;
}

/**
 * The view makes new items whenever it is recomputed (a flush of results, a tag change), so items are compared by
 * what they show: the tile object (replaced only when that tile changes) and the ranking fields.
 */
function sameTileProps(a: TileProps, b: TileProps): boolean {
  const x = a.item;
  const y = b.item;
  const sameItem =
    x === y ||
    (x.tile === y.tile &&
      x.rank === y.rank &&
      x.tagScore === y.tagScore &&
      x.relevance === y.relevance &&
      x.tieBroken === y.tieBroken &&
      x.group?.index === y.group?.index &&
      x.group?.size === y.group?.size &&
      x.group?.best === y.group?.best);
  return sameItem && a.scale === b.scale && a.focused === b.focused && a.selected === b.selected && a.byTaste === b.byTaste && a.tags === b.tags && a.adherence === b.adherence;
}

/** Memoised: scrolling within the drawn rows, or a change to another tile, does not re-render this one. */
const TileView = memo(function TileView({ item, scale, focused, selected, byTaste, tags, adherence }: TileProps) {
  const t = item.tile;
  const flags = t.quality ? qualityFlags(t.quality) : [];
  const people = t.people ? peopleFlags(t.people) : [];
  const { focus, toggleSelected, open } = useUi.getState();
  return (
    <figure
      className={`tile tile-${t.status} ${focused ? 'focused' : ''} ${selected ? 'selected' : ''} decision-${t.decision}`}
      data-testid="tile"
      data-id={t.id}
      data-name={t.name}
      data-status={t.status}
      data-score={t.score ?? ''}
      data-rank={item.rank ?? ''}
      data-tag-score={item.tagScore ?? ''}
      data-relevance={item.relevance ?? ''}
      data-decision={t.decision}
      data-stars={t.stars}
      data-flags={[...flags, ...people].join(' ')}
      data-people={t.people ? t.people.counts.faces : undefined}
      data-group={item.group ? item.group.index : ''}
      data-group-best={item.group?.best ? 'true' : undefined}
      data-ai={t.generation ? 'true' : undefined}
      data-first-look={t.firstLook ? 'true' : undefined}
      data-size={t.width && t.height ? `${t.width}×${t.height}` : undefined}
      data-raw={t.companion?.path}
      data-focused={focused ? 'true' : undefined}
      onClick={(e) => (e.ctrlKey || e.metaKey ? toggleSelected(t.id) : focus(t.id))}
      onDoubleClick={() => {
        focus(t.id);
        open('loupe');
      }}
    >
      <div className="thumb">
        <Thumbnail tile={t} fallback={<div className="thumb-empty" />} />
        {item.rank !== null && (
          <span className="rank" data-testid="rank" title="Rank in this tag">
            #{item.rank}
          </span>
        )}
        {t.status === 'scored' && (
          <span className="score" data-testid="score" title={scale ?? 'Aesthetic score'}>
            {formatScore(t.score)}
          </span>
        )}
        <span className="flags">
          <DecisionBadge decision={t.decision} />
          <StarsBadge stars={t.stars} compact />
          <ColourLabelBadge label={t.label} />
        </span>
        <span className="qflags">
          {flags.map((f) => (
            <span key={f} className="qflag" data-testid="quality-flag" title={flagReason(f, t.quality!)}>
              {f}
            </span>
          ))}
          {people.map((f) => (
            <span key={f} className="qflag people" data-testid="people-flag" data-flag={f} title={flagReasons(f, t.people!).join('\n')}>
              {flagLabel(f, t.people!)}
            </span>
          ))}
          <RawBadge tile={t} />
          {t.generation && (
            <span className="qflag ai" title={showBidiControls(`AI-generated (${t.generation.tool}): ${t.generation.prompt}`)}>
              AI
            </span>
          )}
          {item.group && (
            <span
              className={`stack ${item.group.best ? 'best' : ''}`}
              data-testid="stack"
              title={`${item.group.size} similar images${item.group.best ? '; this is the best of them by the ranking' : ''}`}
            >
              {item.group.best ? '★ ' : ''}×{item.group.size}
            </span>
          )}
        </span>
      </div>
      <figcaption>
        <span className="name" title={showBidiControls(t.path)}>
          <FileName text={t.path} />
        </span>
        {t.status === 'failed' ? (
          <span className="error" data-testid="tile-error" role="note">
            {showBidiControls(t.error ?? '')}
          </span>
        ) : (
          <span className="meta">
            {item.tagScore !== null && (
              <span title={`${byTaste ? 'Your taste head' : 'The tag head'}'s score for this image and tag: it decides the rank`} data-testid="tag-score">
                {byTaste ? 'taste' : 'tag'} {item.tagScore.toFixed(2)} ·{' '}
              </span>
            )}
            {item.relevance !== null && (
              <span title="Tag relevance: cosine similarity of the image and tag embeddings">
                rel {item.relevance.toFixed(3)}
                {item.tieBroken ? ' · tie' : ''} ·{' '}
              </span>
            )}
            {adherence !== undefined && (
              <span title="Prompt adherence: cosine of this image's and its generation prompt's CLIP embeddings" data-testid="adherence">
                prompt {adherence.toFixed(3)} ·{' '}
              </span>
            )}
            {originShort(t.origin) ? (
              // The preview's size says it all: the displayed size and the bytes go to the tooltip, so the line fits.
              <span data-testid="origin" title={`${t.width}×${t.height} as shown · ${formatBytes(t.bytes)}`}>
                {originShort(t.origin)}
              </span>
            ) : (
              `${t.width && t.height ? `${t.width}×${t.height} · ` : ''}${formatBytes(t.bytes)}`
            )}
            {statusNote(item)}
          </span>
        )}
        {tags && tags.length > 0 && (
          <span className="autotags">
            {tags.map((a) => (
              <button
                key={a.tag}
                className="autotag"
                data-testid="autotag"
                title={`${a.tag}: importance ${(100 * a.weight).toFixed(0)} % (click to rank by it)`}
                onClick={(e) => {
                  e.stopPropagation();
                  void addTag(a.tag);
                }}
              >
                {a.tag}
              </button>
            ))}
          </span>
        )}
      </figcaption>
    </figure>
  );
}, sameTileProps);

/** A file still being read, shown by its own small preview (state/firstLooks.ts): nothing to decide on yet. */
function FirstLookView({ look }: { look: FirstLook }) {
  return (
    <figure className="tile tile-reading" data-testid="first-look" data-name={look.name} title="Still being read: it can be culled once it has been identified">
      <div className="thumb">
        <img src={look.thumbUrl} alt={showBidiControls(look.name)} decoding="async" />
      </div>
      <figcaption>
        <span className="name" title={showBidiControls(look.path)}>
          <FileName text={look.path} />
        </span>
        <span className="meta">reading…</span>
      </figcaption>
    </figure>
  );
}

/** First looks show after the tiles unless a filter is on (they have no decision, stars or score to pass it). */
function useShownFirstLooks(): FirstLook[] {
  const looks = useFirstLooks((s) => s.items);
  const filtered = useRanking((s) => !filtersAreOff(s.filters));
  return filtered ? NO_LOOKS : looks;
}
const NO_LOOKS: FirstLook[] = [];

/**
 * A windowed grid: only the rows near the viewport are in the DOM, so 20,000 images scroll like 20.
 * Tiles have a fixed size, which makes every position computable without measuring.
 */
export function Grid() {
  const view = useView();
  const looks = useShownFirstLooks();
  const byTaste = useTaste((s) => (view.tag ? tasteRanks(s.byTag[view.tag]) : false));
  const autoTags = useInsights((s) => s.autoTags);
  const adherence = useInsights((s) => s.adherence);
  const scale = useEngine((s) => s.ready?.headScale ?? null);
  const focusedId = useUi((s) => s.focusedId);
  const selection = useUi((s) => s.selection);
  const ref = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(1200);
  const rowHeight = TILE_HEIGHT + GAP;
  const hasCells = view.items.length + looks.length > 0;
  /** The rows on screen (before overscan and clamping); kept as rows so a scroll within them re-renders nothing. */
  const [span, setSpan] = useState({ first: 0, last: Math.ceil(800 / rowHeight) });

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
    // The grid is not in the DOM while it has nothing to show: observe it once it has.
  }, [hasCells]);

  useEffect(() => {
    // Only a change of the rows on screen re-renders the grid: most scroll events move within a row.
    const onScroll = () => {
      const top = ref.current ? -ref.current.getBoundingClientRect().top : 0;
      const next = { first: Math.floor(top / rowHeight), last: Math.ceil((top + window.innerHeight) / rowHeight) };
      setSpan((s) => (s.first === next.first && s.last === next.last ? s : next));
    };
    onScroll();
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
    };
  }, [view.items.length, looks.length, rowHeight]);

  const columns = Math.max(1, Math.floor((width - 2 * 20 + GAP) / (TILE_WIDTH + GAP)));
  useEffect(() => useUi.getState().setColumns(columns), [columns]);
  const tileWidth = Math.floor((width - 2 * 20 - (columns - 1) * GAP) / columns);
  const cells = view.items.length + looks.length;
  const rows = Math.ceil(cells / columns);
  const firstRow = Math.max(0, span.first - OVERSCAN_ROWS);
  const lastRow = Math.min(rows - 1, span.last + OVERSCAN_ROWS);
  const visible = view.items.slice(firstRow * columns, (lastRow + 1) * columns);
  const visibleLooks = looks.slice(Math.max(0, firstRow * columns - view.items.length), Math.max(0, (lastRow + 1) * columns - view.items.length));
  const lookOffset = Math.max(view.items.length, firstRow * columns);
  const place = (index: number) => ({
    transform: `translate(${20 + (index % columns) * (tileWidth + GAP)}px, ${14 + Math.floor(index / columns) * rowHeight}px)`,
    width: tileWidth,
    height: TILE_HEIGHT,
  });

  // Keep the keyboard's focus on screen.
  useEffect(() => {
    if (!focusedId || !ref.current) return;
    const index = view.items.findIndex((i) => i.tile.id === focusedId);
    if (index < 0) return;
    const gridTop = ref.current.getBoundingClientRect().top + window.scrollY;
    const top = gridTop + Math.floor(index / columns) * rowHeight;
    if (top < window.scrollY + 60) window.scrollTo({ top: top - 60 });
    else if (top + rowHeight > window.scrollY + window.innerHeight) window.scrollTo({ top: top + rowHeight - window.innerHeight + 20 });
  }, [focusedId, view.items, columns, rowHeight]);

  if (cells === 0) return null;
  return (
    <main className="grid" data-testid="grid" ref={ref} style={{ height: rows * rowHeight + 20 }} data-count={view.items.length} data-first-looks={looks.length}>
      {visible.map((item, k) => {
        const index = firstRow * columns + k;
        return (
          <div key={item.tile.id} className="cell" style={place(index)}>
            <TileView item={item} scale={scale} focused={item.tile.id === focusedId} selected={selection.includes(item.tile.id)} byTaste={byTaste} tags={autoTags[item.tile.id]} adherence={adherence[item.tile.id]} />
          </div>
        );
      })}
      {visibleLooks.map((look, k) => (
        <div key={`look:${look.key}`} className="cell" style={place(lookOffset + k)}>
          <FirstLookView look={look} />
        </div>
      ))}
    </main>
  );
}
