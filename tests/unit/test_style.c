/* Unit tests: style (layout loading, scripts, runs of the composite faces). */
#include <string.h>

#include "check.h"
#include "style/style.h"

static void test_scripts(void) {
  CHECK(kh_script_of('A') == KH_SCRIPT_LATIN);
  CHECK(kh_script_of('7') == KH_SCRIPT_LATIN);
  CHECK(kh_script_of(' ') == KH_SCRIPT_LATIN);
  CHECK(kh_script_of(0x3042) == KH_SCRIPT_JA);   /* あ */
  CHECK(kh_script_of(0xFF08) == KH_SCRIPT_JA);   /* （ */
  CHECK(kh_script_of(0x203B) == KH_SCRIPT_JA);   /* ※ */
  CHECK(kh_script_of(0xD7) == KH_SCRIPT_JA);     /* × */
  CHECK(kh_script_of(0x20B9F) == KH_SCRIPT_JA);  /* 𠮟 */
  CHECK(kh_script_of(0x1F4A1) == KH_SCRIPT_EMOJI); /* 💡 */
}

static void test_layout_and_runs(kh_ctx *ctx) {
  kh_layout *L = NULL;
  CHECK(kh_layout_load(ctx, "press-release", &L) == KH_OK);
  if (!L) return;
  CHECK_EQ_INT(L->grid_chars, 45);
  CHECK_EQ_INT(L->text_w, KH_PT(10.5) * 45);
  const kh_pstyle *body = kh_layout_style(L, NULL, "body");
  const kh_pstyle *att = kh_layout_style(L, "attachment", "title");
  const kh_pstyle *rel = kh_layout_style(L, "release", "title");
  CHECK(att->box && !rel->box);
  CHECK(kh_layout_style(L, NULL, "no-such-style") == body);
  CHECK_EQ_INT(body->indent, KH_PT(10.5));
  const kh_pstyle *note = kh_layout_style(L, NULL, "note");
  CHECK_EQ_INT(note->left, KH_PT(10.5));
  CHECK_EQ_INT(note->indent, -KH_PT(10.5));

  /* "AI や**太字**💡": Latin font, Japanese font, the strong face, emoji */
  kh_node n = {0};
  const char *text = "AI や太字💡";
  kh_mark strong = {.start = 7, .end = 13, .flags = KH_MARK_STRONG};
  n.kind = KH_NODE_PARA;
  n.text.text = text;
  n.text.len = (uint32_t)strlen(text);
  n.text.marks = &strong;
  n.text.nmarks = 1;
  kh_arena *a = kh_arena_new();
  kh_spara sp;
  CHECK(kh_style_para(ctx, a, L, &n, body, "・", L->text_w, KH_WRITING_HORIZONTAL, &sp) == KH_OK);
  CHECK_EQ_INT(sp.marker_len, 3);
  CHECK_EQ_INT(sp.nruns, 5); /* ・ | AI␠ | や | 太字 | 💡 */
  if (sp.nruns == 5) {
    CHECK(!strcmp(L->fonts[sp.runs[0].font].name, "mincho"));
    CHECK(!strcmp(L->fonts[sp.runs[1].font].name, "pmincho"));
    CHECK(sp.runs[1].script == KH_SCRIPT_LATIN);
    CHECK(!strcmp(L->fonts[sp.runs[2].font].name, "mincho"));
    CHECK(!strcmp(L->fonts[sp.runs[3].font].name, "gothic-bold"));
    CHECK(sp.runs[3].flags & KH_RUN_STRONG);
    CHECK(!strcmp(L->fonts[sp.runs[4].font].name, "emoji"));
  }
  kh_arena_drop(a);
  kh_layout_drop(L);
  CHECK(kh_layout_load(ctx, "no-such-layout", &L) == KH_IO);
  CHECK(strstr(kh_test_last, "no-such-layout.yaml: error: cannot open") != NULL);
}

/* A composite face with a Latin size factor and baseline shift; a style
 * with no indent after headings, and one that inherits body's. */
static void test_composite(kh_ctx *ctx) {
  kh_layout *L = NULL;
  /* a layout named by path lies in a folder the publication may read */
  CHECK(kh_ctx_allow_path(ctx, KH_TEST_DATA "/layout") == KH_OK);
  CHECK(kh_layout_load(ctx, KH_TEST_DATA "/layout/composite.yaml", &L) == KH_OK);
  if (!L) return;
  const kh_pstyle *body = kh_layout_style(L, NULL, "body");
  const kh_pstyle *note = kh_layout_style(L, NULL, "note");
  CHECK_EQ_INT(body->indent, KH_PT(10));
  CHECK_EQ_INT(body->indent_after_heading, 0);
  CHECK_EQ_INT(note->indent_after_heading, note->indent);
  kh_node n = {0};
  n.kind = KH_NODE_PARA;
  n.text.text = "和文Latin和文";
  n.text.len = (uint32_t)strlen(n.text.text);
  kh_arena *a = kh_arena_new();
  kh_spara sp;
  CHECK(kh_style_para(ctx, a, L, &n, body, NULL, L->text_w, KH_WRITING_HORIZONTAL, &sp) == KH_OK);
  CHECK_EQ_INT(sp.nruns, 3);
  if (sp.nruns == 3) {
    CHECK_EQ_INT(sp.runs[0].rise, 0);
    CHECK_EQ_INT(sp.runs[1].size, KH_PT(11));
    CHECK_EQ_INT(sp.runs[1].rise, KH_PT(0.5));
    CHECK_EQ_INT(sp.runs[2].size, KH_PT(10));
  }
  kh_arena_drop(a);
  kh_layout_drop(L);
}

/* Dashes and quotes take the script of their context. */
static void test_neutral(kh_ctx *ctx) {
  kh_layout *L = NULL;
  CHECK(kh_layout_load(ctx, "press-release", &L) == KH_OK);
  if (!L) return;
  kh_node n = {0};
  n.kind = KH_NODE_PARA;
  n.text.text = "A\xE2\x80\x94" "B\xE3\x80\x8C\xE2\x80\x94\xE2\x80\x94\xE3\x80\x8D"; /* A—B「——」 */
  n.text.len = (uint32_t)strlen(n.text.text);
  kh_arena *a = kh_arena_new();
  kh_spara sp;
  CHECK(kh_style_para(ctx, a, L, &n, kh_layout_style(L, NULL, "body"), NULL, L->text_w, KH_WRITING_HORIZONTAL, &sp) ==
        KH_OK);
  CHECK_EQ_INT(sp.nruns, 2);
  if (sp.nruns == 2) {
    CHECK(sp.runs[0].script == KH_SCRIPT_LATIN && sp.runs[0].end == 5); /* A—B */
    CHECK(sp.runs[1].script == KH_SCRIPT_JA);                          /* 「——」 */
  }
  /* emphasis: Japanese has no italic, so it takes the strong face */
  kh_mark em = {.start = 0, .end = 6, .flags = KH_MARK_EM};
  n.text.text = "強調と本文";
  n.text.len = (uint32_t)strlen(n.text.text);
  n.text.marks = &em;
  n.text.nmarks = 1;
  CHECK(kh_style_para(ctx, a, L, &n, kh_layout_style(L, NULL, "body"), NULL, L->text_w, KH_WRITING_HORIZONTAL, &sp) ==
        KH_OK);
  CHECK(sp.nruns == 2 && !strcmp(L->fonts[sp.runs[0].font].name, "gothic-bold") &&
        !strcmp(L->fonts[sp.runs[1].font].name, "mincho"));
  /* code spans take the style's code face (Gothic in this layout) */
  kh_mark code = {.start = 0, .end = 4, .flags = KH_MARK_CODE};
  n.text.text = "main関数";
  n.text.len = (uint32_t)strlen(n.text.text);
  n.text.marks = &code;
  CHECK(kh_style_para(ctx, a, L, &n, kh_layout_style(L, NULL, "body"), NULL, L->text_w, KH_WRITING_HORIZONTAL, &sp) ==
        KH_OK);
  CHECK(sp.nruns == 2 && !strcmp(L->fonts[sp.runs[0].font].name, "pgothic") &&
        !strcmp(L->fonts[sp.runs[1].font].name, "mincho"));
  kh_arena_drop(a);
  kh_layout_drop(L);
}

static int ends_with(const char *s, const char *tail) {
  size_t n = strlen(s), t = strlen(tail);
  return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Fonts named by family resolve through fontconfig, the bundled folder
 * included, so the same layout works on any machine. */
static void test_family(kh_ctx *ctx) {
  kh_layout *L = NULL;
  CHECK(kh_layout_load(ctx, KH_TEST_DATA "/layout/family.yaml", &L) == KH_OK);
  if (!L) return;
  CHECK(ends_with(L->fonts[0].path, "/BIZUDMincho-Regular.ttf"));
  CHECK(ends_with(L->fonts[1].path, "/BIZUDGothic-Bold.ttf"));
  kh_layout_drop(L);
}

/* Unknown style names, keys, sections and templates are errors at their
 * line with the nearest known name. */
static void test_strict(kh_ctx *ctx) {
  static const struct { const char *file, *expect; } cases[] = {
      {"strict-style.yaml", "strict-style.yaml:7:3: error: unknown style 'captoin' "
                            "(docs/layout.md lists the styles); did you mean 'caption'?"},
      {"strict-key.yaml", "strict-key.yaml:7:10: error: unknown style key 'indnet'; did you "
                          "mean 'indent'?"},
      {"strict-template.yaml", "strict-template.yaml:7:3: error: style 'attachmnt.title' names "
                               "page template 'attachmnt', which 'pages' does not define; did "
                               "you mean 'attachment'?"},
      {"strict-section.yaml", "strict-section.yaml:5:1: error: unknown layout key 'styels'; did "
                              "you mean 'styles'?"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/layout/%s", KH_TEST_DATA, cases[i].file);
    kh_layout *L = NULL;
    CHECK(kh_layout_load(ctx, path, &L) == KH_SYNTAX && !L);
    const char *at = strstr(kh_test_last, cases[i].file);
    CHECK(at && !strcmp(at, cases[i].expect));
    if (!at || strcmp(at, cases[i].expect)) fprintf(stderr, "  got: %s\n", kh_test_last);
  }
  CHECK(kh_nearest("h7", (const char *const[]){"h1", "body", NULL}) != NULL);
  CHECK(kh_nearest("zzzzzz", (const char *const[]){"h1", "body", NULL}) == NULL);
}

/* docs/layout.md lists exactly the style names of src/style/names.c. */
static void test_style_reference(void) {
  FILE *f = fopen(KH_TEST_DATA "/../../docs/layout.md", "r");
  CHECK(f != NULL);
  if (!f) return;
  char line[1024];
  int in = 0, rows = 0;
  while (fgets(line, sizeof line, f)) {
    if (strstr(line, "<!-- styles -->")) in = 1;
    else if (strstr(line, "<!-- /styles -->")) in = 0;
    else if (in && !strncmp(line, "| `", 3)) {
      char *end = strchr(line + 3, '`');
      if (!end) continue;
      *end = '\0';
      rows++;
      CHECK(kh_style_known(line + 3));
      if (!kh_style_known(line + 3)) fprintf(stderr, "  docs/layout.md: '%s' not in the code\n", line + 3);
    }
  }
  fclose(f);
  int n = 0;
  for (const kh_style_name *s = kh_style_names; s->name; s++) n++;
  CHECK_EQ_INT(rows, n); /* and every name of the code is documented */
}

/* docs/layout.md's table of sections lists exactly the layout keys the
 * loader knows (kh_layout_keys): each key in a row's first column is one,
 * and each one is in a row. */
static void test_layout_keys_reference(void) {
  FILE *f = fopen(KH_TEST_DATA "/../../docs/layout.md", "r");
  CHECK(f != NULL);
  if (!f) return;
  char line[2048];
  int in = 0;
  size_t nkeys = 0;
  while (kh_layout_keys[nkeys]) nkeys++;
  int *seen = calloc(nkeys, sizeof *seen);
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "## ", 3)) in = !strncmp(line, "## Sections", 11);
    if (!in || strncmp(line, "| `", 3)) continue;
    char *end = strstr(line + 1, " |"); /* the first column */
    if (end) *end = '\0';
    for (char *k = strchr(line, '`'); k; k = strchr(k, '`')) {
      char *e = strchr(k + 1, '`');
      if (!e) break;
      *e = '\0';
      size_t i = 0;
      while (kh_layout_keys[i] && strcmp(kh_layout_keys[i], k + 1)) i++;
      CHECK(kh_layout_keys[i] != NULL);
      if (!kh_layout_keys[i]) fprintf(stderr, "  docs/layout.md: key '%s' not in the code\n", k + 1);
      else seen[i] = 1;
      k = e + 1;
    }
  }
  fclose(f);
  for (size_t i = 0; i < nkeys; i++) {
    CHECK(seen[i]);
    if (!seen[i]) fprintf(stderr, "  docs/layout.md: key '%s' not documented\n", kh_layout_keys[i]);
  }
  free(seen);
}

int main(void) {
  kh_ctx *ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, NULL);
  test_scripts();
  test_layout_and_runs(ctx);
  test_composite(ctx);
  test_family(ctx);
  test_neutral(ctx);
  test_strict(ctx);
  test_style_reference();
  test_layout_keys_reference();
  kh_ctx_drop(ctx);
  return kh_test_report();
}
