import { create } from 'zustand';

export type Overlay = null | 'loupe' | 'compare' | 'help' | 'explain' | 'storage' | 'cull' | 'finish' | 'target';

interface UiState {
  focusedId: string | null;
  /** Extra images chosen for compare (Ctrl/Cmd-click). */
  selection: string[];
  overlay: Overlay;
  /** Loupe zoom: fit the window, or 100 % (one image pixel per screen pixel). */
  zoom: 'fit' | '100';
  notice: string | null;
  /** A write ran out of the site's storage: the analysis paused; the progress line says why until Resume. */
  storageFull: boolean;
  /** Grid columns, for ↑/↓. */
  columns: number;
  setColumns(columns: number): void;
  focus(id: string | null): void;
  toggleSelected(id: string): void;
  clearSelection(): void;
  open(overlay: Overlay): void;
  setZoom(zoom: 'fit' | '100'): void;
  notify(message: string | null): void;
}

export const useUi = create<UiState>((set) => ({
  focusedId: null,
  selection: [],
  overlay: null,
  zoom: 'fit',
  notice: null,
  storageFull: false,
  columns: 1,
  setColumns: (columns) => set({ columns }),
  focus: (focusedId) => set({ focusedId }),
  toggleSelected: (id) =>
    set((s) => ({ selection: s.selection.includes(id) ? s.selection.filter((x) => x !== id) : [...s.selection, id].slice(-4) })),
  clearSelection: () => set({ selection: [] }),
  open: (overlay) => set({ overlay, zoom: 'fit' }),
  setZoom: (zoom) => set({ zoom }),
  notify: (notice) => set({ notice }),
}));
