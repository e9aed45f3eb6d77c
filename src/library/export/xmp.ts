import { finiteOrNull, formatNumber } from './numbers';
import type { ExportContext, ExportImage, ExportImageTag } from './types';
import { escapeXml } from './xmlEscape';

export { sidecarName, type SidecarNaming } from './sidecarName';

export const NS_X = 'adobe:ns:meta/';
export const NS_RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const NS_XMP = 'http://ns.adobe.com/xap/1.0/';
export const NS_DC = 'http://purl.org/dc/elements/1.1/';
/** Lightroom's namespace: lr:hierarchicalSubject holds keywords as "parent|child" paths. */
export const NS_LR = 'http://ns.adobe.com/lightroom/1.0/';
/** Under .invalid, a reserved TLD, so it can never clash with a namespace someone else registers. */
export const NS_LOUPE = 'https://loupe.invalid/ns/xmp/1.0/';

/**
 * "Green" is a name from Lightroom Classic's default label set (Red, Yellow, Green, Blue, Purple); Lightroom
 * matches xmp:Label by that text, and darktable and digiKam map the same English names to their colour labels.
 */
export const DEFAULT_PICK_LABEL = 'Green';

/** Lightroom, darktable and digiKam all read an xmp:Rating of -1 as "rejected". */
export const REJECT_RATING = -1;

/** The user's colour labels by Lightroom's default names (its keys 6–9). */
export const COLOUR_LABEL_XMP: Record<'red' | 'yellow' | 'green' | 'blue', string> = { red: 'Red', yellow: 'Yellow', green: 'Green', blue: 'Blue' };

export interface XmpOptions {
  /** xmp:Label written for picks that have no colour label of their own; null writes none. */
  pickLabel?: string | null;
}

/** Adobe's fixed packet id; the begin attribute holds a U+FEFF so a scanner can tell the byte encoding. */
const PACKET_BEGIN = '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>';
// Adobe pads embedded packets with whitespace so they can be edited in place; a sidecar is rewritten whole, so
// no padding is needed.
const PACKET_END = '<?xpacket end="w"?>';

export function xmpRating(image: ExportImage): number {
  return image.decision === 'reject' ? REJECT_RATING : image.stars;
}

function element(indent: string, name: string, value: string): string {
  return `${indent}<${name}>${escapeXml(value)}</${name}>`;
}

function optionalNumber(indent: string, name: string, value: number | null): string[] {
  return finiteOrNull(value) === null ? [] : [element(indent, name, formatNumber(value))];
}

/** The xmp:Label to write: the user's colour label, else the pick label for a pick, else none. */
export function xmpLabel(image: ExportImage, pickLabel: string | null): string | null {
  if (image.label && image.label !== 'none') return COLOUR_LABEL_XMP[image.label];
  return image.decision === 'pick' ? pickLabel : null;
}

/**
 * A tag as one level of Lightroom's keyword hierarchy. Lightroom reads "|" as a level separator, so a tag
 * holding one would turn into a parent and a child; it is written as "/" there (dc:subject keeps the tag as is).
 */
export function hierarchicalKeyword(tag: string): string {
  return tag.replace(/\|/g, '/');
}

function bag(name: string, items: string[]): string[] {
  return [`   <${name}>`, '    <rdf:Bag>', ...items.map((t) => element('     ', 'rdf:li', t)), '    </rdf:Bag>', `   </${name}>`];
}

/** The tags the image made the cut for: dc:subject (every tool) and lr:hierarchicalSubject (Lightroom's keyword list). */
function subjects(image: ExportImage): string[] {
  const assigned = image.tags.filter((t) => t.rank !== null).map((t) => t.tag);
  if (assigned.length === 0) return [];
  return [...bag('dc:subject', assigned), ...bag('lr:hierarchicalSubject', assigned.map(hierarchicalKeyword))];
}

function loupeTag(tag: ExportImageTag, ctx: ExportContext): string[] {
  const setting = ctx.tags.find((s) => s.tag === tag.tag);
  const i = '      ';
  return [
    '     <rdf:li rdf:parseType="Resource">',
    element(i, 'loupe:Tag', tag.tag),
    ...optionalNumber(i, 'loupe:Relevance', tag.relevance),
    ...optionalNumber(i, 'loupe:Rank', tag.rank),
    ...optionalNumber(i, 'loupe:Score', tag.score),
    ...optionalNumber(i, 'loupe:Threshold', setting ? setting.threshold : null),
    '     </rdf:li>',
  ];
}

function loupeTags(image: ExportImage, ctx: ExportContext): string[] {
  if (image.tags.length === 0) return [];
  return ['   <loupe:Tags>', '    <rdf:Seq>', ...image.tags.flatMap((t) => loupeTag(t, ctx)), '    </rdf:Seq>', '   </loupe:Tags>'];
}

/**
 * An XMP sidecar for one image. The standard properties carry the cull (xmp:Rating, xmp:Label, dc:subject for
 * the tags the image made the cut for); the loupe: namespace keeps what no standard property holds, such as the
 * stars of a rejected image and every tag's relevance, so another tool's round trip loses nothing of Loupe's.
 */
export function toXmpSidecar(image: ExportImage, ctx: ExportContext, options: XmpOptions = {}): string {
  const pickLabel = options.pickLabel === undefined ? DEFAULT_PICK_LABEL : options.pickLabel;
  const label = xmpLabel(image, pickLabel);
  const p = '   ';
  const lines = [
    PACKET_BEGIN,
    `<x:xmpmeta xmlns:x="${NS_X}" x:xmptk="${escapeXml(`Loupe ${ctx.appVersion}`)}">`,
    ` <rdf:RDF xmlns:rdf="${NS_RDF}">`,
    `  <rdf:Description rdf:about=""`,
    `    xmlns:xmp="${NS_XMP}"`,
    `    xmlns:dc="${NS_DC}"`,
    `    xmlns:lr="${NS_LR}"`,
    `    xmlns:loupe="${NS_LOUPE}">`,
    element(p, 'xmp:Rating', String(xmpRating(image))),
    ...(label === null ? [] : [element(p, 'xmp:Label', label)]),
    element(p, 'xmp:MetadataDate', ctx.createdAt.toISOString()),
    ...subjects(image),
    element(p, 'loupe:Decision', image.decision),
    element(p, 'loupe:Stars', String(image.stars)),
    ...optionalNumber(p, 'loupe:AestheticScore', image.aesthetic),
    element(p, 'loupe:ModelId', ctx.modelId),
    element(p, 'loupe:AppVersion', ctx.appVersion),
    element(p, 'loupe:ContentHash', image.contentHash),
    ...(image.error === null ? [] : [element(p, 'loupe:Error', image.error)]),
    ...loupeTags(image, ctx),
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    PACKET_END,
  ];
  return `${lines.join('\n')}\n`;
}
