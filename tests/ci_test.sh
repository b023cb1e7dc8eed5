#!/bin/sh
# examples/ci: the script the GitHub and GitLab jobs run, on a content
# repository of two publications: the date comes from the last commit, the
# SHA-256 sums are written and stable across runs, and a warning fails the
# build.  The two job files are valid YAML that run that script.
#   ci_test.sh KUMIHAN SRC_DIR OUT_DIR
set -eu
kumihan=$1 src=$2 out=$3/ci
rm -rf "$out"
mkdir -p "$out/repo/content"
unset SOURCE_DATE_EPOCH
cd "$out/repo"
cp -r "$src/content/smartcity-2022-03-31" content/a
mkdir -p content/sub && cp -r "$src/content/smartcity-2022-03-31" content/sub/b
mkdir ci && cp "$src/examples/ci/build-publications.sh" ci/
git init -q .
git add -A
GIT_COMMITTER_DATE='2023-11-14T22:13:20Z' git -c user.name=t -c user.email=t@example.org \
  commit -q -m publications --date='2023-11-14T22:13:20Z'
KUMIHAN=$kumihan sh ci/build-publications.sh out > log 2>&1 || { cat log; exit 1; }
grep -q '^SOURCE_DATE_EPOCH=1700000000 ' log || { echo "FAIL: epoch: $(head -n 1 log)"; exit 1; }
[ "$(wc -l < out/SHA256SUMS)" -eq 2 ] || { echo "FAIL: SHA256SUMS: $(cat out/SHA256SUMS)"; exit 1; }
grep -q ' a.pdf$' out/SHA256SUMS && grep -q ' b.pdf$' out/SHA256SUMS
grep -q "$(sed -n 1p out/SHA256SUMS)" log || { echo "FAIL: the sums are not printed"; exit 1; }
pdfinfo out/a.pdf | grep -Eq '^CreationDate: .*(Nov 14 22:13:20 2023 UTC|Nov 15 07:13:20 2023 JST)' ||
  { echo "FAIL: date: $(pdfinfo out/a.pdf | grep CreationDate)"; exit 1; }
# another run, elsewhere: the same bytes
(cd out && sha256sum -c --quiet SHA256SUMS)
mv out out1
KUMIHAN=$kumihan sh ci/build-publications.sh out > /dev/null 2>&1
cmp out1/SHA256SUMS out/SHA256SUMS
# a warning fails the build (a character no font has is a warning when the
# layout does not ask for PDF/A, an error when it does)
sed 's/^line-end-closing: .*/&\npdf-a: false/' "$src/layout/press-release.yaml" > content/sub/b/nopdfa.yaml
sed -i 's/^layout: .*/layout: .\/nopdfa.yaml/' content/sub/b/publication.yaml
printf '\n한국어\n' >> content/sub/b/release.md
if KUMIHAN=$kumihan sh ci/build-publications.sh out2 > log2 2>&1; then
  echo "FAIL: a warning did not fail the CI build"; exit 1
fi
grep -q 'treated as errors' log2
# the job files parse and run the script with --werror's script
python3 - "$src/examples/ci" <<'PY'
import sys, yaml
d = sys.argv[1]
gh = yaml.safe_load(open(d + "/github-actions.yml"))
steps = gh["jobs"]["build"]["steps"]
assert gh["jobs"]["build"]["container"] == "debian:12", gh
assert any("build-publications.sh" in s.get("run", "") for s in steps), steps
assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps), steps
gl = yaml.safe_load(open(d + "/gitlab-ci.yml"))
job = gl["publications"]
assert job["image"] == "debian:12", job
assert any("build-publications.sh" in s for s in job["script"]), job
assert "out/*.pdf" in job["artifacts"]["paths"], job
PY
echo "ci ok: epoch from the commit, stable SHA-256, warnings fail"
