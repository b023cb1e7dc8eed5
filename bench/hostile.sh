#!/bin/sh
# hostile.sh KUMIHAN [OUTDIR] — inputs that were quadratic in time or
# memory, generated, timed and measured (peak RSS) one by one:
#
#   links      one paragraph of 50,000 links (marks walked per character)
#   yaml-keys  front matter of 50,000 keys (duplicate-key detection); the
#              build stops at the first unknown key, after the parse
#   styles     a layout of 100,000 styles (duplicate keys, style lookup)
#   para-20mb  one paragraph of 20 MB of Japanese text (memory)
#   rows       a table of 200,000 rows (memory)
#   cell       a table cell of one word of 100,000 letters (first fit scanned
#              the word to its end for every line of the cell)
#
# Prints one line per input: name, wall and CPU (user + system) seconds,
# peak RSS in MiB, exit status.  Errors are expected where noted (yaml-keys); anything slower than
# a few seconds is a regression.  Set ONLY=name to run one.
set -u
kumihan=$1
out=${2:-/tmp/kh-bench-hostile}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mkdir -p "$out"
export KUMIHAN_LAYOUT_DIR=${KUMIHAN_LAYOUT_DIR:-$root/layout}
export KUMIHAN_FONT_DIR=${KUMIHAN_FONT_DIR:-$root/fonts}

gen() {
  python3 - "$1" "$out" "$root" <<'PY'
import sys, os
name, out, root = sys.argv[1], sys.argv[2], sys.argv[3]
if name == "links":
    with open(f"{out}/links.md", "w") as f:
        f.write("".join(f"[リンク{i}](https://example.jp/{i}) " for i in range(50000)) + "\n")
elif name == "yaml-keys":
    with open(f"{out}/yaml-keys.md", "w") as f:
        f.write("---\n" + "".join(f"k{i}: v\n" for i in range(50000)) + "---\n本文\n")
elif name == "styles":
    os.makedirs(f"{out}/styles", exist_ok=True)
    src = open(f"{root}/layout/press-release.yaml").read()
    extra = "".join(f"  s{i}: {{indent: 0}}\n" for i in range(100000))
    src = src.replace("\nstyles:\n", "\nstyles:\n" + extra, 1)
    open(f"{out}/styles/press-release.yaml", "w").write(src)
    open(f"{out}/styles.md", "w").write("# 見出し\n\n本文の段落です。\n")
elif name == "para-20mb":
    unit = "スマートシティの実装に向けた実証事業に取り組む皆様へ、知見集を公開します。"
    n = 20 * 1000 * 1000 // len(unit.encode())
    with open(f"{out}/para-20mb.md", "w") as f:
        f.write(unit * n + "\n")
elif name == "rows":
    with open(f"{out}/rows.md", "w") as f:
        f.write("| 番号 | 内容 |\n|---|---|\n")
        for i in range(200000):
            f.write(f"| {i} | 行の内容 |\n")
elif name == "cell":
    with open(f"{out}/cell.md", "w") as f:
        f.write("| " + "x" * 100000 + " | 値 |\n|---|---|\n| 一 | 二 |\n")
PY
}

run() {
  name=$1
  shift
  [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ] && return
  gen "$name"
  /usr/bin/time -f "%e %U %S %M" -o "$out/$name.time" "$kumihan" "$@" > /dev/null 2> "$out/$name.stderr"
  rc=$?
  # the last line: /usr/bin/time says "Command exited with ..." first on failure
  read -r secs usr sys kib <<EOT
$(tail -n 1 "$out/$name.time")
EOT
  cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  printf '%-10s %8ss wall %8ss CPU %6s MiB  exit %s\n' "$name" "$secs" "$cpu" "$((kib / 1024))" "$rc"
}

run links "$out/links.md" -o "$out/links.pdf"
run yaml-keys "$out/yaml-keys.md" -o "$out/yaml-keys.pdf"
run styles "$out/styles.md" -o "$out/styles.pdf" --layout-dir "$out/styles"
run para-20mb "$out/para-20mb.md" -o "$out/para-20mb.pdf"
run rows "$out/rows.md" -o "$out/rows.pdf"
run cell "$out/cell.md" -o "$out/cell.pdf"
