import { DropZone } from './DropZone';
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
import { Toolbar } from './Toolbar';
import { GroupBar } from './GroupBar';
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
        <TagBar />
        <Toolbar />
        <GroupBar />
        <Grid />
        <Overlays />
        <Notice />
      </DropZone>
    </ViewContext.Provider>
  );
}
