import { useEffect } from 'react';
import type { View } from '../state/view';
import { actionContext } from './actions/context';
import { actionForKey, performIfEnabled } from './actions/registry';

const NON_TEXT_INPUTS = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file']);

/** Text fields keep every key (typing, native undo). */
function typingInField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.tagName === 'INPUT') return !NON_TEXT_INPUTS.has((el as HTMLInputElement).type);
  return el.tagName === 'TEXTAREA' || el.isContentEditable;
}

/** Sliders and menus keep the keys that operate them; culling keys still work there. */
function operatesControl(target: EventTarget | null, key: string): boolean {
  const el = target as HTMLElement | null;
  if (!el || (el.tagName !== 'SELECT' && el.tagName !== 'INPUT')) return false;
  return /^(Arrow|Home|End|PageUp|PageDown| |Enter)/.test(key);
}

/** Lightroom's culling keys, as the action registry (./actions/registry.ts) binds them where the user is. */
export function useCullingKeys(view: View): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Esc leaves a text field, so the culling keys work again without reaching for the mouse.
      if (e.key === 'Escape' && typingInField(e.target)) return (e.target as HTMLElement).blur();
      if (typingInField(e.target) || operatesControl(e.target, e.key) || e.altKey) return;
      if (e.key === 'Escape' && e.target instanceof HTMLElement && e.target !== document.body) e.target.blur();
      const ctx = actionContext(view);
      const action = actionForKey(ctx.scope, e);
      if (!action) return;
      if (action.preventsDefault) e.preventDefault();
      performIfEnabled(action, ctx);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [view]);
}
