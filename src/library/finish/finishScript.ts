/**
 * Finish where the browser cannot write into folders (Firefox, Safari): a bash script (Linux, macOS, Windows'
 * Git Bash or WSL) that does what the dialog would. It copies each keeper's files into the archive folder,
 * skips a file already there with the same SHA-256, leaves one with other bytes alone, checks every copy, and
 * writes each sidecar where none is (bash cannot merge XMP: one already there is left and reported). With the
 * rejects to be set aside, it moves them into "_rejects" beside them: a rename, nothing is deleted.
 * Paths are single-quoted for the shell, so no file name can run a command.
 */
import type { ArchivePlan } from './archivePlan';
import { rejectsFolderOf } from './archivePlan';

/** Single-quoted for POSIX shells: ' becomes '\''. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface FinishScriptInput {
  plan: ArchivePlan;
  /** Each sidecar's text, by its archive path ("2026/2026-12-03/IMG_1.xmp"). */
  sidecars: Map<string, string>;
  /** Paths of the rejects to move into "_rejects"; empty leaves them alone. */
  rejects: string[];
  /** The dropped folder's name, for the usage line. */
  sourceName: string;
}

const HEADER = `#!/usr/bin/env bash
# Made by Loupe's Finish. Usage: bash THIS_SCRIPT <folder that holds the dropped folder> <archive folder>
set -u
SRC="\${1:?usage: bash $0 <folder that holds the dropped folder> <archive folder>}"
DEST="\${2:?usage: bash $0 <folder that holds the dropped folder> <archive folder>}"
copied=0; skipped=0; failed=0; moved=0; ok=1
fail() { echo "$1"; failed=$((failed + 1)); ok=0; }
sha() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi; }
size() { wc -c < "$1" | tr -d ' '; }
# copy_checked <source, in SRC> <folder, in DEST> <name>
copy_checked() {
  local from="$SRC/$1" dir="$DEST/$2" to="$DEST/$2/$3"
  if [ ! -f "$from" ]; then fail "missing: $1"; return; fi
  mkdir -p "$dir" || { fail "cannot make the folder $2"; return; }
  if [ -e "$to" ]; then
    if [ "$(sha "$from")" = "$(sha "$to")" ]; then skipped=$((skipped + 1)); else fail "left alone (a different file is already there): $2/$3"; fi
    return
  fi
  if cp -p "$from" "$to.loupe-part" && [ "$(size "$from")" = "$(size "$to.loupe-part")" ] && [ "$(sha "$from")" = "$(sha "$to.loupe-part")" ]; then
    mv "$to.loupe-part" "$to"; copied=$((copied + 1))
  else
    rm -f "$to.loupe-part"; fail "copy failed its check: $1"
  fi
}
# sidecar <folder, in DEST> <name>, its text on stdin; only beside a keeper whose files all copied
sidecar() {
  local to="$DEST/$1/$2"
  if [ "$ok" != 1 ]; then cat > /dev/null; return; fi
  if [ -e "$to" ]; then cat > /dev/null; echo "sidecar already there, left as it is: $1/$2"; return; fi
  cat > "$to"
}
# set_aside <path, in SRC> <its _rejects folder, in SRC>
set_aside() {
  if [ ! -f "$SRC/$1" ]; then return; fi
  mkdir -p "$SRC/$2" && mv -n "$SRC/$1" "$SRC/$2/" && moved=$((moved + 1))
}
`;

export function finishScript({ plan, sidecars, rejects, sourceName }: FinishScriptInput): string {
  const lines = [HEADER, `# ${plan.photos} keepers, ${plan.files} files, from “${sourceName.replace(/[\r\n]/g, ' ')}”.`];
  let marker = 0;
  for (const unit of plan.units) {
    const folder = shellQuote(unit.folder.join('/') || '.');
    lines.push('ok=1');
    for (const f of unit.files) lines.push(`copy_checked ${shellQuote(f.source.path)} ${folder} ${shellQuote(f.name)}`);
    for (const name of unit.sidecars) {
      const text = sidecars.get([...unit.folder, name].join('/'));
      if (text === undefined) continue;
      // A quoted here-document: nothing in it is expanded. Its end marker cannot occur in the XMP.
      const end = `LOUPE_XMP_${++marker}_END`;
      lines.push(`sidecar ${folder} ${shellQuote(name)} <<'${end}'`, text.replace(/\n$/, ''), end);
    }
  }
  for (const path of rejects) lines.push(`set_aside ${shellQuote(path)} ${shellQuote(rejectsFolderOf(path))}`);
  lines.push('echo "Copied $copied, already there $skipped, set aside $moved, problems $failed."', '[ "$failed" -eq 0 ]', '');
  return lines.join('\n');
}
