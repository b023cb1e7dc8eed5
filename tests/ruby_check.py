#!/usr/bin/python3
"""Ruby and 圏点 read back from a PDF with public tools.

ruby_check.py PDF SOURCE.md [PITCH]
  mutool draw -F stext gives every glyph's size and box; pdftotext the text.
  - every reading in SOURCE (｜base《r》, kanji《r》, {base|r}, {base|r|..})
    is drawn at half its base's size, centred over its base within 0.1 pt
    (mono-ruby per character; jukugo ruby per character where every reading
    fits over its own, else over the word), unless pulled back to the edge
    of the line or moved over the one neighbour it may overhang; no ruby
    reaches over an adjacent kanji, nor more than half a ruby character
    over adjacent kana or punctuation (JLReq 3.3.6);
  - no ruby glyph reaches into the line above;
  - with PITCH (the layout's line pitch, where ruby does not fit in the line
    gap): every body line without ruby is on the grid, a whole number of
    pitches below the page's first, and a line with ruby has more room;
  - pdftotext gives the base text without the readings;
  - every *emphasis* character that is not punctuation has one sesame dot
    (U+FE45) centred over it within 0.1 pt, and punctuation has none.
"""
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET

pdf, md = sys.argv[1], sys.argv[2]
pitch = float(sys.argv[3]) if len(sys.argv) > 3 else None
src = open(md, encoding="utf-8").read().split("---", 2)[2]
fails = []


def fail(msg):
    fails.append(msg)


# ---- the source's ruby, by an independent reading of the notations ----
KANJI = r"[\u4e00-\u9fff\u3400-\u4dbf\u3005\u3006\u3007\u30f6]"
pairs = []  # (base, [readings]) ; one reading = group
for m in re.finditer(r"｜([^《》｜\n]+)《([^》\n]+)》|(" + KANJI + r"+)《([^》\n]+)》|\{([^{}|\n]+)\|([^{}\n]+)\}", src):
    if m.group(1):
        pairs.append((m.group(1), [m.group(2)]))
    elif m.group(3):
        pairs.append((m.group(3), [m.group(4)]))
    else:
        rs = m.group(6).split("|")
        pairs.append((m.group(5), rs))
plain = re.sub(r"｜([^《》｜\n]+)《[^》\n]+》", r"\1", src)
plain = re.sub(r"(" + KANJI + r"+)《[^》\n]+》", r"\1", plain)
plain = re.sub(r"\{([^{}|\n]+)\|[^{}\n]+\}", r"\1", plain)
emph = re.findall(r"(?<!\*)\*([^*\n]+)\*(?!\*)", plain)

# ---- glyphs from MuPDF ----
xml = subprocess.run(["mutool", "draw", "-F", "stext", "-o", "-", pdf],
                     check=True, capture_output=True).stdout
root = ET.fromstring(xml)
pages = []
for page in root.iter("page"):
    chars = []
    for font in page.iter("font"):
        size = float(font.get("size"))
        for ch in font.iter("char"):
            q = [float(v) for v in ch.get("quad").split()]
            if ch.get("c").isspace():
                continue  # spaces MuPDF infers from gaps
            chars.append({"c": ch.get("c"), "size": size, "x0": q[0], "x1": q[2],
                          "top": q[1], "bot": q[5], "y": float(ch.get("y"))})
    pages.append(chars)

body = max((c["size"] for p in pages for c in p), key=lambda s: sum(
    1 for p in pages for c in p if c["size"] == s))
small = lambda c: c["size"] < body * 0.75


def lines_of(chars):
    """Body-size glyphs by baseline, in x order."""
    out = {}
    for c in chars:
        if not small(c):
            out.setdefault(round(c["y"], 2), []).append(c)
    return {y: sorted(v, key=lambda c: c["x0"]) for y, v in out.items()}


def find_runs(chars, text):
    """Places where `text` is drawn as consecutive glyphs of one line."""
    for y, line in lines_of(chars).items():
        s = "".join(c["c"] for c in line)
        for m in re.finditer(re.escape(text), s):
            yield y, line[m.start():m.start() + len(text)], line


def above(chars, y, x0, x1, size):
    """Small glyphs just above baseline y overlapping [x0, x1]."""
    return sorted([c for c in chars if small(c) and y - 1.2 * size < c["y"] < y
                   and c["x1"] > x0 - 0.01 and c["x0"] < x1 + 0.01],
                  key=lambda c: c["x0"])


checked = 0
units = []  # (base, reading): a group, or one character of mono-ruby
for base, readings in pairs:
    if len(readings) == 1:
        units.append((base, readings[0]))
    elif any(len(r) > 2 for r in readings):
        # jukugo ruby (JLReq 3.3.7) with a reading wider than its character
        # (more than two half-size kana): the readings together, centred
        # over the word
        units.append((base, "".join(readings)))
    else:
        units.extend(zip(base, readings))
for base, reading in units:
    # the occurrence that carries the reading (Aozora gives a word's ruby
    # once; later occurrences are bare)
    errs, ok = [], False
    for p in pages:
        for y, run, line in find_runs(p, base):
            left, right = line[0]["x0"], line[-1]["x1"]
            bx0, bx1 = run[0]["x0"], run[-1]["x1"]
            size = run[0]["size"]
            rs = above(p, y, bx0 - size, bx1 + size, size)
            s = "".join(c["c"] for c in rs)
            k = s.find(reading)
            if k < 0:
                continue
            rg = rs[k:k + len(reading)]
            e = [f"{base}: ruby {c['c']} is {c['size']} pt over {size} pt"
                 for c in rg if abs(c["size"] - size / 2) > 0.01]
            rx0, rx1 = rg[0]["x0"], rg[-1]["x1"]
            at_edge = abs(rx0 - left) < 0.05 or rx1 > right - 0.05
            d = (rx0 + rx1) / 2 - (bx0 + bx1) / 2
            # JLReq 3.3.6: over a neighbour by at most half a ruby character,
            # never over kanji; off centre only towards the one neighbour it
            # may overhang
            i0 = line.index(run[0])
            prev = line[i0 - 1] if i0 > 0 else None
            nxt = line[i0 + len(base)] if i0 + len(base) < len(line) else None
            over_l = prev["x1"] - rx0 if prev else 0.0
            over_r = rx1 - nxt["x0"] if nxt else 0.0
            for nb, over in ((prev, over_l), (nxt, over_r)):
                if nb and over > 0.05 and (re.match(KANJI, nb["c"]) or over > size / 4 + 0.05):
                    e.append(f"{base}: ruby {reading} overhangs {nb['c']} by {over:.3f} pt")
            toward = (d < 0 and over_l > 0.05 and over_r <= 0.05) or (d > 0 and over_r > 0.05 and over_l <= 0.05)
            if abs(d) > 0.1 and not at_edge and not toward:
                e.append(f"{base}: ruby {reading} off centre by {d:.3f} pt")
            if e:
                errs += e
            else:
                ok = True
    if ok:
        checked += 1
    else:
        fail(f"{base}: no occurrence with {reading} at half size centred over it"
             + (": " + "; ".join(errs) if errs else ""))

# ---- nothing reaches into the line above ----
for p in pages:
    ls = lines_of(p)
    ys = sorted(ls)
    for c in p:
        if not small(c):
            continue
        below = [y for y in ys if y > c["y"]]
        if not below:
            fail(f"ruby {c['c']} above no line")
            continue
        prev = [y for y in ys if y < below[0]]
        if prev and c["top"] < max(x["bot"] for x in ls[prev[-1]]) - 0.01:
            fail(f"ruby {c['c']} at y={c['y']:.2f} reaches into the line above")

# ---- 圏点 ----
DOT = "\ufe45"
ndots = 0
offsets = []
for e in emph:
    for p in pages:
        # the page's text in reading order: an emphasis may run over lines
        seq = [c for y, line in sorted(lines_of(p).items()) for c in line]
        s = "".join(c["c"] for c in seq)
        for m in re.finditer(re.escape(e.replace(" ", "")), s):
            for c in seq[m.start():m.end()]:
                dots = [d for d in above(p, c["y"], c["x0"], c["x1"], c["size"])
                        if d["c"] == DOT and c["x0"] < (d["x0"] + d["x1"]) / 2 < c["x1"]]
                punct = unicodedata.category(c["c"])[0] in "PZ"
                if punct and dots:
                    fail(f"圏点 over punctuation {c['c']}")
                if not punct:
                    if len(dots) != 1:
                        fail(f"{len(dots)} 圏点 over {c['c']}")
                        continue
                    d = (dots[0]["x0"] + dots[0]["x1"]) / 2 - (c["x0"] + c["x1"]) / 2
                    offsets.append((c["c"], d))
                    ndots += 1
# MuPDF reports a glyph's advance box; the dot's ink is centred by moving
# its pen by the font's (constant) ink offset, so every dot's box sits at
# the same offset from its character's centre, and that offset is small
if offsets:
    common = sorted(d for _, d in offsets)[len(offsets) // 2]
    if abs(common) > 0.2 * body / 9:
        fail(f"圏点 boxes {common:.3f} pt off their characters' centres")
    for ch, d in offsets:
        if abs(d - common) > 0.1:
            fail(f"圏点 over {ch} off centre by {d - common:.3f} pt")
alldots = sum(1 for p in pages for c in p if c["c"] == DOT)
if alldots != ndots:
    fail(f"{alldots} sesame dots drawn, {ndots} expected")

# ---- lines with ruby take room, the others stay on the grid ----
if pitch:
    roomy = 0
    for p in pages:
        ls = lines_of(p)
        ys = sorted(y for y in ls if all(abs(c["size"] - body) < 0.01 for c in ls[y]))
        plain_ys = [y for y in ys if not any(small(c) and y - body * 1.2 < c["y"] < y for c in p)]
        if not plain_ys:
            continue
        y0 = plain_ys[0]
        for y in plain_ys:
            n = (y - y0) / pitch
            if abs(n - round(n)) * pitch > 0.05:
                fail(f"line at y={y:.2f} is off the grid ({n:.3f} pitches below y={y0:.2f})")
        for a, b in zip(ys, ys[1:]):
            if b - a > pitch * 1.5 and any(small(c) and a < c["y"] < b for c in p):
                roomy += 1
    if roomy == 0:
        fail("no line with ruby was given more room than the pitch")

# ---- text extraction: the base text, no readings ----
text = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], check=True,
                      capture_output=True, text=True).stdout
# folios aside (a paragraph may run over a page break)
flat = re.sub(r"\s+", "", re.sub(r"(?m)^\s*\d+\s*$", "", text.replace("\f", "\n")))
want = re.sub(r"\s+|\*", "", plain)
for para in plain.split("\n\n"):
    para = re.sub(r"\s+|\*", "", para)
    if para and para not in flat:
        fail(f"pdftotext does not give the base text in order: {para[:20]}...")
for base, readings in pairs:
    for r in readings:
        if len(r) > 1 and r in flat and r not in re.sub(r"\s+", "", plain):
            fail(f"reading {r} leaks into the extracted text")
if DOT in text:
    fail("a sesame dot leaks into the extracted text")
# a base spaced out for a long reading reads whole, with its neighbours, no
# space put inside (pdftotext reads a gap between glyph boxes as one)
joined = re.sub(r"(?m)^\s*\d+\s*$", "", text.replace("\f", "\n")).replace("\n", "")
for m in re.finditer(r"｜([^《》｜\n]+)《[^》\n]+》|(" + KANJI + r"+)《[^》\n]+》|\{([^{}|\n]+)\|[^{}\n]+\}", src):
    base = m.group(1) or m.group(2) or m.group(3)
    before = re.sub(r"｜|《[^》\n]*》|\{|\|[^{}\n]*\}|\*", "", src[max(0, m.start() - 12):m.start()])
    after = re.sub(r"｜|《[^》\n]*》|\{|\|[^{}\n]*\}|\*", "", src[m.end():m.end() + 12])
    ctx = (before[-1:] if before[-1:].strip() else "") + base + (after[:1] if after[:1].strip() else "")
    if ctx not in joined:
        fail(f"pdftotext breaks {ctx!r} (base {base}) with a space")

if checked == 0:
    fail("no ruby checked")
for f in fails:
    print("FAIL:", f)
print(f"ruby: {checked} readings checked, {ndots} sesame dots; {len(fails)} failures")
sys.exit(1 if fails else 0)
