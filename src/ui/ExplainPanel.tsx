import { useEngine } from '../state/engineStore';
import { useRanking } from '../state/rankingStore';
import { tasteRanks, useTaste } from '../state/tasteStore';
import { useUi } from '../state/uiStore';
import { useAction } from './actions/useAction';
import { close as closeAction } from './actions/viewActions';
import { formatScore } from './format';
import { originSentence } from './originNote';
import { useView } from './useView';
import { ImageInsights } from './ImageInsights';
import { RawBadge } from './RawBadge';
import { FileName } from './FileName';
import { showBidiControls } from './safeName';

/** Why the focused image is where it is: score, relevance against the threshold, ties. */
export function ExplainPanel() {
  const view = useView();
  const focusedId = useUi((s) => s.focusedId);
  const close = useAction(closeAction);
  const tieMargin = useRanking((s) => s.tieMargin);
  const scale = useEngine((s) => s.ready?.headScale ?? null);
  const tagHead = useEngine((s) => s.ready?.tagHead ?? null);
  const taste = useTaste((s) => (view.tag ? s.byTag[view.tag] : undefined));
  const index = view.items.findIndex((i) => i.tile.id === focusedId);
  const item = index >= 0 ? view.items[index] : null;

  const lines: string[] = [];
  if (!item) {
    lines.push('Focus an image (click it, or use the arrow keys) to see why it ranks where it does.');
  } else {
    const t = item.tile;
    lines.push(t.score === null ? 'Not scored yet.' : `Aesthetic score ${formatScore(t.score)} (${t.score.toFixed(4)}).`);
    if (view.tag && item.relevance !== null && view.threshold !== null) {
      lines.push(
        `Relevance to “${view.tag}”: ${item.relevance.toFixed(4)}, at or above the threshold ${view.threshold.toFixed(4)}${view.calibrated !== null && Math.abs(view.calibrated - view.threshold) > 1e-9 ? ` (set by you; calibrated ${view.calibrated.toFixed(4)})` : ' (calibrated on this folder)'}, so it has the tag.`,
      );
      lines.push(`Rank ${item.rank} of ${view.items.length + view.hiddenByFilters} in “${view.tag}”.`);
      if (tasteRanks(taste) && taste?.info) {
        lines.push(
          item.tagScore === null
            ? 'Your taste head has not scored it yet.'
            : `Ranked by your taste head (trained on ${taste.info.images} of your decisions, ${new Date(taste.info.trainedAt).toLocaleString()}): ${item.tagScore.toFixed(3)} for this image and “${view.tag}”.`,
        );
      } else if (tagHead) {
        lines.push(
          item.tagScore === null
            ? `The tag head (${tagHead.id}) has not scored it yet.`
            : `Ranked by the tag head (${tagHead.id}, trained on ${tagHead.trainedOn}): ${item.tagScore.toFixed(3)} for this image and “${view.tag}”.`,
        );
      }
      const prev = view.items[index - 1];
      const next = view.items[index + 1];
      if (item.tieBroken) {
        // The score that ranks: a taste or tag head's when there is one, else the aesthetic score.
        const ranking = (i: typeof item) => i.tagScore ?? i.tile.score;
        const mine = ranking(item);
        const near = [prev, next].filter((n) => n && ranking(n) !== null && mine !== null && Math.abs(ranking(n)! - mine) < tieMargin);
        lines.push(
          `Near-tie: its score is within ${tieMargin.toFixed(2)} of ${near.map((n) => `${showBidiControls(n.tile.name)} (${formatScore(ranking(n))}, relevance ${n.relevance?.toFixed(3)})`).join(' and ') || 'a neighbour'}, so relevance decided the order.`,
        );
      } else {
        lines.push('No near-tie: the score alone decided its place.');
      }
    } else if (view.tag === null) {
      lines.push('No tag is active: the grid is sorted by aesthetic score. Add a tag to rank by it.');
    }
    lines.push(`Decision: ${t.decision === 'none' ? 'unflagged' : t.decision}; ${t.stars} star${t.stars === 1 ? '' : 's'}.`);
    const origin = originSentence(t.origin);
    if (origin) lines.push(origin);
    if (t.companion) lines.push(`With its RAW ${showBidiControls(t.companion.name)}: the decision and stars cover both files, and exports list both.`);
    if (t.error) lines.push(`Problem: ${showBidiControls(t.error)}`);
  }

  return (
    <aside className="explain" data-testid="explain" aria-label="Explain the ranking">
      <header>
        <strong>{item ? <FileName text={item.tile.name} /> : 'Explain'}</strong>
        {item && <RawBadge tile={item.tile} />}
        <button className="link" onClick={close.run} title={close.title} aria-label="Close explain panel">
          ×
        </button>
      </header>
      <ul>
        {lines.map((l, i) => (
          <li key={i}>{l}</li>
        ))}
      </ul>
      {item && <ImageInsights item={item} />}
      {scale && <p className="scale">{scale}</p>}
    </aside>
  );
}
