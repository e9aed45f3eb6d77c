import { flagReason, qualityFlags } from '../library/quality/flags';
import { ANTONYM_PAIRS } from '../scoring/qualityPrompts';
import { useInsights } from '../state/insightsStore';
import type { ViewItem } from '../state/view';
import { addTag } from '../state/tags';
import { promptPhrases } from '../library/metadata/generationPrompt';
import { PeopleInsights } from './PeopleInsights';
import { FlagAccuracyNote } from './FlagAccuracyNote';

const pct = (x: number) => `${Math.round(100 * x)} %`;

/**
 * The explain panel's second half: what was measured on the pixels, what CLIP says about quality, the
 * auto-tags, the burst group, capture facts and, for AI images, the generation prompt. All text: file names,
 * EXIF and prompts are rendered by React as text, never as HTML.
 */
export function ImageInsights({ item }: { item: ViewItem }) {
  const t = item.tile;
  const tags = useInsights((s) => s.autoTags[t.id]);
  const zeroShot = useInsights((s) => s.zeroShot[t.id]);
  const adherence = useInsights((s) => s.adherence[t.id]);
  const q = t.quality;
  const flags = q ? qualityFlags(q) : [];
  return (
    <div className="insights" data-testid="insights">
      {q ? (
        <section data-testid="insights-technical">
          <h4>Measured ({q.width}×{q.height} working copy)</h4>
          <p>
            Sharpness {q.sharpness.toFixed(0)} (sharpest tile {q.sharpnessPeak.toFixed(0)}) · mean luma {q.meanLuma.toFixed(2)} · clipped{' '}
            {pct(q.clippedHighlights)} highlights, {pct(q.clippedShadows)} shadows · noise σ {q.noise.toFixed(1)} · contrast {q.contrast.toFixed(3)} · colourfulness{' '}
            {q.colorfulness.toFixed(0)}
          </p>
          {flags.length > 0 ? (
            <ul>
              {flags.map((f) => (
                <li key={f} data-testid="flag-reason">
                  {flagReason(f, q)} <FlagAccuracyNote flag={f} />
                </li>
              ))}
            </ul>
          ) : (
            <p>No technical flag.</p>
          )}
        </section>
      ) : (
        <p>Technical figures: not measured yet (the file is measured when it is decoded).</p>
      )}
      <PeopleInsights tile={t} />
      {zeroShot && (
        <section data-testid="insights-zeroshot">
          <h4>What CLIP says (antonym prompts)</h4>
          <p>{ANTONYM_PAIRS.map((p) => `${p.label} ${pct(zeroShot[p.id])}`).join(' · ')}</p>
        </section>
      )}
      {tags && tags.length > 0 && (
        <section>
          <h4>Auto-tags</h4>
          <p className="autotags">
            {tags.map((a) => (
              <button key={a.tag} className="autotag" onClick={() => void addTag(a.tag)} title="Rank by this tag">
                {a.tag} {pct(a.weight)}
              </button>
            ))}
          </p>
        </section>
      )}
      {item.group && (
        <p data-testid="insights-group">
          One of {item.group.size} similar images
          {item.group.best ? '; the best of them (★): frames whose faces have open eyes and are sharp and whole come first, then the ranking decides.' : '.'}
        </p>
      )}
      {t.capture && (t.capture.capturedAt !== null || t.capture.camera) && (
        <p>
          {t.capture.camera ?? 'Camera unknown'}
          {t.capture.capturedAt !== null ? `, taken ${new Date(t.capture.capturedAt).toISOString().replace('T', ' ').slice(0, 19)}` : ''}
        </p>
      )}
      {t.generation && (
        <section data-testid="insights-prompt">
          <h4>
            Generated ({t.generation.tool}){adherence !== undefined ? ` · prompt adherence ${adherence.toFixed(3)}` : ''}
          </h4>
          <p className="prompt" data-testid="prompt-text">
            {t.generation.prompt}
          </p>
          {t.generation.negativePrompt && <p className="prompt negative">Negative: {t.generation.negativePrompt}</p>}
          <p className="autotags">
            {promptPhrases(t.generation.prompt).map((phrase) => (
              <button key={phrase} className="autotag" data-testid="prompt-phrase" onClick={() => void addTag(phrase)} title="Rank by this phrase">
                + {phrase}
              </button>
            ))}
          </p>
        </section>
      )}
    </div>
  );
}
