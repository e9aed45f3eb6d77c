import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The passes themselves are debounced work in workers; here only the wiring is under test: which change
// starts which pass, and that stopping unsubscribes everything.
const calls: string[] = [];
const record = (name: string) => () => void calls.push(name);
vi.mock('../src/state/tags', () => ({ scheduleTagHeadScoring: record('tagHead'), restartTagHeadScoring: record('tagHead:restart') }));
vi.mock('../src/state/taste', () => ({ scheduleTasteScoring: record('taste'), restoreTasteHeads: record('taste:restore') }));
vi.mock('../src/state/insights', () => ({
  scheduleInsights: record('insights'),
  scheduleGrouping: (delay?: number) => void calls.push(delay === undefined ? 'groups' : `groups:${delay}`),
  tagVocabularyChanged: record('vocabulary'),
  restartInsights: record('insights:restart'),
}));
vi.mock('../src/state/pipeline', () => ({ scoreWithNewModel: record('pipeline:newModel') }));
vi.mock('../src/state/analyse', () => ({ checkPeopleOnAll: record('people:all') }));
let readyListener: (() => void) | null = null;
vi.mock('../src/state/engineController', () => ({
  onEngineReady: (l: () => void) => {
    readyListener = l;
    return () => (readyListener = null);
  },
}));

const { startBackgroundPasses } = await import('../src/state/backgroundPasses');
const { useLibrary } = await import('../src/state/libraryStore');
const { useRanking } = await import('../src/state/rankingStore');
const { useInsights } = await import('../src/state/insightsStore');
const { usePeopleChecks } = await import('../src/state/peopleChecks');

const tag = (text: string, status: 'ready' | 'embedding') => ({ text, status, embedding: null, error: null });

describe('startBackgroundPasses', () => {
  let stop: () => void;
  beforeEach(() => {
    calls.length = 0;
    stop = startBackgroundPasses();
  });
  afterEach(() => stop());

  it('new embeddings start the head, taste, insight and grouping passes', () => {
    useLibrary.getState().bumpEmbeddings();
    expect(calls.sort()).toEqual(['groups', 'insights', 'tagHead', 'taste']);
  });

  it('a tag change scores it; the vocabulary changes only when the set of ready tags does', () => {
    useRanking.setState({ tags: [tag('cat', 'embedding')] });
    expect(calls.sort()).toEqual(['tagHead', 'taste']);
    calls.length = 0;
    useRanking.setState({ tags: [tag('cat', 'ready')] });
    expect(calls.sort()).toEqual(['tagHead', 'taste', 'vocabulary']);
  });

  it('a group slider regroups at once; other insight changes do not', () => {
    const s = useInsights.getState().groupSettings;
    useInsights.getState().setGroupSettings({ minCosine: s.minCosine + 0.01 });
    expect(calls).toEqual(['groups:150']);
    calls.length = 0;
    useInsights.getState().setGroupSettings({ stacks: !s.stacks });
    expect(calls).toEqual([]);
  });

  it('a ready model restarts every model-bound pass', () => {
    readyListener?.();
    expect(calls.sort()).toEqual(['insights:restart', 'pipeline:newModel', 'tagHead:restart', 'taste:restore']);
  });

  it('switching people checks on checks everything analysed', () => {
    usePeopleChecks.setState({ enabled: false });
    usePeopleChecks.setState({ enabled: true });
    expect(calls).toEqual(['people:all']);
  });

  it('stops: after stop() no change starts anything', () => {
    stop();
    useLibrary.getState().bumpEmbeddings();
    useRanking.setState({ tags: [tag('dog', 'ready')] });
    usePeopleChecks.setState({ enabled: false });
    usePeopleChecks.setState({ enabled: true });
    expect(readyListener).toBeNull();
    expect(calls).toEqual([]);
    stop = () => undefined;
  });
});
