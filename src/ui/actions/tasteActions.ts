/** Learning the user's taste for the tag being ranked (docs/taste.md). */
import { trainTaste } from '../../state/taste';
import { plain } from './keys';
import { EVERYWHERE, type Action } from './types';

export const learnTaste: Action = {
  id: 'learn-taste',
  label: 'Learn my taste',
  detail: 'train a head for the active tag on my picks, rejects and stars',
  group: 'Rank',
  keys: [plain('t')],
  scopes: EVERYWHERE,
  // Learns, or relearns, the head of the tag the grid is ranked by.
  enabled: (ctx) => ctx.view.tag !== null,
  perform: (ctx) => (ctx.view.tag ? trainTaste(ctx.view.tag) : undefined),
};
