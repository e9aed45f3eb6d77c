/** Tag text → one embedding per tag, exactly as the app makes it (src/state/tags.ts): prompt ensemble, one batch. */
import { embedTextBatch } from '../../src/engine/encoders';
import { DEFAULT_PROMPT_TEMPLATES, ensembleTagEmbedding, expandPrompts } from '../../src/scoring/prompts';
import { NodeTensor, type ClipTextEncoder } from './modelDir';

export async function embedTags(
  encoder: ClipTextEncoder,
  tags: readonly string[],
  templates: readonly string[] = DEFAULT_PROMPT_TEMPLATES,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const tag of tags) {
    const prompts = expandPrompts(tag, templates);
    const batch = encoder.tokenizer.encodeBatch(prompts);
    const raw = await embedTextBatch(encoder.session, NodeTensor, batch.ids, batch.attentionMask, batch.batch, batch.length);
    out.push(ensembleTagEmbedding(raw, prompts.length));
  }
  return out;
}
