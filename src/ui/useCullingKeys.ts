import { useEffect } from 'react';
import type { Stars } from '../library/persistence';
import { decide, undo } from '../state/decisions';
import { trainTaste } from '../state/taste';
import { keepBestAndSay } from '../state/groupActions';
import { useInsights } from '../state/insightsStore';
import { useUi } from '../state/uiStore';
import type { View } from '../state/view';

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

/** The ids compare shows: the selection when it has 2–4, else the focused image and the next one. */
export function compareIds(view: View, focusedId: string | null, selection: string[]): string[] {
  if (selection.length >= 2) return selection.slice(0, 4);
  const i = view.items.findIndex((it) => it.tile.id === focusedId);
  if (i < 0) return [];
  return view.items.slice(i, i + 2).map((it) => it.tile.id);
}

/**
 * Lightroom's culling keys: P pick, X reject, U unflag, 0–5 stars, arrows to move, Space/Enter loupe,
 * Z zoom, C compare, E explain, T learn my taste for the tag, G stacks, K keep the best of each group,
 * ? help, Ctrl/Cmd+Z undo, Esc close.
 */
export function useCullingKeys(view: View): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Esc leaves a text field, so the culling keys work again without reaching for the mouse.
      if (e.key === 'Escape' && typingInField(e.target)) return (e.target as HTMLElement).blur();
      if (typingInField(e.target) || operatesControl(e.target, e.key) || e.altKey) return;
      if (e.key === 'Escape' && e.target instanceof HTMLElement && e.target !== document.body) e.target.blur();
      const ui = useUi.getState();
      const ids = ui.overlay === 'compare' ? compareIds(view, ui.focusedId, ui.selection) : view.items.map((i) => i.tile.id);
      const index = ui.focusedId ? ids.indexOf(ui.focusedId) : -1;
      const move = (to: number) => {
        if (ids.length === 0) return;
        ui.focus(ids[Math.max(0, Math.min(ids.length - 1, to))]);
      };
      const target = ui.focusedId ? [ui.focusedId] : [];
      const key = e.key;

      if ((e.ctrlKey || e.metaKey) && key.toLowerCase() === 'z') {
        e.preventDefault();
        void undo().then((n) => n > 0 && ui.notify(`Undone: ${n} image${n === 1 ? '' : 's'} restored`));
        return;
      }
      if (e.ctrlKey || e.metaKey) return;

      const columns = ui.overlay === 'compare' ? 1 : ui.columns;
      switch (key) {
        case 'ArrowRight':
          return e.preventDefault(), move(index < 0 ? 0 : index + 1);
        case 'ArrowLeft':
          return e.preventDefault(), move(index < 0 ? 0 : index - 1);
        case 'ArrowDown':
          return e.preventDefault(), move(index < 0 ? 0 : index + columns);
        case 'ArrowUp':
          return e.preventDefault(), move(index < 0 ? 0 : index - columns);
        case 'Home':
          return e.preventDefault(), move(0);
        case 'End':
          return e.preventDefault(), move(ids.length - 1);
        case 'Escape':
          return ui.open(null);
        case ' ':
        case 'Enter':
          e.preventDefault();
          if (!ui.focusedId) move(0);
          return ui.open(ui.overlay === 'loupe' ? null : 'loupe');
        case '?':
          return ui.open(ui.overlay === 'help' ? null : 'help');
      }
      switch (key.toLowerCase()) {
        case 'p':
          return void decide(target, { decision: 'pick' });
        case 'x':
          return void decide(target, { decision: 'reject' });
        case 'u':
          return void decide(target, { decision: 'none' });
        case 'z':
          if (ui.overlay === 'loupe') ui.setZoom(ui.zoom === 'fit' ? '100' : 'fit');
          return;
        case 'c':
          if (compareIds(view, ui.focusedId, ui.selection).length >= 2) ui.open(ui.overlay === 'compare' ? null : 'compare');
          return;
        case 'e':
          return ui.open(ui.overlay === 'explain' ? null : 'explain');
        case 'g':
          return useInsights.getState().setGroupSettings({ stacks: !useInsights.getState().groupSettings.stacks });
        case 'k':
          return void keepBestAndSay(view);
        case 't':
          // Learn (or relearn) the taste head of the tag being ranked.
          if (view.tag) void trainTaste(view.tag);
          return;
      }
      if (/^[0-5]$/.test(key)) void decide(target, { stars: Number(key) as Stars });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [view]);
}
