/** Small pieces shared by the command-line entry points. */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { messageOf } from './modelDir';

/** A mistake in the command line: reported with the usage text and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs rejects unknown options and bad values with these codes: a usage mistake too. */
export function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

export function integerOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${raw}`);
  return value;
}

export function numberOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got ${raw}`);
  return value;
}

export interface Shard {
  index: number;
  count: number;
}

/** `i/n`, 0 ≤ i < n: the files whose position in the sorted list is ≡ i (mod n). */
export function parseShard(raw: string | undefined): Shard | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 0 && index < count)) throw new UsageError(`--shard must be i/n with 0 ≤ i < n, got ${raw}`);
  return { index, count };
}

export function inShard<T>(items: readonly T[], shard: Shard | undefined): T[] {
  return shard === undefined ? [...items] : items.filter((_, i) => i % shard.count === shard.index);
}

/** True when this module is the script node was started with (not imported by a test or another tool). */
export function isMainModule(importMetaUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(fileURLToPath(importMetaUrl)) === real(script);
}

/** How a command ends on an error: usage problems exit 2 with the usage text, everything else exits 1. */
export function failureExit(error: unknown, command: string, usage: string, log: (line: string) => void): 2 | 1 {
  const message = messageOf(error);
  if (error instanceof UsageError || isParseArgsError(error)) {
    log(`${message}\n${usage}`);
    return 2;
  }
  log(`${command}: ${message}`);
  return 1;
}

/** Runs a command when its file is the script Node was started with, and exits with its code. */
export function runIfMain(importMetaUrl: string, run: (argv: string[]) => Promise<{ exitCode: number }>): void {
  if (!isMainModule(importMetaUrl)) return;
  run(process.argv.slice(2)).then(
    (r) => process.exit(r.exitCode),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
