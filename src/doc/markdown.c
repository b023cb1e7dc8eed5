/* doc: the md4c adapter.  Turns md4c's SAX events (CommonMark + GFM tables,
 * strikethrough, autolinks and task lists) into kumihan's own document tree.  md4c's
 * types do not leave this file.  Every kind md4c reports is handled here
 * or refused with a diagnostic at its line (docs/layout.md lists them):
 *
 *   ![alt](file "width=60%")  a paragraph of one image: a figure
 *   [^id] / [^id]: text       footnotes (doc/notes.c finds the definitions)
 *   two spaces or \ at a line end, <br>   a hard break: '\n' in the text
 *   ~~text~~                  取消線 (KH_MARK_STRIKE)
 *   - [ ] / - [x]             a task item: its box is the item's marker
 *   ``` code ```              one verbatim KH_NODE_CODE leaf
 *   : 表1 caption             a table's caption, directly above or below it
 *   other raw HTML            a warning, and nothing printed (comments are
 *                             dropped without one)
 *
 * Text keeps its source: every piece appended to a block records the byte
 * offset it came from, so a later stage can report file:line:col. */
#include <md4c.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc/internal.h"

#define MAX_DEPTH 32
#define KH_MAX_URI 32767

typedef struct builder {
  kh_ctx *ctx;
  kh_arena *arena;                /* where the block being read goes: its
                                     group's, or `keep` */
  kh_arena *keep;                 /* what lives to the end: footnotes */
  kh_doc_store *store;            /* the groups of top-level blocks, or NULL */
  size_t first_group;             /* this parse's first group in store */
  const kh_source *src;
  kh_status status;
  /* the buffer md4c reads and where its bytes came from */
  const char *base;
  size_t base_len;
  const kh_srcmap *map;           /* where its bytes came from */
  uint32_t nmap;
  kh_fnotes *notes;
  int in_note;                    /* parsing a footnote's text */
  int *figures;                   /* figures of the part so far */
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
  int open_type[8];               /* the span type of each */
  int nopen;
  int skipped;                    /* spans nested too deep to be marked */
  int pending_soft;               /* a soft break waits for the next text */
  int in_code;                    /* inside a code block */
  int in_html;                    /* inside a raw HTML block */
  kh_srcpos html_pos;             /* its first text */
  int html_text;                  /* it holds more than comments */
  /* images of the open leaf */
  int nimg, in_img;
  uint32_t img_start, img_end;
  kh_srcpos img_pos;
  const char *img_src, *img_title;
} builder;

static int fail(builder *b, kh_status st) {
  if (b->status == KH_OK) b->status = st;
  return 1;
}

/* Does the block being read go into a group (a top-level block of the
 * body, given back once the page builder is done with it)? */
static kh_group *group_of(const builder *b) {
  if (!b->store || b->in_note || b->store->groups.n <= b->first_group) return NULL;
  return &b->store->groups.v[b->store->groups.n - 1];
}

/* A top-level block begins: past KH_GROUP_BYTES in the current group, a new
 * group takes it and the blocks after it. */
static int group_begin(builder *b) {
  if (!b->store || b->in_note) return 0;
  kh_group *g = group_of(b);
  size_t bytes = b->ctx->doc_group_bytes ? b->ctx->doc_group_bytes : KH_GROUP_BYTES;
  if (g && kh_arena_used(g->arena) < bytes) return 0;
  if (kh_doc_store_group(b->store, b->src, &b->arena) != KH_OK) return fail(b, KH_NOMEM);
  return 0;
}

static kh_node *node_new_in(builder *b, kh_arena *arena, kh_node_kind kind) {
  kh_node *n = kh_arena_alloc(arena, sizeof *n);
  if (!n) return NULL;
  n->kind = kind;
  n->pos = (kh_srcpos){b->src, 0};
  return n;
}

static kh_node *node_new(builder *b, kh_node_kind kind) {
  return node_new_in(b, b->arena, kind);
}

static void append(builder *b, kh_node *n) {
  kh_node *parent = b->stack[b->depth - 1];
  if (b->tail[b->depth - 1]) b->tail[b->depth - 1]->next = n;
  else parent->child = n;
  b->tail[b->depth - 1] = n;
  kh_group *g = b->depth == 1 ? group_of(b) : NULL;
  if (g) g->last = n;
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

/* Source offset of a byte md4c hands us, or UINT32_MAX when it is not from
 * the buffer (an entity's replacement). */
static uint32_t offset_of(const builder *b, const char *p) {
  if (p < b->base || p > b->base + b->base_len) return UINT32_MAX;
  uint32_t boff = (uint32_t)(p - b->base);
  uint32_t lo = 0, hi = b->nmap;
  if (hi == 0) return UINT32_MAX;
  while (hi - lo > 1) {
    uint32_t mid = (lo + hi) / 2;
    if (b->map[mid].boff <= boff) lo = mid;
    else hi = mid;
  }
  return b->map[lo].soff + (boff >= b->map[lo].boff ? boff - b->map[lo].boff : 0);
}

static kh_srcpos pos_of(const builder *b, const char *p) {
  uint32_t off = offset_of(b, p);
  return (kh_srcpos){b->src, off == UINT32_MAX ? 0 : off};
}

/* Where the open leaf's text byte `t` came from. */
static kh_srcpos text_pos(const builder *b, uint32_t t) {
  kh_inline in = {0};
  in.src = b->src;
  in.segs = b->segs.v;
  in.nsegs = (uint32_t)b->segs.n;
  return kh_inline_pos(&in, t);
}

/* Paragraph style by context: list items, boxes, footnotes and ※ notes
 * differ.  docs/layout.md lists these triggers; keep the two in step. */
static const char *para_style(const builder *b, const char *text, size_t len) {
  kh_node *parent = b->stack[b->depth - 1];
  if (b->in_note) return "footnote";
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
  b->skipped = 0;
  b->pending_soft = 0;
  b->nimg = b->in_img = 0;
  append(b, n);
  return 0;
}

/* Replaces text bytes [a, z) of the open leaf with `rep`, keeping marks and
 * source segments right: what follows still maps to its own source. */
static int splice(builder *b, uint32_t a, uint32_t z, const char *rep, uint32_t rlen) {
  kh_srcpos after = text_pos(b, z);
  uint32_t old = (uint32_t)b->text.len;
  int64_t delta = (int64_t)rlen - (int64_t)(z - a);
  if (delta > 0 && kh_buf_append(&b->text, rep, (size_t)delta) != KH_OK) return fail(b, KH_NOMEM);
  memmove(b->text.data + a + rlen, b->text.data + z, old - z);
  memcpy(b->text.data + a, rep, rlen);
  b->text.len = (size_t)((int64_t)old + delta);
  for (size_t i = 0; i < b->marks.n; i++) {
    kh_mark *m = &b->marks.v[i];
    if (m->start >= z) m->start = (uint32_t)(m->start + delta);
    else if (m->start > a) m->start = a;
    if (m->end >= z) m->end = (uint32_t)(m->end + delta);
    else if (m->end > a) m->end = a + rlen;
  }
  /* segments inside the cut go; one at a+rlen maps what follows, unless a
   * segment already starts there */
  size_t keep = 0, at = SIZE_MAX;
  for (size_t i = 0; i < b->segs.n; i++) {
    kh_segment sg = b->segs.v[i];
    if (sg.tstart > a && sg.tstart < z) continue;
    if (sg.tstart >= z) {
      if (at == SIZE_MAX) at = keep;
      sg.tstart = (uint32_t)(sg.tstart + delta);
    }
    b->segs.v[keep++] = sg;
  }
  b->segs.n = keep;
  if (at == SIZE_MAX) at = keep;
  if (z < old && !(at < keep && b->segs.v[at].tstart == a + rlen)) {
    kh_segment tailseg = {a + rlen, after.off};
    if (kh_vec_push(&b->segs, tailseg) != KH_OK) return fail(b, KH_NOMEM);
    memmove(b->segs.v + at + 1, b->segs.v + at, (b->segs.n - 1 - at) * sizeof *b->segs.v);
    b->segs.v[at] = tailseg;
  }
  return 0;
}

static int in_code_mark(const builder *b, uint32_t t) {
  for (size_t i = 0; i < b->marks.n; i++)
    if ((b->marks.v[i].flags & KH_MARK_CODE) && b->marks.v[i].start <= t && t < b->marks.v[i].end)
      return 1;
  return 0;
}

/* Footnote references [^label] in the open leaf become their printed number
 * with a KH_MARK_FOOTREF mark; a note is numbered at its first reference. */
static int footnote_refs(builder *b) {
  for (uint32_t i = 0; i + 3 < b->text.len; i++) {
    const char *t = b->text.data;
    if (t[i] != '[' || t[i + 1] != '^' || in_code_mark(b, i)) continue;
    uint32_t j = i + 2;
    while (j < b->text.len && t[j] != ']' && t[j] != '[' && t[j] != ' ' && t[j] != '\n') j++;
    if (j == i + 2 || j >= b->text.len || t[j] != ']') continue;
    kh_fnote *f = b->notes ? kh_doc_notes_find(b->notes, t + i + 2, j - i - 2) : NULL;
    if (!f)
      return fail(b, kh_error(b->ctx, text_pos(b, i), KH_SYNTAX,
                              "footnote '[^%.*s]' is not defined (write '[^%.*s]: text' on a "
                              "line of its own)",
                              (int)(j - i - 2), t + i + 2, (int)(j - i - 2), t + i + 2));
    if (!f->node) {
      /* the note lives to the end: it is placed at a later reference */
      if (!(f->node = node_new_in(b, b->keep, KH_NODE_FOOTNOTE))) return fail(b, KH_NOMEM);
      f->node->label = kh_arena_strndup(b->keep, f->label, f->label_len);
      f->node->number = (int)b->notes->order.n + 1;
      f->node->pos = f->pos;
      f->node->style = "footnote";
      if (!f->node->label || kh_vec_push(&b->notes->order, f) != KH_OK) return fail(b, KH_NOMEM);
    }
    char num[16];
    uint32_t nl = (uint32_t)snprintf(num, sizeof num, "%d", f->node->number);
    if (splice(b, i, j + 1, num, nl)) return 1;
    kh_mark m = {.start = i, .end = i + nl, .flags = KH_MARK_FOOTREF, .note = f->node};
    if (kh_vec_push(&b->marks, m) != KH_OK) return fail(b, KH_NOMEM);
    i += nl - 1;
  }
  return 0;
}

/* A table caption: a paragraph written ": 表1 …" (pandoc's form; also
 * "Table: …"), directly above or below a table. */
static int caption_prefix(const builder *b) {
  const char *t = b->text.data;
  if (b->text.len >= 2 && t[0] == ':' && t[1] == ' ') return 2;
  if (b->text.len >= 7 && !memcmp(t, "Table: ", 7)) return 7;
  return 0;
}

/* The folder of the Markdown file, for the images it names. */
static char *src_dir(const kh_source *src) { return kh_path_dirname(src->path); }

/* A figure's image: a PNG or JPEG file beside the Markdown file. */
static int figure_image(builder *b, kh_node *n) {
  char *dir = src_dir(b->src);
  char *path = dir ? kh_path_join(dir, b->img_src) : NULL;
  free(dir);
  if (!path) return fail(b, KH_NOMEM);
  const void *data = NULL;
  size_t len = 0;
  kh_status st = kh_file_map(b->ctx, b->img_pos, "image", b->img_src, path,
                             KH_FILE_CONFINE | KH_FILE_BINARY, &data, &len);
  if (st != KH_OK) {
    free(path);
    return fail(b, st);
  }
  const unsigned char *d = data;
  int png = len >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8);
  int jpeg = len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
  kh_file_unmap(data, len);
  if (!png && !jpeg) {
    free(path);
    return fail(b, kh_error(b->ctx, b->img_pos, KH_UNSUPPORTED,
                            "image '%s' is neither PNG nor JPEG", b->img_src));
  }
  n->image = kh_arena_strndup(b->arena, path, strlen(path));
  free(path);
  return n->image ? 0 : fail(b, KH_NOMEM);
}

/* The width an image's title gives: "width=60%" of the measure, or a
 * length "width=80mm" (mm, cm, in, pt). */
static int figure_width(builder *b, kh_node *n) {
  const char *t = b->img_title;
  if (!t || !*t) return 0;
  if (strncmp(t, "width=", 6))
    return fail(b, kh_error(b->ctx, b->img_pos, KH_SYNTAX,
                            "an image title gives its width: \"width=60%%\" or \"width=80mm\", "
                            "not \"%s\"", t));
  char *end;
  double v = strtod(t + 6, &end);
  double scale = 0;
  if (!strcmp(end, "%") && v > 0 && v <= 100) n->width_permille = (int)(v * 10 + 0.5);
  else if (!strcmp(end, "mm")) scale = 72 / 25.4;
  else if (!strcmp(end, "cm")) scale = 72 / 2.54;
  else if (!strcmp(end, "in")) scale = 72;
  else if (!strcmp(end, "pt")) scale = 1;
  if (scale > 0 && v > 0 && v * scale <= 14400) n->width = KH_PT(v * scale);
  if (!n->width && !n->width_permille)
    return fail(b, kh_error(b->ctx, b->img_pos, KH_SYNTAX,
                            "image width must be from 1%% to 100%% or a length (e.g. 80mm), "
                            "not '%s'", t + 6));
  return 0;
}

/* A paragraph that is one image (and blanks) becomes a figure; an image
 * inside text is refused. */
static int figure(builder *b, kh_node *n) {
  if (!b->nimg) return 0;
  int alone = n->kind == KH_NODE_PARA && b->nimg == 1;
  for (uint32_t i = 0; alone && i < b->text.len; i++)
    if ((i < b->img_start || i >= b->img_end) && b->text.data[i] != ' ' && b->text.data[i] != '\n')
      alone = 0;
  if (!alone)
    return fail(b, kh_error(b->ctx, b->img_pos, KH_UNSUPPORTED,
                            "an image must be a paragraph of its own (a figure), not part of "
                            "text"));
  if (b->img_end < b->text.len && splice(b, b->img_end, (uint32_t)b->text.len, "", 0)) return 1;
  if (b->img_start > 0 && splice(b, 0, b->img_start, "", 0)) return 1;
  n->kind = KH_NODE_FIGURE;
  n->style = "figure";
  n->number = ++*b->figures;
  if (!(n->alt = kh_arena_strndup(b->arena, b->text.data ? b->text.data : "", b->text.len)))
    return fail(b, KH_NOMEM);
  if (!b->text.len) kh_warning(b->ctx, b->img_pos, "image '%s' has no alt text (its caption)",
                                b->img_src);
  return figure_image(b, n) || figure_width(b, n);
}

/* The open leaf's text where it is the source's own bytes as they stand (a
 * paragraph of one line without markup: most of a document), else NULL.
 * The text then points into the source, which the context keeps for
 * diagnostics anyway, and is held once rather than twice. */
static const char *source_slice(const builder *b) {
  if (!b->text.len || !b->segs.n || b->segs.v[0].tstart != 0) return NULL;
  uint32_t soff = b->segs.v[0].soff;
  if (soff == UINT32_MAX || soff > b->src->len || b->src->len - soff < b->text.len) return NULL;
  if (memcmp(b->src->data + soff, b->text.data, b->text.len)) return NULL;
  return b->src->data + soff;
}

/* Segments that all say "from the first one's place on": one says it. */
static size_t segs_needed(const builder *b) {
  for (size_t i = 1; i < b->segs.n; i++)
    if (b->segs.v[i].soff == UINT32_MAX ||
        b->segs.v[i].soff - b->segs.v[0].soff != b->segs.v[i].tstart)
      return b->segs.n;
  return b->segs.n ? 1 : 0;
}

static int leaf_close(builder *b) {
  kh_node *n = b->leaf;
  if (!n) return 0;
  b->leaf = NULL;
  b->leaf_implicit = 0;
  if (n->kind == KH_NODE_CODE) { /* the fence's last line end is no line */
    if (b->text.len && b->text.data[b->text.len - 1] == '\n') b->text.len--;
  } else {
    if (footnote_refs(b) || figure(b, n)) return 1;
    int cut = n->kind == KH_NODE_PARA ? caption_prefix(b) : 0;
    if (cut) {
      if (splice(b, 0, (uint32_t)cut, "", 0)) return 1;
      n->kind = KH_NODE_CAPTION;
      n->style = "caption";
    }
  }
  kh_inline *in = &n->text;
  in->src = b->src;
  in->len = (uint32_t)b->text.len;
  in->text = source_slice(b);
  if (in->text) b->segs.n = segs_needed(b);
  else in->text = kh_arena_strndup(b->arena, b->text.data ? b->text.data : "", b->text.len);
  in->nmarks = (uint32_t)b->marks.n;
  /* most cells and paragraphs have no marks: no array for them (a table of
   * 200,000 rows has 400,000 cells) */
  in->marks = b->marks.n ? kh_arena_alloc(b->arena, b->marks.n * sizeof *in->marks) : NULL;
  in->nsegs = (uint32_t)b->segs.n;
  in->segs = kh_arena_alloc(b->arena, (b->segs.n + 1) * sizeof *in->segs);
  if (!in->text || (b->marks.n && !in->marks) || !in->segs) return fail(b, KH_NOMEM);
  if (b->marks.n) memcpy(in->marks, b->marks.v, b->marks.n * sizeof *in->marks);
  if (b->segs.n) memcpy(in->segs, b->segs.v, b->segs.n * sizeof *in->segs);
  if (n->kind != KH_NODE_CODE) { /* ruby notation (ruby.c); code is verbatim */
    kh_status st = kh_doc_ruby(b->ctx, b->arena, in);
    if (st != KH_OK) return fail(b, st);
  }
  if (n->kind == KH_NODE_PARA && !n->style)
    n->style = para_style(b, in->text, in->len);
  kh_group *g = group_of(b);
  for (uint32_t i = 0; g && i < in->nsegs; i++) /* where its text comes from */
    if (in->segs[i].soff < g->src_lo) g->src_lo = in->segs[i].soff;
  return 0;
}

static int is_ascii_end(const kh_buf *t) {
  return t->len == 0 || (unsigned char)t->data[t->len - 1] < 0x80;
}

/* Opens a paragraph for text straight inside a tight list item. */
static int implicit_leaf(builder *b) {
  if (b->leaf) return 0;
  kh_node *p = node_new(b, KH_NODE_PARA);
  if (!p) return fail(b, KH_NOMEM);
  leaf_open(b, p);
  b->leaf_implicit = 1;
  return 0;
}

/* Appends text that came from source offset `soff` (or from nowhere when
 * soff is UINT32_MAX: the previous segment keeps covering it). */
static int add_text(builder *b, const char *s, size_t n, uint32_t soff) {
  if (b->pending_soft) {
    /* A soft line break joins lines: nothing between two Japanese
     * characters, one space where either side is Western. */
    b->pending_soft = 0;
    if (b->text.len && b->text.data[b->text.len - 1] != '\n' &&
        (is_ascii_end(&b->text) || (unsigned char)s[0] < 0x80))
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

/* The raw HTML kumihan sets: <br> (and <br/>, <br />) as a hard break.
 * Comments are dropped without a word; anything else is a warning. */
static int is_br(const char *s, size_t n) {
  static const char *forms[] = {"<br>", "<br/>", "<br />"};
  for (size_t i = 0; i < 3; i++)
    if (n == strlen(forms[i]) && !strncasecmp(s, forms[i], n)) return 1;
  return 0;
}

static int is_comment(const char *s, size_t n) {
  while (n && (*s == ' ' || *s == '\n' || *s == '\t')) s++, n--;
  return n >= 4 && !memcmp(s, "<!--", 4);
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *u) {
  builder *b = u;
  uint32_t off = offset_of(b, s);
  if (b->in_html) { /* a raw HTML block: judged once it ends */
    if (!b->html_pos.off && off != UINT32_MAX) b->html_pos = (kh_srcpos){b->src, off};
    if (!is_comment(s, n)) {
      for (MD_SIZE i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t') b->html_text = 1;
    }
    return 0;
  }
  if (!b->leaf && implicit_leaf(b)) return 1;
  switch (type) {
  case MD_TEXT_SOFTBR:
    b->pending_soft = 1;
    return 0;
  case MD_TEXT_BR: /* a hard break: the line ends here */
    b->pending_soft = 0;
    return add_text(b, "\n", 1, off);
  case MD_TEXT_NULLCHAR:
    return add_text(b, "\xEF\xBF\xBD", 3, off);
  case MD_TEXT_ENTITY: {
    int32_t cp = entity(s, n);
    if (cp < 0) return add_text(b, s, n, off); /* unknown: keep as written */
    char enc[4];
    return add_text(b, enc, (size_t)kh_utf8_encode(cp, enc), off);
  }
  case MD_TEXT_HTML:
    if (is_br(s, n)) {
      b->pending_soft = 0;
      return add_text(b, "\n", 1, off);
    }
    if (!is_comment(s, n))
      kh_warning(b->ctx, pos_of(b, s), "raw HTML '%.*s' is not typeset (only <br> is)",
                 (int)(n > 40 ? 40 : n), s);
    return 0;
  case MD_TEXT_LATEXMATH: /* not enabled in md4c; kept as written */
    kh_warning(b->ctx, pos_of(b, s), "math is set as plain text");
    return add_text(b, s, n, off);
  case MD_TEXT_NORMAL:
  case MD_TEXT_CODE:
    return add_text(b, s, n, off);
  }
  return 0;
}

static int on_enter_block(MD_BLOCKTYPE type, void *detail, void *u) {
  builder *b = u;
  kh_node *n = NULL;
  if (b->leaf && b->leaf_implicit && leaf_close(b)) return 1;
  if (b->depth == 1 && type != MD_BLOCK_DOC && type != MD_BLOCK_HTML && group_begin(b)) return 1;
  switch (type) {
  case MD_BLOCK_DOC:
  case MD_BLOCK_THEAD:
  case MD_BLOCK_TBODY:
    return 0;
  case MD_BLOCK_QUOTE:
    if (!(n = node_new(b, KH_NODE_BOX))) return fail(b, KH_NOMEM);
    n->style = "box";
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
  case MD_BLOCK_LI: {
    const MD_BLOCK_LI_DETAIL *d = detail;
    if (!(n = node_new(b, KH_NODE_LIST_ITEM))) return fail(b, KH_NOMEM);
    n->level = b->list_depth;
    if (d && d->is_task) n->task = d->task_mark == ' ' ? KH_TASK_OPEN : KH_TASK_DONE;
    return push(b, n);
  }
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
  case MD_BLOCK_CODE: {
    const MD_BLOCK_CODE_DETAIL *d = detail;
    if (!(n = node_new(b, KH_NODE_CODE))) return fail(b, KH_NOMEM);
    n->style = "code";
    if (d->info.size && !(n->info = kh_arena_strndup(b->arena, d->info.text, d->info.size)))
      return fail(b, KH_NOMEM);
    b->in_code = 1;
    return leaf_open(b, n);
  }
  case MD_BLOCK_HTML:
    b->in_html = 1;
    b->html_text = 0;
    b->html_pos = (kh_srcpos){b->src, 0};
    return 0;
  case MD_BLOCK_P:
    if (!(n = node_new(b, KH_NODE_PARA))) return fail(b, KH_NOMEM);
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
  case MD_BLOCK_HTML:
    b->in_html = 0;
    if (b->html_text)
      kh_warning(b->ctx, b->html_pos, "a raw HTML block is not typeset (only <br> is)");
    return 0;
  case MD_BLOCK_CODE:
    b->in_code = 0;
    return leaf_close(b);
  case MD_BLOCK_H:
  case MD_BLOCK_P:
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

static char *attr(builder *b, const MD_ATTRIBUTE *a) {
  return kh_arena_strndup(b->arena, a->text ? a->text : "", a->size);
}

static int on_enter_span(MD_SPANTYPE type, void *detail, void *u) {
  builder *b = u;
  if (!b->leaf && implicit_leaf(b)) return 1; /* a tight item's first span */
  if (b->in_img) return 0; /* inside an image's alt text: plain text */
  kh_mark m = {.start = (uint32_t)b->text.len};
  switch (type) {
  case MD_SPAN_STRONG: m.flags = KH_MARK_STRONG; break;
  case MD_SPAN_EM: m.flags = KH_MARK_EM; break;
  case MD_SPAN_CODE: m.flags = KH_MARK_CODE; break;
  case MD_SPAN_DEL: m.flags = KH_MARK_STRIKE; break;
  case MD_SPAN_U: m.flags = KH_MARK_UNDERLINE; break;
  case MD_SPAN_A: {
    const MD_ATTRIBUTE *h = &((MD_SPAN_A_DETAIL *)detail)->href;
    if (h->size > KH_MAX_URI) { /* PDF 1.7 Annex C: strings of 32,767 bytes */
      uint32_t off = offset_of(b, h->text);
      kh_warning(b->ctx, (kh_srcpos){b->src, off == UINT32_MAX ? b->leaf->pos.off : off},
                 "link target of %u bytes is longer than a PDF can hold (%d): set as "
                 "text without the link",
                 (unsigned)h->size, KH_MAX_URI);
      break; /* an empty mark keeps the spans' nesting */
    }
    m.flags = KH_MARK_LINK;
    if (!(m.href = attr(b, h))) return fail(b, KH_NOMEM);
    break;
  }
  case MD_SPAN_IMG: {
    const MD_SPAN_IMG_DETAIL *d = detail;
    b->in_img = 1;
    b->img_start = (uint32_t)b->text.len;
    if (!b->nimg++) {
      b->img_pos = pos_of(b, d->src.text);
      if (!(b->img_src = attr(b, &d->src)) || !(b->img_title = attr(b, &d->title)))
        return fail(b, KH_NOMEM);
    }
    return 0;
  }
  case MD_SPAN_LATEXMATH:
  case MD_SPAN_LATEXMATH_DISPLAY:
  case MD_SPAN_WIKILINK: /* extensions kumihan does not enable */
    return 0;
  }
  if (b->nopen >= 8) { /* deeper marks add nothing a page can show */
    b->skipped++;
    return 0;
  }
  if (kh_vec_push(&b->marks, m) != KH_OK) return fail(b, KH_NOMEM);
  b->open_type[b->nopen] = (int)type;
  b->open_mark[b->nopen++] = (uint32_t)b->marks.n - 1;
  return 0;
}

static int on_leave_span(MD_SPANTYPE type, void *detail, void *u) {
  builder *b = u;
  (void)detail;
  if (!b->leaf) return 0;
  if (type == MD_SPAN_IMG) {
    if (b->in_img) b->img_end = (uint32_t)b->text.len;
    b->in_img = 0;
    return 0;
  }
  if (b->in_img) return 0;
  if (b->skipped) {
    b->skipped--;
    return 0;
  }
  if (b->nopen == 0 || b->open_type[b->nopen - 1] != (int)type) return 0;
  b->marks.v[b->open_mark[--b->nopen]].end = (uint32_t)b->text.len;
  return 0;
}

/* Finishes the tree: a caption set directly below a table moves above it,
 * a caption next to no table is refused, and a container (md4c gives it no
 * position) starts where its first block does. */
static kh_status finish_tree(kh_ctx *ctx, kh_node **link) {
  for (kh_node *n; (n = *link); link = &n->next) {
    if (n->kind == KH_NODE_TABLE && n->next && n->next->kind == KH_NODE_CAPTION &&
        !(n->next->next && n->next->next->kind == KH_NODE_TABLE)) {
      kh_node *cap = n->next; /* table, caption -> caption, table */
      n->next = cap->next;
      cap->next = n;
      *link = cap;
      n = cap;
    }
    if (n->kind == KH_NODE_CAPTION && !(n->next && n->next->kind == KH_NODE_TABLE))
      return kh_error(ctx, n->pos, KH_SYNTAX,
                      "a table caption (': …') must stand directly above or below a table");
    kh_status ret = finish_tree(ctx, &n->child);
    if (ret != KH_OK) return ret;
    if (n->child && n->pos.off == 0) n->pos = n->child->pos;
  }
  return KH_OK;
}

/* Parses buf, md4c's input, whose bytes came from the source through map. */
static kh_status parse(builder *proto, const char *buf, size_t len, const kh_srcmap *map,
                       uint32_t nmap, kh_node **out) {
  builder b = *proto;
  b.base = buf;
  b.base_len = len;
  b.map = map;
  b.nmap = nmap;
  b.root = node_new_in(&b, b.keep, KH_NODE_BOX);
  if (!b.root) return KH_NOMEM;
  b.stack[0] = b.root;
  b.depth = 1;
  MD_PARSER parser = {0};
  parser.flags = MD_FLAG_TABLES | MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_STRIKETHROUGH |
                 MD_FLAG_TASKLISTS;
  parser.enter_block = on_enter_block;
  parser.leave_block = on_leave_block;
  parser.enter_span = on_enter_span;
  parser.leave_span = on_leave_span;
  parser.text = on_text;
  int rc = md_parse(buf, (MD_SIZE)len, &parser, &b);
  if (b.leaf && b.status == KH_OK) leaf_close(&b);
  kh_buf_free(&b.text);
  kh_vec_free(&b.marks);
  kh_vec_free(&b.segs);
  if (b.status != KH_OK) return b.status;
  if (rc != 0)
    return kh_error(b.ctx, (kh_srcpos){b.src, offset_of(&b, buf)}, KH_LIBRARY,
                    "md4c failed to parse");
  kh_status ret = finish_tree(b.ctx, &b.root->child);
  *out = b.root->child;
  return ret;
}

/* The source lines of the footnotes' definitions live to the end, as the
 * notes do. */
static kh_status pin_notes(kh_doc_store *store, const kh_source *src, const kh_fnotes *fn) {
  for (uint32_t i = 0; store && i < fn->n; i++) {
    const kh_fnote *f = &fn->v[i];
    uint32_t hi = f->pos.off + 1;
    for (uint32_t k = 0; k < f->nmap; k++) {
      uint32_t run = (k + 1 < f->nmap ? f->map[k + 1].boff : f->len) - f->map[k].boff;
      if (f->map[k].soff + run > hi) hi = f->map[k].soff + run;
    }
    kh_status ret = kh_doc_store_pin(store, src, f->pos.off, hi);
    if (ret != KH_OK) return ret;
  }
  return KH_OK;
}

/* A caption set below its table was moved above it (finish_tree): a group
 * whose last block is a caption ends with what follows it. */
static void group_ends(kh_doc_store *store, size_t first) {
  for (size_t i = first; store && i < store->groups.n; i++) {
    kh_group *g = &store->groups.v[i];
    while (g->last && g->last->kind == KH_NODE_CAPTION && g->last->next) g->last = g->last->next;
  }
}

kh_status kh_doc_parse_markdown(kh_ctx *ctx, kh_arena *arena, kh_doc_store *store,
                                const kh_source *src, uint32_t off, kh_node **out,
                                kh_node **notes) {
  kh_status ret = KH_OK;
  kh_fnotes fn = {0};
  int figures = 0;
  *out = NULL;
  *notes = NULL;
  builder proto = {0};
  proto.ctx = ctx;
  proto.arena = arena;
  proto.keep = arena;
  proto.store = store;
  proto.first_group = store ? store->groups.n : 0;
  proto.src = src;
  proto.figures = &figures;
  /* the definitions and the body with them blanked out are read while
   * parsing only */
  kh_arena *scan = kh_arena_new();
  if (!scan) return KH_NOMEM;
  KH_CHECK(kh_doc_notes_scan(ctx, scan, src, off, &fn));
  KH_CHECK(pin_notes(store, src, &fn));
  proto.notes = &fn;
  /* offsets into the copy are offsets into the source */
  const char *body = fn.body ? fn.body : src->data;
  kh_srcmap whole = {0, off};
  KH_CHECK(parse(&proto, body + off, src->len - off, &whole, 1, out));
  group_ends(store, proto.first_group);
  /* the notes' own text, in number order; a note may refer to another */
  proto.in_note = 1;
  proto.arena = arena;
  for (size_t i = 0; i < fn.order.n; i++) {
    kh_fnote *f = fn.order.v[i];
    KH_CHECK(parse(&proto, f->text, f->len, f->map, f->nmap, &f->node->child));
    if (i) fn.order.v[i - 1]->node->next = f->node;
  }
  if (fn.order.n) *notes = fn.order.v[0]->node;
  for (uint32_t i = 0; i < fn.n; i++)
    if (!fn.v[i].node)
      kh_warning(ctx, fn.v[i].pos, "footnote '[^%.*s]' is never referred to: not printed",
                 (int)fn.v[i].label_len, fn.v[i].label);
cleanup:
  kh_vec_free(&fn.order);
  kh_arena_drop(scan);
  return ret;
}
