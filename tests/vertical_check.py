#!/usr/bin/env python3
"""Checks a vertically set PDF (縦組) with public tools: pdffonts (an
Identity-V font), pdftotext (the text in source order) and MuPDF's
structured text (columns right to left on their grid positions, glyphs
descending each column, no line-start-prohibited character at a column's
head, 縦中横 centred on its column, Western words turned sideways).

usage: vertical_check.py PDF SOURCE.md EM PITCH RIGHT [novel]
EM, PITCH: the grid's em and column pitch; RIGHT: the paper x of the first
column's right edge.  "novel": the text need not hold 縦中横 or sideways
Western words."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

pdf, source = sys.argv[1], sys.argv[2]
em, pitch, right = (float(v) for v in sys.argv[3:6])
novel = len(sys.argv) > 6 and sys.argv[6] == "novel"
failures = []


def fail(msg):
    failures.append(msg)


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


# 1. fonts: upright text goes through a vertical font: Identity-V, or an
# embedded CMap (pdffonts calls it Custom) whose /WMode is 1 (9.7.5.3)
fonts = run("pdffonts", pdf)
if "Identity-V" not in fonts:
    import json
    objects = json.loads(run("qpdf", "--json=2", "--json-key=qpdf", pdf))["qpdf"][1]
    vertical = any(
        isinstance(o, dict) and isinstance(o.get("stream"), dict)
        and o["stream"].get("dict", {}).get("/Type") == "/CMap"
        and o["stream"]["dict"].get("/WMode") == 1
        for o in objects.values())
    if not vertical:
        fail("no vertical font (Identity-V or a CMap of WMode 1):\n" + fonts)

# 2. text: every body paragraph of the source, in order, without ruby
body = open(source, encoding="utf-8").read().split("---", 2)[2]
paras = []
for block in body.split("\n\n"):
    block = block.strip()
    if not block or block.startswith("#") or re.match(r"[0-9]+\. ", block):
        continue  # headings and lists: their markers are the layout's
    block = re.sub(r"《[^》]*》", "", block).replace("｜", "")
    paras.append(re.sub(r"\s+", "", block))
# (the columns only: the running heads and folios in the margins are cut
# off, as a paragraph that runs on to the next page would take them in)
root = ET.fromstring(run("mutool", "draw", "-F", "stext", "-o", "-", pdf))
tops = [float(ln.get("bbox").split()[1]) for ln in root.iter("line") if ln.get("wmode") == "1"]
bottoms = [float(ln.get("bbox").split()[3]) for ln in root.iter("line") if ln.get("wmode") == "1"]
top, bottom = min(tops) - 2, max(bottoms) + 2
width = max(float(pg.get("width")) for pg in root.iter("page"))
crop = ["-r", "72", "-x", "0", "-y", str(int(top)), "-W", str(int(width) + 1),
        "-H", str(int(bottom - top) + 1)]


def in_order(mode, report):
    """Every paragraph in order in pdftotext's text (mode: [] for its
    reading order from the glyphs' positions, ["-raw"] for the content
    stream's order, which copy and search follow)."""
    text = re.sub(r"\s+", "", run("pdftotext", *mode, *crop, pdf, "-"))
    at = 0
    for p in paras:
        i = text.find(p, at)
        if i < 0:
            report(f"paragraph not extracted in order ({' '.join(mode) or 'reading order'}): "
                   + p[:40])
        else:
            at = i + len(p)


in_order(["-raw"], fail)
# poppler's reading order is a heuristic of its own: in a novel it may read
# a paragraph's short last column after the next one (MuPDF reads it
# right); that is reported, not failed, for a "novel"
in_order([], (lambda m: print("note: " + m)) if novel else fail)

# 3. glyphs: MuPDF's structured text
NO_START = set("、。，．」』）】〕〉》”〟ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ々ゝゞヽヾ？！・：；")
columns = {}  # column number -> [(y, char)] of body-size upright glyphs
upright = tcy = sideways = 0
for page in root.iter("page"):
    drawn = []  # the columns of the page, in the order they are drawn
    for line in page.iter("line"):
        wmode, d = line.get("wmode"), line.get("dir")
        run = []  # the line's body-size glyph tops, in the order drawn
        for font in line.iter("font"):
            size = float(font.get("size"))
            for ch in font.iter("char"):
                q = [float(v) for v in ch.get("quad").split()]
                xs, ys = q[0::2], q[1::2]
                cx = (min(xs) + max(xs)) / 2
                c = ch.get("c")
                if abs(size - em) > 0.01 or not c.strip():
                    continue
                k = round((right - em / 2 - cx) / pitch)
                centre = right - em / 2 - k * pitch
                if wmode == "1":
                    upright += 1
                    if abs(cx - centre) > 0.05:
                        fail(f"{c} at x {cx:.3f}, off its column's centre {centre:.3f}")
                    columns.setdefault((page.get("id"), k), []).append((min(ys), c))
                    run.append(min(ys))
                    if not drawn or drawn[-1] != k:
                        drawn.append(k)
                elif d == "1 0":  # 縦中横: horizontal digits across the column
                    tcy += 1
                elif d == "0 1":
                    sideways += 1
        if run != sorted(run):
            fail(f"a run of glyphs does not descend its column: {run[:5]}")
    if drawn != sorted(drawn):
        fail(f"{page.get('id')}: columns are not drawn right to left: {drawn}")
    # 縦中横 groups: horizontal lines whose glyphs together centre on a column
    for line in page.iter("line"):
        if line.get("wmode") != "0" or line.get("dir") != "1 0":
            continue
        x0, y0, x1, y1 = (float(v) for v in line.get("bbox").split())
        if any(abs(float(f.get("size")) - em) > 0.01 for f in line.iter("font")):
            continue  # a running head or folio, not in a column
        cx = (x0 + x1) / 2
        k = round((right - em / 2 - cx) / pitch)
        centre = right - em / 2 - k * pitch
        if abs(cx - centre) > 0.1:
            fail(f"縦中横 at x {cx:.3f}, not centred on its column ({centre:.3f})")
if upright < 100:
    fail(f"only {upright} upright glyphs")
if tcy < 2 and not novel:
    fail("no 縦中横")
if sideways < 5 and not novel:
    fail("no sideways Western text")
for key, glyphs in columns.items():
    head = min(glyphs)[1]
    if head in NO_START:
        fail(f"column {key} starts with {head}")

for f in failures:
    print("FAIL:", f)
print(f"{upright} upright, {tcy} 縦中横, {sideways} sideways glyphs; "
      f"{len(columns)} columns; {len(paras)} paragraphs")
sys.exit(1 if failures else 0)
