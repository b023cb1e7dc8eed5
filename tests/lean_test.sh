#!/bin/sh
# The compact file, read back with qpdf, pikepdf and Ghostscript:
#   - object streams and a cross-reference stream (qpdf --show-xref), no
#     qpdf warning, Ghostscript and MuPDF draw it without a message;
#   - the /ID is the MD5 of every byte before the cross-reference stream;
#   - embedded fonts carry no TrueType instructions by default (empty fpgm,
#     prep, cvt; no glyph program) and keep them with font-hinting: keep.
#   lean_test.sh KUMIHAN SRC OUT
set -eu
kumihan=$1 src=$2 out=$3/lean
mkdir -p "$out/layout"
env -u SOURCE_DATE_EPOCH "$kumihan" "$src/content/smartcity-2022-03-31" -o "$out/drop.pdf"
{ cat "$src/layout/press-release.yaml"; echo "font-hinting: keep"; } >"$out/layout/press-release.yaml"
KUMIHAN_LAYOUT_DIR=$out/layout env -u SOURCE_DATE_EPOCH "$kumihan" \
  "$src/content/smartcity-2022-03-31" -o "$out/keep.pdf"

qpdf --check "$out/drop.pdf" >"$out/check.txt" 2>&1 || { cat "$out/check.txt"; exit 1; }
if grep -i warning "$out/check.txt"; then exit 1; fi
qpdf --show-xref "$out/drop.pdf" >"$out/xref.txt"
grep -q "compressed; stream = " "$out/xref.txt" || { echo "FAIL: no object in an object stream"; exit 1; }
msgs=$(gs -q -dNOPAUSE -dBATCH -sDEVICE=nullpage "$out/drop.pdf" 2>&1)
[ -z "$msgs" ] || { echo "FAIL: Ghostscript said: $msgs"; exit 1; }
msgs=$(mutool draw -o /dev/null "$out/drop.pdf" 2>&1 | grep -v -e '^page ' -e 'ICC support is not available' || true)
[ -z "$msgs" ] || { echo "FAIL: mutool said: $msgs"; exit 1; }

/usr/bin/python3 - "$out/drop.pdf" "$out/keep.pdf" <<'PY'
import hashlib, re, struct, sys
import pikepdf

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

drop, keep = sys.argv[1], sys.argv[2]
data = open(drop, "rb").read()
start = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
with pikepdf.open(drop) as pdf:
    ident = bytes(pdf.trailer.ID[0])
    if hashlib.md5(data[:start]).digest() != ident:
        fail("/ID is not the MD5 of the bytes before the cross-reference stream")
if not data[start:].split(b"\n", 1)[1].startswith(b"<</Type /XRef"):
    fail("startxref does not point at a cross-reference stream")

def tables(pdf_path):
    """(table -> length) of each embedded font, and whether any glyph has
    instructions."""
    out = []
    with pikepdf.open(pdf_path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and "/Length1" in obj:
                d = obj.read_bytes()
                n = struct.unpack(">H", d[4:6])[0]
                t = {}
                for i in range(n):
                    tag, _, off, ln = struct.unpack(">4sIII", d[12 + 16 * i:28 + 16 * i])
                    t[tag.decode("latin-1")] = (off, ln)
                head = d[t["head"][0]:]
                long_loca = struct.unpack(">h", head[50:52])[0]
                off, ln = t["loca"]
                if long_loca:
                    loca = struct.unpack(">%dI" % (ln // 4), d[off:off + ln])
                else:
                    loca = [2 * x for x in struct.unpack(">%dH" % (ln // 2), d[off:off + ln])]
                glyf = t["glyf"][0]
                instructions = 0
                for g in range(len(loca) - 1):
                    if loca[g + 1] - loca[g] < 10:
                        continue
                    p = glyf + loca[g]
                    contours = struct.unpack(">h", d[p:p + 2])[0]
                    if contours > 0:  # simple glyph: instructionLength after endPts
                        q = p + 10 + 2 * contours
                        instructions += struct.unpack(">H", d[q:q + 2])[0]
                out.append(({k: v[1] for k, v in t.items()}, instructions))
    return out

for t, ins in tables(drop):
    for tag in ("cvt ", "fpgm", "prep"):
        if t.get(tag, -1) != 0:
            fail("default: %r should be present and empty, is %r" % (tag, t.get(tag)))
    if ins:
        fail("default: %d bytes of glyph instructions left" % ins)
    for tag in ("cmap", "name", "GSUB", "GPOS"):
        if tag in t:
            fail("default: %r should be dropped" % tag)
kept = tables(keep)
if not any(t.get("fpgm", 0) > 0 and ins > 0 for t, ins in kept):
    fail("font-hinting: keep embedded no hinting")
print("ok: object streams, xref stream, /ID over the bytes, hinting dropped and kept")
PY
