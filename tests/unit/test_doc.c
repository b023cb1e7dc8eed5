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
  const kh_node *caption = box->next;
  CHECK(caption->kind == KH_NODE_HEADING && !strcmp(caption->style, "caption"));
  const kh_node *table = caption->next;
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
  /* inline code is marked; a code block is one block per line */
  kh_doc *doc = load(ctx, "`kh_ctx` を使う。\n\n```\nint main(void) {\n  return 0;\n}\n```\n");
  CHECK(doc != NULL);
  if (!doc) return;
  const kh_node *p = doc->parts->body;
  CHECK(p->text.nmarks == 1 && p->text.marks[0].flags == KH_MARK_CODE);
  const char *lines[] = {"int main(void) {", "  return 0;", "}"};
  const kh_node *c = p->next;
  for (int i = 0; i < 3; i++, c = c ? c->next : NULL) {
    CHECK(c && !strcmp(c->style, "code") && text_is(c, lines[i]));
    unsigned line, col;
    if (c) kh_srcpos_linecol(c->pos, &line, &col);
    CHECK(c && line == (unsigned)(4 + i));
  }
  CHECK(c == NULL);
  kh_doc_drop(doc);
}

int main(void) {
  kh_ctx *ctx = kh_ctx_new();
  kh_ctx_set_diag(ctx, kh_test_capture, NULL);
  test_soft_breaks(ctx);
  test_marks_and_styles(ctx);
  test_front_matter(ctx);
  test_code(ctx);
  kh_ctx_drop(ctx);
  return kh_test_report();
}
