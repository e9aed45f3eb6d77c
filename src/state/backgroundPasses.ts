/**
 * Everything that runs by itself after a change, wired in one place and started once from main.tsx.
 * Each pass is debounced in its own module; this file says only what triggers what:
 *
 *   a model is ready     → kept scores attach and unscored images are analysed (pipeline.ts), the tag
 *                          head starts afresh (tags.ts), saved taste heads load (taste.ts), insights and
 *                          groups are recomputed (insights.ts)
 *   new embeddings       → tag-head and taste scores for the new images, auto-tags, groups
 *   tags change          → tag-head and taste scores for the new tags; the auto-tag vocabulary when the
 *                          set of ready tags changes
 *   group sliders move   → groups
 *   people checks on     → every analysed image is checked (analyse.ts)
 *   storage is full      → the analysis pauses (Resume picks it up once there is room)
 */
import { cancelAnalysis, checkPeopleOnAll } from './analyse';
import { onEngineReady } from './engineController';
import { restartInsights, scheduleGrouping, scheduleInsights, tagVocabularyChanged } from './insights';
import { useInsights } from './insightsStore';
import { useLibrary } from './libraryStore';
import { usePeopleChecks } from './peopleChecks';
import { scoreWithNewModel } from './pipeline';
import { onStorageFull } from './storageErrors';
import { useRanking, type TagState } from './rankingStore';
import { restartTagHeadScoring, scheduleTagHeadScoring } from './tags';
import { restoreTasteHeads, scheduleTasteScoring } from './taste';

const readyCount = (tags: TagState[]) => tags.filter((t) => t.status === 'ready').length;

/** Starts the passes; returns a function that stops them all (tests). */
export function startBackgroundPasses(): () => void {
  const stops = [
    onEngineReady(() => {
      void scoreWithNewModel();
      restartTagHeadScoring();
      void restoreTasteHeads();
      restartInsights();
    }),
    useLibrary.subscribe((s, prev) => {
      if (s.embeddingsVersion === prev.embeddingsVersion) return;
      scheduleTagHeadScoring();
      scheduleTasteScoring();
      scheduleInsights();
      scheduleGrouping();
    }),
    useRanking.subscribe((s, prev) => {
      if (s.tags === prev.tags) return;
      scheduleTagHeadScoring();
      scheduleTasteScoring();
      if (readyCount(s.tags) !== readyCount(prev.tags)) tagVocabularyChanged();
    }),
    useInsights.subscribe((s, prev) => {
      const a = s.groupSettings;
      const b = prev.groupSettings;
      // A slider move is answered at once.
      if (a.minCosine !== b.minCosine || a.windowSeconds !== b.windowSeconds) scheduleGrouping(150);
    }),
    usePeopleChecks.subscribe((s, prev) => {
      if (s.enabled && !prev.enabled) checkPeopleOnAll();
    }),
    onStorageFull(() => {
      if (useLibrary.getState().running) cancelAnalysis();
    }),
  ];
  return () => stops.forEach((stop) => stop());
}
