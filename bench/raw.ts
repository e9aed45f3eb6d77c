/**
 * RAW preview benchmark: files per second per core for readRawPreview (src/library/raw) on 25 MB
 * generated containers of each required format (test/helpers/rawContainers.ts: real JPEG previews,
 * pseudo-random raw data), single-threaded Node, Blobs from fs.openAsBlob read by slices as in the decode
 * worker. Writes bench/raw-results.json and prints a table (docs/camera-files.md quotes it).
 *
 *     npm run bench:raw
 */
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRawPreview, type RawFormat } from '../src/library/raw';
import { REQUIRED_FORMATS, writeRawContainer } from '../test/helpers/rawContainers';

const FILE_BYTES = 25 * 1024 * 1024;
/** Each format runs at least this long and this many files. */
const MIN_MS = 1500;
const MIN_FILES = 50;
const TARGET_FILES_PER_SECOND = 50;

interface Row {
  format: RawFormat;
  fileMB: number;
  files: number;
  filesPerSecond: number;
  /** Process CPU time (main thread and libuv's file-reading threads) per file. */
  cpuMsPerFile: number;
  /** Files per second per CPU-second: the rate one core sustains. */
  filesPerCpuSecond: number;
  msPerFile: { median: number; p95: number };
  bytesReadPerFile: number;
  slicesPerFile: number;
}

/** The Blob with its slice reads counted (one pass, outside the timed loop). */
function counting(blob: Blob, stats: { bytes: number; slices: number }): Blob {
  const wrap = (b: Blob): Blob =>
    ({
      size: b.size,
      slice: (start?: number, end?: number) => wrap(b.slice(start, end)),
      arrayBuffer: async () => {
        const ab = await b.arrayBuffer();
        stats.bytes += ab.byteLength;
        stats.slices++;
        return ab;
      },
    }) as unknown as Blob;
  return wrap(blob);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function bench(format: RawFormat, path: string, size: number): Promise<Row> {
  const once = async (blob: Blob) => {
    const r = await readRawPreview(blob, format);
    if (!r.ok) throw new Error(r.reason);
  };
  for (let i = 0; i < 10; i++) await once(await openAsBlob(path)); // warm-up: JIT, page cache
  const stats = { bytes: 0, slices: 0 };
  await once(counting(await openAsBlob(path), stats));

  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (times.length < MIN_FILES || performance.now() - t0 < MIN_MS) {
    const t = performance.now();
    await once(await openAsBlob(path));
    times.push(performance.now() - t);
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  times.sort((a, b) => a - b);
  return {
    format,
    fileMB: size / 2 ** 20,
    files: times.length,
    filesPerSecond: (times.length / wallMs) * 1000,
    cpuMsPerFile: cpuMs / times.length,
    filesPerCpuSecond: (times.length / cpuMs) * 1000,
    msPerFile: { median: quantile(times, 0.5), p95: quantile(times, 0.95) },
    bytesReadPerFile: stats.bytes,
    slicesPerFile: stats.slices,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-raw-'));
const rows: Row[] = [];
try {
  for (const format of REQUIRED_FORMATS) {
    // Raw data fills the file to 25 MB; previews and metadata come first, as cameras write them.
    const probe = await writeRawContainer(dir, format, { rawBytes: 0 }, `probe-${format}`);
    rmSync(probe.path);
    const g = await writeRawContainer(dir, format, { rawBytes: FILE_BYTES - probe.size, sparse: false }, `bench-${format}`);
    rows.push(await bench(format, g.path, g.size));
    rmSync(g.path);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const slowest = Math.min(...rows.map((r) => r.filesPerSecond));
const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadavg: loadavg(),
  setup: 'single-threaded Node; 25 MB generated containers; Blob from fs.openAsBlob, read by slices; files in the page cache',
  targetFilesPerSecondPerCore: TARGET_FILES_PER_SECOND,
  slowestFilesPerSecond: slowest,
  meetsTarget: slowest >= TARGET_FILES_PER_SECOND,
  rows,
};
writeFileSync(join(import.meta.dirname, 'raw-results.json'), JSON.stringify(results, null, 2) + '\n');

const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
console.log(line(['format', 'file', 'files/s (1 core)', 'files per CPU-second', 'ms/file median (p95)', 'KB read/file', 'slices/file']));
console.log(line(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
for (const r of rows) {
  console.log(
    line([
      r.format,
      `${r.fileMB.toFixed(1)} MB`,
      r.filesPerSecond.toFixed(0),
      r.filesPerCpuSecond.toFixed(0),
      `${r.msPerFile.median.toFixed(2)} (${r.msPerFile.p95.toFixed(2)})`,
      (r.bytesReadPerFile / 1024).toFixed(0),
      String(r.slicesPerFile),
    ]),
  );
}
console.log(`\nslowest ${slowest.toFixed(0)} files/s; target ${TARGET_FILES_PER_SECOND}: ${results.meetsTarget ? 'met' : 'NOT met'} (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
