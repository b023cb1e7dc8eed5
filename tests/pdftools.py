"""What the read-back checks (tagcheck, pdfcheck, pagecheck, notecheck,
rulecheck) share: failing with one line, running a tool, poppler's
-bbox-layout lines, and the straight strokes of a page."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(*cmd, stderr=False):
    """A tool's standard output (with stderr, also its standard error);
    fails when it exits non-zero."""
    r = subprocess.run(cmd, capture_output=True)
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(cmd), r.returncode, err))
    out = r.stdout.decode("utf-8")
    return (out, err) if stderr else out


def bbox_pages(pdf, sep=""):
    """[(width, height, [(text, xMin, yMin, xMax, yMax, words)])] from
    pdftotext -bbox-layout, top-down; a line's text is its words joined
    with `sep`."""
    xhtml = run("pdftotext", "-bbox-layout", pdf, "-")
    xhtml = re.sub(r'xmlns="[^"]+"', "", xhtml, count=1)
    out = []
    for page in ET.fromstring(xhtml).iter("page"):
        lines = []
        for line in page.iter("line"):
            words = list(line.iter("word"))
            lines.append((sep.join(w.text or "" for w in words), float(line.get("xMin")),
                          float(line.get("yMin")), float(line.get("xMax")),
                          float(line.get("yMax")), words))
        out.append((float(page.get("width")), float(page.get("height")), lines))
    return out


def segments(page):
    """The straight strokes (m x y, l x2 y2) of a pikepdf page, as
    (x1, y1, x2, y2) with y from the top."""
    import pikepdf
    h = float(page.mediabox[3])
    found, start = [], None
    for operands, op in pikepdf.parse_content_stream(page):
        o = str(op)
        if o == "m":
            start = [float(v) for v in operands]
        elif o == "l" and start:
            x2, y2 = (float(v) for v in operands)
            found.append((start[0], h - start[1], x2, h - y2))
            start = None
    return found
