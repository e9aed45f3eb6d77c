import { DropZone } from './DropZone';
import { EngineBanner } from './EngineBanner';
import { Grid } from './Grid';
import { Header } from './Header';
import { ProgressBar } from './ProgressBar';

export function App() {
  return (
    <DropZone>
      <Header />
      <EngineBanner />
      <ProgressBar />
      <Grid />
    </DropZone>
  );
}
