#!/usr/bin/python3
"""Checks of the page stage, read back from the PDF with poppler
(pdfinfo, pdftotext -bbox-layout, pdfimages).  Each check prints what it
saw and exits 1 on a failure.
  pagecheck.py sizes PDF WxH...        page sizes in pt, in order (one per page)
  pagecheck.py furniture PDF REGEX...  one line matching REGEX[i] on page i+1
  pagecheck.py inside PDF              every word lies inside its page
  pagecheck.py images PDF USES N SPEC...  pdfimages -list: USES drawn, N
                                       objects; SPEC is WIDTHxHEIGHT:ENC
"""
import re
import sys

from pdftools import bbox_pages, fail, run


def pages(pdf):
    """[(width, height, [(text, xMin, yMin, xMax, yMax, words) of each line])]"""
    return bbox_pages(pdf, " ")


def cmd_sizes(pdf, *sizes):
    n = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf)).group(1))
    if n != len(sizes):
        fail("%d pages, expected %d" % (n, len(sizes)))
    info = run("pdfinfo", "-f", "1", "-l", str(n), pdf)
    got = re.findall(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", info)
    for (pn, w, h), want in zip(got, sizes):
        ww, wh = (float(v) for v in want.split("x"))
        if abs(float(w) - ww) > 0.5 or abs(float(h) - wh) > 0.5:
            fail("page %s is %s x %s pt, expected %s" % (pn, w, h, want))
    print("sizes ok: " + ", ".join("%s x %s" % (w, h) for _, w, h in got))


def cmd_furniture(pdf, *regexes):
    ps = pages(pdf)
    if len(ps) != len(regexes):
        fail("%d pages, expected %d" % (len(ps), len(regexes)))
    for i, ((w, h, lines), rx) in enumerate(zip(ps, regexes), 1):
        hits = [l for l in lines if re.fullmatch(rx, l[0])]
        if not hits:
            fail("page %d: no line matches /%s/; lines: %s"
                 % (i, rx, [l[0] for l in lines][:3] + [l[0] for l in lines][-3:]))
    print("furniture ok: %d pages" % len(ps))


def cmd_inside(pdf):
    n = 0
    for i, (w, h, lines) in enumerate(pages(pdf), 1):
        for text, x0, y0, x1, y1, words in lines:
            for wd in words:
                n += 1
                bx = [float(wd.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
                if bx[0] < -0.01 or bx[1] < -0.01 or bx[2] > w + 0.01 or bx[3] > h + 0.01:
                    fail("page %d: '%s' at %s lies outside the page (%g x %g)"
                         % (i, wd.text, bx, w, h))
    print("inside ok: %d words" % n)


def cmd_images(pdf, uses, n, *specs):
    """USES drawn images, N distinct image objects (a file used twice is
    embedded once), each WIDTHxHEIGHT:ENC in order of first use."""
    out = run("pdfimages", "-list", pdf).splitlines()[2:]
    rows = [r.split() for r in out if r.strip()]
    imgs = [r for r in rows if r[2] == "image"]
    objs = []
    for r in imgs:
        if r[10] not in [o[10] for o in objs]:
            objs.append(r)
    if len(imgs) != int(uses) or len(objs) != int(n):
        fail("%d images drawn from %d objects, expected %s from %s:\n%s"
             % (len(imgs), len(objs), uses, n, "\n".join(out)))
    for r, spec in zip(objs, specs):
        size, enc = spec.split(":")
        if "%sx%s" % (r[3], r[4]) != size or r[8] != enc:
            fail("image %sx%s %s, expected %s" % (r[3], r[4], r[8], spec))
    print("images ok: %d drawn, %d objects" % (len(imgs), len(objs)))


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1]](*sys.argv[2:])
