import { createContext, useContext, useMemo } from 'react';
import { getEmbedding } from '../state/embeddingRegistry';
import { useLibrary } from '../state/libraryStore';
import { useRanking } from '../state/rankingStore';
import { computeView, type View } from '../state/view';

export function useComputedView(): View {
  const { tiles, order, sort, embeddingsVersion } = useLibrary();
  const { tags, activeTag, thresholds, tieMargin, filters } = useRanking();
  const tag = tags.find((t) => t.text === activeTag) ?? null;
  return useMemo(
    () =>
      computeView(order.map((id) => tiles[id]), tag, getEmbedding, {
        sort,
        thresholdOverride: activeTag ? (thresholds[activeTag] ?? null) : null,
        tieMargin,
        filters,
      }, tags),
    // embeddingsVersion stands for the registry's contents, which React cannot see.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [tiles, order, sort, embeddingsVersion, tag, activeTag, thresholds, tieMargin, filters],
  );
}

export const ViewContext = createContext<View | null>(null);

export function useView(): View {
  const view = useContext(ViewContext);
  if (!view) throw new Error('useView outside ViewContext');
  return view;
}
