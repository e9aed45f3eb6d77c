import { useEffect, useMemo } from 'react';
import { fileOf } from '../state/files';
import { useLibrary } from '../state/libraryStore';
import { useUi } from '../state/uiStore';
import { CompareView } from './CompareView';
import { CullingView } from './CullingView';
import { cullStops, nextOpenStop, stopIndexOf } from '../state/cullStops';
import { ExplainPanel } from './ExplainPanel';
import { LoupeView } from './LoupeView';
import { ShortcutsHelp } from './ShortcutsHelp';
import { StoragePanel } from './StoragePanel';
import { FinishDialog } from './FinishDialog';
import { CullTargetDialog } from './CullTargetDialog';
import { compareIds } from './actions/context';
import { useAction } from './actions/useAction';
import { close as closeAction } from './actions/viewActions';
import { useView } from './useView';

/** Object URLs for the original files shown full size; revoked when the overlay closes. */
function useFileUrls(ids: string[]): Map<string, string | null> {
  const key = ids.join('|');
  const urls = useMemo(() => new Map(ids.map((id) => [id, fileOf(id) ? URL.createObjectURL(fileOf(id)!) : null])), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => urls.forEach((u) => u && URL.revokeObjectURL(u)), [urls]);
  return urls;
}

export function Overlays() {
  const { overlay, focusedId, selection, zoom, setZoom, focus } = useUi();
  const tiles = useLibrary((s) => s.tiles);
  const view = useView();
  const close = useAction(closeAction).run;
  const ids = (overlay === 'loupe' || overlay === 'cull') && focusedId ? [focusedId] : overlay === 'compare' ? compareIds(view, focusedId, selection) : [];
  const urls = useFileUrls(ids);

  if (overlay === 'help') return <ShortcutsHelp onClose={close} />;
  if (overlay === 'storage') return <StoragePanel onClose={close} />;
  if (overlay === 'finish') return <FinishDialog onClose={close} />;
  if (overlay === 'target') return <CullTargetDialog onClose={close} />;
  if (overlay === 'explain') return <ExplainPanel />;
  if (overlay === 'loupe' && focusedId && tiles[focusedId]) {
    const item = view.items.find((i) => i.tile.id === focusedId);
    return (
      <LoupeView
        tile={tiles[focusedId]}
        fileUrl={urls.get(focusedId) ?? null}
        zoom={zoom}
        onZoom={setZoom}
        onClose={close}
        rank={item?.rank ?? null}
        relevance={item?.relevance ?? null}
        tag={view.tag}
      />
    );
  }
  if (overlay === 'cull' && focusedId) {
    const stops = cullStops(view);
    const index = stopIndexOf(stops, focusedId);
    if (index >= 0) {
      let open = 0;
      for (let i = nextOpenStop(stops, tiles, -1); i >= 0; i = nextOpenStop(stops, tiles, i)) open++;
      return (
        <CullingView
          stop={stops[index]}
          stopIndex={index}
          stopCount={stops.length}
          openStops={open}
          tiles={tiles}
          shownId={focusedId}
          fileUrl={urls.get(focusedId) ?? null}
          onShow={focus}
          onClose={close}
        />
      );
    }
  }
  if (overlay === 'compare' && ids.length >= 2) {
    return (
      <CompareView
        tiles={ids.map((id) => tiles[id]).filter(Boolean)}
        focusedId={focusedId}
        fileUrlOf={(id) => urls.get(id) ?? null}
        onFocus={focus}
        onClose={close}
      />
    );
  }
  return null;
}
