#!/usr/bin/python3
"""Writes test/fixtures/tokenizer/ids.json: reference CLIP token ids for a set of phrases.

This is an independent re-implementation of CLIP's byte-level BPE tokenizer, built
only from OpenAI's merges file (bpe_simple_vocab_16e6.txt.gz), so that the TypeScript
tokenizer (which goes through @huggingface/tokenizers and tokenizer.json) is checked
against something that shares no code or data file with it.

Run with Debian's python (needs the `regex` module: apt-get install python3-regex):

    /usr/bin/python3 scripts/make_tokenizer_fixtures.py [--merges PATH] [--out PATH]

Two text pipelines are implemented:

* "hf" (written to `ids`): what Hugging Face's tokenizer.json for
  openai/clip-vit-base-patch32 does, i.e. what Transformers / Transformers.js feed the
  ONNX text model. The app must reproduce this.
* "openai" (written to `openaiOriginal`, only where it differs from "hf"): OpenAI's
  original clip.simple_tokenizer pipeline, minus ftfy (see below).

How the two pipelines differ (all verified by reading tokenizer.json, and by the
phrases in PHRASES that exercise each point):

1. HTML entities. OpenAI runs html.unescape twice ("&amp;" -> "&"); tokenizer.json has no
   such step, so "rock &amp; roll" is tokenised as "&", "amp", ";" by HF.
2. ftfy. OpenAI runs ftfy.fix_text first: it repairs mojibake, turns curly quotes into
   straight ones, full-width forms into ASCII, ligatures into letters, and finishes with
   NFC. tokenizer.json only does NFC. ftfy is not packaged for Debian bookworm and PyPI is
   unreachable here, so the "openai" pipeline below applies NFC only; the phrases with
   curly quotes / full-width letters therefore show the HF behaviour in both pipelines,
   and the real OpenAI tokenizer would differ on them.
3. Lower-casing. Python's str.lower() (OpenAI) is context-sensitive for capital sigma
   (word-final "Σ" -> "ς"); the Rust tokenizers crate lower-cases char by char
   (`char::to_lowercase`), so "Σ" always becomes "σ". "hf" below lower-cases per code
   point to match Rust.
4. Whitespace. OpenAI strips and collapses `\\s` runs (the `regex` module's `\\s`, which is
   Unicode White_Space); HF replaces Oniguruma-`\\s` runs (also White_Space) with one space
   and never strips. The pre-tokenizer drops whitespace anyway, so the ids agree. Note that
   JavaScript's `\\s` is NOT White_Space (it adds U+FEFF and lacks U+0085), which matters
   for the JS library; "hf" spells out \\p{White_Space} so it cannot drift either way.
5. Special-token text typed by the user. Both map a literal "<|startoftext|>" /
   "<|endoftext|>" in the text to ids 49406 / 49407. HF matches "<|endoftext|>" before
   normalisation (its added token has normalized=false), so an upper-case
   "<|ENDOFTEXT|>" is ordinary text for HF but the special id for OpenAI (which
   lower-cases first).
6. Padding. OpenAI pads with 0, HF with the pad token 49407. The fixtures store the
   unpadded sequence (start token, tokens, end token, untruncated); the test adds the
   padding/truncation rule (pad with 49407 to 77 ids; when too long, keep the start
   token and the first 75 content tokens and put 49407 at index 76).

Unknown characters cannot occur in either pipeline: every character is encoded as UTF-8
bytes, and every byte has a vocabulary entry.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import sys
import unicodedata

try:
    import regex
except ImportError:  # the stdlib `re` has no \p{L}; refusing beats silently wrong fixtures
    sys.exit("needs the `regex` module: apt-get install -y python3-regex")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_MERGES = os.path.join(
    REPO, "..", "shared", "models", "clip-vit-base-patch32", "bpe_simple_vocab_16e6.txt.gz"
)
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures", "tokenizer", "ids.json")

SOT = "<|startoftext|>"
EOT = "<|endoftext|>"
CONTEXT_LENGTH = 77


def byte_to_char_table() -> list[str]:
    """Maps each byte to a printable character, so BPE can work on text, not bytes.

    Bytes that are already visible Latin-1 characters keep their own code point; the
    rest (control codes, space, a few Latin-1 gaps) are moved to 256 and up, in byte
    order. This is GPT-2's scheme, which CLIP's vocabulary is written in.
    """
    keeps_itself = (
        set(range(ord("!"), ord("~") + 1))
        | set(range(ord("¡"), ord("¬") + 1))
        | set(range(ord("®"), ord("ÿ") + 1))
    )
    table: list[str] = []
    shifted = 0
    for b in range(256):
        if b in keeps_itself:
            table.append(chr(b))
        else:
            table.append(chr(256 + shifted))
            shifted += 1
    return table


class ClipBpe:
    def __init__(self, merges_path: str) -> None:
        with gzip.open(merges_path, "rt", encoding="utf-8") as f:
            lines = f.read().split("\n")
        # Line 0 is a version header. CLIP's vocabulary has 49152 BPE entries, of which
        # 256 are single bytes and 2 are special tokens, so it uses that many merges and
        # ignores the rest of the file.
        n_merges = 49152 - 256 - 2
        merges = [tuple(line.split()) for line in lines[1 : 1 + n_merges]]
        assert len(merges) == n_merges and all(len(m) == 2 for m in merges)
        self.rank = {pair: i for i, pair in enumerate(merges)}

        self.byte_char = byte_to_char_table()
        # Vocabulary order (hence every id) follows GPT-2's table construction: the bytes
        # that keep their own character come first, in byte order, then the shifted ones.
        base = sorted(self.byte_char, key=lambda c: (ord(c) >= 256, ord(c)))
        tokens = list(base)
        tokens += [c + "</w>" for c in base]
        tokens += [a + b for a, b in merges]
        tokens += [SOT, EOT]
        assert len(tokens) == 49408
        self.id_of = {t: i for i, t in enumerate(tokens)}
        assert self.id_of[SOT] == 49406 and self.id_of[EOT] == 49407

    def word_to_symbols(self, word: str) -> list[str]:
        """Greedy BPE: keep merging the adjacent pair with the lowest merge rank."""
        symbols = list(word)
        # The end-of-word marker rides on the last symbol, so word-final pieces are
        # distinct tokens from word-internal ones.
        symbols[-1] = symbols[-1] + "</w>"
        while len(symbols) > 1:
            best = None
            best_rank = None
            for pair in zip(symbols, symbols[1:]):
                r = self.rank.get(pair)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = pair, r
            if best is None:
                break
            merged: list[str] = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    merged.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        return symbols

    def piece_to_ids(self, piece: str) -> list[int]:
        word = "".join(self.byte_char[b] for b in piece.encode("utf-8"))
        return [self.id_of[s] for s in self.word_to_symbols(word)]


# CLIP's pre-tokenisation: the special strings, English contractions, runs of letters,
# single digits (so numbers are spelled digit by digit), and runs of anything else that is
# not whitespace. Whitespace itself never becomes a token.
_SPECIALS = r"<\|startoftext\|>|<\|endoftext\|>"
_CONTRACTIONS = r"'s|'t|'re|'ve|'m|'ll|'d"
HF_SPLIT = regex.compile(
    _SPECIALS + "|" + _CONTRACTIONS + r"|\p{L}+|\p{N}|[^\p{White_Space}\p{L}\p{N}]+"
)
# The Rust ByteLevel pre-tokenizer (use_regex=true) splits each piece again with GPT-2's
# pattern. On CLIP's pieces it only changes anything for a special string that reached
# the pre-tokenizer as ordinary text (see point 5 above), but it is cheap to mirror.
HF_BYTELEVEL_SPLIT = regex.compile(
    _CONTRACTIONS
    + r"| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+"
)
OPENAI_SPLIT = regex.compile(
    _SPECIALS + "|" + _CONTRACTIONS + r"|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", regex.IGNORECASE
)
WHITE_SPACE_RUN = regex.compile(r"\p{White_Space}+")


def split_keeping(text: str, token: str) -> list[str]:
    """Splits text around every occurrence of token, keeping the token as its own part."""
    parts: list[str] = []
    for i, chunk in enumerate(text.split(token)):
        if i > 0:
            parts.append(token)
        if chunk:
            parts.append(chunk)
    return parts


def hf_normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = WHITE_SPACE_RUN.sub(" ", text)
    # Per code point, like Rust's char::to_lowercase (see point 3 in the module docstring).
    return "".join(ch.lower() for ch in text)


def encode_hf(bpe: ClipBpe, text: str) -> list[int]:
    ids = [bpe.id_of[SOT]]
    # tokenizer.json: "<|endoftext|>" is an added token with normalized=false, so it is
    # cut out of the raw text; "<|startoftext|>" has normalized=true, so it is looked for
    # in the normalised text.
    for raw in split_keeping(text, EOT):
        if raw == EOT:
            ids.append(bpe.id_of[EOT])
            continue
        for part in split_keeping(hf_normalize(raw), SOT):
            if part == SOT:
                ids.append(bpe.id_of[SOT])
                continue
            for piece in HF_SPLIT.findall(part):
                for sub in HF_BYTELEVEL_SPLIT.findall(piece):
                    ids.extend(bpe.piece_to_ids(sub))
    ids.append(bpe.id_of[EOT])
    return ids


def encode_openai(bpe: ClipBpe, text: str) -> list[int]:
    # ftfy.fix_text would run first; it is unavailable here (see point 2), and its final
    # step is NFC, which is the part that matters for well-formed input.
    text = unicodedata.normalize("NFC", text)
    text = html.unescape(html.unescape(text)).strip()
    text = regex.sub(r"\s+", " ", text).strip().lower()
    ids = [bpe.id_of[SOT]]
    for piece in OPENAI_SPLIT.findall(text):
        if piece in (SOT, EOT):
            ids.append(bpe.id_of[piece])
        else:
            ids.extend(bpe.piece_to_ids(piece))
    ids.append(bpe.id_of[EOT])
    return ids


LONG_PHRASE = " ".join(
    [
        "a breathtaking long exposure photograph of a misty mountain lake at dawn,",
        "with soft golden light spilling over jagged peaks, reflections shimmering on",
        "perfectly still water, a lone wooden rowing boat tied to a weathered pier,",
        "pine forests fading into layers of blue haze, wisps of fog drifting between",
        "the trees, a pair of herons taking flight near the reeds, dew glistening on",
        "the grass in the foreground, shot on a full frame camera with a wide angle",
        "lens at f/11 for 30 seconds, rich dynamic range, subtle film grain, award",
        "winning landscape composition in the style of classic national park posters",
    ]
)

# Ordered list: the required categories first, then cases chosen because some
# implementation gets them wrong (each commented).
PHRASES: list[str] = [
    "a photo of a cat",
    "A PHOTO Of A Dog",
    "hello, world! isn't it great?...",
    "café crème brûlée, naïve résumé",
    "sunset 🌅 over the sea 🌊",
    "3 cats and 42 dogs in 2024",
    "  lots \t of\n\nwhite   space \r\n here  ",
    "rock &amp; roll",
    "東京の夜景 and 서울 and Москва",
    LONG_PHRASE,
    "",
    "it's the dog's bone, we'll see",
    # Same words as the accents phrase, typed with combining accents (NFD): NFC must
    # turn them back into the same ids.
    unicodedata.normalize("NFD", "café crème brûlée"),
    # Capital sigma at the end of a word: JS String#toLowerCase gives "ς" there, the
    # Rust tokenizer (char by char) gives "σ".
    "ΟΔΟΣ ΣΟΦΙΑΣ",
    # Curly quotes and full-width letters: ftfy would straighten/narrow them, HF does not.
    "it\u2019s \u201cquoted\u201d \uff21\uff22\uff23\uff11\uff12",
    # Non-breaking and ideographic spaces are White_Space, so they separate words.
    "no\u00a0break\u3000wide space",
    # U+FEFF is whitespace to JavaScript's \s but not to Unicode White_Space / Oniguruma.
    "bom\ufeffinside !\ufeff? end",
    # Apostrophe forms that are not contractions in CLIP's list, plus upper-case ones.
    "'quoted' rock'n'roll DON'T I'M YOU'RE THEY'VE SHE'D",
    # Literal special-token text in user input.
    "a <|endoftext|> b <|startoftext|> c <|ENDOFTEXT|>",
    # Mixed digits/letters and symbols.
    "iso-3200 f/2.8 1/250s 50mm #bokeh @home 100% $5",
]


def readable_json_string(text: str) -> str:
    """JSON string that keeps visible non-ASCII (CJK, accents, emoji) readable but escapes
    invisible or combining characters, which an editor would otherwise silently hide."""
    out = []
    for ch in json.dumps(text, ensure_ascii=False):
        if ord(ch) > 127 and unicodedata.category(ch)[0] in "ZCM":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def dump_one_line_per_phrase(obj: dict) -> str:
    """JSON with one phrase per line, so a changed id shows up as a one-line diff."""

    def block(mapping: dict[str, list[int]]) -> str:
        if not mapping:
            return "{}"
        rows = [
            f"  {readable_json_string(k)}: {json.dumps(v, separators=(',', ':'))}"
            for k, v in mapping.items()
        ]
        return "{\n" + ",\n".join(rows) + "\n }"

    head = ",\n".join(
        f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
        for k, v in obj.items()
        if not isinstance(v, dict)
    )
    maps = ",\n".join(f" {json.dumps(k)}: {block(v)}" for k, v in obj.items() if isinstance(v, dict))
    text = "{\n" + head + ",\n" + maps + "\n}\n"
    assert json.loads(text) == obj
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--merges", default=DEFAULT_MERGES)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()

    bpe = ClipBpe(args.merges)
    ids: dict[str, list[int]] = {}
    openai: dict[str, list[int]] = {}
    for phrase in PHRASES:
        hf = encode_hf(bpe, phrase)
        ids[phrase] = hf
        orig = encode_openai(bpe, phrase)
        if orig != hf:
            openai[phrase] = orig

    assert len(ids[LONG_PHRASE]) > CONTEXT_LENGTH + 20, "long phrase must force truncation"
    assert ids[""] == [49406, 49407]

    out = {
        "about": (
            "Written by scripts/make_tokenizer_fixtures.py from OpenAI's merges file. "
            "`ids`: Hugging Face tokenizer.json behaviour, unpadded and untruncated "
            "(start token, tokens, end token). `openaiOriginal`: OpenAI's original "
            "pipeline without ftfy, only for phrases where it differs."
        ),
        "contextLength": CONTEXT_LENGTH,
        "ids": ids,
        "openaiOriginal": openai,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(dump_one_line_per_phrase(out))
    print(f"wrote {len(ids)} phrases ({len(openai)} differ from OpenAI's pipeline) to {args.out}")


if __name__ == "__main__":
    main()
