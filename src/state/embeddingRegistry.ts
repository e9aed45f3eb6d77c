/**
 * Image embeddings by tile id, outside React state: 20,000 × 512 floats must not be copied on every
 * store update. `useLibrary().embeddingsVersion` tells views when this changed.
 */
const embeddings = new Map<string, Float32Array>();

export function setEmbedding(id: string, embedding: Float32Array): void {
  embeddings.set(id, embedding);
}

export function getEmbedding(id: string): Float32Array | undefined {
  return embeddings.get(id);
}
