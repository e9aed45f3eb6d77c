/** Maps the session onto the exporters' input: every image, with its relevance and rank in every tag. */
import type { ExportContext, ExportImage } from '../library/export/types';
import { calibrateThreshold } from '../scoring/tagThreshold';
import { rankByTag } from '../scoring/rankByTag';
import { relevanceScores } from '../scoring/similarity';
import type { Tile } from './libraryStore';
import type { TagState } from './rankingStore';

export const APP_VERSION = '0.1.0';

export function buildExport(
  tiles: Tile[],
  tags: TagState[],
  thresholds: Record<string, number>,
  tieMargin: number,
  embeddingOf: (id: string) => Float32Array | undefined,
  modelId: string,
): { images: ExportImage[]; ctx: ExportContext } {
  const withEmbedding = tiles.filter((t) => embeddingOf(t.id));
  const perTag = new Map<string, Map<string, { relevance: number; rank: number | null }>>();
  const settings: ExportContext['tags'] = [];
  for (const tag of tags) {
    if (tag.status !== 'ready' || !tag.embedding || withEmbedding.length === 0) continue;
    const dim = tag.embedding.length;
    const matrix = new Float32Array(withEmbedding.length * dim);
    withEmbedding.forEach((t, i) => matrix.set(embeddingOf(t.id)!, i * dim));
    const relevances = relevanceScores(matrix, withEmbedding.length, tag.embedding);
    const threshold = thresholds[tag.text] ?? calibrateThreshold(relevances).threshold;
    const { ranked } = rankByTag(
      withEmbedding.map((t, i) => ({ id: t.id, score: t.score, relevance: relevances[i] })),
      { threshold, tieMargin },
    );
    const rankOf = new Map(ranked.map((r) => [r.id, r.rank]));
    perTag.set(tag.text, new Map(withEmbedding.map((t, i) => [t.id, { relevance: relevances[i], rank: rankOf.get(t.id) ?? null }])));
    settings.push({ tag: tag.text, threshold, tieMargin });
  }
  const images: ExportImage[] = tiles
    .filter((t) => !t.id.startsWith('unreadable:'))
    .map((t) => ({
      path: t.path,
      name: t.name,
      contentHash: t.id,
      width: t.width,
      height: t.height,
      aesthetic: t.score,
      decision: t.decision,
      stars: t.stars,
      error: t.error,
      tags: settings.flatMap((s) => {
        const r = perTag.get(s.tag)?.get(t.id);
        return r ? [{ tag: s.tag, relevance: r.relevance, rank: r.rank, score: null }] : [];
      }),
    }));
  return { images, ctx: { appVersion: APP_VERSION, modelId, createdAt: new Date(), tags: settings } };
}
