/** What the storage panel offers: asking the browser to keep the data, and deleting the downloaded models. */
import { askToKeepData, deleteDownloadedModels, useStorage } from '../../state/storage';
import { EVERYWHERE, type Action } from './types';

export const keepData: Action = {
  id: 'keep-data',
  label: 'Keep my data on this device',
  detail: 'ask the browser not to clear the models and the library when space runs low',
  group: 'View',
  keys: [],
  scopes: EVERYWHERE,
  enabled: () => useStorage.getState().facts?.persisted !== true,
  perform: () => void askToKeepData('asked-by-user'),
};

export const deleteModels: Action = {
  id: 'delete-models',
  label: 'Delete the downloaded models',
  detail: 'frees their space; the model in use stays loaded until the page is reloaded, then is downloaded again (decisions, scores and thumbnails are kept)',
  group: 'View',
  keys: [],
  scopes: EVERYWHERE,
  enabled: () => (useStorage.getState().facts?.modelBytes ?? 0) > 0,
  perform: (ctx) => {
    void deleteDownloadedModels().then(() => ctx.ui.notify('The downloaded models were deleted; your decisions, scores and thumbnails are kept.'));
  },
};
