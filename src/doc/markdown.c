/* doc: the md4c adapter.  Turns md4c's SAX events (CommonMark + GFM tables
 * and autolinks, raw HTML off so "<座長>" stays text) into kumihan's own
 * document tree.  md4c's types do not leave this file.
 *
 * Text keeps its source: every piece appended to a block records the byte
 * offset it came from, so a later stage can report file:line:col. */
#include <md4c.h>
#include <stdlib.h>
#include <string.h>

#include "doc/doc.h"

#define MAX_DEPTH 32

typedef struct builder {
  kh_ctx *ctx;
  kh_arena *arena;
  const kh_source *src;
  kh_status status;
  kh_node *root;                  /* synthetic container */
  kh_node *stack[MAX_DEPTH];      /* open containers */
  kh_node *tail[MAX_DEPTH];       /* last child of each open container */
  int depth;
  int list_depth;
  kh_node *leaf;                  /* open leaf block, or NULL */
  int leaf_implicit;              /* leaf opened for a tight list item */
  kh_buf text;                    /* text of the open leaf */
  KH_VEC(kh_mark) marks;
  KH_VEC(kh_segment) segs;
  uint32_t open_mark[8];          /* stack of indexes into marks */
  int nopen;
  int pending_soft;               /* a soft break waits for the next text */
  int code_line;                  /* inside a code block, between its lines */
} builder;

static int fail(builder *b, kh_status st) {
  if (b->status == KH_OK) b->status = st;
  return 1;
}

static kh_node *node_new(builder *b, kh_node_kind kind) {
  kh_node *n = kh_arena_alloc(b->arena, sizeof *n);
  if (!n) return NULL;
  n->kind = kind;
  n->pos = (kh_srcpos){b->src, 0};
  return n;
}

static void append(builder *b, kh_node *n) {
  kh_node *parent = b->stack[b->depth - 1];
  if (b->tail[b->depth - 1]) b->tail[b->depth - 1]->next = n;
  else parent->child = n;
  b->tail[b->depth - 1] = n;
}

static int push(builder *b, kh_node *n) {
  if (b->depth >= MAX_DEPTH)
    return fail(b, kh_error(b->ctx, n->pos, KH_LIMIT, "blocks nested too deeply"));
  append(b, n);
  b->stack[b->depth] = n;
  b->tail[b->depth] = NULL;
  b->depth++;
  return 0;
}

/* Paragraph style by context: list items, boxes and ※ notes differ. */
static const char *para_style(const builder *b, const char *text, size_t len) {
  kh_node *parent = b->stack[b->depth - 1];
  if (parent->kind == KH_NODE_LIST_ITEM) return "item";
  if (len >= 3 && memcmp(text, "\xE2\x80\xBB", 3) == 0) return "note"; /* ※ */
  for (int i = b->depth - 1; i > 0; i--)
    if (b->stack[i]->kind == KH_NODE_BOX) return "box";
  return "body";
}

static const char *heading_style(int level) {
  static const char *names[] = {"h1", "h2", "h3", "h4", "h5", "h6"};
  return names[(level < 1 ? 1 : level > 6 ? 6 : level) - 1];
}

static int leaf_open(builder *b, kh_node *n) {
  b->leaf = n;
  b->text.len = 0;
  b->marks.n = 0;
  b->segs.n = 0;
  b->nopen = 0;
  b->pending_soft = 0;
  append(b, n);
  return 0;
}

static int leaf_close(builder *b) {
  kh_node *n = b->leaf;
  if (!n) return 0;
  b->leaf = NULL;
  b->leaf_implicit = 0;
  kh_inline *in = &n->text;
  in->src = b->src;
  in->len = (uint32_t)b->text.len;
  in->text = kh_arena_strndup(b->arena, b->text.data ? b->text.data : "", b->text.len);
  in->nmarks = (uint32_t)b->marks.n;
  in->marks = kh_arena_alloc(b->arena, (b->marks.n + 1) * sizeof *in->marks);
  in->nsegs = (uint32_t)b->segs.n;
  in->segs = kh_arena_alloc(b->arena, (b->segs.n + 1) * sizeof *in->segs);
  if (!in->text || !in->marks || !in->segs) return fail(b, KH_NOMEM);
  if (b->marks.n) memcpy(in->marks, b->marks.v, b->marks.n * sizeof *in->marks);
  if (b->segs.n) memcpy(in->segs, b->segs.v, b->segs.n * sizeof *in->segs);
  if (!(n->style && !strcmp(n->style, "code")) && b->code_line < 0) {
    kh_status st = kh_doc_ruby(b->ctx, b->arena, in);
    if (st != KH_OK) return fail(b, st);
  }
  if (n->kind == KH_NODE_PARA && !n->style)
    n->style = para_style(b, in->text, in->len);
  return 0;
}

static int is_ascii_end(const kh_buf *t) {
  return t->len == 0 || (unsigned char)t->data[t->len - 1] < 0x80;
}

/* Appends text that came from source offset `soff` (or from nowhere when
 * soff is UINT32_MAX: the previous segment keeps covering it). */
static int add_text(builder *b, const char *s, size_t n, uint32_t soff) {
  if (b->pending_soft) {
    /* A soft line break joins lines: nothing between two Japanese
     * characters, one space where either side is Western. */
    b->pending_soft = 0;
    if (b->text.len && (is_ascii_end(&b->text) || (unsigned char)s[0] < 0x80))
      if (kh_buf_append(&b->text, " ", 1) != KH_OK) return fail(b, KH_NOMEM);
  }
  if (soff != UINT32_MAX) {
    kh_segment seg = {(uint32_t)b->text.len, soff};
    if (kh_vec_push(&b->segs, seg) != KH_OK) return fail(b, KH_NOMEM);
  }
  if (b->leaf->pos.off == 0 && soff != UINT32_MAX) /* its first known place */
    b->leaf->pos.off = soff;
  if (kh_buf_append(&b->text, s, n) != KH_OK) return fail(b, KH_NOMEM);
  if (b->text.len > UINT32_MAX / 4)
    return fail(b, kh_error(b->ctx, b->leaf->pos, KH_LIMIT, "block too long"));
  return 0;
}

static uint32_t offset_of(const builder *b, const char *p) {
  if (p >= b->src->data && p <= b->src->data + b->src->len)
    return (uint32_t)(p - b->src->data);
  return UINT32_MAX;
}

/* The few entities a press office writes; numeric ones in full. */
static int32_t entity(const char *s, size_t n) {
  static const struct { const char *name; int32_t cp; } named[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
      {"&apos;", '\''}, {"&nbsp;", 0xA0}, {"&emsp;", 0x2003}};
  if (n > 3 && s[1] == '#') {
    int hex = s[2] == 'x' || s[2] == 'X';
    long v = strtol(s + 2 + hex, NULL, hex ? 16 : 10);
    return v > 0 && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF) ? (int32_t)v : 0xFFFD;
  }
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    if (strlen(named[i].name) == n && memcmp(named[i].name, s, n) == 0)
      return named[i].cp;
  return -1;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *u) {
  builder *b = u;
  if (type == MD_TEXT_CODE && b->code_line >= 0 && b->leaf && n == 1 && s[0] == '\n') {
    /* a code block is preformatted: each of its lines is a block */
    b->code_line = 1;
    return leaf_close(b);
  }
  if (!b->leaf) { /* text straight inside a tight list item, or the next
                     line of a code block */
    kh_node *p = node_new(b, KH_NODE_PARA);
    if (!p) return fail(b, KH_NOMEM);
    if (b->code_line > 0) p->style = "code";
    leaf_open(b, p);
    b->leaf_implicit = b->code_line <= 0;
  }
  uint32_t off = offset_of(b, s);
  switch (type) {
  case MD_TEXT_SOFTBR:
  case MD_TEXT_BR:
    b->pending_soft = 1;
    return 0;
  case MD_TEXT_NULLCHAR:
    return add_text(b, "\xEF\xBF\xBD", 3, off);
  case MD_TEXT_ENTITY: {
    int32_t cp = entity(s, n);
    if (cp < 0) return add_text(b, s, n, off); /* unknown: keep as written */
    char enc[4];
    return add_text(b, enc, (size_t)kh_utf8_encode(cp, enc), off);
  }
  case MD_TEXT_HTML:
  case MD_TEXT_NORMAL:
  case MD_TEXT_CODE:
  case MD_TEXT_LATEXMATH:
    return add_text(b, s, n, off);
  }
  return 0;
}

static int on_enter_block(MD_BLOCKTYPE type, void *detail, void *u) {
  builder *b = u;
  kh_node *n = NULL;
  if (b->leaf && b->leaf_implicit && leaf_close(b)) return 1;
  switch (type) {
  case MD_BLOCK_DOC:
  case MD_BLOCK_THEAD:
  case MD_BLOCK_TBODY:
    return 0;
  case MD_BLOCK_QUOTE:
    if (!(n = node_new(b, KH_NODE_BOX))) return fail(b, KH_NOMEM);
    return push(b, n);
  case MD_BLOCK_UL:
  case MD_BLOCK_OL:
    if (!(n = node_new(b, KH_NODE_LIST))) return fail(b, KH_NOMEM);
    n->level = ++b->list_depth;
    if (type == MD_BLOCK_OL) {
      n->ordered = 1;
      n->start = (int)((MD_BLOCK_OL_DETAIL *)detail)->start;
    }
    return push(b, n);
  case MD_BLOCK_LI:
    if (!(n = node_new(b, KH_NODE_LIST_ITEM))) return fail(b, KH_NOMEM);
    n->level = b->list_depth;
    return push(b, n);
  case MD_BLOCK_TABLE:
    if (!(n = node_new(b, KH_NODE_TABLE))) return fail(b, KH_NOMEM);
    n->style = "table";
    return push(b, n);
  case MD_BLOCK_TR:
    if (!(n = node_new(b, KH_NODE_ROW))) return fail(b, KH_NOMEM);
    return push(b, n);
  case MD_BLOCK_HR:
    if (!(n = node_new(b, KH_NODE_RULE))) return fail(b, KH_NOMEM);
    append(b, n);
    return 0;
  case MD_BLOCK_H:
    if (!(n = node_new(b, KH_NODE_HEADING))) return fail(b, KH_NOMEM);
    n->level = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
    n->style = heading_style(n->level);
    return leaf_open(b, n);
  case MD_BLOCK_TH:
  case MD_BLOCK_TD: {
    if (!(n = node_new(b, KH_NODE_CELL))) return fail(b, KH_NOMEM);
    MD_ALIGN a = ((MD_BLOCK_TD_DETAIL *)detail)->align;
    n->align = a == MD_ALIGN_LEFT     ? KH_ALIGN_LEFT
               : a == MD_ALIGN_CENTER ? KH_ALIGN_CENTER
               : a == MD_ALIGN_RIGHT  ? KH_ALIGN_RIGHT
                                      : KH_ALIGN_DEFAULT;
    n->style = type == MD_BLOCK_TH ? "cell-head" : "cell";
    b->stack[b->depth - 1]->header = type == MD_BLOCK_TH;
    return leaf_open(b, n);
  }
  case MD_BLOCK_P:
  case MD_BLOCK_CODE:
  case MD_BLOCK_HTML:
    if (!(n = node_new(b, KH_NODE_PARA))) return fail(b, KH_NOMEM);
    if (type == MD_BLOCK_CODE) {
      n->style = "code";
      b->code_line = 0;
    }
    return leaf_open(b, n);
  }
  return 0;
}

static int on_leave_block(MD_BLOCKTYPE type, void *detail, void *u) {
  builder *b = u;
  (void)detail;
  switch (type) {
  case MD_BLOCK_DOC:
  case MD_BLOCK_THEAD:
  case MD_BLOCK_TBODY:
  case MD_BLOCK_HR:
    return 0;
  case MD_BLOCK_CODE:
    b->code_line = -1;
    return b->leaf ? leaf_close(b) : 0;
  case MD_BLOCK_H:
  case MD_BLOCK_P:
  case MD_BLOCK_HTML:
  case MD_BLOCK_TH:
  case MD_BLOCK_TD:
    return leaf_close(b);
  case MD_BLOCK_TR: {
    if (b->leaf && leaf_close(b)) return 1;
    kh_node *row = b->stack[b->depth - 1];
    row->empty = 1;
    for (kh_node *c = row->child; c; c = c->next)
      if (c->text.len) row->empty = 0;
    b->depth--;
    return 0;
  }
  case MD_BLOCK_UL:
  case MD_BLOCK_OL:
    b->list_depth--;
    /* fall through */
  case MD_BLOCK_QUOTE:
  case MD_BLOCK_LI:
  case MD_BLOCK_TABLE:
    if (b->leaf && leaf_close(b)) return 1;
    b->depth--;
    return 0;
  }
  return 0;
}

static int on_enter_span(MD_SPANTYPE type, void *detail, void *u) {
  builder *b = u;
  if (!b->leaf) return 0;
  kh_mark m = {.start = (uint32_t)b->text.len};
  switch (type) {
  case MD_SPAN_STRONG: m.flags = KH_MARK_STRONG; break;
  case MD_SPAN_EM: m.flags = KH_MARK_EM; break;
  case MD_SPAN_CODE: m.flags = KH_MARK_CODE; break;
  case MD_SPAN_A: {
    const MD_ATTRIBUTE *h = &((MD_SPAN_A_DETAIL *)detail)->href;
    m.flags = KH_MARK_LINK;
    m.href = kh_arena_strndup(b->arena, h->text, h->size);
    if (!m.href) return fail(b, KH_NOMEM);
    break;
  }
  default:
    return 0; /* images, strikethrough...: their text is kept, unmarked */
  }
  if (b->nopen >= 8) return 0;
  if (kh_vec_push(&b->marks, m) != KH_OK) return fail(b, KH_NOMEM);
  b->open_mark[b->nopen++] = (uint32_t)b->marks.n - 1;
  return 0;
}

static int on_leave_span(MD_SPANTYPE type, void *detail, void *u) {
  builder *b = u;
  (void)detail;
  if (!b->leaf || b->nopen == 0) return 0;
  if (type != MD_SPAN_STRONG && type != MD_SPAN_EM && type != MD_SPAN_CODE &&
      type != MD_SPAN_A)
    return 0;
  b->marks.v[b->open_mark[--b->nopen]].end = (uint32_t)b->text.len;
  return 0;
}

/* Finishes the tree: a heading set directly above a table is the table's
 * caption; a container (md4c gives it no position) starts where its first
 * block does. */
static void finish_tree(kh_node *n) {
  for (; n; n = n->next) {
    if (n->kind == KH_NODE_HEADING && n->next && n->next->kind == KH_NODE_TABLE)
      n->style = "caption";
    finish_tree(n->child);
    if (n->child && n->pos.off == 0) n->pos = n->child->pos;
  }
}

kh_status kh_doc_parse_markdown(kh_ctx *ctx, kh_arena *arena,
                                const kh_source *src, uint32_t off,
                                kh_node **out) {
  builder b = {0};
  b.ctx = ctx;
  b.arena = arena;
  b.src = src;
  b.root = node_new(&b, KH_NODE_BOX);
  if (!b.root) return KH_NOMEM;
  b.stack[0] = b.root;
  b.depth = 1;
  b.code_line = -1;
  MD_PARSER parser = {0};
  parser.flags = MD_FLAG_TABLES | MD_FLAG_PERMISSIVEURLAUTOLINKS |
                 MD_FLAG_NOHTML | MD_FLAG_STRIKETHROUGH;
  parser.enter_block = on_enter_block;
  parser.leave_block = on_leave_block;
  parser.enter_span = on_enter_span;
  parser.leave_span = on_leave_span;
  parser.text = on_text;
  int rc = md_parse(src->data + off, (MD_SIZE)(src->len - off), &parser, &b);
  if (b.leaf && b.status == KH_OK) leaf_close(&b);
  kh_buf_free(&b.text);
  kh_vec_free(&b.marks);
  kh_vec_free(&b.segs);
  if (b.status != KH_OK) return b.status;
  if (rc != 0)
    return kh_error(ctx, (kh_srcpos){src, off}, KH_LIBRARY, "md4c failed to parse");
  finish_tree(b.root);
  *out = b.root->child;
  return KH_OK;
}
