/**
 * The tags offered before the user types anything. AVA's 66 semantic categories keep their exact AVA names
 * (REFERENCE §5): the tag-conditioned head is trained and evaluated on AVA pairs by those names, so a built-in
 * tag must be the same text the head saw. A few everyday photo tags are added where AVA has no category for
 * the idea; near-synonyms of an AVA name ("portrait" for Portraiture, "food" for Food and Drink, "selfie"
 * for Self Portrait) are left out so the list never offers the same idea twice — free text covers them.
 */

export interface TagGroup {
  readonly group: string;
  readonly tags: readonly string[];
}

/** AVA's 66 semantic category names, as AVA spells them. */
export const AVA_SEMANTIC_TAGS: readonly string[] = Object.freeze([
  'Abstract', 'Action', 'Advertisement', 'Analog', 'Animals', 'Architecture', 'Astrophotography', 'Birds',
  'Black and White', 'Blur', 'Camera Phones', 'Candid', 'Children', 'Cityscape', 'Digital Art',
  'Diptych / Triptych', 'DPChallenge GTGs', 'Emotive', 'Family', 'Fashion', 'Fish Eye', 'Floral',
  'Food and Drink', 'High Dynamic Range (HDR)', 'History', 'Horror', 'Humorous', 'Infrared', 'Insects, etc',
  'Interior', 'Landscape', 'Lensbaby', 'Macro', 'Maternity', 'Military', 'Music', 'Nature', 'Nude', 'Overlays',
  'Panoramic', 'Performance', 'Persuasive', 'Photo-Impressionism', 'Photojournalism', 'Pinhole/Zone Plate',
  'Political', 'Portraiture', 'Rural', 'Science and Technology', 'Seascapes', 'Self Portrait', 'Sky',
  'Snapshot', 'Sports', 'Still Life', 'Street', 'Studio', 'Texture Library', 'Textures', 'Traditional Art',
  'Transportation', 'Travel', 'Urban', 'Vintage', 'Water', 'Wedding',
]);

/**
 * Grouped for the tag picker: what is in the picture (people; animals and plants; places; things and
 * topics), how it was made (techniques), and what kind of picture it is (genres and moods). Each AVA name
 * sits in exactly one group; lower-case entries are the additions.
 */
export const BUILTIN_TAG_GROUPS: readonly TagGroup[] = Object.freeze([
  {
    group: 'People',
    tags: ['Portraiture', 'Self Portrait', 'Candid', 'Children', 'Family', 'Maternity', 'Wedding', 'Fashion',
      'Nude', 'people', 'crowd'],
  },
  {
    group: 'Animals and plants',
    tags: ['Animals', 'Birds', 'Insects, etc', 'Floral', 'Nature', 'pet', 'dog', 'cat', 'trees'],
  },
  {
    group: 'Places',
    tags: ['Landscape', 'Seascapes', 'Cityscape', 'Urban', 'Rural', 'Street', 'Architecture', 'Interior', 'Sky',
      'Water', 'Travel', 'beach', 'mountains', 'forest', 'sunset', 'night', 'snow'],
  },
  {
    group: 'Things and topics',
    tags: ['Food and Drink', 'Still Life', 'Transportation', 'Science and Technology', 'Music', 'Military',
      'History', 'Political', 'car'],
  },
  {
    group: 'Techniques',
    tags: ['Black and White', 'Macro', 'Blur', 'High Dynamic Range (HDR)', 'Fish Eye', 'Lensbaby',
      'Pinhole/Zone Plate', 'Infrared', 'Panoramic', 'Astrophotography', 'Overlays', 'Diptych / Triptych',
      'Camera Phones', 'Analog', 'Photo-Impressionism', 'Studio', 'Textures', 'Texture Library',
      'long exposure', 'silhouette', 'bokeh', 'minimalism'],
  },
  {
    group: 'Genres and moods',
    tags: ['Action', 'Sports', 'Performance', 'Photojournalism', 'Snapshot', 'DPChallenge GTGs', 'Abstract',
      'Emotive', 'Humorous', 'Horror', 'Vintage', 'Advertisement', 'Persuasive', 'Digital Art',
      'Traditional Art', 'illustration', '3D render'],
  },
].map((g) => Object.freeze({ group: g.group, tags: Object.freeze(g.tags) })));

/** Every built-in tag once, in picker order. */
export const ALL_BUILTIN_TAGS: readonly string[] = Object.freeze(BUILTIN_TAG_GROUPS.flatMap((g) => g.tags));
