/**
 * Code points XML 1.0 forbids even as character references (C0 controls other than tab, LF, CR; U+FFFE/U+FFFF),
 * plus UTF-16 surrogates with no partner, which cannot be encoded as UTF-8 at all.
 */
const NOT_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes text for element content or a double- or single-quoted attribute. CR becomes a character reference
 * because parsers otherwise normalise CRLF to LF and the text would not come back exactly. Characters XML cannot
 * carry become U+FFFD: a damaged character beats a sidecar no tool can open.
 */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return '&#xD;';
    }
  });
}
