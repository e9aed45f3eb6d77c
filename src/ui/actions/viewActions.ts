/** Opening and closing the loupe, compare, explain and help, the loupe's zoom, and stacks. */
import { useInsights } from '../../state/insightsStore';
import { useLayout } from '../../state/layout';
import type { Overlay } from '../../state/uiStore';
import { compareIds } from './context';
import { plain, shifted } from './keys';
import { moveFocus } from './moveActions';
import { EVERYWHERE, IN_OVERLAYS, OUTSIDE_CULLING, type Action, type ActionContext } from './types';

/** Opens this overlay, or closes it when it is the one open. */
/** Opens the overlay, or closes it when it is the one open. */
export const toggle = (ctx: ActionContext, overlay: Exclude<Overlay, null>) => ctx.ui.open(ctx.ui.overlay === overlay ? null : overlay);

export const loupe: Action = {
  id: 'loupe',
  label: 'Open the focused image in the loupe',
  group: 'View',
  keys: [plain(' '), plain('Enter')],
  scopes: OUTSIDE_CULLING,
  preventsDefault: true,
  enabled: () => true,
  perform: (ctx) => {
    // With nothing focused yet, the loupe opens on the first image.
    if (!ctx.ui.focusedId) moveFocus(ctx, () => 0);
    toggle(ctx, 'loupe');
  },
};

export const zoom: Action = {
  id: 'zoom',
  label: 'Zoom 100 % / fit',
  group: 'View',
  keys: [plain('z')],
  scopes: ['loupe'],
  enabled: (ctx) => ctx.scope === 'loupe',
  perform: (ctx) => ctx.ui.setZoom(ctx.ui.zoom === 'fit' ? '100' : 'fit'),
};

export const compare: Action = {
  id: 'compare',
  label: 'Compare the 2–4 selected (Ctrl/Cmd-click to select), else the focused and the next',
  group: 'View',
  keys: [plain('c')],
  scopes: EVERYWHERE,
  enabled: ({ view, ui }) => compareIds(view, ui.focusedId, ui.selection).length >= 2,
  perform: (ctx) => toggle(ctx, 'compare'),
};

export const explain: Action = {
  id: 'explain',
  label: 'Explain why the focused image ranks where it does',
  group: 'View',
  keys: [plain('e')],
  scopes: EVERYWHERE,
  enabled: () => true,
  perform: (ctx) => toggle(ctx, 'explain'),
};

export const stacks: Action = {
  id: 'stacks',
  label: 'Stacks',
  detail: 'show each group of similar images as its best one',
  group: 'View',
  keys: [plain('g')],
  scopes: EVERYWHERE,
  enabled: () => true,
  perform: () => {
    const { groupSettings, setGroupSettings } = useInsights.getState();
    setGroupSettings({ stacks: !groupSettings.stacks });
  },
};

export const storage: Action = {
  id: 'storage',
  label: 'Storage',
  detail: 'what this device keeps (models, library), whether the browser may clear it, and deleting the models',
  group: 'View',
  keys: [],
  scopes: EVERYWHERE,
  enabled: () => true,
  perform: (ctx) => toggle(ctx, 'storage'),
};

export const sidePanel: Action = {
  id: 'side-panel',
  label: 'Controls',
  detail: 'show or hide the side panel: the tag’s sliders, filters, bulk actions, export, grouping and settings (remembered on this device)',
  group: 'View',
  // Shift+B, not B: a letter typed on a focused menu (the flag filter's "blu…") must not hide the panel holding it.
  keys: [shifted('b')],
  scopes: ['grid'],
  enabled: () => true,
  perform: () => {
    const { panelOpen, setPanelOpen } = useLayout.getState();
    setPanelOpen(!panelOpen);
  },
};

export const help: Action = {
  id: 'help',
  label: 'Show this list',
  group: 'View',
  keys: [plain('?')],
  scopes: EVERYWHERE,
  enabled: () => true,
  perform: (ctx) => toggle(ctx, 'help'),
};

export const close: Action = {
  id: 'close',
  label: 'Close the open view',
  group: 'View',
  keys: [plain('Escape')],
  scopes: IN_OVERLAYS,
  enabled: (ctx) => ctx.ui.overlay !== null,
  perform: (ctx) => ctx.ui.open(null),
};
