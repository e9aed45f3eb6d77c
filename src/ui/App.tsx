import { DropZone, EmptyState } from './DropZone';
import { EngineBanner } from './EngineBanner';
import { Grid } from './Grid';
import { Header } from './Header';
import { Notice } from './Notice';
import { Overlays } from './Overlays';
import { ProgressBar } from './ProgressBar';
import { PeopleProgress } from './PeopleProgress';
import { ReconnectBanner } from './ReconnectBanner';
import { TagBar } from './TagBar';
import { UpdateBanner } from './UpdateBanner';
import { SidePanel } from './SidePanel';
import { useCullingKeys } from './useCullingKeys';
import { useComputedView, ViewContext } from './useView';

export function App() {
  const view = useComputedView();
  useCullingKeys(view);
  return (
    <ViewContext.Provider value={view}>
      <DropZone>
        <Header />
        <EngineBanner />
        <ReconnectBanner />
        <UpdateBanner />
        <ProgressBar />
        <PeopleProgress />
        <div className="workspace">
          <div className="photos">
            <TagBar />
            <Grid />
            <EmptyState />
          </div>
          <SidePanel />
        </div>
        <Overlays />
        <Notice />
      </DropZone>
    </ViewContext.Provider>
  );
}
