import { useState } from 'react';
import { DEFAULT_PROMPT_TEMPLATES } from '../scoring/prompts';
import { useRanking } from '../state/rankingStore';
import { parseTemplates } from '../state/settings';
import { setPromptTemplates } from '../state/tags';

/** Edits the prompt ensemble each tag is embedded with (docs/tags.md explains the defaults). */
export function PromptEditor({ onClose }: { onClose: () => void }) {
  const templates = useRanking((s) => s.templates);
  const [text, setText] = useState(templates.join('\n'));
  const { problems } = parseTemplates(text);
  return (
    <div className="prompt-editor" data-testid="prompt-editor">
      <label>
        Prompt templates, one per line; <code>{'{}'}</code> is where the tag goes. A tag’s embedding is the average of
        its prompts’ embeddings.
        <textarea rows={6} value={text} onChange={(e) => setText(e.target.value)} data-testid="prompt-templates" />
      </label>
      {problems.map((p) => (
        <div key={p} className="tag-error">
          {p}
        </div>
      ))}
      <div className="actions">
        <button
          disabled={problems.length > 0}
          onClick={() => {
            void setPromptTemplates(parseTemplates(text).templates);
            onClose();
          }}
        >
          Save and re-embed tags
        </button>
        <button
          onClick={() => {
            setText(DEFAULT_PROMPT_TEMPLATES.join('\n'));
          }}
        >
          Defaults
        </button>
        <button className="link" onClick={onClose}>
          Cancel
        </button>
      </div>
    </div>
  );
}
