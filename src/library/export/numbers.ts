/**
 * NaN and ±Infinity have no spelling in JSON, and XMP/CSV readers would take "NaN" as text, so every exporter
 * treats a non-finite number as unknown.
 */
export function finiteOrNull(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/**
 * JavaScript's shortest round-trip form: full precision, always a dot decimal whatever the user's locale, and it
 * parses back to the identical double.
 */
export function formatNumber(n: number | null | undefined): string {
  const v = finiteOrNull(n);
  return v === null ? '' : String(v);
}
