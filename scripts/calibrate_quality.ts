/**
 * Calibration of the quality-flag thresholds (src/library/quality/flags.ts) on real photographs and degraded
 * copies of them (the set and its degradations: scripts/qualitySet.ts).
 * Usage: npx tsx scripts/calibrate_quality.ts [--dir ../shared/images/real] [--figures]
 *
 * It prints how often each flag fires on the originals and on each kind of degraded copy at the thresholds
 * in QUALITY_THRESHOLDS. With --figures it also prints every figure of every image, the raw material for
 * choosing the thresholds. It reads --dir only and writes nothing but stdout.
 */
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { technicalQuality } from '../src/scoring/technicalQuality';
import { flagReason, type QualityFlag } from '../src/library/quality/flags';
import { FLAGS, measureQualitySet, REAL_PHOTOS, VARIANTS } from './qualitySet';

const args = process.argv.slice(2);
const dirArg = args.indexOf('--dir');
const dir = resolve(dirArg >= 0 ? args[dirArg + 1] : REAL_PHOTOS);
const showFigures = args.includes('--figures');

const { files, figures } = await measureQualitySet(dir);
const counts = VARIANTS.map((variant) => new Map<QualityFlag, number>(FLAGS.map((f) => [f, figures.filter((x) => x.variant === variant.name && x.flags.includes(f)).length])));

const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
if (showFigures) {
  console.log('file\tvariant\tmeanLuma\thighlights\tshadows\tcontrast\tcolorfulness\tnoise\tsharpness\tpeak\tflags');
  for (const { file, variant, q, flags } of figures) {
    const cols = [q.meanLuma, q.clippedHighlights, q.clippedShadows, q.contrast, q.colorfulness, q.noise, q.sharpness, q.sharpnessPeak];
    console.log([file, variant, ...cols.map(fmt), flags.join(',')].join('\t'));
  }
  console.log();
}

console.log(`Quality flags at QUALITY_THRESHOLDS, ${files.length} photos from ${dir}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`Each cell: photos flagged / ${files.length}; the expected flag of each row is marked *.\n`);
console.log(`| variant | ${FLAGS.join(' | ')} |`);
console.log(`|---|${FLAGS.map(() => '---:').join('|')}|`);
for (const [v, variant] of VARIANTS.entries()) {
  const cells = FLAGS.map((f) => `${counts[v].get(f)}${variant.expects === f ? '*' : ''}`);
  console.log(`| ${variant.name} | ${cells.join(' | ')} |`);
}

console.log('\nOriginals flagged:');
for (const { file, variant, q, flags } of figures) {
  if (variant === VARIANTS[0].name) for (const f of flags) console.log(`- ${file}: ${flagReason(f, q)}`);
}

// Timing on the working resolution's typical landscape shape.
const first = await sharp(join(dir, files[0]))
  .resize({ width: 512, height: 384, fit: 'fill' })
  .ensureAlpha()
  .raw()
  .toBuffer();
const px = new Uint8Array(first.buffer, first.byteOffset, first.length);
for (let k = 0; k < 20; k++) technicalQuality(px, 512, 384);
const runs = 200;
const t0 = performance.now();
for (let k = 0; k < runs; k++) technicalQuality(px, 512, 384);
console.log(`\ntechnicalQuality on 512×384: ${((performance.now() - t0) / runs).toFixed(2)} ms per image (mean of ${runs})`);
