/**
 * Writing the cull into a sidecar that another tool already wrote (darktable's history, Lightroom's develop
 * settings, digiKam's tags): the rating, label and keywords are merged in and every other property is kept as
 * it was. What Loupe does not know is never taken away:
 * - the rating is written only when the cull says something of it: stars given here, a reject (-1), or a pick
 *   of a photo the other tool rejected (0). An unstarred pick, or a photo not touched here, keeps its rating;
 * - the label only when Loupe has one to write (a colour label, or the pick label);
 * - keywords are added to those already there (dc:subject and lr:hierarchicalSubject), never removed;
 * - Loupe's own loupe: properties are replaced whole.
 * XMP allows a simple property as an attribute of rdf:Description or as a child element, in any of several
 * rdf:Description elements (ExifTool writes one per namespace); both forms are read in every description.
 */
import type { ExportContext, ExportImage } from './types';
import { NS_DC, NS_LOUPE, NS_LR, NS_RDF, NS_XMP, toXmpSidecar, type XmpOptions } from './xmp';

const NS_XMLNS = 'http://www.w3.org/2000/xmlns/';

/** DOMParser and XMLSerializer in the browser; @xmldom/xmldom in Node. */
export interface XmlTools {
  parse(text: string): Document;
  serialize(doc: Document): string;
}

export class XmpMergeError extends Error {}

/** Keyword bags: merged as a union, kept in their order with the new ones after. */
const BAGS: readonly (readonly [string, string])[] = [
  [NS_DC, 'subject'],
  [NS_LR, 'hierarchicalSubject'],
];

const isBag = (ns: string | null, local: string) => BAGS.some(([n, l]) => n === ns && l === local);

function childElements(node: Element): Element[] {
  return Array.from(node.childNodes).filter((c): c is Element => c.nodeType === 1);
}

function descriptionsOf(rdf: Element): Element[] {
  return childElements(rdf).filter((e) => e.namespaceURI === NS_RDF && e.localName === 'Description');
}

/** Removes a property, as attribute or element, from every description; returns the removed elements. */
function removeProperty(descriptions: Element[], ns: string, local: string): Element[] {
  const removed: Element[] = [];
  for (const d of descriptions) {
    if (d.hasAttributeNS(ns, local)) d.removeAttributeNS(ns, local);
    for (const e of childElements(d)) {
      if (e.namespaceURI === ns && e.localName === local) {
        d.removeChild(e);
        removed.push(e);
      }
    }
  }
  return removed;
}

/** Every loupe: property, so a stale loupe:Error or loupe:Tags from an earlier export goes too. */
function removeLoupeProperties(descriptions: Element[]): void {
  for (const d of descriptions) {
    for (const a of Array.from(d.attributes)) if (a.namespaceURI === NS_LOUPE) d.removeAttributeNS(NS_LOUPE, a.localName);
    for (const e of childElements(d)) if (e.namespaceURI === NS_LOUPE) d.removeChild(e);
  }
}

function bagItems(property: Element): string[] {
  return Array.from(property.getElementsByTagNameNS(NS_RDF, 'li'), (li) => li.textContent ?? '');
}

/** Declares the prefix on the description unless it is already bound to that namespace there. */
function declare(target: Element, prefix: string, ns: string): void {
  if (target.lookupNamespaceURI(prefix) !== ns) target.setAttributeNS(NS_XMLNS, `xmlns:${prefix}`, ns);
}

function firstRdf(doc: Document): Element {
  const rdf = doc.getElementsByTagNameNS(NS_RDF, 'RDF')[0];
  if (!rdf) throw new XmpMergeError('not an XMP sidecar (no rdf:RDF)');
  return rdf;
}

/** The xmp:Rating the file has now (attribute or element form), or null. */
function existingRating(descriptions: Element[]): number | null {
  for (const d of descriptions) {
    const text = d.hasAttributeNS(NS_XMP, 'Rating') ? d.getAttributeNS(NS_XMP, 'Rating') : childElements(d).find((e) => e.namespaceURI === NS_XMP && e.localName === 'Rating')?.textContent;
    if (text != null && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  }
  return null;
}

/** Whether the cull's rating replaces the file's (see the rules above). */
function writesRating(image: ExportImage, current: number | null): boolean {
  if (image.stars > 0 || image.decision === 'reject' || current === null) return true;
  return image.decision === 'pick' && current < 0;
}

/** The properties Loupe would write for this photo, from the fresh sidecar it writes when there is none. */
function freshProperties(image: ExportImage, ctx: ExportContext, options: XmpOptions, xml: XmlTools, rating: boolean): Element[] {
  const description = descriptionsOf(firstRdf(xml.parse(toXmpSidecar(image, ctx, options))))[0];
  return childElements(description).filter((e) => rating || !(e.localName === 'Rating' && e.namespaceURI === NS_XMP));
}

/**
 * The existing sidecar's text with the cull merged in. Throws XmpMergeError for a file that is not XMP (it is
 * then left alone; overwriting it could destroy another tool's work).
 */
export function mergeXmpSidecar(existing: string, image: ExportImage, ctx: ExportContext, options: XmpOptions, xml: XmlTools): string {
  let doc: Document;
  try {
    doc = xml.parse(existing);
  } catch (err) {
    throw new XmpMergeError(`not readable as XML (${err instanceof Error ? err.message : String(err)})`);
  }
  if (doc.getElementsByTagName('parsererror').length > 0) throw new XmpMergeError('not readable as XML');
  const rdf = firstRdf(doc);
  let descriptions = descriptionsOf(rdf);
  if (descriptions.length === 0) {
    const created = doc.createElementNS(NS_RDF, 'rdf:Description');
    created.setAttributeNS(NS_RDF, 'rdf:about', '');
    rdf.appendChild(created);
    descriptions = [created];
  }
  const target = descriptions[0];
  const rating = writesRating(image, existingRating(descriptions));
  removeLoupeProperties(descriptions);
  for (const fresh of freshProperties(image, ctx, options, xml, rating)) {
    const ns = fresh.namespaceURI ?? '';
    const removed = ns === NS_LOUPE ? [] : removeProperty(descriptions, ns, fresh.localName);
    const node = doc.importNode(fresh, true) as Element;
    if (isBag(ns, fresh.localName)) {
      const have = removed.flatMap(bagItems);
      const added = bagItems(fresh).filter((item) => !have.includes(item));
      const bag = node.getElementsByTagNameNS(NS_RDF, 'Bag')[0];
      const template = bag.getElementsByTagNameNS(NS_RDF, 'li')[0];
      while (bag.firstChild) bag.removeChild(bag.firstChild);
      for (const item of [...have, ...added]) {
        const li = template.cloneNode(false) as Element;
        li.appendChild(doc.createTextNode(item));
        bag.appendChild(li);
      }
    }
    declare(target, fresh.prefix ?? '', ns);
    target.appendChild(node);
  }
  // Keywords already there stay even when Loupe has none to add (removeProperty only ran for what it writes).
  return xml.serialize(doc);
}
