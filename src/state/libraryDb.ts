import { openLibraryDb } from '../library/persistence';

/** The app's one library database (images, embeddings, session, taste heads). */
export const db = openLibraryDb();
