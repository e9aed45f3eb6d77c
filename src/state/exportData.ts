/** Maps the session onto the exporters' input: every image, with its relevance and rank in every tag. */
import type { ExportContext, ExportImage } from '../library/export/types';
import { rankTag } from './tagRanking';
import type { Tile } from './libraryStore';
import type { TagState } from './rankingStore';
import { tileFlags } from './view';

export const APP_VERSION = '0.1.0';

export function buildExport(
  tiles: Tile[],
  tags: TagState[],
  thresholds: Record<string, number>,
  tieMargin: number,
  embeddingOf: (id: string) => Float32Array | undefined,
  modelId: string,
  /** The scores that rank each tag (a tag head's or a taste head's); null ranks by the aesthetic score. */
  scoresFor: (tag: string) => Record<string, number> | null = () => null,
): { images: ExportImage[]; ctx: ExportContext } {
  const perTag = new Map<string, Map<string, { relevance: number; rank: number | null; score: number | null }>>();
  const settings: ExportContext['tags'] = [];
  for (const tag of tags) {
    if (tag.status !== 'ready' || !tag.embedding) continue;
    const scores = scoresFor(tag.text);
    const r = rankTag(tiles, { ...tag, embedding: tag.embedding }, tags, embeddingOf, thresholds[tag.text] ?? null, tieMargin, scores);
    if (r.candidates.length === 0) continue;
    const rankOf = new Map(r.ranked.map((x) => [x.id, x.rank]));
    perTag.set(
      tag.text,
      new Map(r.candidates.map((t, i) => [t.id, { relevance: r.relevances[i], rank: rankOf.get(t.id) ?? null, score: scores?.[t.id] ?? null }])),
    );
    settings.push({ tag: tag.text, threshold: r.threshold, tieMargin });
  }
  const images: ExportImage[] = tiles
    .filter((t) => !t.id.startsWith('unreadable:'))
    .map((t) => ({
      path: t.path,
      name: t.name,
      raw: t.companion ? { path: t.companion.path, name: t.companion.name, bytes: t.companion.bytes } : null,
      contentHash: t.id,
      width: t.width,
      height: t.height,
      aesthetic: t.score,
      decision: t.decision,
      stars: t.stars,
      label: t.label ?? 'none',
      flags: tileFlags(t),
      faces: t.people ? t.people.counts.faces : null,
      peopleScore: t.people?.peopleScore ?? null,
      error: t.error,
      tags: settings.flatMap((s) => {
        const r = perTag.get(s.tag)?.get(t.id);
        return r ? [{ tag: s.tag, relevance: r.relevance, rank: r.rank, score: r.score }] : [];
      }),
    }));
  return { images, ctx: { appVersion: APP_VERSION, modelId, createdAt: new Date(), tags: settings } };
}
