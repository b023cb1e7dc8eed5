/* Unit tests: doc (the md4c adapter, front matter, positions). */
#include <string.h>

#include "check.h"
#include "doc/doc.h"

static kh_doc *load(kh_ctx *ctx, const char *md) {
  kh_doc *doc = NULL;
  if (kh_doc_load_memory(ctx, "t.md", md, strlen(md), &doc) != KH_OK) return NULL;
  return doc;
}

static int text_is(const kh_node *n, const char *s) {
  return n && n->text.len == strlen(s) && memcmp(n->text.text, s, n->text.len) == 0;
}

static void test_soft_breaks(kh_ctx *ctx) {
  /* a soft break joins Japanese lines with nothing, Western ones with a space */
  kh_doc *doc = load(ctx, "日本語の\n文章と\nLatin\nwords。\n");
  CHECK(doc && text_is(doc->parts->body, "日本語の文章と Latin words。"));
  kh_doc_drop(doc);
}

static void test_marks_and_styles(kh_ctx *ctx) {
  const char *md = "# 題\n\n本文は**太字**で、<座長>と https://example.jp/a を含む。\n\n"
                   "※注記です。\n\n- 項目\n\n> 囲み\n\n#### 表題\n\n| | |\n|---|---|\n| 甲 | 乙 |\n";
  kh_doc *doc = load(ctx, md);
  CHECK(doc != NULL);
  if (!doc) return;
  const kh_node *h = doc->parts->body;
  CHECK(h->kind == KH_NODE_HEADING && h->level == 1 && !strcmp(h->style, "h1"));
  const kh_node *p = h->next;
  CHECK(p->kind == KH_NODE_PARA && !strcmp(p->style, "body"));
  CHECK(text_is(p, "本文は太字で、<座長>と https://example.jp/a を含む。"));
  CHECK_EQ_INT(p->text.nmarks, 2);
  CHECK(p->text.marks[0].flags == KH_MARK_STRONG && p->text.marks[0].start == 9 &&
        p->text.marks[0].end == 15);
  CHECK(p->text.marks[1].flags == KH_MARK_LINK && !strcmp(p->text.marks[1].href, "https://example.jp/a"));
  /* positions: "太" is at line 3, column 6 */
  unsigned line, col;
  kh_srcpos_linecol(kh_inline_pos(&p->text, 9), &line, &col);
  CHECK_EQ_INT(line, 3);
  CHECK_EQ_INT(col, 6);
  const kh_node *note = p->next;
  CHECK(!strcmp(note->style, "note"));
  const kh_node *list = note->next;
  CHECK(list->kind == KH_NODE_LIST && list->child->kind == KH_NODE_LIST_ITEM);
  CHECK(!strcmp(list->child->child->style, "item") && text_is(list->child->child, "項目"));
  const kh_node *box = list->next;
  CHECK(box->kind == KH_NODE_BOX && !strcmp(box->child->style, "box"));
  /* a heading above a table stays a heading (a caption is its own construct) */
  const kh_node *heading = box->next;
  CHECK(heading->kind == KH_NODE_HEADING && !strcmp(heading->style, "h4"));
  const kh_node *table = heading->next;
  CHECK(table->kind == KH_NODE_TABLE);
  CHECK(table->child->header && table->child->empty);
  CHECK(text_is(table->child->next->child->next, "乙"));
  kh_doc_drop(doc);
}

static void test_front_matter(kh_ctx *ctx) {
  const char *md = "---\ndate: 令和4年3月31日\ndate-iso: 2022-03-31\nissuer: [省, 局]\n"
                   "title: 題名\ncontact:\n  heading: 【問い合わせ先】\n  lines: [電話]\n---\n本文\n";
  kh_doc *doc = load(ctx, md);
  CHECK(doc != NULL);
  if (!doc) return;
  const char *order[] = {"date", "issuer", "issuer", "title", "body", "contact-heading", "contact"};
  const kh_node *n = doc->parts->body;
  for (size_t i = 0; i < sizeof order / sizeof *order; i++, n = n ? n->next : NULL)
    CHECK(n && !strcmp(n->style, order[i]));
  CHECK(!strcmp(doc->title, "題名") && !strcmp(doc->author, "省") &&
        !strcmp(doc->date_iso, "2022-03-31"));
  unsigned line, col;
  kh_srcpos_linecol(doc->parts->body->pos, &line, &col);
  CHECK_EQ_INT(line, 2);
  CHECK_EQ_INT(col, 7);
  kh_doc_drop(doc);
  CHECK(load(ctx, "---\ntitle: a\nfoo: b\n---\n") == NULL);
  CHECK(strstr(kh_test_last, "t.md:3:1: error: unknown front matter key 'foo'") == kh_test_last);
  CHECK(load(ctx, "---\ntitle: a\n") == NULL);
  CHECK(strstr(kh_test_last, "t.md:1:1: error: front matter is not closed") == kh_test_last);
}

static void test_code(kh_ctx *ctx) {
  /* inline code is marked; a code block is one verbatim leaf: its lines
   * joined by '\n', leading spaces and blank lines kept */
  kh_doc *doc = load(ctx, "`kh_ctx` を使う。\n\n```c\nint main(void) {\n\n  return 0;\n}\n```\n\n"
                          "    indented\n      code\n");
  CHECK(doc != NULL);
  if (!doc) return;
  const kh_node *p = doc->parts->body;
  CHECK(p->text.nmarks == 1 && p->text.marks[0].flags == KH_MARK_CODE);
  const kh_node *c = p->next;
  CHECK(c && c->kind == KH_NODE_CODE && !strcmp(c->style, "code") && !strcmp(c->info, "c"));
  CHECK(text_is(c, "int main(void) {\n\n  return 0;\n}"));
  unsigned line, col;
  if (c) kh_srcpos_linecol(kh_inline_pos(&c->text, 20), &line, &col); /* "return" */
  CHECK(c && line == 6 && col == 3);
  c = c ? c->next : NULL;
  CHECK(c && c->kind == KH_NODE_CODE && text_is(c, "indented\n  code") && !c->info);
  CHECK(c && c->next == NULL);
  kh_doc_drop(doc);
}

static void test_breaks_headings_strike(kh_ctx *ctx) {
  /* two spaces, a backslash and <br> end a line; h5/h6 have their styles */
  unsigned n = 0;
  kh_ctx_set_diag(ctx, kh_test_capture, &n);
  kh_doc *doc = load(ctx, "住所  \n東京都\\\n千代田区<br>霞が関\n\n##### 五\n\n###### 六\n\n"
                          "~~取消~~し、<span>囲</span>む。\n\n<div>\n塊\n</div>\n\n<!-- 注釈 -->\n");
  CHECK(doc != NULL);
  if (!doc) return;
  const kh_node *p = doc->parts->body;
  CHECK(text_is(p, "住所\n東京都\n千代田区\n霞が関"));
  const kh_node *h5 = p->next, *h6 = h5->next;
  CHECK(h5->kind == KH_NODE_HEADING && h5->level == 5 && !strcmp(h5->style, "h5"));
  CHECK(h6->kind == KH_NODE_HEADING && h6->level == 6 && !strcmp(h6->style, "h6"));
  const kh_node *s = h6->next;
  CHECK(text_is(s, "取消し、囲む。"));
  CHECK(s->text.nmarks == 1 && s->text.marks[0].flags == KH_MARK_STRIKE &&
        s->text.marks[0].start == 0 && s->text.marks[0].end == 6);
  CHECK(s->next == NULL); /* the HTML block and the comment print nothing */
  /* <span>, </span> and the <div> block: three warnings; the comment none */
  CHECK_EQ_INT(n, 3);
  CHECK(strstr(kh_test_last, "t.md:11:1: warning: a raw HTML block is not typeset") == kh_test_last);
  kh_ctx_set_diag(ctx, kh_test_capture, NULL);
  kh_doc_drop(doc);
}

static void test_lists(kh_ctx *ctx) {
  /* a tight item keeps the face at its very start; a continuation
   * paragraph belongs to the item; nested lists of any kind */
  kh_doc *doc = load(ctx, "- **対象外:** 説明\n- `code` 先頭\n\n1. 一\n\n   続き\n   1. 入れ子\n");
  CHECK(doc != NULL);
  if (!doc) return;
  const kh_node *ul = doc->parts->body;
  const kh_node *a = ul->child->child;
  CHECK(text_is(a, "対象外: 説明") && a->text.nmarks == 1 &&
        a->text.marks[0].flags == KH_MARK_STRONG && a->text.marks[0].start == 0);
  const kh_node *b = ul->child->next->child;
  CHECK(b->text.nmarks == 1 && b->text.marks[0].flags == KH_MARK_CODE);
  const kh_node *ol = ul->next;
  CHECK(ol->kind == KH_NODE_LIST && ol->ordered && ol->start == 1);
  const kh_node *item = ol->child;
  CHECK(text_is(item->child, "一") && text_is(item->child->next, "続き"));
  const kh_node *inner = item->child->next->next;
  CHECK(inner && inner->kind == KH_NODE_LIST && inner->level == 2 && inner->ordered);
  kh_doc_drop(doc);
}

static void test_footnotes(kh_ctx *ctx) {
  const char *md = "本文[^a]と`[^a]`と二つ目[^b]。\n\n[^b]: 二つ目の注。\n"
                   "    続く行。\n\n[^a]: 最初の注。\n\n[^z]: 使われない注。\n";
  unsigned n = 0;
  kh_ctx_set_diag(ctx, kh_test_capture, &n);
  kh_doc *doc = load(ctx, md);
  CHECK(doc != NULL);
  if (!doc) return;
  const kh_node *p = doc->parts->body;
  CHECK(text_is(p, "本文1と[^a]と二つ目2。"));
  CHECK(p->next == NULL); /* the definitions are not body text */
  int refs = 0;
  for (uint32_t i = 0; i < p->text.nmarks; i++)
    if (p->text.marks[i].flags == KH_MARK_FOOTREF) {
      const kh_mark *m = &p->text.marks[i];
      CHECK(m->end == m->start + 1 && m->note && m->note->number == p->text.text[m->start] - '0');
      refs++;
    }
  CHECK_EQ_INT(refs, 2);
  /* numbered by first reference; positions in the source */
  const kh_node *f1 = doc->parts->notes, *f2 = f1 ? f1->next : NULL;
  CHECK(f1 && f1->kind == KH_NODE_FOOTNOTE && f1->number == 1 && !strcmp(f1->label, "a"));
  CHECK(f2 && f2->number == 2 && text_is(f2->child, "二つ目の注。続く行。") && !f2->next);
  unsigned line, col;
  if (f2) kh_srcpos_linecol(kh_inline_pos(&f2->child->text, 18), &line, &col); /* 続 */
  CHECK(f2 && line == 4 && col == 5);
  /* "本文" after the reference keeps its place */
  kh_srcpos_linecol(kh_inline_pos(&p->text, 10), &line, &col);
  CHECK(line == 1 && col == 9);
  if (line != 1 || col != 9) fprintf(stderr, "at %u:%u\n", line, col);
  CHECK_EQ_INT(n, 1);
  CHECK(strstr(kh_test_last, "t.md:8:1: warning: footnote '[^z]' is never referred to") ==
        kh_test_last);
  kh_doc_drop(doc);
  kh_ctx_set_diag(ctx, kh_test_capture, NULL);
  CHECK(load(ctx, "本文\n\n文[^x]。\n") == NULL);
  CHECK(strstr(kh_test_last, "t.md:3:2: error: footnote '[^x]' is not defined") == kh_test_last);
  CHECK(load(ctx, "[^x]: 一\n[^x]: 二\n") == NULL);
  CHECK(strstr(kh_test_last, "t.md:2:1: error: footnote '[^x]' is defined twice") ==
        kh_test_last);
}

static void test_captions_and_figures(kh_ctx *ctx) {
  kh_doc *doc = load(ctx, "| a |\n|---|\n| b |\n\n: 表1 下の表題\n");
  CHECK(doc != NULL);
  if (doc) { /* a caption below the table moves above it */
    const kh_node *c = doc->parts->body;
    CHECK(c->kind == KH_NODE_CAPTION && !strcmp(c->style, "caption") &&
          text_is(c, "表1 下の表題") && c->next->kind == KH_NODE_TABLE);
    kh_doc_drop(doc);
  }
  CHECK(load(ctx, "本文\n\n: 表のない表題\n") == NULL);
  CHECK(strstr(kh_test_last, "t.md:3:1: error: a table caption") == kh_test_last);
  /* a document in memory has no folder: its images cannot be read */
  CHECK(load(ctx, "前\n\n![図1 図](fig.png)\n") == NULL);
  CHECK(strstr(kh_test_last, "t.md:3:") == kh_test_last);
  CHECK(load(ctx, "文中の![図](fig.png)画像\n") == NULL);
  CHECK(strstr(kh_test_last, "t.md:1:") && strstr(kh_test_last, "an image must be a paragraph"));
}

int main(void) {
  kh_ctx *ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, NULL);
  test_soft_breaks(ctx);
  test_marks_and_styles(ctx);
  test_front_matter(ctx);
  test_code(ctx);
  test_breaks_headings_strike(ctx);
  test_lists(ctx);
  test_footnotes(ctx);
  test_captions_and_figures(ctx);
  kh_ctx_drop(ctx);
  return kh_test_report();
}
