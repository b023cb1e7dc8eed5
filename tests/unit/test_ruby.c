/* Unit tests: the ruby notations (doc/ruby.c). */
#include <string.h>

#include "check.h"
#include "doc/doc.h"

static unsigned ndiag;

static const kh_node *first(kh_ctx *ctx, const char *md, kh_doc **doc) {
  *doc = NULL;
  ndiag = 0;
  kh_test_last[0] = 0;
  if (kh_doc_load_memory(ctx, "t.md", md, strlen(md), doc) != KH_OK) return NULL;
  return (*doc)->parts->body;
}

static int text_is(const kh_node *n, const char *s) {
  return n && n->text.len == strlen(s) && memcmp(n->text.text, s, n->text.len) == 0;
}

/* The ruby mark number k: its base text and reading. */
static int ruby_is(const kh_node *n, uint32_t k, const char *base, const char *reading) {
  uint32_t seen = 0;
  for (uint32_t i = 0; n && i < n->text.nmarks; i++) {
    const kh_mark *m = &n->text.marks[i];
    if (!(m->flags & KH_MARK_RUBY)) continue;
    if (seen++ != k) continue;
    return m->end - m->start == strlen(base) &&
           memcmp(n->text.text + m->start, base, strlen(base)) == 0 && m->ruby &&
           !strcmp(m->ruby, reading);
  }
  return 0;
}

static uint32_t nruby(const kh_node *n) {
  uint32_t c = 0;
  for (uint32_t i = 0; n && i < n->text.nmarks; i++) c += !!(n->text.marks[i].flags & KH_MARK_RUBY);
  return c;
}

static void col_of(const kh_node *n, const char *needle, unsigned *line, unsigned *col) {
  const char *p = strstr(n->text.text, needle);
  kh_srcpos_linecol(kh_inline_pos(&n->text, (uint32_t)(p - n->text.text)), line, col);
}

static void test_aozora(kh_ctx *ctx) {
  kh_doc *doc;
  /* ｜ marks the base; without it the base is the run of kanji before 《 */
  const kh_node *p = first(ctx, "一人の下人《げにん》が、｜羅生門《らしょうもん》の下で雨やみを待っていた。\n", &doc);
  CHECK(text_is(p, "一人の下人が、羅生門の下で雨やみを待っていた。"));
  CHECK_EQ_INT(nruby(p), 2);
  CHECK(ruby_is(p, 0, "下人", "げにん"));
  CHECK(ruby_is(p, 1, "羅生門", "らしょうもん"));
  /* positions after the removed notation still point at their source */
  unsigned line, col;
  col_of(p, "の下で", &line, &col);
  CHECK_EQ_INT(line, 1);
  CHECK_EQ_INT(col, 25); /* 一人の下人《げにん》が、｜羅生門《らしょうもん》 = 24 characters */
  kh_doc_drop(doc);

  /* the kanji run: 々 counts, kana stops it */
  p = first(ctx, "それは時々刻々《じじこっこく》と変わる。\n", &doc);
  CHECK(ruby_is(p, 0, "時々刻々", "じじこっこく"));
  kh_doc_drop(doc);

  /* ｜ may put ruby over kana or mixed text */
  p = first(ctx, "｜ひらがな《平仮名》です。\n", &doc);
  CHECK(text_is(p, "ひらがなです。") && ruby_is(p, 0, "ひらがな", "平仮名"));
  kh_doc_drop(doc);
}

static void test_brace(kh_ctx *ctx) {
  kh_doc *doc;
  const kh_node *p = first(ctx, "{親文字|おや|も|じ}と{親文字|おやもじ}と{東京|とう|きょう}。\n", &doc);
  CHECK(text_is(p, "親文字と親文字と東京。"));
  CHECK_EQ_INT(nruby(p), 3);
  CHECK(ruby_is(p, 0, "親文字", "おや|も|じ")); /* mono-ruby */
  CHECK(ruby_is(p, 1, "親文字", "おやもじ"));   /* group ruby */
  CHECK(ruby_is(p, 2, "東京", "とう|きょう"));
  kh_doc_drop(doc);

  /* braces that are no ruby stay as they are, silently */
  p = first(ctx, "集合{a, b}と`{x|y}`。\n", &doc);
  CHECK(text_is(p, "集合{a, b}と{x|y}。") && nruby(p) == 0);
  CHECK(kh_test_last[0] == 0);
  kh_doc_drop(doc);

  /* marks around and inside keep their ranges */
  p = first(ctx, "**{漢字|かんじ}を**書く。\n", &doc);
  CHECK(text_is(p, "漢字を書く。"));
  CHECK(p->text.nmarks == 2 && p->text.marks[0].flags == KH_MARK_STRONG &&
        p->text.marks[0].start == 0 && p->text.marks[0].end == 9);
  CHECK(ruby_is(p, 0, "漢字", "かんじ"));
  kh_doc_drop(doc);
}

static void test_malformed(kh_ctx *ctx) {
  kh_doc *doc;
  unsigned line, col;
  /* wrong reading count: a warning at the brace, the text kept */
  const kh_node *p = first(ctx, "本文\n{親文字|お|や}です。\n", &doc);
  CHECK(text_is(p, "本文 {親文字|お|や}です。") && nruby(p) == 0);
  CHECK(strstr(kh_test_last, "t.md:2:1: warning: ruby: 2 readings for 3 base characters") != NULL);
  kh_doc_drop(doc);

  p = first(ctx, "かなだけ《よみ》と｜親《おや》\n", &doc);
  CHECK(text_is(p, "かなだけ《よみ》と親"));
  CHECK(nruby(p) == 1 && ruby_is(p, 0, "親", "おや"));
  CHECK(strstr(kh_test_last, "t.md:1:5: warning: ruby: 《reading》 with no kanji") != NULL);
  kh_doc_drop(doc);

  p = first(ctx, "閉じない《よみ\n", &doc);
  CHECK(text_is(p, "閉じない《よみ") && nruby(p) == 0);
  CHECK(strstr(kh_test_last, "1:5: warning: ruby: 《 without its closing 》") != NULL);
  kh_doc_drop(doc);

  p = first(ctx, "｜ルビなし。{漢字|}\n", &doc);
  CHECK(text_is(p, "｜ルビなし。{漢字|}") && nruby(p) == 0);
  CHECK(strstr(kh_test_last, "1:7: warning: ruby: {base|reading} with an empty") != NULL);
  col_of(p, "ルビ", &line, &col);
  CHECK_EQ_INT(col, 2);
  kh_doc_drop(doc);

  /* code keeps the notation as written */
  p = first(ctx, "```\n漢字《かんじ》\n```\n", &doc);
  CHECK(text_is(p, "漢字《かんじ》") && nruby(p) == 0);
  kh_doc_drop(doc);
}

int main(void) {
  kh_ctx *ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, &ndiag);
  test_aozora(ctx);
  test_brace(ctx);
  test_malformed(ctx);
  kh_ctx_drop(ctx);
  return kh_test_report();
}
