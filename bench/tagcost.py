#!/usr/bin/python3
"""bench/tagcost.py PDF... -- what the tagging (PDF/UA-1) costs in bytes.

For each PDF, three sizes: the file as kumihan wrote it; the same file
rewritten by qpdf (through pikepdf: object streams generated, every page's
content stream recompressed with zlib at level 9); and that rewrite without
the structure tree, i.e. without /StructTreeRoot, /MarkInfo, the pages'
/StructParents and /Tabs, the annotations' /StructParent, and the marked
content operators (BDC ... EMC, BMC) in the content streams.  The two
rewrites go through the same writer, so their difference is what the tags
cost; kumihan's own writer is tighter than qpdf's (its object streams are
smaller), so the last column scales the untagged rewrite by kumihan's size
over the tagged rewrite's.  The untagged rewrite also loses the
ActualText spans (marked content too), so it is a size to compare, not a
file to ship: pdftotext splits a line of the publication where one was.

A measurement, not a test: it asserts nothing.  Run with Debian's python3
(python3-pikepdf):

    bench/make-long.sh 300 /tmp/l300 && build/kumihan /tmp/l300/pub -o /tmp/l300.pdf
    bench/tagcost.py out/smartcity-2022-03-31.pdf /tmp/l300.pdf
"""
import os
import re
import sys
import tempfile
import zlib

import pikepdf

MARKS = re.compile(rb"/\w+ <<[^\n]*>> BDC\n|/\w+ BMC\n|EMC\n")


def rewrite(src, dst, untag):
    pdf = pikepdf.open(src)
    for page in pdf.pages:
        contents = page.obj.Contents
        data = contents.read_bytes()
        if untag:
            data = MARKS.sub(b"", data)
            for key in ("/StructParents", "/Tabs"):
                if key in page.obj:
                    del page.obj[key]
            for annot in page.obj.get("/Annots", []):
                if "/StructParent" in annot:
                    del annot["/StructParent"]
        contents.write(zlib.compress(data, 9), filter=pikepdf.Name.FlateDecode)
    if untag:
        for key in ("/StructTreeRoot", "/MarkInfo"):
            if key in pdf.Root:
                del pdf.Root[key]
    pdf.save(dst, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             compress_streams=True, recompress_flate=False)
    return os.path.getsize(dst)


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    print("| PDF | as written | qpdf rewrite | qpdf rewrite, untagged | the tags | untagged, at kumihan's density |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            size = os.path.getsize(path)
            tagged = rewrite(path, os.path.join(tmp, "t.pdf"), False)
            untagged = rewrite(path, os.path.join(tmp, "u.pdf"), True)
            print("| %s | %d | %d | %d | %d (%.0f %%) | about %d |" % (
                os.path.basename(path), size, tagged, untagged, tagged - untagged,
                100.0 * (tagged - untagged) / tagged, untagged * size / tagged))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
