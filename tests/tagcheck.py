#!/usr/bin/python3
"""Checks on kumihan's tagged PDF/UA-1 and PDF/A-2u output, read back through
tools nobody here wrote: pikepdf (qpdf), poppler's pdfinfo, PDFBox Preflight.

  tagcheck.py tags PDF [lang=TAG]      structure tree against the content streams
  tagcheck.py structtext PDF EXPECTED  pdfinfo -struct-text equals EXPECTED
  tagcheck.py meta PDF [nopdfa]        XMP identification and Info = XMP
  tagcheck.py pdfa PDF                 output intent, fonts, glyphs, transparency
  tagcheck.py preflight PDF            PDFBox Preflight: no findings but the
                                       PDF/A-1b-only ones
  tagcheck.py pdfjs PDF                pdf.js's getStructTree reads the tree
                                       pikepdf reads (exit 77, skipped, when
                                       scripts/deps.sh could not install it)
  tagcheck.py ruby PDF SOURCE.md       every ruby of SOURCE is a Ruby > RB + RT
                                       with its base and its reading (poppler),
                                       the RT's /ActualText is its reading
                                       (pikepdf), and pdftotext gives the base
                                       text alone, unbroken
  tagcheck.py text PDF STRING...       pdftotext, mutool and Ghostscript
                                       (txtwrite) each give each STRING
                                       (white space aside)

Each exits 1 with a message naming what failed.
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pikepdf
from pikepdf import Array, Dictionary, Name

from pdftools import fail, run


def objkey(o):
    return o.objgen if o.is_indirect else id(o)


# ---- the structure tree ----------------------------------------------------

def walk_tree(root):
    """Elements in document order (depth first) with their kids, and every
    marked-content reference as (page objgen, mcid) -> element."""
    elems, mcrs, objrs = [], {}, {}
    page_of = {}

    def visit(e, depth):
        elems.append((e, depth))
        k = e.get("/K")
        kids = list(k) if isinstance(k, Array) else ([] if k is None else [k])
        pg = e.get("/Pg")
        for kid in kids:
            if isinstance(kid, int):
                if pg is None:
                    fail("element %s has an MCID kid without /Pg" % e.get("/S"))
                key = (pg.objgen, int(kid))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
                key = (kid.Pg.objgen, int(kid.MCID))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR":
                objrs.setdefault(kid.Obj.objgen, []).append(e)
                continue
            elif isinstance(kid, Dictionary):
                if kid.get("/P") is None or objkey(kid.P) != objkey(e):
                    fail("element %s: its kid %s has another /P" % (e.get("/S"), kid.get("/S")))
                visit(kid, depth + 1)
                continue
            else:
                fail("element %s has a kid of type %r" % (e.get("/S"), type(kid)))
            if key in mcrs:
                fail("MCID %d of a page belongs to two elements" % key[1])
            mcrs[key] = e

    k = root.get("/K")
    for top in (list(k) if isinstance(k, Array) else [k]):
        visit(top, 0)
    return elems, mcrs, objrs


def number_tree(node, out):
    if "/Nums" in node:
        nums = list(node.Nums)
        for i in range(0, len(nums), 2):
            if int(nums[i]) in out:
                fail("ParentTree has key %d twice" % int(nums[i]))
            out[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        if "/Limits" not in kid:
            fail("a ParentTree node without /Limits")
        number_tree(kid, out)
    return out


TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh", "BI"}


def content_sequences(page, pageno):
    """The MCIDs of a page's content, checking that every text and painting
    operator is inside an MCID sequence or an Artifact, and that sequences
    nest properly and stay within text objects."""
    stack = []  # (tag, mcid or None, in_text)
    in_text = False
    mcids = []
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "BT":
            in_text = True
        elif op == "ET":
            if stack and stack[-1][2]:
                fail("page %d: a marked-content sequence straddles ET" % pageno)
            in_text = False
        elif op in ("BDC", "BMC"):
            tag = str(operands[0])
            mcid = None
            if op == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
                if any(s[1] is not None for s in stack):
                    fail("page %d: MCID %d is nested in another MCID sequence" % (pageno, mcid))
                if any(s[0] == "/Artifact" for s in stack):
                    fail("page %d: MCID %d is inside an Artifact" % (pageno, mcid))
                if mcid in mcids:
                    fail("page %d: MCID %d used twice" % (pageno, mcid))
                mcids.append(mcid)
            stack.append((tag, mcid, in_text))
        elif op == "EMC":
            if not stack:
                fail("page %d: EMC without BDC" % pageno)
            if stack[-1][2] != in_text:
                fail("page %d: a marked-content sequence straddles BT" % pageno)
            stack.pop()
        elif op in TEXT_OPS or op in PAINT_OPS:
            marked = any(s[1] is not None or s[0] == "/Artifact" for s in stack)
            if not marked:
                fail("page %d: %s operator outside marked content and artifacts"
                     % (pageno, op))
    if stack:
        fail("page %d: %d marked-content sequences left open" % (pageno, len(stack)))
    return mcids


def cmd_tags(pdf_path, *expect):
    """expect: "lang=TAG": some element has /Lang TAG (a part in another
    language)."""
    pdf = pikepdf.open(pdf_path)
    root = pdf.Root
    if root.get("/MarkInfo") is None or not bool(root.MarkInfo.get("/Marked")):
        fail("no MarkInfo /Marked true")
    if "/Lang" not in root or not str(root.Lang):
        fail("no /Lang in the catalog")
    if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
        fail("DisplayDocTitle is not true")
    tree = root.get("/StructTreeRoot")
    if tree is None:
        fail("no StructTreeRoot")
    elems, mcrs, objrs = walk_tree(tree)
    parents = number_tree(tree.ParentTree, {})
    if int(tree.get("/ParentTreeNextKey", -1)) != (max(parents) + 1 if parents else 0):
        fail("ParentTreeNextKey is not the next key")

    used = set()
    for i, page in enumerate(pdf.pages, 1):
        pg = page.obj
        if pg.get("/Tabs") != "/S":
            fail("page %d has no /Tabs /S" % i)
        mcids = content_sequences(page, i)
        if "/StructParents" not in pg:
            fail("page %d has no /StructParents" % i)
        entry = parents.get(int(pg.StructParents))
        if entry is None or not isinstance(entry, Array):
            fail("page %d: no ParentTree array for its StructParents" % i)
        for m in mcids:
            key = (pg.objgen, m)
            if key not in mcrs:
                fail("page %d: MCID %d is in no structure element" % (i, m))
            if m >= len(entry) or objkey(entry[m]) != objkey(mcrs[key]):
                fail("page %d: the ParentTree entry of MCID %d is not its element" % (i, m))
            used.add(key)
        if len(entry) != len(mcids):
            fail("page %d: the ParentTree has %d entries, the content %d MCIDs"
                 % (i, len(entry), len(mcids)))
        for annot in pg.get("/Annots", []):
            if "/StructParent" not in annot:
                fail("page %d: an annotation has no /StructParent" % i)
            owner = parents.get(int(annot.StructParent))
            if owner is None or annot.objgen not in objrs or \
                    objkey(owner) not in [objkey(e) for e in objrs[annot.objgen]]:
                fail("page %d: an annotation's StructParent is not the element "
                     "that holds its OBJR" % i)
            if annot.get("/Subtype") == "/Link":
                if owner.get("/S") != "/Link":
                    fail("page %d: a link annotation belongs to a %s" % (i, owner.get("/S")))
                if not str(annot.get("/Contents", "")):
                    fail("page %d: a link annotation has no /Contents" % i)
            if not int(annot.get("/F", 0)) & 4:
                fail("page %d: an annotation is not printable (/F 4)" % i)
    missing = set(mcrs) - used
    if missing:
        fail("%d marked-content references point at no content" % len(missing))

    headings = []
    for e, depth in elems:
        s = str(e.get("/S"))
        if s == "/Figure" and not str(e.get("/Alt", "")):
            fail("a Figure has no /Alt")
        if s == "/Note" and not str(e.get("/ID", "")):
            fail("a Note has no /ID")
        if re.fullmatch(r"/H[1-6]", s):
            headings.append(int(s[2]))
        if s == "/Table":
            sub = [x for x, d in elems_under(elems, e)]
            if not any(str(x.get("/S")) == "/TH" for x in sub):
                fail("a Table has no TH")
    langs = {str(e.Lang) for e, d in elems if "/Lang" in e}
    for x in expect:
        if x.startswith("lang=") and x[5:] not in langs:
            fail("no element has /Lang %s (found %s)" % (x[5:], sorted(langs)))
    if headings and headings[0] != 1:
        fail("headings do not start at H1: %s" % headings[:5])
    for a, b in zip(headings, headings[1:]):
        if b > a + 1:
            fail("heading levels skip from H%d to H%d" % (a, b))
    print("tags ok: %d elements, %d marked-content sequences, %d annotations, headings %s"
          % (len(elems), len(mcrs), sum(len(v) for v in objrs.values()),
             "".join("H%d " % h for h in headings[:12]).strip()))


def elems_under(elems, e):
    out, inside, base = [], False, 0
    for x, d in elems:
        if inside:
            if d <= base:
                break
            out.append((x, d))
        elif objkey(x) == objkey(e):
            inside, base = True, d
    return out


# ---- pdfinfo -struct-text ---------------------------------------------------

def normalised_struct_text(pdf_path):
    """pdfinfo's tree with the text of consecutive marked-content sequences
    of one element joined (how a run is split into items is not structure)
    and annotation object numbers left out."""
    out = []
    for line in run("pdfinfo", "-struct-text", pdf_path).splitlines():
        m = re.match(r'^(\s*)"(.*)"$', line)
        if m and out and out[-1][0] == "t" and out[-1][1] == m.group(1):
            out[-1] = ("t", m.group(1), out[-1][2] + m.group(2))
        elif m:
            out.append(("t", m.group(1), m.group(2)))
        else:
            out.append(("e", re.sub(r"Object \d+ \d+$", "Object (annotation)", line), None))
    return [a + '"' + b + '"' if k == "t" else a for k, a, b in out]


def cmd_structtext(pdf_path, expected):
    got = normalised_struct_text(pdf_path)
    with open(expected, encoding="utf-8") as f:
        numbered = [(n, l.rstrip("\n")) for n, l in enumerate(f, 1) if not l.startswith("#")]
    want = [l for n, l in numbered]
    if got != want:
        for i, (a, b) in enumerate(zip(got, want)):
            if a != b:
                fail("%s:%d: expected\n  %s\ngot\n  %s" % (expected, numbered[i][0], b, a))
        fail("%s: expected %d lines, got %d (first extra: %s)"
             % (expected, len(want), len(got), (got + want)[min(len(got), len(want))]))
    print("structure ok: %d lines of pdfinfo -struct-text as expected" % len(got))


# ---- ruby ----------------------------------------------------------------------

def struct_text_tree(pdf_path):
    """pdfinfo -struct-text as a tree: [{"type", "kids", "text"}], where an
    element's "text" is the text of its own marked content, joined."""
    root = {"type": None, "kids": [], "text": ""}
    stack = [(-1, root)]
    for line in run("pdfinfo", "-struct-text", pdf_path).splitlines():
        indent = len(line) - len(line.lstrip(" "))
        m = re.match(r'^\s*"(.*)"$', line)
        e = re.match(r"^\s*([A-Za-z][A-Za-z0-9]*)\b", line)
        if not m and not e:
            continue  # an attribute line ("/ListNumbering /Disc")
        while stack[-1][0] >= indent:
            stack.pop()
        if m:
            stack[-1][1]["text"] += m.group(1)
            continue
        node = {"type": e.group(1), "kids": [], "text": ""}
        stack[-1][1]["kids"].append(node)
        stack.append((indent, node))
    return root


def source_ruby(md_path):
    """The ruby of a Markdown source by an independent reading of the
    notations (｜base《r》, kanji《r》, {base|r}, {base|r|...}): [(base,
    reading, context, mono)], the context being the base with the characters
    next to it in the text (none across a paragraph's end or a space), mono
    whether it is mono-ruby (one reading per character), and the text
    without the readings."""
    src = open(md_path, encoding="utf-8").read().split("---", 2)[2]
    kanji = r"[\u4e00-\u9fff\u3400-\u4dbf\u3005\u3006\u3007\u30f6]"
    pat = (r"｜([^《》｜\n]+)《([^》\n]+)》|(" + kanji + r"+)《([^》\n]+)》"
           r"|\{([^{}|\n]+)\|([^{}\n]+)\}")
    found, plain, at = [], "", 0
    for m in re.finditer(pat, src):
        base = m.group(1) or m.group(3) or m.group(5)
        reading = m.group(2) or m.group(4) or m.group(6).replace("|", "")
        mono = bool(m.group(6) and "|" in m.group(6))
        plain += src[at:m.start()]
        found.append((base, reading, len(plain), mono))
        plain += base
        at = m.end()
    plain += src[at:]
    out = []
    for base, reading, pos, mono in found:
        before = plain[pos - 1:pos] if pos > 0 else ""
        after = plain[pos + len(base):pos + len(base) + 1]
        ctx = (before if before.strip() and before not in "*#" else "") + base + \
            (after if after.strip() and after not in "*#" else "")
        out.append((base, reading, ctx, mono))
    return out, plain


def cmd_ruby(pdf_path, md_path):
    found, plain = source_ruby(md_path)
    if not found:
        fail("%s has no ruby" % md_path)
    pieces = []  # (RB text, RT text) of each Ruby, poppler's reading

    def visit(node):
        if node["type"] == "Ruby":
            kinds = [k["type"] for k in node["kids"]]
            if kinds != ["RB", "RT"]:
                fail("a Ruby holds %s, not RB then RT (base %r)"
                     % (kinds, node["kids"][0]["text"] if node["kids"] else ""))
            pieces.append((node["kids"][0]["text"], node["kids"][1]["text"]))
        for k in node["kids"]:
            visit(k)
    visit(struct_text_tree(pdf_path))

    # each RT's own /ActualText is its reading (read by pikepdf)
    pdf = pikepdf.open(pdf_path)
    elems, _, _ = walk_tree(pdf.Root.StructTreeRoot)
    rts = []
    for e, depth in elems:
        if str(e.get("/S")) != "/Ruby":
            continue
        k = e.get("/K")
        kids = [x for x in (list(k) if isinstance(k, Array) else [k])
                if isinstance(x, Dictionary) and "/S" in x]
        if [str(x.S) for x in kids] != ["/RB", "/RT"]:
            fail("a Ruby element's kids are %s" % [str(x.S) for x in kids])
        if "/ActualText" in kids[0]:
            fail("an RB has /ActualText: the base is its own text")
        rts.append(str(kids[1].get("/ActualText", "")))
    if len(rts) != len(pieces):
        fail("pikepdf reads %d Ruby elements, poppler %d" % (len(rts), len(pieces)))
    for i, (a, (rb, rt)) in enumerate(zip(rts, pieces)):
        if a != rt:
            fail("Ruby %d (RB %s): its RT's /ActualText is %r, its reading %r" % (i + 1, rb, a, rt))

    # the pieces against the source: a ruby is one Ruby, or, mono-ruby
    # broken across lines, one Ruby per line whose bases and readings join
    # up to the source's
    i = 0
    split = 0
    for n, (base, reading, ctx, mono) in enumerate(found, 1):
        rb = rt = ""
        first = i
        while i < len(pieces) and len(rb) < len(base) and base.startswith(rb + pieces[i][0]):
            rb += pieces[i][0]
            rt += pieces[i][1]
            i += 1
        if (rb, rt) != (base, reading):
            got = pieces[first] if first < len(pieces) else ("", "")
            fail("ruby %d of the source is %s《%s》, the structure text has RB %r RT %r"
                 % (n, base, reading, got[0], got[1]))
        if i - first > 1:
            if not mono:
                fail("ruby %s《%s》 is not mono-ruby but is %d Ruby elements"
                     % (base, reading, i - first))
            split += 1
    if i != len(pieces):
        fail("%d Ruby elements in the structure text, %d ruby in the source"
             % (len(pieces), len(found)))

    # text extraction: each base whole, with its neighbours, no reading
    text = re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", pdf_path, "-"))
    for base, reading, ctx, mono in found:
        if ctx not in text:
            fail("pdftotext does not give %r (base %s) unbroken" % (ctx, base))
    plain = re.sub(r"\s+", "", plain)
    for base, reading, ctx, mono in found:
        # (a reading that is also ordinary text of the source proves nothing)
        if len(reading) > 1 and reading in text and reading not in plain:
            fail("the reading %s of %s is in the extracted text" % (reading, base))
    print("ruby ok: %d ruby of the source as %d Ruby > RB + RT (%d mono-ruby split "
          "at a line end) with the source's base and reading (poppler), each RT's "
          "/ActualText its reading; pdftotext gives each base unbroken and no reading"
          % (len(found), len(pieces), split))


def cmd_text(pdf_path, *strings):
    poppler = re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", pdf_path, "-"))
    mupdf = re.sub(r"\s+", "", run("mutool", "draw", "-q", "-F", "txt", "-o", "-", pdf_path))
    # Ghostscript's txtwrite writes a character beyond the BMP as two
    # surrogates (10.0), so only the BMP parts of a string are looked for
    gs = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=txtwrite",
                         "-sOutputFile=-", pdf_path], capture_output=True, check=True)
    ghost = re.sub(r"\s+", "", gs.stdout.decode("utf-8", "replace"))
    for want in strings:
        w = re.sub(r"\s+", "", want)
        for tool, text in (("pdftotext", poppler), ("mutool", mupdf)):
            if w not in text:
                fail("%s does not give %r" % (tool, want))
        for part in re.split("[\U00010000-\U0010FFFF]", w):
            if part and part not in ghost:
                fail("Ghostscript (txtwrite) does not give %r" % part)
    print("text ok: pdftotext, mutool and Ghostscript give %s" % ", ".join(repr(x) for x in strings))


# ---- XMP ----------------------------------------------------------------------

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
}


def cmd_meta(pdf_path, mode="pdfa"):
    xml = run("pdfinfo", "-meta", pdf_path)
    if "<?xpacket" not in xml:
        fail("pdfinfo -meta shows no XMP packet")
    # the prefixes themselves are part of PDF/A's rules (6.6.2.3.1)
    for lit in ("<pdfuaid:part>1</pdfuaid:part>",):
        if lit not in xml:
            fail("XMP lacks %s" % lit)
    pdfa_lits = ("<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>U</pdfaid:conformance>")
    for lit in pdfa_lits:
        if (lit in xml) != (mode == "pdfa"):
            fail("XMP %s %s" % ("lacks" if mode == "pdfa" else "has", lit))
    doc = ET.fromstring(xml[xml.index("<x:xmpmeta"):xml.index("</x:xmpmeta>") + 12])

    def prop(path):
        el = doc.find(".//rdf:Description/" + path, NS)
        return el.text if el is not None else None
    info = {}
    for line in run("pdfinfo", "-isodates", pdf_path).splitlines():
        k, _, v = line.partition(":")
        info[k.strip()] = v.strip()
    title = prop("dc:title/rdf:Alt/rdf:li")
    if not title or title != info.get("Title"):
        fail("dc:title %r is not the Info Title %r" % (title, info.get("Title")))
    for key, path in (("Author", "dc:creator/rdf:Seq/rdf:li"),
                      ("Subject", "dc:description/rdf:Alt/rdf:li"),
                      ("Creator", "xmp:CreatorTool"), ("Producer", "pdf:Producer")):
        if info.get(key) and prop(path) != info[key]:
            fail("XMP %s %r is not the Info %s %r" % (path, prop(path), key, info[key]))
    if info.get("CreationDate"):
        xd = prop("xmp:CreateDate") or ""
        if xd.replace("+00:00", "Z") != info["CreationDate"].replace("+00:00", "Z"):
            fail("xmp:CreateDate %r is not the Info CreationDate %r" % (xd, info["CreationDate"]))
    if mode == "pdfa" and doc.find(".//pdfaSchema:namespaceURI", NS) is None:
        fail("no pdfaExtension schema declares pdfuaid")
    did = prop("xmpMM:DocumentID") or ""
    if not re.fullmatch(r"uuid:[0-9a-f-]{36}", did):
        fail("xmpMM:DocumentID %r" % did)
    print("meta ok: XMP with %s, dc:title = Info Title (%s)"
          % ("PDF/A-2u and PDF/UA-1" if mode == "pdfa" else "PDF/UA-1 only", title))


# ---- PDF/A-2u specifics -------------------------------------------------------

def tounicode_codes(cmap):
    data = cmap.read_bytes().decode("latin-1")
    codes = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            if not dst or dst.upper() in ("0000", "FEFF", "FFFE"):
                fail("ToUnicode maps %s to %r" % (src, dst))
            codes.add(int(src, 16))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        # <lo> <hi> then <dst> or [<dst> ...]: three items an entry
        for lo, hi, dst in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
            if dst in ("<>", "[]"):
                fail("ToUnicode maps %s..%s to nothing" % (lo, hi))
            codes.update(range(int(lo, 16), int(hi, 16) + 1))
    return codes


class FontCodes:
    """How a Type0 font's strings split into codes and codes into glyphs:
    Identity-H/V (two bytes, the code is the CID) or an embedded CMap
    stream (its codespace and cidranges, ISO 32000-1 9.7.5), then the
    CIDFont's CIDToGIDMap."""

    def __init__(self, font):
        enc = font.get("/Encoding")
        self.spaces = [(2, 0, 0xFFFF)]
        self.ranges = None  # None: CID = code
        if isinstance(enc, pikepdf.Stream):
            data = enc.read_bytes().decode("latin-1")
            self.spaces, self.ranges = [], []
            for block in re.findall(r"begincodespacerange(.*?)endcodespacerange", data, re.S):
                for lo, hi in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    self.spaces.append((len(lo) // 2, int(lo, 16), int(hi, 16)))
            for block in re.findall(r"begincidrange(.*?)endcidrange", data, re.S):
                for lo, hi, cid in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\d+)", block):
                    self.ranges.append((int(lo, 16), int(hi, 16), int(cid)))
        elif str(enc) not in ("/Identity-H", "/Identity-V"):
            fail("font encoding %s is neither Identity nor an embedded CMap" % enc)
        m = font.DescendantFonts[0].get("/CIDToGIDMap")
        self.gidmap = m.read_bytes() if isinstance(m, pikepdf.Stream) else None

    def codes(self, b):
        k = 0
        while k < len(b):
            for n, lo, hi in self.spaces:
                if k + n <= len(b) and lo <= int.from_bytes(b[k:k + n], "big") <= hi:
                    yield int.from_bytes(b[k:k + n], "big")
                    k += n
                    break
            else:
                fail("bytes %s are in no codespace range" % b[k:k + 4].hex())

    def gid(self, code):
        cid = code
        if self.ranges is not None:
            cid = next((c + code - lo for lo, hi, c in self.ranges if lo <= code <= hi), 0)
        if self.gidmap is None:
            return cid
        return int.from_bytes(self.gidmap[2 * cid:2 * cid + 2], "big") if 2 * cid + 1 < len(self.gidmap) else 0


def cmd_pdfa(pdf_path):
    pdf = pikepdf.open(pdf_path)
    intents = pdf.Root.get("/OutputIntents")
    if not intents:
        fail("no OutputIntents")
    oi = [o for o in intents if o.get("/S") == "/GTS_PDFA1"]
    if len(oi) != 1 or "/DestOutputProfile" not in oi[0] or int(oi[0].DestOutputProfile.N) != 3:
        fail("no single GTS_PDFA1 output intent with an RGB profile")
    profile = oi[0].DestOutputProfile.read_bytes()
    if profile[36:40] != b"acsp" or profile[16:20] != b"RGB ":
        fail("the output intent's profile is not an RGB ICC profile")
    if "/Encrypt" in pdf.trailer or "/ID" not in pdf.trailer:
        fail("PDF/A needs a trailer /ID and no encryption")
    glyphs = 0
    for i, page in enumerate(pdf.pages, 1):
        res = page.obj.Resources
        group = page.obj.get("/Group")
        if group is not None and group.get("/S") == "/Transparency" and "/CS" not in group:
            fail("page %d: a transparency group without a blending colour space" % i)
        for name, xo in res.get("/XObject", {}).items():
            g = xo.get("/Group")
            if g is not None and g.get("/S") == "/Transparency" and "/CS" not in g:
                fail("page %d: XObject %s is a transparency group without /CS" % (i, name))
            if xo.get("/Interpolate") is True:
                fail("page %d: image %s has /Interpolate true" % (i, name))
        fonts = {}
        for name, font in res.get("/Font", {}).items():
            if font.get("/Subtype") != "/Type0" or "/ToUnicode" not in font:
                fail("page %d: font %s is not a Type0 font with ToUnicode" % (i, name))
            desc = font.DescendantFonts[0].FontDescriptor
            if "/FontFile2" not in desc:
                fail("page %d: font %s is not embedded" % (i, name))
            fonts[str(name)] = (tounicode_codes(font.ToUnicode), FontCodes(font))
        current = None
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "Tf":
                current = str(operands[0])
            elif op in ("Tj", "TJ"):
                items = operands[0] if op == "TJ" else [operands[0]]
                for s in items:
                    if not isinstance(s, pikepdf.String):
                        continue
                    mapped, enc = fonts.get(current, (set(), None))
                    if enc is None:
                        fail("page %d: text before a font" % i)
                    for code in enc.codes(bytes(s)):
                        glyphs += 1
                        if enc.gid(code) == 0:
                            fail("page %d: .notdef is drawn" % i)
                        if code not in mapped:
                            fail("page %d: code %d of %s has no ToUnicode entry" % (i, code, current))
    print("pdfa ok: sRGB output intent, %d glyphs drawn, each mapped in ToUnicode, "
          "no .notdef, no transparency group without a colour space" % glyphs)


# ---- PDFBox Preflight ----------------------------------------------------------

JARS = ["preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging",
        "javax.activation", "jaxb-api"]
# Preflight checks PDF/A-1b.  These rules are PDF/A-1's alone: PDF/A-2
# makes CIDSet optional (6.2.11.4.2), allows soft masks and transparency
# (6.4), and identifies itself as part 2, conformance U (6.6.4).
ONLY_1B = {
    "3.1.11": "CIDSet missing (required by PDF/A-1 only)",
    "2.2.2": "soft mask (transparency is forbidden by PDF/A-1 only)",
    "7.11.1": "conformance U (PDF/A-1 knows A and B only)",
    "7.11.2": "part 2 (PDF/A-1 expects part 1)",
}
# Findings that are PDF/A-1's alone only with a given message: PDF/A-1 is
# PDF 1.4, while PDF/A-2 (ISO 32000-1) allows cross-reference and object
# streams (ISO 19005-2 6.1.4, 6.1.7); other trailer findings still fail.
ONLY_1B_MESSAGE = {
    "1.4": ("cross reference streams are not allowed",
            "cross-reference stream (PDF 1.5; PDF/A-1 is PDF 1.4)"),
}


def cmd_preflight(pdf_path):
    cp = ":".join("/usr/share/java/%s.jar" % j for j in JARS)
    r = subprocess.run(["java", "-cp", cp, "org.apache.pdfbox.preflight.Validator_A1b",
                        pdf_path], capture_output=True)
    out = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
    if "Exception" in out or ("is a valid PDF/A-1b" not in out and "error(s)" not in out):
        fail("Preflight did not run: %s" % out[:400])
    seen = {}
    for line in out.splitlines():
        m = re.match(r"^(\d+(?:\.\d+)+) : (.*)", line)
        if not m:
            continue
        code = m.group(1)
        special = ONLY_1B_MESSAGE.get(code)
        if special and special[0] in m.group(2):
            what = special[1]
        elif code in ONLY_1B:
            what = ONLY_1B[code]
        else:
            fail("Preflight finding shared with PDF/A-2: %s" % line[:300])
        seen[(code, what)] = seen.get((code, what), 0) + 1
    print("preflight ok: no finding on the rules PDF/A-1b and PDF/A-2u share; 1b-only: %s"
          % (", ".join("%s %s x%d" % (k[0], k[1], v) for k, v in sorted(seen.items()))
             or "none"))


# ---- pdf.js ------------------------------------------------------------------------

PDFJS_DIR = __import__("os").path.join(__import__("os").path.dirname(__file__), "pdfjs")


def pikepdf_page_trees(pdf_path):
    """Per page, the elements that have marked content on it and their
    ancestors, in document order, as structtree.mjs prints pdf.js's."""
    pdf = pikepdf.open(pdf_path)
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages, 1)}
    out = {i: [] for i in pages.values()}

    def mc_on(e, page):
        k = e.get("/K")
        kids = list(k) if isinstance(k, Array) else ([] if k is None else [k])
        n = 0
        for kid in kids:
            if isinstance(kid, int) and pages.get(e.Pg.objgen) == page:
                n += 1
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR" and \
                    pages.get(kid.Pg.objgen) == page:
                n += 1
        return n

    def visit(e, depth, page):
        lines = []
        k = e.get("/K")
        for kid in (list(k) if isinstance(k, Array) else ([] if k is None else [k])):
            if isinstance(kid, Dictionary) and "/S" in kid:
                lines += visit(kid, depth + 1, page)
        n = mc_on(e, page)
        if not lines and not n:
            return []
        head = "  " * depth + str(e.S)[1:]
        # pdf.js's alt: the element's /Alt, else its /ActualText
        alt = str(e.get("/Alt", "")) or str(e.get("/ActualText", ""))
        if alt:
            head += " alt=" + json.dumps(alt, ensure_ascii=False)
        if n:
            head += " mc=%d" % n
        return [head] + lines

    root = pdf.Root.StructTreeRoot.K
    lines = []
    for page in sorted(out):
        lines.append("page %d" % page)
        for top in (list(root) if isinstance(root, Array) else [root]):
            lines += visit(top, 1, page)
    return lines


def cmd_pdfjs(pdf_path):
    import os
    import shutil
    node = shutil.which("node")
    module = os.path.join(PDFJS_DIR, "node_modules", "pdfjs-dist", "package.json")
    if not node or not os.path.exists(module):
        print("SKIPPED: pdf.js is not installed (scripts/deps.sh installs pdfjs-dist "
              "into tests/pdfjs when Node.js 20 or later is there)")
        sys.exit(77)
    r = subprocess.run([node, os.path.join(PDFJS_DIR, "structtree.mjs"), pdf_path],
                       capture_output=True)
    if r.returncode != 0:
        fail("pdf.js failed: %s" % r.stderr.decode("utf-8", "replace")[-600:])
    got = r.stdout.decode("utf-8").splitlines()
    want = pikepdf_page_trees(pdf_path)
    if got != want:
        for i, (a, b) in enumerate(zip(got, want)):
            if a != b:
                fail("pdf.js reads another tree at line %d:\n  pikepdf: %s\n  pdf.js:  %s"
                     % (i + 1, b, a))
        fail("pdf.js reads %d lines, pikepdf %d" % (len(got), len(want)))
    print("pdfjs ok: getStructTree gives the same %d elements on %d pages"
          % (sum(1 for l in got if not l.startswith("page")), sum(1 for l in got if l.startswith("page"))))


COMMANDS = {"pdfjs": cmd_pdfjs, "tags": cmd_tags, "structtext": cmd_structtext, "meta": cmd_meta,
            "pdfa": cmd_pdfa, "preflight": cmd_preflight, "ruby": cmd_ruby, "text": cmd_text}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
