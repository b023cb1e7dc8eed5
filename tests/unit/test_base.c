/* Unit tests: base (UTF-8, fixed point, arena, YAML wrapper, positions). */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "check.h"

static void test_utf8(void) {
  const char *s = "a\xC3\xA9\xE3\x81\x82\xF0\xA0\xAE\x9F"; /* a é あ 𠮟 */
  size_t i = 0, n = strlen(s);
  CHECK_EQ_INT(kh_utf8_next(s, n, &i), 'a');
  CHECK_EQ_INT(kh_utf8_next(s, n, &i), 0xE9);
  CHECK_EQ_INT(kh_utf8_next(s, n, &i), 0x3042);
  CHECK_EQ_INT(kh_utf8_next(s, n, &i), 0x20B9F);
  CHECK_EQ_INT(i, n);
  CHECK_EQ_INT(kh_utf8_validate(s, n), n);
  /* overlong, surrogate, truncated, stray continuation */
  CHECK_EQ_INT(kh_utf8_validate("\xC0\xAF", 2), 0);
  CHECK_EQ_INT(kh_utf8_validate("ab\xED\xA0\x80", 5), 2);
  CHECK_EQ_INT(kh_utf8_validate("\xE3\x81", 2), 0);
  CHECK_EQ_INT(kh_utf8_validate("x\x80", 2), 1);
  char buf[4];
  CHECK_EQ_INT(kh_utf8_encode(0x20B9F, buf), 4);
  CHECK(memcmp(buf, "\xF0\xA0\xAE\x9F", 4) == 0);
}

static void test_fixed(void) {
  CHECK_EQ_INT(KH_PT(10.5), 688128);
  CHECK_EQ_INT(kh_fixed_muldiv(KH_PT(10.5), 1000, 1000), KH_PT(10.5));
  CHECK_EQ_INT(kh_fixed_muldiv(KH_PT(10.5), 880, 1000), 605553); /* rounded */
  CHECK_EQ_INT(kh_fixed_muldiv(-3, 1, 2), -2);
}

static void test_arena(void) {
  kh_arena *a = kh_arena_new();
  char *big = kh_arena_alloc(a, 1 << 20);
  char *s = kh_arena_strndup(a, "組版xyz", 6);
  CHECK(big && s && strcmp(s, "組版") == 0);
  CHECK(big[12345] == 0);
  kh_arena_drop(a);
  kh_arena_drop(NULL);
}

static void test_yaml(void) {
  kh_ctx *ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, NULL);
  kh_arena *a = kh_arena_new();
  const char *text = "title: 日本語の題\nlist:\n  - 一\n  - two\nn: 12.5\n";
  kh_source *src;
  CHECK(kh_source_from_memory(ctx, "t.yaml", text, strlen(text), &src) == KH_OK);
  kh_yaml *y = NULL;
  CHECK(kh_yaml_parse(ctx, a, src, 0, src->len, &y) == KH_OK);
  const kh_yaml *t = kh_yaml_get(y, "title");
  CHECK(t && strcmp(t->scalar, "日本語の題") == 0);
  unsigned line, col;
  kh_srcpos_linecol(t->pos, &line, &col); /* columns count characters */
  CHECK_EQ_INT(line, 1);
  CHECK_EQ_INT(col, 8);
  const kh_yaml *l = kh_yaml_get(y, "list");
  CHECK(l && l->kind == KH_YAML_SEQUENCE && strcmp(l->child->next->scalar, "two") == 0);
  kh_srcpos_linecol(l->child->next->pos, &line, &col);
  CHECK_EQ_INT(line, 4);
  CHECK_EQ_INT(col, 5);
  double v = 0;
  CHECK(kh_yaml_number(ctx, kh_yaml_get(y, "n"), &v) == KH_OK && v == 12.5);
  CHECK(kh_yaml_number(ctx, t, &v) == KH_SYNTAX);
  CHECK(strstr(kh_test_last, "t.yaml:1:8: error:") == kh_test_last);
  /* syntax error with its position; duplicate keys */
  const char *bad = "a: 1\nb: [x\n";
  CHECK(kh_source_from_memory(ctx, "bad.yaml", bad, strlen(bad), &src) == KH_OK);
  CHECK(kh_yaml_parse(ctx, a, src, 0, src->len, &y) == KH_SYNTAX);
  CHECK(strncmp(kh_test_last, "bad.yaml:", 9) == 0);
  const char *dup = "a: 1\na: 2\n";
  CHECK(kh_source_from_memory(ctx, "dup.yaml", dup, strlen(dup), &src) == KH_OK);
  CHECK(kh_yaml_parse(ctx, a, src, 0, src->len, &y) == KH_SYNTAX);
  CHECK(strstr(kh_test_last, "dup.yaml:2:1: error: duplicate key 'a'") == kh_test_last);
  /* invalid UTF-8 is refused when the source is made */
  CHECK(kh_source_from_memory(ctx, "u.md", "ab\n\xFF", 4, &src) == KH_SYNTAX);
  CHECK(strstr(kh_test_last, "u.md:2:1: error: invalid UTF-8") == kh_test_last);
  kh_arena_drop(a);
  kh_ctx_drop(ctx);
}

/* Columns found from the memo of the last lookup equal those counted from
 * the line's start, forwards, backwards and across lines. */
static void test_positions(void) {
  kh_ctx *ctx = kh_ctx_new();
  kh_source *src = NULL;
  const char *text = "ab\n\xE3\x81\x82\xE3\x81\x84x\xE3\x81\x86\nz";
  CHECK(kh_source_from_memory(ctx, "t.md", text, strlen(text), &src) == KH_OK);
  static const struct { uint32_t off; unsigned line, col; } want[] = {
      {0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {6, 2, 2}, {9, 2, 3}, {10, 2, 4},
      {6, 2, 2}, {13, 2, 5}, {14, 3, 1}, {1, 1, 2}, {10, 2, 4}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    unsigned l, c;
    kh_srcpos_linecol((kh_srcpos){src, want[i].off}, &l, &c);
    CHECK_EQ_INT(l, want[i].line);
    CHECK_EQ_INT(c, want[i].col);
  }
  kh_ctx_drop(ctx);
}

/* Folding: a warning repeated is shown 3 times, then summed up once at the
 * end of the build; other kinds are counted apart. */
static unsigned nfold;
static void count_diag(void *user, const kh_diagnostic *d) {
  (void)user;
  nfold++;
  snprintf(kh_test_last, sizeof kh_test_last, "%s", d->text);
}

static void test_folding(void) {
  kh_ctx *ctx = kh_ctx_new();
  kh_ctx_set_diagnostic_fn(ctx, count_diag, NULL);
  kh_source *src = NULL;
  CHECK(kh_source_from_memory(ctx, "f.md", "abcdefgh", 8, &src) == KH_OK);
  for (uint32_t i = 0; i < 8; i++)
    kh_warning(ctx, (kh_srcpos){src, i}, "no font has a glyph for U+%04X", 0xAC00u + i);
  kh_warning(ctx, (kh_srcpos){src, 0}, "overfull line");
  CHECK_EQ_INT(nfold, 4);
  CHECK_EQ_INT(kh_ctx_warning_count(ctx), 9);
  kh_diag_flush(ctx);
  CHECK_EQ_INT(nfold, 5);
  CHECK(strcmp(kh_test_last, "f.md:1:4: warning: and 5 more characters not in any font: "
                             "U+AC03 U+AC04 U+AC05 U+AC06 U+AC07") == 0);
  /* the error limit: 2 shown, then one line for the rest */
  kh_ctx_set_error_limit(ctx, 2);
  nfold = 0;
  for (int i = 0; i < 5; i++) kh_error(ctx, (kh_srcpos){src, 1}, KH_SYNTAX, "bad %d", i);
  CHECK_EQ_INT(nfold, 2);
  kh_diag_flush(ctx);
  CHECK_EQ_INT(nfold, 3);
  CHECK(strcmp(kh_test_last, "kumihan: error: 3 more errors not shown (the limit is 2)") == 0);
  CHECK_EQ_INT(kh_ctx_error_count(ctx), 5);
  kh_ctx_drop(ctx);
}

int main(void) {
  test_positions();
  test_folding();
  test_utf8();
  test_fixed();
  test_arena();
  test_yaml();
  return kh_test_report();
}
