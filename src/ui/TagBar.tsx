import { useState } from 'react';
import { ALL_BUILTIN_TAGS, BUILTIN_TAG_GROUPS } from '../scoring/builtinTags';
import { useEngine } from '../state/engineStore';
import { useRanking } from '../state/rankingStore';
import { activateTag, addTag, removeTag } from '../state/tags';
import { PromptEditor } from './PromptEditor';
import { shortTag } from './format';

/** Pick or type tags; the active one ranks the grid (its sliders are in the side panel: TagDetails). */
export function TagBar() {
  const [text, setText] = useState('');
  const [editingPrompts, setEditingPrompts] = useState(false);
  const { tags, activeTag } = useRanking();
  const phase = useEngine((s) => s.phase);
  const active = tags.find((t) => t.text === activeTag) ?? null;

  return (
    <section className="tagbar" data-testid="tagbar">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void addTag(text);
          setText('');
        }}
      >
        <input
          data-testid="tag-input"
          list="builtin-tags"
          value={text}
          placeholder={phase === 'ready' ? 'Rank by a tag: portrait, landscape, “a cat on a sofa”…' : 'Tags need the CLIP model'}
          onChange={(e) => setText(e.target.value)}
          aria-label="Tag"
        />
        <datalist id="builtin-tags">
          {ALL_BUILTIN_TAGS.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <button type="submit">Rank</button>
        <select
          aria-label="Built-in tags"
          value=""
          onChange={(e) => e.target.value && void addTag(e.target.value)}
          data-testid="builtin-tags"
        >
          <option value="">Built-in tags…</option>
          {BUILTIN_TAG_GROUPS.map((g) => (
            <optgroup key={g.group} label={g.group}>
              {g.tags.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <button type="button" className="link" onClick={() => setEditingPrompts((v) => !v)} data-testid="edit-prompts">
          Prompts…
        </button>
      </form>
      {editingPrompts && <PromptEditor onClose={() => setEditingPrompts(false)} />}
      <div className="chips">
        <button className={`chip ${activeTag === null ? 'active' : ''}`} onClick={() => activateTag(null)} data-testid="chip-all">
          All images
        </button>
        {tags.map((t) => (
          <span
            key={t.text}
            className={`chip ${t.text === activeTag ? 'active' : ''} chip-${t.status}`}
            data-testid="tag-chip"
            data-tag={t.text}
            data-status={t.status}
            data-cut={t.cutFrom ? 'true' : undefined}
            title={t.error ?? (t.cutFrom ? `Cut to what CLIP reads (77 tokens). As typed: “${t.cutFrom}”` : undefined)}
          >
            <button className="chip-label" onClick={() => activateTag(t.text)}>
              <span className="chip-text">{t.text}</span>
              {t.cutFrom && <span className="chip-cut" data-testid="tag-cut"> (cut)</span>}
              {t.status === 'embedding' ? ' …' : t.status === 'error' ? ' ⚠' : ''}
            </button>
            <button className="chip-x" aria-label={`Remove tag ${t.text}`} onClick={() => removeTag(t.text)}>
              ×
            </button>
          </span>
        ))}
      </div>
      {active?.status === 'error' && <div className="tag-error" role="alert">“{shortTag(active.text)}”: {active.error}</div>}
    </section>
  );
}
