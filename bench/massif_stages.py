#!/usr/bin/env python3
"""bench/massif_stages.py MASSIF_OUT — the heap at a valgrind massif
profile's peak, by what holds it: each allocation is put to the innermost
frame of its stack that names one of kumihan's stages (or a library), the
shared helpers (util.c: arenas, vectors, buffers) being looked through.
Prints a markdown table, largest first.  A measurement, not a test.

Run massif with a deep enough stack (bench/memory.sh does):
  valgrind --tool=massif --depth=14 --threshold=0.2 kumihan IN -o OUT.pdf
"""
import re
import sys

# (label, pattern on a frame's text), tried in this order on each frame
# from the allocation outwards; the first frame that matches names it.
STAGES = [
    ("source file (the Markdown read whole)", r"source_read|kh_file_read"),
    ("doc: tree (nodes, copied text, segments, marks)", r"src/doc/|markdown\.c|doc\.c|ruby\.c|notes\.c|md_parse"),
    ("pdf: structure tree records (tag.c)", r"tag\.c"),
    ("pdf: object streams, xref (write.c)", r"write\.c"),
    ("pdf: fonts, subsets (embed.c, hb-subset)", r"embed\.c|libharfbuzz-subset"),
    ("pdf: pages, outline (pdf.c)", r"pdf\.c"),
    ("pdf: libharu objects", r"libhpdf"),
    ("pdf: libdeflate", r"libdeflate"),
    ("page: builder (page.c)", r"page\.c|vertical\.c|src/page/"),
    ("para, shape, style", r"compose\.c|breaks\.c|jlreq\.c|window\.c|shape\.c|font\.c|runs\.c|layout\.c"),
    ("fonts loaded (FreeType, HarfBuzz)", r"libfreetype|libharfbuzz|fontconfig"),
    ("ICU", r"libicu"),
    ("driver, context", r"kumihan\.c|ctx\.c|diag\.c|main\.c"),
]
LINE = re.compile(r"^( *)n(\d+): (\d+) (.*)$")


def peak_tree(path):
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    peak = None
    for i, line in enumerate(lines):
        if line == "heap_tree=peak":
            peak = i + 1
    if peak is None:
        sys.exit("no peak snapshot in " + path)
    out = []
    for line in lines[peak:]:
        m = LINE.match(line)
        if not m:
            break
        out.append((len(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)))
    return out


def classify(stack):
    for frame in stack:  # from the allocation outwards to main
        for label, pat in STAGES:
            if re.search(pat, frame):
                return label
    return "other"


def main():
    nodes = peak_tree(sys.argv[1])
    total = nodes[0][2]
    sums = {}
    stack = []
    for depth, nkids, size, text in nodes[1:]:
        del stack[depth - 1:]
        stack.append(text)
        if nkids == 0:  # a leaf (or "in N places, below the threshold")
            label = classify(stack)  # stack[0]: the allocating function
            sums[label] = sums.get(label, 0) + size
    print("| held by | MB at the peak | share |")
    print("|---|---|---|")
    for label, size in sorted(sums.items(), key=lambda kv: -kv[1]):
        print(f"| {label} | {size / 1e6:.1f} | {100 * size / total:.0f} % |")
    print(f"| **heap at the peak** | **{total / 1e6:.1f}** | |")


if __name__ == "__main__":
    main()
