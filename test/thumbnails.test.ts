import 'fake-indexeddb/auto';
import { resolveObjectURL } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { mergeImage } from '../src/library/persistence';
import { db } from '../src/state/libraryDb';
import { clearThumbnails, setThumbnail, thumbnailStored, thumbnailUrl, thumbnailUrlCount, watchThumbnail } from '../src/state/thumbnails';

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
/** What a made URL points at (Node keeps object URLs in its own registry). */
const textAt = async (url: string | null) => (url ? ((await resolveObjectURL(url)?.text()) ?? null) : null);

async function store(key: string, text: string): Promise<void> {
  await mergeImage(db, { key, name: `${key}.jpg`, path: `${key}.jpg`, bytes: 1, width: 1, height: 1, thumbnail: new Blob([text]), error: null });
}

describe('thumbnails', () => {
  it('makes a URL only while a view watches, from memory before the record is written and from storage after', async () => {
    clearThumbnails();
    const fresh = new Blob(['fresh a']);
    setThumbnail('a', fresh);
    expect(thumbnailUrl('a')).toBeNull();
    let told = 0;
    const unwatch = watchThumbnail('a', () => told++);
    await tick();
    expect(told).toBe(1);
    expect(await textAt(thumbnailUrl('a'))).toBe('fresh a');
    unwatch();

    // Written: the blob is let go, and a view after a reload reads the stored one.
    await store('b', 'stored b');
    const b = new Blob(['stored b']);
    setThumbnail('b', b);
    thumbnailStored('b', b);
    const off = watchThumbnail('b', () => undefined);
    await tick();
    expect(await textAt(thumbnailUrl('b'))).toBe('stored b');
    off();
  });

  it('switches a watching view to a replaced thumbnail, never to one read before the change', async () => {
    clearThumbnails();
    await store('c', 'first look');
    const urls: (string | null)[] = [];
    const off = watchThumbnail('c', () => urls.push(thumbnailUrl('c')));
    // Replaced while the stored one is being read: only the new one is shown.
    await new Promise((r) => setTimeout(r, 0));
    setThumbnail('c', new Blob(['analysed']));
    await tick();
    expect(await Promise.all(urls.map(textAt))).toEqual(['analysed']);
    off();
  });

  it('keeps at most a few hundred URLs of tiles off screen, and never revokes one on screen', async () => {
    clearThumbnails();
    const ids = Array.from({ length: 450 }, (_, i) => `t${i}`);
    for (const id of ids) setThumbnail(id, new Blob([id]));
    const onScreen = watchThumbnail('t0', () => undefined);
    for (let start = 0; start < ids.length; start += 50) {
      // A screenful mounts, then scrolls away.
      const offs = ids.slice(start, start + 50).map((id) => watchThumbnail(id, () => undefined));
      await tick();
      offs.forEach((off) => off());
    }
    expect(thumbnailUrlCount()).toBeLessThanOrEqual(400);
    expect(thumbnailUrlCount()).toBeGreaterThan(300);
    expect(await textAt(thumbnailUrl('t0'))).toBe('t0');
    // The first screens scrolled off longest ago: their URLs are gone (revoked).
    expect(thumbnailUrl('t1')).toBeNull();
    expect(thumbnailUrl('t449')).not.toBeNull();
    onScreen();
  });
});
