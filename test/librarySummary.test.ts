import { describe, expect, it } from 'vitest';
import { isRawPath } from '../src/library/rawExtensions';
import { useLibrary, type Tile } from '../src/state/libraryStore';
import { librarySummary, type LibrarySummary } from '../src/state/librarySummary';

const PATHS = ['a.jpg', 'b.CR2', 'c.png', 'd.nef', 'e.heic', 'f.JPEG'];
const STATUSES: Tile['status'][] = ['queued', 'scored', 'failed', 'cancelled', 'decoded'];

function tile(id: string, r: () => number): Tile {
  const path = `shoot/${id}-${PATHS[Math.floor(r() * PATHS.length)]}`;
  return {
    id, name: path, path, bytes: 1, status: STATUSES[Math.floor(r() * STATUSES.length)], score: null, error: null,
    hasThumb: false, width: null, height: null, decision: 'none', stars: 0, hasFile: r() < 0.7,
    people: r() < 0.3 ? ({ closedEyes: r() < 0.5 } as unknown as Tile['people']) : undefined,
    companion: r() < 0.1 ? { name: `${id}.ARW`, path: `shoot/${id}.ARW`, bytes: 2 } : undefined,
  };
}

/** The counts as the components used to compute them: a full scan. */
function scan(): LibrarySummary {
  const { order, tiles } = useLibrary.getState();
  const ts = order.map((id) => tiles[id]);
  return {
    raw: ts.filter((t) => !!t.companion || isRawPath(t.path)).length,
    detached: ts.filter((t) => !t.hasFile).length,
    cancelled: ts.filter((t) => t.status === 'cancelled').length,
    closedEyes: ts.filter((t) => t.people?.closedEyes).length,
  };
}

/** A seeded generator, so a failure replays. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('librarySummary', () => {
  it('keeps the same counts as a full scan through adds, patches, re-adds and a clear', () => {
    const r = lcg(7);
    const lib = useLibrary.getState();
    lib.clear();
    let next = 0;
    for (let step = 0; step < 400; step++) {
      const { order } = useLibrary.getState();
      const op = r();
      if (op < 0.3 || order.length === 0) {
        lib.upsertTiles(Array.from({ length: 1 + Math.floor(r() * 5) }, () => tile(`t${next++}`, r)));
      } else if (op < 0.4) {
        // The same id again (a re-drop): the new tile replaces the old one's counts.
        const id = order[Math.floor(r() * order.length)];
        lib.upsertTiles([{ ...tile(id, r), id }]);
      } else if (op < 0.95) {
        const ids = Array.from({ length: 1 + Math.floor(r() * 4) }, () => order[Math.floor(r() * order.length)]);
        lib.patchTiles(ids.map((id) => ({ id, patch: { ...tile(id, r), id, path: useLibrary.getState().tiles[id].path } })));
      } else if (op < 0.97) {
        lib.setProgress(null);
      } else {
        lib.clear();
      }
      expect(librarySummary(useLibrary.getState()), `step ${step}`).toEqual(scan());
    }
    expect(next).toBeGreaterThan(100);
  });

  it('returns the same object while the tiles are unchanged, so selectors do not re-render', () => {
    const lib = useLibrary.getState();
    lib.clear();
    lib.upsertTiles([tile('x', lcg(1))]);
    const first = librarySummary(useLibrary.getState());
    lib.setSort('name');
    expect(librarySummary(useLibrary.getState())).toBe(first);
  });
});
