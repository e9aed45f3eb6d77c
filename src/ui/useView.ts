import { createContext, useContext, useMemo } from 'react';
import { getEmbedding } from '../state/embeddingRegistry';
import { useEngine } from '../state/engineStore';
import { useLibrary } from '../state/libraryStore';
import { useRanking } from '../state/rankingStore';
import { rankingScores } from '../state/rankingScores';
import { useTaste } from '../state/tasteStore';
import { useInsights } from '../state/insightsStore';
import { computeView, type View } from '../state/view';

export function useComputedView(): View {
  const { tiles, order, sort, embeddingsVersion } = useLibrary();
  const { tags, activeTag, thresholds, tieMargin, filters, tagScores } = useRanking();
  const hasTagHead = useEngine((s) => s.ready?.tagHead != null);
  const { byTag: tastes, scores: tasteScores } = useTaste();
  const grouping = useInsights((s) => s.grouping);
  const stacks = useInsights((s) => s.groupSettings.stacks);
  const adherence = useInsights((s) => s.adherence);
  const tag = tags.find((t) => t.text === activeTag) ?? null;
  return useMemo(
    () =>
      computeView(order.map((id) => tiles[id]), tag, getEmbedding, {
        sort,
        thresholdOverride: activeTag ? (thresholds[activeTag] ?? null) : null,
        tieMargin,
        filters,
        tagScores: activeTag ? rankingScores(activeTag, { tastes, tasteScores, hasTagHead, tagScores }) : null,
        grouping,
        stacks,
        adherence,
      }, tags),
    // embeddingsVersion stands for the embedding registry's contents, which React cannot see.
    [tiles, order, sort, embeddingsVersion, tag, activeTag, thresholds, tieMargin, filters, tagScores, hasTagHead, tastes, tasteScores, grouping, stacks, adherence, tags],
  );
}

export const ViewContext = createContext<View | null>(null);

export function useView(): View {
  const view = useContext(ViewContext);
  if (!view) throw new Error('useView outside ViewContext');
  return view;
}
