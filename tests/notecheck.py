#!/usr/bin/python3
"""Footnotes at the foot of the page, read back from the PDF with poppler
(pdftotext -bbox-layout) and pikepdf (qpdf): every footnote reference's
link leads to its note, on the reference's page (or, for a note that runs
on, the page it starts on), below every body line and below the rule drawn
above the notes, above the folio; every note's number links back to its
reference.  Exits 1 on a failure.
  notecheck.py PDF N [SAME]   N references with links; SAME: every note on
                              its reference's page
"""
import re
import sys

import pikepdf

import pdftools
from pdftools import fail


def bbox_pages(pdf):
    """[(height, [(text, xMin, yMin, xMax, yMax)])] in pdftotext's top-down
    coordinates."""
    return [(h, [ln[:5] for ln in lines]) for _, h, lines in pdftools.bbox_pages(pdf)]


def rules(page):
    """Horizontal strokes of a page, as (x1, x2, y) from the top."""
    return [(min(x1, x2), max(x1, x2), y2) for x1, y1, x2, y2 in pdftools.segments(page)
            if abs(y2 - y1) < 0.01 and abs(x2 - x1) > 1]


def line_at(lines, y, x):
    """The text line whose top is at y (within its height) and starts near x."""
    best = None
    for ln in lines:
        if ln[2] - 2 <= y <= ln[4] and ln[1] - 2 <= x <= ln[3]:
            if best is None or abs(ln[2] - y) < abs(best[2] - y):
                best = ln
    return best


def main():
    pdf, want = sys.argv[1], int(sys.argv[2])
    same = len(sys.argv) > 3 and sys.argv[3] == "SAME"
    doc = pikepdf.open(pdf)
    bb = bbox_pages(pdf)
    index = {p.objgen: i for i, p in enumerate(doc.pages)}
    forward, back = [], []
    for i, page in enumerate(doc.pages):
        h = float(page.mediabox[3])
        for a in page.obj.get("/Annots", []):
            d = a.get("/Dest")
            if d is None:
                continue
            if str(d[1]) != "/XYZ":
                fail("page %d: a link's destination is not /XYZ: %s" % (i + 1, d))
            r = [float(v) for v in a.Rect]
            link = {"page": i, "rect": (r[0], h - r[3], r[2], h - r[1]),
                    "to": index[d[0].objgen], "x": float(d[2]), "y": h - float(d[3]),
                    "contents": str(a.get("/Contents", ""))}
            (back if "参照箇所" in link["contents"] else forward).append(link)
    if len(forward) != want:
        fail("%d footnote reference links, expected %d" % (len(forward), want))
    if len(back) != want:
        fail("%d links back from notes, expected %d" % (len(back), want))
    for f in forward:
        pg, to = f["page"], f["to"]
        if to < pg or (same and to != pg):
            fail("reference %s on page %d links to page %d" % (f["contents"], pg + 1, to + 1))
        h, lines = bb[to]
        note = line_at(lines, f["y"], f["x"])
        if note is None:
            fail("reference %s: no text at its destination (page %d, y %.1f)"
                 % (f["contents"], to + 1, f["y"]))
        if not note[0].startswith(f["contents"]):
            fail("reference %s leads to a line that starts '%s'" % (f["contents"], note[0][:12]))
        ref_h = f["rect"][3] - f["rect"][1]
        if note[4] - note[2] >= ref_h - 0.5:
            fail("note %s is not smaller than the text (%.1f pt)" % (f["contents"],
                                                                    note[4] - note[2]))
        if to == pg and note[2] <= f["rect"][3]:
            fail("note %s is not below its reference" % f["contents"])
        # the text above the notes: lines at the body's size
        body = [ln for ln in lines if ln[4] - ln[2] >= ref_h - 0.5 and ln[4] < note[2]]
        below = [ln for ln in lines if ln[2] > note[4]]
        for ln in below:
            if ln[4] - ln[2] >= ref_h - 0.5 and not re.fullmatch(r"[-\d ]+", ln[0]):
                fail("page %d: body text '%s' below note %s" % (to + 1, ln[0][:12],
                                                                 f["contents"]))
        folio = [ln for ln in lines if re.fullmatch(r"[-\d ]+", ln[0]) and ln[2] > note[4]]
        if not folio:
            fail("page %d: no folio below note %s" % (to + 1, f["contents"]))
        rs = [r for r in rules(doc.pages[to])
              if (not body or r[2] > max(ln[4] for ln in body)) and r[2] < note[2]]
        if not rs:
            fail("page %d: no rule between the text and note %s" % (to + 1, f["contents"]))
    for b in back:
        hits = [f for f in forward if f["page"] == b["to"] and abs(f["rect"][0] - b["x"]) < 0.5
                and abs(f["rect"][1] - b["y"]) < 0.5]
        if not hits:
            fail("the link back '%s' on page %d leads to no reference (page %d, %.1f, %.1f)"
                 % (b["contents"], b["page"] + 1, b["to"] + 1, b["x"], b["y"]))
    print("notes ok: %d references, each note at its page's foot, linked both ways" % want)


main()
