#!/usr/bin/env python3
"""Checks on kumihan's PDFs, read back only through external tools:
poppler (pdftotext, pdffonts, pdfinfo), MuPDF (mutool), qpdf.

  pdfcheck.py roundtrip PDF EXPECTED    text of EXPECTED appears, in order
  pdfcheck.py kinsoku PDF               no line starts/ends with a prohibited char
  pdfcheck.py justify PDF LEFT MEASURE EM   line edges on the grid and measure
  pdfcheck.py jwgap PDF EM              Japanese-Western gaps are a quarter em
  pdfcheck.py fonts PDF                 every font embedded, subset, with ToUnicode
  pdfcheck.py info PDF KEY=VALUE...     pdfinfo fields
  pdfcheck.py render PDF                mutool draws every page without a warning
  pdfcheck.py pngdiff A.png B.png MAX   at most MAX (fraction) of pixels differ
  pdfcheck.py outline PDF EXPECTED      the outline (mutool) is EXPECTED's tree
  pdfcheck.py fullwidth PDF CHARS EM    each of CHARS is set one em wide (mutool)
  pdfcheck.py headings PDF FONT         no page ends with a heading (a line all
                                        in FONT, e.g. Gothic-Bold)
  pdfcheck.py breaks PDF LEFT EM        no paragraph leaves one line alone at a
                                        page's foot or head
  pdfcheck.py links PDF URL...          exactly these link annotations (qpdf)
  pdfcheck.py gaps PDF EM               no line spaced out beyond the caps (mutool):
                                        at most a quarter em added between two
                                        Japanese characters, Japanese-Western
                                        space at most half an em, no letter-
                                        spacing inside Western words but where
                                        nothing else can take it
  pdfcheck.py hyphens PDF RIGHT N       at least N lines (none when N is 0) end in a
                                        hyphenated Western word: the hyphen in
                                        the word's font, on the measure; the
                                        word whole in pdftotext's text
  pdfcheck.py phrases PDF LINE...       each LINE (a heading broken at phrase
                                        boundaries) is a line of the PDF
  pdfcheck.py indent PDF LEFT EM TEXT   the line starting with TEXT (after a
                                        U+3000) has its ink exactly one em in
  pdfcheck.py hang PDF RIGHT N          ぶら下げ: at least N lines end with 、。
                                        set just past the measure's RIGHT edge,
                                        and nothing else passes it
  pdfcheck.py figures PDF               numbers that end at the same x (a right-
                                        aligned column) have every digit at the
                                        same x, counted from the right
  pdfcheck.py tight PDF MAX PAIR...     each two-character PAIR is set at most
                                        MAX pt apart (0: solid)
  pdfcheck.py qdf PDF REGEX...          each REGEX is found in qpdf's QDF form

Each exits 1 with a message naming what failed.
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

import pdftools
from pdftools import fail

# JLReq line-start prohibited characters: cl-02 closing brackets, cl-03
# hyphens, cl-04 dividing punctuation, cl-05 middle dots, cl-06 full stops,
# cl-07 commas, cl-09 iteration marks, cl-10 prolonged sound mark, cl-11
# small kana (strict).  Line-end prohibited: cl-01 opening brackets.
CLOSING = "’”）〕］｝〉》」』】〙〗〟｠»)]}"
START_PROHIBITED = (CLOSING + "‐〜゠–！？‼⁇⁈⁉・：；。．、，ヽヾゝゞ々〻ー"
                    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ")
END_PROHIBITED = "‘“（〔［｛〈《「『【〘〖〝｟«([{"
STOPS = CLOSING + "。．、，"


def run(*args):
    return pdftools.run(*args, stderr=True)


def squash(s):
    return re.sub(r"\s+", "", s)


def cmd_roundtrip(pdf, expected):
    text, _ = run("pdftotext", "-enc", "UTF-8", pdf, "-")
    got = squash(text)
    pos = 0
    with open(expected, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            line = re.sub(r"^(#+|-|>)\s+", "", line)   # Markdown block marks
            line = line.replace("**", "")
            want = squash(line)
            if not want:
                continue
            at = got.find(want, pos)
            if at < 0:
                near = got.find(want)
                fail("%s:%d: not found in order in the PDF text: %s%s\n  PDF text here: %s"
                     % (expected, n, want,
                        " (it occurs earlier, out of order)" if near >= 0 else "",
                        got[pos:pos + 80]))
            pos = at + len(want)
    print("roundtrip ok: %d characters matched in order" % pos)


def bbox_lines(pdf, body_only=False):
    """Lines as pdftotext -bbox-layout groups them: (page, text, xMin, xMax, yMin).
    body_only: without the running foot (the folio, set in the bottom margin,
    below 93% of the page's height on every layout the tests use)."""
    xhtml, _ = run("pdftotext", "-bbox-layout", pdf, "-")
    xhtml = re.sub(r'xmlns="[^"]+"', "", xhtml, count=1)
    root = ET.fromstring(xhtml)
    out = []
    for pn, page in enumerate(root.iter("page"), 1):
        height = float(page.get("height"))
        for line in page.iter("line"):
            if body_only and float(line.get("yMin")) > 0.93 * height:
                continue
            words = list(line.iter("word"))
            if not words:
                continue
            text = "".join(w.text or "" for w in words)
            out.append((pn, text, float(line.get("xMin")), float(line.get("xMax")),
                        float(line.get("yMin")), words))
    return out


def list_items(markdown_files):
    """First characters of every list item in the Markdown sources."""
    items = []
    for path in markdown_files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^\s*(?:>\s*)?[-*+]\s+(.*)", line)
                if m:
                    items.append(squash(m.group(1).replace("**", ""))[:8])
    return items


def cmd_kinsoku(pdf, *sources):
    """A list item's marker (・) may start a line: it is not a middle dot in
    the text.  Only lines that begin a list item of SOURCES are excused."""
    lines = bbox_lines(pdf)
    items = list_items(sources)
    bad = []
    for pn, text, *_ in lines:
        if text[0] == "・" and any(i and text[1:].startswith(i) for i in items):
            text = text[1:]
        if text[0] in START_PROHIBITED:
            bad.append("page %d: line starts with %s: %s" % (pn, text[0], text))
        if text[-1] in END_PROHIBITED:
            bad.append("page %d: line ends with %s: %s" % (pn, text[-1], text))
    if bad:
        fail("%d kinsoku violations:\n  " % len(bad) + "\n  ".join(bad))
    print("kinsoku ok: %d lines" % len(lines))


def near(a, b, tol=0.1):
    return abs(a - b) <= tol


def cmd_justify(pdf, left, measure, em):
    """Paragraph-test documents: body paragraphs only, 1-em indent.  Every
    line but a paragraph's last ends at the measure; every line starts on
    the grid (an opening bracket's glyph box may start half an em early)."""
    left, measure, em = float(left), float(measure), float(em)
    right = left + measure
    lines = [l for l in bbox_lines(pdf, body_only=True)]
    bad = []
    checked = 0
    for i, (pn, text, x0, x1, y0, words) in enumerate(lines):
        first_of_para = x0 > left + em / 4 + 0.1
        starts = [left + em, left + em / 2] if first_of_para else [left, left - em / 2]
        if not any(near(x0, s) for s in starts):
            bad.append("page %d: line starts off the grid at %.3f (grid %.3f): %s"
                       % (pn, x0, left, text))
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        last_of_para = nxt is None or nxt[2] > left + em / 4 + 0.1
        if last_of_para:
            if x1 > right + 0.1 and not (text[-1] in STOPS and x1 <= right + em / 2 + 0.1):
                bad.append("page %d: last line overruns the measure (%.3f > %.3f): %s"
                           % (pn, x1, right, text))
            continue
        checked += 1
        ends = [right, right + em / 2] if text[-1] in STOPS else [right]
        if not any(near(x1, e) for e in ends):
            bad.append("page %d: line ends at %.3f, not the measure %.3f (%+.3f): %s"
                       % (pn, x1, right, x1 - right, text))
    if bad:
        fail("%d justification problems:\n  " % len(bad) + "\n  ".join(bad))
    if checked == 0:
        fail("no justified line found: the test document is too short")
    print("justify ok: %d justified lines, %d lines in all" % (checked, len(lines)))


def stext_chars(pdf):
    xml, err = run("mutool", "draw", "-F", "stext", "-o", "-", pdf)
    root = ET.fromstring(xml)
    lines = []
    for page in root.iter("page"):
        for line in page.iter("line"):
            chars = []
            for font in line.iter("font"):
                size = float(font.get("size"))
                for ch in font.iter("char"):
                    q = [float(v) for v in ch.get("quad").split()]
                    chars.append((ch.get("c"), float(ch.get("x")), q[2], size))
            lines.append(chars)
    return lines


def is_ja(c):
    o = ord(c)
    return (0x3040 <= o <= 0x30FF and c not in "・ー") or 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF


def is_western(c):
    return c.isascii() and c.isalnum()


def cmd_jwgap(pdf, em):
    em = float(em)
    bad, seen = [], 0
    for chars in stext_chars(pdf):
        ink = [c for c in chars if not c[0].isspace()]
        for a, b in zip(ink, ink[1:]):
            if not ((is_ja(a[0]) and is_western(b[0])) or (is_western(a[0]) and is_ja(b[0]))):
                continue
            seen += 1
            gap = b[1] - a[2]  # next pen x - previous glyph box end
            if not (em / 8 - 0.05 <= gap <= em / 2 + 0.05):
                bad.append("%s%s gap %.3f pt (quarter em %.3f)" % (a[0], b[0], gap, em / 4))
    if bad:
        fail("%d Japanese-Western gaps out of range:\n  " % len(bad) + "\n  ".join(bad))
    if seen == 0:
        fail("no Japanese-Western pair found")
    print("jwgap ok: %d pairs" % seen)


def is_kana_kanji(c):
    o = ord(c)
    return (0x3041 <= o <= 0x3096 or 0x30A1 <= o <= 0x30FA or 0x4E00 <= o <= 0x9FFF
            or 0x3400 <= o <= 0x4DBF)


def stext_chars_fonts(pdf):
    """Lines of (char, x, advance end, font name)."""
    xml, err = run("mutool", "draw", "-F", "stext", "-o", "-", pdf)
    lines = []
    for line in ET.fromstring(xml).iter("line"):
        chars = []
        for font in line.iter("font"):
            for ch in font.iter("char"):
                q = [float(v) for v in ch.get("quad").split()]
                chars.append((ch.get("c"), float(ch.get("x")), q[2], font.get("name")))
        lines.append(chars)
    return lines


def cmd_gaps(pdf, em):
    """No gap over the expansion caps: a quarter em between Japanese
    characters, half an em Japanese-Western, on every line; no letter-
    spacing inside Western words, except up to an eighth of an em where
    nothing else can take it: on a line of one Western run, or on a line
    whose every Japanese and Japanese-Western gap is at its cap (a long
    identifier that no break point lets fill its line)."""
    em = float(em)
    caps = {"ja": em / 4, "jw": em / 2}
    worst = {"ja": 0.0, "jw": 0.0, "west": 0.0}
    bad, seen = [], 0
    for chars in stext_chars_fonts(pdf):
        only_west = not any(is_kana_kanji(c[0]) or c[0].isspace() for c in chars)
        # mutool puts a space of its own where glyphs are far apart, in the
        # font of the glyph before it: measure across such spaces.  A space
        # in another font (the Latin font's) was typed: skip the pair
        pairs = []
        for i in range(1, len(chars)):
            b = chars[i]
            if b[0].isspace():
                continue
            j = i - 1
            while j >= 0 and chars[j][0].isspace():
                j -= 1
            if j < 0:
                continue
            a, spaced = chars[j], j < i - 1
            if ((is_kana_kanji(a[0]) and b[0].isascii() and not is_western(b[0])) or
                    (a[0].isascii() and not is_western(a[0]) and is_kana_kanji(b[0]))):
                # beside Western punctuation ("は /usr", typed space or not):
                # at least a quarter em at its cap; only to tell whether a
                # line is saturated
                pairs.append(("jo", a, b, b[1] - a[2]))
            if spaced and is_western(a[0]) and is_western(b[0]):
                # a word space, or a space mutool put between far glyphs
                pairs.append(("space", a, b, b[1] - a[2]))
            if any(chars[t][3] != a[3] for t in range(j + 1, i)):
                continue
            if is_kana_kanji(a[0]) and is_kana_kanji(b[0]):
                kind = "ja"
            elif (is_kana_kanji(a[0]) and is_western(b[0])) or (is_western(a[0]) and is_kana_kanji(b[0])):
                kind = "jw"
            elif is_western(a[0]) and is_western(b[0]) and not spaced:
                kind = "west"
            else:
                continue
            pairs.append((kind, a, b, b[1] - a[2]))  # next pen x - previous advance end
        # every other gap at its cap: Japanese and Japanese-Western ones, and
        # word spaces (a quarter em at the least, half an em at the cap; a
        # narrower gap is no typed space)
        others = [gap >= caps[k] - 0.1 for k, _, _, gap in pairs if k in caps]
        others += [not (em / 4 - 0.1 <= gap < em / 2 - 0.1) for k, _, _, gap in pairs if k == "space"]
        others += [gap >= em / 4 - 0.1 for k, _, _, gap in pairs if k == "jo"]
        saturated = only_west or (any(k in caps or k == "jo" for k, *_ in pairs) and all(others)) or (
            not any(is_kana_kanji(c[0]) for c in chars) and all(others))
        line = None
        for kind, a, b, gap in pairs:
            if kind in ("space", "jo"):
                continue
            seen += 1
            worst[kind] = max(worst[kind], gap)
            cap = caps.get(kind, em / 8 if saturated else 0.0)
            if gap > cap + 0.05:
                line = line or "".join(c[0] for c in chars)
                bad.append("%s%s: %.3f pt (cap %.3f): %s" % (a[0], b[0], gap, cap, line))
    if bad:
        fail("%d gaps over the cap:\n  " % len(bad) + "\n  ".join(bad[:20]))
    if seen == 0:
        fail("no character pairs found")
    print("gaps ok: %d pairs; largest: %.3f pt between Japanese characters, %.3f pt "
          "Japanese-Western, %.3f pt inside Western words" % (seen, worst["ja"], worst["jw"], worst["west"]))


def cmd_words(pdf, measure, *sources):
    """JIS X 4051 and JLReq 3.1.10: no line ends between two letters or
    digits of a word or identifier (a run of Western characters with no
    space and no "/") without a hyphen, whatever its width; a word breaks
    only at a hyphenation point, with the hyphen drawn at the line end.  A
    URL or path (a run holding "/"), which takes no added hyphen, goes whole
    to the next line when it is no wider than the measure, unless keeping
    it whole would open the Japanese gaps of the line before past their
    cap (the gaps check holds that line)."""
    measure = float(measure)
    lines = [[c for c in chars if not c[0].isspace()] for chars in stext_chars(pdf)]
    bad, seen, names = [], 0, 0
    # a line that ends at a word space looks the same (the space is not
    # drawn): the SOURCES tell, "and Western" against "andWestern"
    source = ""
    for path in sources:
        with open(path, encoding="utf-8") as f:
            source += f.read()
    for a, b in zip(lines, lines[1:]):
        if not a or not b or not (is_western(a[-1][0]) and is_western(b[0][0])):
            continue
        if b[0][1] > a[-1][1]:  # not a line break: the same line cut by mutool
            continue
        seen += 1
        i = len(a) - 1
        while i > 0 and a[i - 1][0].isascii() and a[i - 1][2] >= a[i][1] - 1.5:
            i -= 1
        j = 0
        while j + 1 < len(b) and b[j + 1][0].isascii() and b[j + 1][1] <= b[j][2] + 1.5:
            j += 1
        head, tail = "".join(c[0] for c in a[i:]), "".join(c[0] for c in b[:j + 1])
        run = head + "|" + tail
        if source and head + " " + tail in source and head + tail not in source:
            seen -= 1
            continue
        if "/" in run:
            names += 1
            continue
        bad.append(run)
    if bad:
        fail("%d breaks inside a word with no hyphen:\n  " % len(bad) + "\n  ".join(bad))
    print("words ok: %d breaks between two letters, all inside URLs or paths (%d)" % (seen, names))


def cmd_hyphens(pdf, right, n):
    """Hyphenation (JIS X 4051, JLReq 3.1.10): at least N lines (exactly none
    when N is 0) end inside a Western word with a hyphen, drawn (MuPDF) in
    the word's font just after its last letter and ending on the measure's
    RIGHT edge; the text (pdftotext) gives each such word whole, with no
    hyphen, so copy and search find it."""
    right, n = float(right), int(n)
    def letter(c):
        return c[0].isascii() and c[0].isalpha()
    # the trailing space of a line is not drawn; mutool's own spaces stay
    lines = [chars for chars in stext_chars_fonts(pdf)]
    for chars in lines:
        while chars and chars[-1][0].isspace():
            chars.pop()
    text, _ = run("pdftotext", "-enc", "UTF-8", pdf, "-")
    flat = squash(text)
    bad, words = [], []
    for a, b in zip(lines, lines[1:]):
        if len(a) < 3 or not b or a[-1][0] != "-" or not letter(a[-2]):
            continue
        if not letter(b[0]) or b[0][1] > a[-1][1]:
            continue  # a hyphen of the text (pkg-config), or no line break
        i = len(a) - 2
        while i > 0 and letter(a[i - 1]):
            i -= 1
        j = 0
        while j + 1 < len(b) and letter(b[j + 1]):
            j += 1
        head = "".join(c[0] for c in a[i:-1])
        word = head + "".join(c[0] for c in b[:j + 1])
        words.append(head + "-" + word[len(head):])
        hy, last = a[-1], a[-2]
        if hy[3] != last[3]:
            bad.append("%s: hyphen in %s, the word in %s" % (word, hy[3], last[3]))
        if abs(hy[1] - last[2]) > 0.05:
            bad.append("%s: hyphen %.3f pt from its last letter" % (word, hy[1] - last[2]))
        if abs(hy[2] - right) > 0.1:
            bad.append("%s: hyphen ends at %.3f, not the measure %.3f" % (word, hy[2], right))
        if word not in flat:
            bad.append("%s: not whole in pdftotext's text" % word)
        if head + "-" in flat:
            bad.append("%s: the hyphen is in pdftotext's text" % word)
    if bad:
        fail("%d hyphenation problems:\n  " % len(bad) + "\n  ".join(bad))
    if (n == 0 and words) or len(words) < n:
        fail("%d hyphenated lines (%s), expected %s" % (len(words), " ".join(words),
                                                       "none" if n == 0 else "at least %d" % n))
    print("hyphens ok: %d hyphenated lines: %s" % (len(words), " ".join(words)))


def cmd_phrases(pdf, *expected):
    """Titles and headings break at phrase boundaries: each EXPECTED line
    (a title's or heading's line, as broken at its phrases) is a line of
    the PDF (pdftotext -bbox-layout), whole."""
    got = [squash(text) for _, text, *_ in bbox_lines(pdf)]
    bad = [e for e in expected if e not in got]
    if bad:
        fail("lines not found as broken at phrases: %s\n  lines: %s" % (" ".join(bad), " | ".join(got[:12])))
    print("phrases ok: %d lines" % len(expected))


def cmd_indent(pdf, left, em, text):
    left, em = float(left), float(em)
    for chars in stext_chars(pdf):
        ink = [c for c in chars if not c[0].isspace() and c[0] != "\u3000"]
        if not ink or not "".join(c[0] for c in ink).startswith(text):
            continue
        x = ink[0][1]
        if not near(x, left + em, 0.05):
            fail("'%s' starts at %.3f, not one em in (%.3f)" % (text, x, left + em))
        print("indent ok: '%s' one em in, at %.3f" % (text, x))
        return
    fail("no line starts with '%s'" % text)


def cmd_figures(pdf):
    numbers = []
    for chars in stext_chars(pdf):
        cur = []
        for c in chars + [(" ", 0, 0, 0)]:
            if c[0].isdigit() or (cur and c[0] in ",."):
                cur.append(c)
                continue
            if len(cur) >= 2:
                numbers.append(cur)
            cur = []
    columns = {}
    for n in numbers:
        columns.setdefault(round(n[-1][2], 1), []).append(n)
    bad, checked = [], 0
    for right, ns in columns.items():
        if len(ns) < 2:
            continue
        for k in range(1, max(len(n) for n in ns) + 1):
            xs = [(n[-k][1], "".join(c[0] for c in n)) for n in ns if len(n) >= k]
            if len(xs) < 2:
                continue
            checked += 1
            if max(x for x, _ in xs) - min(x for x, _ in xs) > 0.05:
                bad.append("column ending at %.1f, place %d from the right: %s"
                           % (right, k, ", ".join("%s at %.2f" % (t, x) for x, t in xs)))
    if bad:
        fail("figures do not line up:\n  " + "\n  ".join(bad[:10]))
    if checked == 0:
        fail("no column of figures found")
    print("figures ok: %d places in %d columns line up" % (checked, len([c for c in columns.values() if len(c) > 1])))


def cmd_hang(pdf, right, n):
    right, n = float(right), int(n)
    hung, bad = 0, []
    for chars in stext_chars(pdf):
        ink = [c for c in chars if not c[0].isspace()]
        if not ink:
            continue
        for c in ink[:-1]:
            if c[2] > right + 0.05:
                bad.append("%s passes the measure (%.3f > %.3f)" % (c[0], c[2], right))
        last = ink[-1]
        if last[0] in "、。" and near(last[1], right, 0.05):
            hung += 1
        elif last[2] > right + 0.05 and not (last[0] in STOPS and last[1] + last[3] / 2 <= right + 0.05):
            bad.append("%s at the line end passes the measure" % last[0])
    if bad:
        fail("; ".join(bad))
    if hung < n:
        fail("%d lines hang their 、。, expected at least %d" % (hung, n))
    print("hang ok: %d lines hang their 、。" % hung)


def cmd_tight(pdf, maxgap, *pairs):
    maxgap = float(maxgap)
    found = {p: 0 for p in pairs}
    bad = []
    lines = stext_chars(pdf)
    for chars in lines:
        for a, b in zip(chars, chars[1:]):
            p = a[0] + b[0]
            if p in found:
                found[p] += 1
                gap = b[1] - a[2]
                if gap > maxgap + 0.01 or gap < -0.05:
                    bad.append("%s: %.3f pt apart" % (p, gap))
    # a pair split by a line break has no gap to measure
    texts = ["".join(c[0] for c in l).strip() for l in lines]
    for t, u in zip(texts, texts[1:]):
        if t and u and t[-1] + u[0] in found:
            found[t[-1] + u[0]] += 1
    missing = [p for p, n in found.items() if n == 0]
    if missing:
        fail("not found: " + " ".join(missing))
    if bad:
        fail("more than %.3f pt apart: " % maxgap + "; ".join(bad))
    print("tight ok: %s" % ", ".join("%s x%d" % (p, n) for p, n in found.items()))


def cmd_fonts(pdf):
    out, _ = run("pdffonts", pdf)
    rows = out.splitlines()[2:]
    if not rows:
        fail("no fonts in " + pdf)
    for r in rows:
        f = r.split()
        # name type... encoding emb sub uni object-id
        emb, sub, uni = f[-5], f[-4], f[-3]
        if (emb, sub, uni) != ("yes", "yes", "yes"):
            fail("font not embedded+subset+ToUnicode: " + r)
        if not re.match(r"^[A-Z]{6}\+", f[0]):
            fail("subset font without a subset tag: " + r)
    print("fonts ok: %d fonts" % len(rows))


def cmd_info(pdf, *pairs):
    out, _ = run("pdfinfo", pdf)
    info = {}
    for line in out.splitlines():
        k, _, v = line.partition(":")
        info[k.strip()] = v.strip()
    for p in pairs:
        k, _, v = p.partition("=")
        if k not in info:
            fail("pdfinfo has no %s" % k)
        if not re.search(v, info[k]):
            fail("pdfinfo %s is %r, expected /%s/" % (k, info[k], v))
    print("info ok: " + ", ".join(pairs))


def cmd_render(pdf):
    r = subprocess.run(["mutool", "draw", "-o", "/dev/null", "-F", "png", "-r", "50", pdf],
                       capture_output=True)
    # Debian's mutool is built without lcms2 and always says so: not about the file
    # mutool also reports its progress as "page FILE N" lines
    msgs = [l for l in r.stderr.decode("utf-8", "replace").splitlines()
            if l.strip() and l.strip() != "warning: ICC support is not available"
            and not re.match(r"^page .* \d+$", l.strip())]
    if r.returncode != 0 or msgs:
        fail("mutool draw: exit %d\n  %s" % (r.returncode, "\n  ".join(msgs)))
    print("render ok")


def read_png_gray(path):
    """8-bit greyscale or RGB PNG (as pdftoppm writes them) to a list of rows."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = (int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big"),
                                  body[8], body[9])
            if depth != 8 or ctype not in (0, 2) or body[12] != 0:
                fail(path + ": only 8-bit grey or RGB non-interlaced PNGs")
            bpp = 1 if ctype == 0 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 1 else bytes(line[0::3]))
        prev = line
    return w, h, rows


def cmd_pngdiff(a, b, maxfrac):
    wa, ha, ra = read_png_gray(a)
    wb, hb, rb = read_png_gray(b)
    if (wa, ha) != (wb, hb):
        fail("%s is %dx%d, %s is %dx%d" % (a, wa, ha, b, wb, hb))
    diff = sum(1 for y in range(ha) for p, q in zip(ra[y], rb[y]) if abs(p - q) > 64)
    frac = diff / float(wa * ha)
    if frac > float(maxfrac):
        fail("%s differs from %s in %d pixels (%.4f%% > %.4f%%)"
             % (a, b, diff, 100 * frac, 100 * float(maxfrac)))
    print("pngdiff ok: %d pixels differ (%.4f%%)" % (diff, 100 * frac))


def cmd_fullwidth(pdf, chars, em):
    """In Japanese text JLReq sets dashes and quotation marks full-width
    (cl-08 ——, cl-01/02 “”): each of CHARS found must be one em wide."""
    em = float(em)
    seen, bad = 0, []
    for line in stext_chars(pdf):
        for c, x, x2, size in line:
            if c in chars and abs(size - em) < 0.01:
                seen += 1
                if abs((x2 - x) - em) > 0.05:
                    bad.append("%s (U+%04X) is %.3f pt wide, not %.3f" % (c, ord(c), x2 - x, em))
    if bad:
        fail("%d characters not full-width:\n  " % len(bad) + "\n  ".join(bad[:10]))
    if seen == 0:
        fail("none of %s found" % chars)
    print("fullwidth ok: %d characters" % seen)


def cmd_headings(pdf, font):
    """A heading is kept with what follows: the last line of a page (but the
    document's last) is never a heading, i.e. a line set all in FONT."""
    xml, _ = run("mutool", "draw", "-F", "stext", "-o", "-", pdf)
    root = ET.fromstring(xml)
    pages = []
    for page in root.iter("page"):
        lines = []
        for line in page.iter("line"):
            fonts = [f.get("name") for f in line.iter("font") for c in f.iter("char")
                     if not c.get("c").isspace()]
            text = "".join(c.get("c") for c in line.iter("char"))
            y = float(line.get("bbox").split()[1])
            if fonts:
                lines.append((y, all(font in f for f in fonts), text))
        pages.append(sorted(lines))
    bad = ["page %d ends with the heading %s" % (n, lines[-1][2])
           for n, lines in enumerate(pages[:-1], 1) if lines and lines[-1][1]]
    if bad:
        fail("\n  ".join(bad))
    heads = sum(1 for lines in pages for l in lines if l[1])
    if heads == 0:
        fail("no heading in FONT %s found" % font)
    print("headings ok: %d heading lines, %d pages" % (heads, len(pages)))


def cmd_breaks(pdf, left, em):
    """Body paragraphs only, 1-em indent: a paragraph's first line starts
    one em in.  At a page break, neither its first line alone at the foot
    (orphan) nor its last line alone at the head (widow)."""
    left, em = float(left), float(em)
    pages = {}
    for pn, text, x0, x1, y0, words in bbox_lines(pdf, body_only=True):
        pages.setdefault(pn, []).append((y0, x0, text))
    bad, breaks = [], 0
    starts = lambda line: line[1] > left + em / 4 + 0.1
    for pn in sorted(pages):
        if pn + 1 not in pages:
            continue
        here = sorted(pages[pn])
        there = sorted(pages[pn + 1])
        if starts(there[0]):
            continue  # the break falls between paragraphs
        breaks += 1
        if starts(here[-1]):
            bad.append("page %d ends with a paragraph's first line alone: %s" % (pn, here[-1][2]))
        if len(there) == 1 or starts(there[1]):
            bad.append("page %d starts with a paragraph's last line alone: %s" % (pn + 1, there[0][2]))
    if bad:
        fail("%d lone lines at page breaks:\n  " % len(bad) + "\n  ".join(bad))
    if breaks == 0:
        fail("no page break falls inside a paragraph: the test document does not test it")
    print("breaks ok: %d page breaks inside paragraphs" % breaks)


def cmd_outline(pdf, expected):
    """EXPECTED: one title per line, indented by two spaces per level."""
    out, _ = run("mutool", "show", pdf, "outline")
    got = []
    for line in out.splitlines():
        m = re.match(r'^[-+|](\t*)"(.*)"\t#page=(\d+)', line)
        if m:
            got.append("  " * (len(m.group(1)) - 1) + m.group(2))
    with open(expected, encoding="utf-8") as f:
        want = [l.rstrip("\n") for l in f if l.strip()]
    if got != want:
        fail("outline differs:\n  got:\n    " + "\n    ".join(got) +
             "\n  expected:\n    " + "\n    ".join(want))
    print("outline ok: %d entries" % len(got))


def qdf_text(pdf):
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        qdf = os.path.join(tmp, "q.pdf")
        run("qpdf", "--qdf", "--object-streams=disable", pdf, qdf)
        return open(qdf, "rb").read().decode("latin-1")


def cmd_qdf(pdf, *regexes):
    data = qdf_text(pdf)
    for r in regexes:
        if not re.search(r, data):
            fail("not found in the PDF's objects: /%s/" % r)
    print("qdf ok: %d patterns" % len(regexes))


def cmd_links(pdf, *urls):
    data = qdf_text(pdf)
    links = len(re.findall(r"/Subtype /Link\b", data))
    got = sorted(re.findall(r"/URI \((.*?)\)", data))
    if got != sorted(urls) or links != len(urls):
        fail("links: %d annotations with %s, expected %s" % (links, got, sorted(urls)))
    print("links ok: %d" % links)


if __name__ == "__main__":
    cmds = {k[4:]: v for k, v in globals().items() if k.startswith("cmd_")}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__)
        sys.exit(2)
    cmds[sys.argv[1]](*sys.argv[2:])
