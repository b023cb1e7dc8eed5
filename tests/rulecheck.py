#!/usr/bin/python3
"""A table row split at a page's foot is not ruled off there (it runs on
under the head repeated on the next page): read back with pikepdf, on each
page named, the table's column rules reach further down than any
horizontal rule, and no horizontal rule lies at their foot.  On each page
named CLOSED, a horizontal rule closes the table where its column rules end.
  rulecheck.py PDF open:N... closed:N...
"""
import sys

import pikepdf

from pdftools import segments


def strokes(page):
    """The page's horizontal rules (their y) and its vertical rules (their
    lower end), y from the top."""
    hor, ver = [], []
    for x1, y1, x2, y2 in segments(page):
        if abs(y2 - y1) < 0.01:
            hor.append(y2)
        elif abs(x2 - x1) < 0.01:
            ver.append(max(y1, y2))
    return hor, ver


pdf = pikepdf.open(sys.argv[1])
for arg in sys.argv[2:]:
    kind, n = arg.split(":")
    hor, ver = strokes(pdf.pages[int(n) - 1])
    if not ver:
        print("FAIL: page %s has no column rules" % n)
        sys.exit(1)
    foot = max(ver)
    closed = any(abs(y - foot) < 0.1 for y in hor)
    if kind == "open" and closed:
        print("FAIL: page %s: the split row is ruled off at the foot (y %.2f)" % (n, foot))
        sys.exit(1)
    if kind == "closed" and not closed:
        print("FAIL: page %s: the table is not closed where its rules end (y %.2f)" % (n, foot))
        sys.exit(1)
    print("page %s: %s at %.2f" % (n, "closed" if closed else "open", foot))
print("rules ok")
