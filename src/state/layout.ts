/**
 * The side panel of controls (tags' sliders, filters, export, grouping, settings): open or closed, remembered on
 * this device. Before the user chooses, it is open on a wide screen and closed on a phone, so the photos get the
 * first screen there.
 */
import { create } from 'zustand';

const KEY = 'loupe:side-panel';
/** Below this width the panel would leave the grid too little room: closed unless the user opened it. */
export const WIDE_SCREEN_PX = 1000;

function initialOpen(): boolean {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
  if (saved === 'open' || saved === 'closed') return saved === 'open';
  return typeof window === 'undefined' || window.innerWidth >= WIDE_SCREEN_PX;
}

interface LayoutState {
  panelOpen: boolean;
  setPanelOpen(open: boolean): void;
}

export const useLayout = create<LayoutState>((set) => ({
  panelOpen: initialOpen(),
  setPanelOpen: (panelOpen) => {
    try {
      localStorage.setItem(KEY, panelOpen ? 'open' : 'closed');
    } catch {
      // Private mode or storage full: the choice lasts this visit.
    }
    set({ panelOpen });
  },
}));
