#!/usr/bin/python3
"""Read-back tests of the document constructs: build a Markdown file with
kumihan and check the PDF with poppler's pdftotext -bbox-layout (an oracle
nobody here wrote): hard breaks, h5/h6, list hanging indents and markers,
task list boxes, raw HTML warnings; and the errors for unknown keys and templates.
  doc_test.py KUMIHAN SRC_DIR OUT_DIR"""
import os, re, subprocess, sys, xml.etree.ElementTree as ET

kumihan, src, out = sys.argv[1], sys.argv[2], os.path.join(sys.argv[3], "doc")
os.makedirs(out, exist_ok=True)
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    failures += 0 if cond else 1


def build(md, pdf):
    r = subprocess.run([kumihan, md, "-o", pdf], capture_output=True, text=True)
    return r.returncode, r.stderr


def lines(pdf):
    """(text, xMin, yMin) of every line pdftotext finds, in reading order."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", pdf, "-"], capture_output=True,
                         text=True, check=True).stdout
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    root = ET.fromstring(xml)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    res = []
    for ln in root.iter("{http://www.w3.org/1999/xhtml}line"):
        words = ln.findall("h:word", ns)
        text = "".join(w.text or "" for w in words)
        res.append((text, float(ln.get("xMin")), float(ln.get("yMin")), words))
    return res


def find(ls, needle):
    for t in ls:
        if needle in t[0]:
            return t
    return None


def build_text(name, markdown):
    """Writes `markdown` to OUT/doc/NAME.md and builds it: (exit, stderr,
    the PDF's path, its lines)."""
    md_path, pdf_path = os.path.join(out, name + ".md"), os.path.join(out, name + ".pdf")
    with open(md_path, "w") as f:
        f.write(markdown)
    code, stderr = build(md_path, pdf_path)
    return code, stderr, pdf_path, lines(pdf_path) if code == 0 else []


md = os.path.join(src, "tests/data/doc/constructs.md")
pdf = os.path.join(out, "constructs.pdf")
rc, err = build(md, pdf)
check(rc == 0, "constructs.md builds (exit %d)" % rc)
check(re.search(r"constructs\.md:14:1: warning: raw HTML '<span>' is not typeset", err) is not None,
      "raw HTML is a warning naming its line")
ls = lines(pdf)
text = "\n".join(t[0] for t in ls)
check("<span>" not in text and "未対応の要素はそのまま" in text, "raw HTML is not printed")

# hard breaks: three lines, one under the other
a, b, c = find(ls, "住所"), find(ls, "東京都千代田区"), find(ls, "合同庁舎")
check(a and b and c and a[0] == "住所" and a[2] < b[2] < c[2], "hard breaks start new lines")
check(find(ls, "五段目の見出し") and find(ls, "六段目の見出し"), "h5 and h6 are printed")

# lists: markers right-aligned, text on one hanging indent
first = find(ls, "一つ目の項目は")
wrapped = ls[ls.index(first) + 1] if first else None
cont = find(ls, "一つ目の項目の続き")
def word_x(line, w):
    for x in line[3]:
        if x.text == w:
            return float(x.get("xMin")), float(x.get("xMax"))
    return None
m1 = word_x(first, "1.") if first else None
body_x = float(first[3][1].get("xMin")) if first and len(first[3]) > 1 else None
check(wrapped is not None and body_x is not None and abs(wrapped[1] - body_x) < 0.5,
      "a wrapped line hangs under the item's text (%s vs %s)" % (wrapped and wrapped[1], body_x))
check(cont is not None and body_x is not None and abs(cont[1] - body_x) < 0.5 and
      not cont[0].startswith("・"), "a continuation paragraph starts at the text, with no marker")
def with_word(w):
    for t in ls:
        if any(x.text == w for x in t[3]):
            return t
    return None
nine, ten = with_word("9."), with_word("10.")
r9 = word_x(nine, "9.") if nine else None
r10 = word_x(ten, "10.") if ten else None
check(r9 and r10 and abs(r9[1] - r10[1]) < 0.5 and r10[0] < r9[0] - 1,
      "numbers end on one right edge (9. %s, 10. %s)" % (r9, r10))
check(m1 and body_x and body_x - m1[1] >= 10.5 * 0.45, "a number is followed by its gap")
nested = find(ls, "入れ子の項目")
check(nested and body_x and nested[1] >= body_x - 0.5, "a nested list starts at its parent's text")
bold = find(ls, "太字:")
check(bold is not None, "a tight item keeps its text")

# an item that opens with a list: its marker on the list's first line, left
# of the inner marker, and its own Lbl in the structure tree
rc, err, nest_pdf, nl = build_text("nest", "1. - 入れ子の最初の項目。\n   - 二つ目。\n2. 普通の項目。\n")
first = find(nl, "入れ子の最初の項目")
ws = [(w.text, float(w.get("xMin"))) for w in first[3]] if first else []
one = [x for t, x in ws if t == "1."]
dot = [x for t, x in ws if t and t.startswith("・")]
check(rc == 0 and one and dot and one[0] < dot[0],
      "an item opening with a list has its marker before the inner one (%s)" % ws[:3])
st = subprocess.run(["pdfinfo", "-struct-text", nest_pdf], capture_output=True, text=True).stdout
check(re.search(r'Lbl \(block\)\n\s+"1\."\n\s+LBody \(block\)\n\s+L \(block\)', st) is not None,
      "its marker is the outer item's Lbl, before the inner list")

# the numbers of a list line up: right-aligned with digits of one width,
# so (1) starts where (2) does and 1. where 2. does, though the Latin
# font's 1 is narrower than its 2 (proportional BIZ UDP Mincho)
rc, err, _, nl = build_text("numbers", "1. 外の一つ目。\n   1. 入れ子の一つ目。\n"
                                        "   2. 入れ子の二つ目。\n2. 外の二つ目。\n")
def marker_x(needle, mark):
    t = find(nl, needle)
    xs = [float(w.get("xMin")) for w in t[3] if (w.text or "").startswith(mark)] if t else []
    return xs[0] if xs else None
p1, p2 = marker_x("入れ子の一つ目", "("), marker_x("入れ子の二つ目", "(")
o1, o2 = marker_x("外の一つ目", "1"), marker_x("外の二つ目", "2")
check(rc == 0 and p1 is not None and p2 is not None and abs(p1 - p2) < 0.05,
      "(1) and (2) start on one edge (%s, %s)" % (p1, p2))
check(o1 is not None and o2 is not None and abs(o1 - o2) < 0.05,
      "1. and 2. start on one edge (%s, %s)" % (o1, o2))

# GFM task items: the box is the item's marker (□ open, ■ done), in the
# bullet's place or after the number; nothing of "[ ]" is printed
rc, err, task_pdf, tl = build_text("tasks", "- [ ] 実施計画の策定\n- [x] 予算の確保\n- 通常の項目\n\n"
                                            "1. [ ] 番号付きの課題\n2. [X] 済んだ課題\n")
ttext = "\n".join(t[0] for t in tl)
check(rc == 0 and err == "", "a task list builds with no diagnostic (%s)" % err.strip()[:200])
check("[" not in ttext and "]" not in ttext, "no task box is printed as '[ ]' text")
for needle, want in (("実施計画の策定", "□"), ("予算の確保", "■"), ("通常の項目", "・"),
                     ("番号付きの課題", "1.□"), ("済んだ課題", "2.■")):
    t = find(tl, needle)
    check(t is not None and t[0].startswith(want),
          "the item '%s' has the marker %s (%s)" % (needle, want, t and t[0]))
st = subprocess.run(["pdfinfo", "-struct-text", task_pdf], capture_output=True, text=True).stdout
check(re.search(r'Lbl \(block\)\n\s+"□"', st) is not None and
      re.search(r'Lbl \(block\)\n\s+"2\.■"', st) is not None,
      "a task box is its item's Lbl in the structure tree")

# errors with the nearest name
def expect_error(name, content, regex, files=None):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    for fn, body in (files or {"in.md": content}).items():
        with open(os.path.join(d, fn), "w") as f:
            f.write(body)
    target = d if files else os.path.join(d, "in.md")
    p = os.path.join(d, "out.pdf")
    rc, err = build(target, p)
    check(rc == 1 and re.search(regex, err.splitlines()[0] if err else "") is not None
          and not os.path.exists(p), "%s: %s" % (name, err.splitlines()[0] if err else rc))

expect_error("frontmatter-key", "---\ntitel: 題\n---\n本文\n",
             r"in\.md:2:1: error: unknown front matter key 'titel'; did you mean 'title'\?")
expect_error("template", "---\npage: atachment\n---\n本文\n",
             r"in\.md:2:7: error: page template 'atachment' is not in layout 'press-release'; "
             r"did you mean 'attachment'\?")
expect_error("publication-key", None,
             r"publication\.yaml:1:1: error: unknown publication key 'tilte'; did you mean 'title'\?",
             {"publication.yaml": "tilte: 題\nparts: [a.md]\n", "a.md": "本文\n"})
expect_error("footnote", "本文[^1]。\n", r"in\.md:1:3: error: footnote '\[\^1\]' is not defined")
expect_error("image", "![図1 図](none.png)\n", r"in\.md:1:9: error: cannot read image 'none.png'")

# the examples build without a word
for ex in ("maff-press-release", "survey-report"):
    p = os.path.join(out, ex + ".pdf")
    rc, err = build(os.path.join(src, "content/examples", ex), p)
    check(rc == 0 and err == "", "example %s builds with no diagnostic (%s)" % (ex, err.strip()[:200]))

print("doc read-back: %d failed" % failures)
sys.exit(1 if failures else 0)
