/* page: lines -> blocks on pages.
 *
 * The text block is a grid of `chars` x `lines` at a fixed line pitch
 * (JLReq 2.3.1 hanmen, 行送り).  Every body line sits on a grid line; a
 * heading with `lines: n` is centred in n grid lines (行取り, JLReq 4.3.3);
 * tables and boxes take whole grid lines, with their rules midway between
 * two grid lines, so the text after them stays on the grid.
 *
 * Two passes: collect() turns the tree into a list of pieces, place() puts
 * them on pages.  The pieces are collected as place() needs them, one
 * top-level block at a time, a few blocks ahead of the one being placed,
 * and dropped once placed (more(), piece_at()), so the list holds a few
 * blocks however long the document.  A piece is composed (through the
 * driver's callback) only when it is about to be placed, or looked ahead
 * at, into an arena of its own that is dropped once it is placed; each page
 * has an arena that is dropped once the sink has taken the page. */
#include <string.h>

#include "page/page.h"

/* The ideographic em box puts the baseline 0.88 em below its top (the
 * ideographic embox of BIZ UD and most Japanese fonts: 880/1000). */
#define EM_ASCENT(size) kh_fixed_muldiv((size), 880, 1000)

typedef enum piece_kind {
  P_PARA, P_TABLE, P_BOX_OPEN, P_BOX_CLOSE, P_RULE, P_PART, P_FIGURE
} piece_kind;

typedef struct cell {
  const kh_node *node;
  const kh_pstyle *st;
  kh_fixed x;      /* left edge of the cell's text */
} cell;

typedef struct table {
  int ncols, nrows;
  kh_fixed *colx;  /* ncols + 1 rule positions */
  cell *cells;     /* nrows x ncols */
  int *rowlines;   /* grid lines per row */
  int nhead;       /* leading rows that are the table's head, repeated on
                      each page the table continues on */
  int headlines;   /* their grid lines; 0 when too tall to repeat */
} table;

/* A list item's marker, drawn on its first line: right-aligned in a column
 * of `width` starting at `col`, `gap` before the item's text. */
typedef struct list_mark {
  const char *text;
  const kh_node *item; /* the KH_NODE_LIST_ITEM; a footnote's KH_NODE_FOOTNOTE */
  kh_fixed col, width, gap;
  int note;            /* a footnote's number: set as its references are */
} list_mark;

typedef struct piece {
  piece_kind kind;
  const kh_node *node;
  const kh_part *part;
  /* what to compose: */
  const char *style_name;
  list_mark mark;  /* the first block of a list item: its marker */
  list_mark outer; /* ... and the marker of the item whose first block is
                      this item's list: both on this line */
  kh_lines olines; /* the outer marker, once composed */
  kh_fixed ox;
  int in_item;     /* a block of a list item: set at the item's text edge */
  kh_lines mlines; /* the marker, once composed */
  kh_fixed mx;     /* where the marker line starts */
  int level;
  int after_heading;
  int after_caption; /* P_TABLE: its caption directly above it */
  kh_fixed measure;
  kh_fixed x;      /* left edge of the measure; P_PARA: style->left added
                      once composed */
  /* once composed (P_PARA, P_TABLE): */
  kh_arena *arena; /* NULL until composed; dropped once placed */
  kh_arena *text;  /* P_PARA: its lines, or a long paragraph's current
                      window (next_window drops one before making the
                      next); dropped once placed */
  const kh_pstyle *st;
  kh_lines lines;
  table *tbl;
  int nlines;      /* grid lines taken, spacing excluded: the block's
                      height in grid units */
  /* P_FIGURE, once composed: */
  kh_fixed img_w, img_h; /* the image as drawn */
  int img_lines;   /* grid lines the image takes (the caption's follow) */
  size_t close;    /* P_BOX_OPEN: its P_BOX_CLOSE is this many pieces on */
  const kh_node *top; /* the part's top-level block it comes from (NULL: a
                         footnote's piece, P_PART) */
} piece;

typedef KH_VEC(piece) piece_vec;

/* A footnote: its blocks, pieces [first, end) of builder.notes, composed
 * when its first reference is placed. */
typedef struct fnote {
  const kh_node *node;  /* the KH_NODE_FOOTNOTE */
  const kh_part *part;
  size_t first, end;
  const kh_mark *ref;   /* its first reference, once placed */
  const kh_mark *back;  /* the link of its number back to the reference: a
                           mark of no text of its own, so that the tagged
                           PDF makes the number that Link's text */
} fnote;

/* Lines [from, from + count) of a footnote's piece, in a page's note
 * area. */
typedef struct fspan {
  size_t piece;
  uint32_t from, count;
} fspan;

typedef struct builder {
  kh_ctx *ctx;
  const kh_layout *L;
  kh_compose_fn compose;
  void *user;
  kh_page_sink_fn sink;
  kh_outline *outline_out;
  kh_arena *strings;         /* made while collecting: list markers */
  piece_vec pieces;          /* pieces [base, base + pieces.n): the one being
                                placed and those collected after it */
  size_t base;
  /* collecting (more()): the part whose blocks are being collected, its
   * next top-level block and the one before, where its pieces start */
  const kh_part *cpart;
  const kh_node *cnode, *cprev;
  size_t cpart_first;
  int cstarted, cdone;
  size_t lookahead;          /* pieces collected past the one being placed */
  int recollect;             /* the second pass collects again, silently */
  /* footnotes (JLReq 4.3): their pieces, the note area of the current
   * page, the lines that run on to the next page */
  piece_vec notes;
  KH_VEC(fnote) fnotes;
  size_t part_notes;         /* fnotes index of the current part's first */
  KH_VEC(fspan) foot;
  KH_VEC(fspan) carry;
  kh_fixed foot_h;           /* height of the note lines on the page */
  int grid_full;             /* the frame's lines; F.lines is what the body
                                may use: that less the note area */
  KH_VEC(kh_anchor) anchors; /* the current page's */
  const char *why;           /* why the page being closed ends short */
  /* placement */
  kh_arena *page_arena;      /* the current page's items, glyphs, texts */
  uint32_t npages;           /* pages handed to the sink */
  KH_VEC(kh_item) items;     /* items of the current page */
  KH_VEC(kh_outline_entry) outline;
  int k;                     /* next free grid line on the current page */
  int page_open;
  const kh_part *part;
  const kh_page_tpl *tpl;
  int part_first_page;
  int box_open;
  int box_page_k;            /* grid line where the open box starts */
  kh_frame F;                /* the current page's frame */
  const kh_doc *doc;
  /* what the items being made are drawn for */
  const kh_node *node;       /* the document node */
  unsigned flags;            /* KH_ITEM_ARTIFACT for page furniture */
  int k_used;                /* grid lines used on the current page */
  const kh_node *section;    /* the heading in force (柱) */
  const kh_node *section_start; /* ... when the page began */
  const kh_node *section_first; /* the first set on the page */
  list_mark outer;           /* collecting: the marker of an item that opens
                                with a list, for that list's first line */
  uint32_t total_pages;      /* known on the second pass when a template
                                prints {pages}; else 0 */
  int counting;              /* first pass: pages counted, not drawn */
  uint32_t line_no;          /* lines drawn on the page (kh_item.line) */
  size_t turn_from;          /* vertical page: the items from here on are
                                its text, set as a horizontal page, to be
                                turned onto the paper when it closes */
  /* what the document may give back (release_behind): the piece being
   * placed, and the top-level block of the heading in force when a
   * running head prints it */
  size_t placing;
  const kh_node *section_top;
  int keep_section;
} builder;

kh_frame kh_frame_of(const kh_geometry *g) {
  kh_frame f = {0};
  f.page_w = g->page_w;
  f.page_h = g->page_h;
  f.left = g->margin_left;
  f.top = g->margin_top;
  f.measure = g->text_w;
  f.height = g->text_h;
  f.em = g->grid_size;
  f.pitch = g->line_pitch;
  f.lines = g->grid_lines;
  f.chars = g->grid_chars;
  f.writing_mode = g->writing_mode;
  if (g->writing_mode == KH_WRITING_VERTICAL) {
    f.left = g->margin_top;
    f.top = 0;
    f.right = g->margin_left + g->text_h;
  }
  return f;
}

static kh_fixed line_top(const builder *b, int k) {
  return b->F.top + b->F.pitch * k;
}

static kh_fixed baseline(const builder *b, int k) {
  return line_top(b, k) + EM_ASCENT(b->F.em);
}

/* ---- pass 1: compose ------------------------------------------------------*/

static kh_status add_piece(builder *b, piece p) {
  return kh_vec_push(&b->pieces, p);
}

/* Piece i of the document (base <= i < base + pieces.n). */
static piece *piece_at(builder *b, size_t i) { return &b->pieces.v[i - b->base]; }

static const char *page_name(const kh_part *part) { return part ? part->page : NULL; }

/* A part's page template; the default one when it names none (or one the
 * layout does not have, which doc/ reports). */
static const kh_page_tpl *tpl_of(const kh_layout *L, const kh_part *part) {
  const kh_page_tpl *t = kh_layout_page(L, page_name(part));
  return t ? t : kh_layout_page(L, NULL);
}

/* A list marker as a line of its own, in the item's face, left-aligned at
 * no indent; `width` its set width.  Its node is a list item's, which the
 * style stage sets with equal-width digits. */
static kh_status marker_line(builder *b, kh_arena *A, const kh_part *part, const char *text,
                             kh_lines *out, kh_fixed *width) {
  kh_node *n = kh_arena_alloc(A, sizeof *n);
  kh_pstyle *st = kh_arena_alloc(A, sizeof *st);
  if (!n || !st) return KH_NOMEM;
  n->kind = KH_NODE_LIST_ITEM;
  n->style = "item";
  n->text.text = text;
  n->text.len = (uint32_t)strlen(text);
  *st = *kh_layout_style(b->L, page_name(part), "item");
  st->left = st->right = st->indent = st->indent_after_heading = 0;
  st->align = KH_ALIGN_LEFT;
  st->lines = 0;
  kh_status ret = b->compose(b->user, A, n, st, NULL, KH_PT(5000), b->F.writing_mode, out);
  *width = ret == KH_OK && out->n ? out->lines[0].width : 0;
  return ret;
}

/* A footnote's number at the head of its text, set as its references are
 * (superscript: the style stage sets a KH_MARK_FOOTREF span so), in the
 * note's style. */
static kh_status note_marker_line(builder *b, piece *p, kh_lines *out, kh_fixed *width) {
  kh_arena *A = p->arena;
  kh_node *n = kh_arena_alloc(A, sizeof *n);
  kh_mark *m = kh_arena_alloc(A, sizeof *m);
  kh_pstyle *st = kh_arena_alloc(A, sizeof *st);
  if (!n || !m || !st) return KH_NOMEM;
  memset(n, 0, sizeof *n);
  memset(m, 0, sizeof *m);
  n->kind = KH_NODE_PARA;
  n->style = p->style_name;
  n->text.text = p->mark.text;
  n->text.len = (uint32_t)strlen(p->mark.text);
  m->start = 0;
  m->end = n->text.len;
  m->flags = KH_MARK_FOOTREF; /* no `note`: it refers to nothing */
  n->text.marks = m;
  n->text.nmarks = 1;
  *st = *p->st;
  st->left = st->right = st->indent = st->indent_after_heading = 0;
  st->align = KH_ALIGN_LEFT;
  st->lines = 0;
  kh_status ret = b->compose(b->user, A, n, st, NULL, KH_PT(5000), b->F.writing_mode, out);
  *width = ret == KH_OK && out->n ? out->lines[0].width : 0;
  return ret;
}

static kh_status compose_marker(builder *b, piece *p) {
  kh_fixed w = 0;
  kh_status ret = p->mark.note ? note_marker_line(b, p, &p->mlines, &w)
                               : marker_line(b, p->arena, p->part, p->mark.text, &p->mlines, &w);
  /* a number ends on the column's right edge, less its gap; a bullet (a
   * full-width character whose em box spaces it) starts the column */
  p->mx = p->mark.gap ? p->mark.col + p->mark.width - p->mark.gap - w : p->mark.col;
  if (ret == KH_OK && p->outer.text) {
    ret = marker_line(b, p->arena, p->part, p->outer.text, &p->olines, &w);
    p->ox = p->outer.gap ? p->outer.col + p->outer.width - p->outer.gap - w : p->outer.col;
  }
  return ret;
}

static kh_status compose_para(builder *b, piece *p) {
  const kh_pstyle *base = kh_layout_style(b->L, page_name(p->part), p->style_name);
  kh_pstyle *st = kh_arena_alloc(p->arena, sizeof *st);
  if (!st) return KH_NOMEM;
  *st = *base;
  if (p->after_heading) st->indent = base->indent_after_heading;
  if (p->in_item) /* the list set the text edge; every line starts there */
    st->left = st->indent = st->indent_after_heading = 0;
  p->st = st;
  p->x += st->left;
  p->lines = (kh_lines){0};
  p->lines.window = 1; /* place_para places a long paragraph a window at a time */
  if (!(p->text = kh_arena_new())) return KH_NOMEM;
  kh_status ret = b->compose(b->user, p->text, p->node, st, NULL, p->measure, b->F.writing_mode, &p->lines);
  if (ret == KH_OK && p->mark.text) ret = compose_marker(b, p);
  if (ret != KH_OK) return ret;
  p->nlines = (int)p->lines.n;
  if (st->lines > p->nlines) p->nlines = st->lines;
  return KH_OK;
}

/* The width of a cell's longest unbreakable piece: its text broken at
 * every opportunity (a measure of one em), the widest line. */
static kh_status cell_minimum(builder *b, const kh_part *part, const kh_node *n, kh_fixed *w) {
  const kh_pstyle *st = kh_layout_style(b->L, page_name(part), n->style);
  kh_pstyle tight = *st;
  tight.align = KH_ALIGN_LEFT;
  tight.indent = tight.indent_after_heading = tight.left = tight.right = 0;
  kh_lines lines = {0};
  kh_arena *A = kh_arena_new(); /* only the width is kept */
  if (!A) return KH_NOMEM;
  /* at one em every line is overfull: a measurement, not the document's
   * warning (the cell is composed again at its column's width) */
  b->ctx->quiet++;
  kh_status ret = b->compose(b->user, A, n, &tight, NULL, b->F.em, b->F.writing_mode, &lines);
  b->ctx->quiet--;
  *w = 0;
  for (uint32_t i = 0; ret == KH_OK && i < lines.n; i++) {
    kh_fixed lw = lines.lines[i].natural > lines.lines[i].width ? lines.lines[i].natural
                                                                 : lines.lines[i].width;
    if (lw > *w) *w = lw;
  }
  kh_arena_drop(A);
  return ret;
}

/* Natural single-line width of a cell's text. */
static kh_status cell_natural(builder *b, const kh_part *part, const kh_node *n, kh_fixed *w) {
  const kh_pstyle *st = kh_layout_style(b->L, page_name(part), n->style);
  kh_pstyle loose = *st;
  loose.align = KH_ALIGN_LEFT;
  kh_lines lines = {0};
  kh_arena *A = kh_arena_new(); /* only the width is kept */
  if (!A) return KH_NOMEM;
  kh_status ret = b->compose(b->user, A, n, &loose, NULL, KH_PT(5000), b->F.writing_mode, &lines);
  *w = 0;
  for (uint32_t i = 0; ret == KH_OK && i < lines.n; i++)
    if (lines.lines[i].x0 + lines.lines[i].width > *w) *w = lines.lines[i].x0 + lines.lines[i].width;
  kh_arena_drop(A);
  return ret;
}

/* A cell's style is its style with the column's alignment: one copy per
 * pair, shared by every cell of a column, not one per cell. */
typedef struct cell_style_made {
  const kh_pstyle *base;
  kh_align align;
  const kh_pstyle *st;
} cell_style_made;
typedef KH_VEC(cell_style_made) cell_styles;

static kh_status cell_style(kh_arena *A, const kh_pstyle *base, kh_align align,
                            cell_styles *made, const kh_pstyle **out) {
  for (size_t i = 0; i < made->n; i++)
    if (made->v[i].base == base && made->v[i].align == align) {
      *out = made->v[i].st;
      return KH_OK;
    }
  kh_pstyle *st = kh_arena_alloc(A, sizeof *st);
  if (!st) return KH_NOMEM;
  *st = *base;
  if (align) st->align = align;
  cell_style_made m = {base, align, st};
  if (kh_vec_push(made, m) != KH_OK) return KH_NOMEM;
  *out = st;
  return KH_OK;
}

/* Composes one row's cells into `A` (lines[c] for column c).  A table's
 * rows are composed once to count their lines and again, one row at a
 * time, when they are placed: memory holds one row, not the table. */
static kh_status compose_row(builder *b, const table *tb, int r, kh_arena *A, kh_lines *lines) {
  for (int c = 0; c < tb->ncols; c++) {
    const cell *cl = &tb->cells[r * tb->ncols + c];
    lines[c] = (kh_lines){0};
    if (!cl->node) continue;
    kh_fixed w = tb->colx[c + 1] - tb->colx[c] - 2 * (b->F.em / 2); /* less the pads */
    kh_status ret = b->compose(b->user, A, cl->node, cl->st, NULL, w, b->F.writing_mode, &lines[c]);
    if (ret != KH_OK) return ret;
  }
  return KH_OK;
}

static kh_status compose_table(builder *b, piece *p) {
  kh_ctx *ctx = b->ctx;
  kh_arena *A = p->arena;
  const kh_part *part = p->part;
  const kh_node *t = p->node;
  kh_fixed x = p->x, measure = p->measure;
  kh_fixed em = b->F.em;
  table *tb = kh_arena_alloc(A, sizeof *tb);
  if (!tb) return KH_NOMEM;
  for (const kh_node *r = t->child; r; r = r->next) {
    if (r->header && r->empty) continue; /* a GFM head row left blank */
    if (r->header && tb->nhead == tb->nrows) tb->nhead++;
    int nc = 0;
    for (const kh_node *c = r->child; c; c = c->next) nc++;
    if (nc > tb->ncols) tb->ncols = nc;
    tb->nrows++;
  }
  p->st = kh_layout_style(b->L, page_name(part), t->style);
  p->tbl = tb;
  if (!tb->nrows || !tb->ncols) return KH_OK;
  kh_fixed *natural = kh_arena_alloc(A, (size_t)tb->ncols * sizeof *natural);
  kh_fixed *minimum = kh_arena_alloc(A, (size_t)tb->ncols * sizeof *minimum);
  tb->colx = kh_arena_alloc(A, (size_t)(tb->ncols + 1) * sizeof *tb->colx);
  tb->cells = kh_arena_alloc(A, (size_t)(tb->nrows * tb->ncols) * sizeof *tb->cells);
  tb->rowlines = kh_arena_alloc(A, (size_t)tb->nrows * sizeof *tb->rowlines);
  if (!natural || !minimum || !tb->colx || !tb->cells || !tb->rowlines) return KH_NOMEM;
  int ri = 0;
  for (const kh_node *r = t->child; r; r = r->next) {
    if (r->header && r->empty) continue;
    int ci = 0;
    for (const kh_node *c = r->child; c; c = c->next, ci++) {
      kh_fixed w, mw = 0;
      kh_status ret = cell_natural(b, part, c, &w);
      if (ret == KH_OK) ret = cell_minimum(b, part, c, &mw);
      if (ret != KH_OK) return ret;
      if (w > natural[ci]) natural[ci] = w;
      if (mw > minimum[ci]) minimum[ci] = mw;
      tb->cells[ri * tb->ncols + ci].node = c;
    }
    ri++;
  }
  /* Columns in whole ems plus a half-em pad either side, so cell text stays
   * on the character grid.  Too wide, the widest column with room above its
   * longest unbreakable piece gives way an em at a time; when every column
   * is down to that piece, the widest column wraps inside it (down to one
   * character); a table whose columns cannot each have one character is
   * refused rather than drawn off the page. */
  kh_fixed pad = em / 2, total = 0, floor_w = em + 2 * pad;
  kh_fixed *w = kh_arena_alloc(A, (size_t)tb->ncols * sizeof *w);
  if (!w) return KH_NOMEM;
  if ((int64_t)tb->ncols * floor_w > measure)
    return kh_error(ctx, t->pos, KH_LIMIT,
                    "table has %d columns: at most %d fit the text block", tb->ncols,
                    (int)(measure / floor_w));
  for (int c = 0; c < tb->ncols; c++) {
    w[c] = ((natural[c] + em - 1) / em) * em + 2 * pad;
    minimum[c] = ((minimum[c] + em - 1) / em) * em + 2 * pad;
    if (minimum[c] > w[c]) minimum[c] = w[c];
    total += w[c];
  }
  int wrapped = 0;
  while (total > measure) {
    int widest = -1;
    for (int c = 0; c < tb->ncols; c++)
      if (w[c] > minimum[c] && (widest < 0 || w[c] > w[widest])) widest = c;
    if (widest < 0) {
      for (int c = 0; c < tb->ncols; c++)
        if (w[c] > floor_w && (widest < 0 || w[c] > w[widest])) widest = c;
      if (!wrapped++)
        kh_warning(ctx, t->pos, "table is wider than the text block: a word wraps inside its "
                                "cell");
    }
    kh_fixed cut = total - measure;
    kh_fixed room_c = w[widest] - (w[widest] > minimum[widest] ? minimum[widest] : floor_w);
    cut = cut < em ? em : (cut + em - 1) / em * em;
    if (cut > room_c) cut = room_c;
    if (cut > em) cut = em; /* an em at a time spreads the cut over columns */
    w[widest] -= cut;
    total -= cut;
  }
  tb->colx[0] = x + ((measure - total) / 2 / em) * em; /* centred on the grid */
  for (int c = 0; c < tb->ncols; c++) tb->colx[c + 1] = tb->colx[c] + w[c];
  cell_styles styles = {0};
  for (int r = 0; r < tb->nrows; r++) {
    for (int c = 0; c < tb->ncols; c++) {
      cell *cl = &tb->cells[r * tb->ncols + c];
      if (!cl->node) continue;
      const kh_pstyle *base = kh_layout_style(b->L, page_name(part), cl->node->style);
      kh_status ret = cell_style(A, base, cl->node->align, &styles, &cl->st);
      if (ret != KH_OK) {
        kh_vec_free(&styles);
        return ret;
      }
      cl->x = tb->colx[c] + pad + cl->st->left;
    }
  }
  kh_vec_free(&styles);
  kh_lines *row = kh_arena_alloc(A, (size_t)tb->ncols * sizeof *row);
  if (!row) return KH_NOMEM;
  for (int r = 0; r < tb->nrows; r++) { /* count each row's lines */
    kh_arena *RA = kh_arena_new();
    if (!RA) return KH_NOMEM;
    kh_status ret = compose_row(b, tb, r, RA, row);
    tb->rowlines[r] = 1;
    for (int c = 0; c < tb->ncols; c++)
      if ((int)row[c].n > tb->rowlines[r]) tb->rowlines[r] = (int)row[c].n;
    kh_arena_drop(RA);
    if (ret != KH_OK) return ret;
  }
  for (int r = 0; r < tb->nrows; r++) p->nlines += tb->rowlines[r];
  for (int r = 0; r < tb->nhead; r++) tb->headlines += tb->rowlines[r];
  /* a head that leaves less than half a page for the body is not repeated */
  if (tb->nhead == tb->nrows || tb->headlines * 2 > b->F.lines) tb->headlines = 0;
  return KH_OK;
}

/* ---- figures ---------------------------------------------------------------*/

static uint32_t be16(const unsigned char *d) { return (uint32_t)d[0] << 8 | d[1]; }
static uint32_t be32(const unsigned char *d) { return be16(d) << 16 | be16(d + 2); }

/* The pixel size of a PNG (its IHDR chunk) or a JPEG (its SOFn segment),
 * to scale the figure; pdf/ decodes the image itself.  0 when the header
 * does not give one (a truncated or corrupt file). */
static int image_size(const unsigned char *d, size_t len, uint32_t *w, uint32_t *h) {
  *w = *h = 0;
  if (len >= 24 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8) && !memcmp(d + 12, "IHDR", 4)) {
    *w = be32(d + 16);
    *h = be32(d + 20);
  } else if (len >= 4 && d[0] == 0xFF && d[1] == 0xD8) {
    size_t i = 2;
    while (i + 4 <= len) {
      if (d[i] != 0xFF) return 0;
      unsigned m = d[i + 1];
      if (m == 0xFF) { /* fill byte */
        i++;
        continue;
      }
      if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) { /* no length */
        i += 2;
        continue;
      }
      if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
        if (i + 9 > len) return 0;
        *h = be16(d + i + 5);
        *w = be16(d + i + 7);
        break;
      }
      if (m == 0xD9 || m == 0xDA) return 0; /* image data before any frame */
      i += 2 + be16(d + i + 2);
    }
  }
  return *w > 0 && *h > 0 && *w < 1u << 24 && *h < 1u << 24;
}

/* A figure: the image scaled to the measure (or the width its title gives),
 * no taller than the text block leaves room for, taking whole grid lines;
 * its caption below in the `figure-caption` style (else `caption`). */
static kh_status compose_figure(builder *b, piece *p) {
  kh_ctx *ctx = b->ctx;
  const kh_node *n = p->node;
  const kh_frame *F = &b->F;
  const void *data = NULL;
  size_t len = 0;
  uint32_t pw, ph;
  if (!n->image) return kh_error(ctx, n->pos, KH_SYNTAX, "a figure without its image file");
  kh_status ret = kh_file_map(ctx, n->pos, "image", n->image, n->image,
                              KH_FILE_CONFINE | KH_FILE_BINARY, &data, &len);
  if (ret != KH_OK) return ret;
  int ok = image_size(data, len, &pw, &ph);
  kh_file_unmap(data, len);
  if (!ok)
    return kh_error(ctx, n->pos, KH_SYNTAX,
                    "image '%s' is corrupt: its header gives no size (a PNG or a JPEG)",
                    n->image);
  const kh_pstyle *st = kh_layout_style(b->L, page_name(p->part), "figure-caption");
  if (strcmp(st->name, "figure-caption"))
    st = kh_layout_style(b->L, page_name(p->part), "caption");
  p->st = kh_layout_style(b->L, page_name(p->part), "figure");
  if (n->text.len) {
    if ((ret = b->compose(b->user, p->arena, n, st, NULL, p->measure, b->F.writing_mode, &p->lines)) != KH_OK)
      return ret;
  }
  kh_fixed w = p->measure;
  if (n->width) w = n->width;
  else if (n->width_permille) w = kh_fixed_muldiv(p->measure, n->width_permille, 1000);
  if (w > p->measure) {
    kh_warning(ctx, n->pos, "figure wider than the measure: set at the measure");
    w = p->measure;
  }
  /* no taller than a page less its caption and one line */
  kh_fixed max_h = F->height - F->pitch * ((int)p->lines.n + 1);
  if (max_h < F->em) max_h = F->em;
  kh_fixed h = kh_fixed_muldiv(w, ph, pw);
  if (h > max_h) {
    w = kh_fixed_muldiv(max_h, pw, ph);
    h = max_h;
  }
  p->img_w = w;
  p->img_h = h;
  /* n grid lines span pitch * (n - 1) + em from the first em box's top */
  p->img_lines = h <= F->em ? 1 : (int)((h - F->em + F->pitch - 1) / F->pitch) + 1;
  p->nlines = p->img_lines + (int)p->lines.n;
  return KH_OK;
}

/* Composes a piece if it is not yet. */
static kh_status ensure_piece(builder *b, piece *p) {
  if (p->arena || (p->kind != P_PARA && p->kind != P_TABLE && p->kind != P_FIGURE))
    return KH_OK;
  if (!(p->arena = kh_arena_new())) return KH_NOMEM;
  if (p->kind == P_FIGURE) return compose_figure(b, p);
  return p->kind == P_PARA ? compose_para(b, p) : compose_table(b, p);
}

/* Composes piece i if it is not yet. */
static kh_status ensure(builder *b, size_t i) { return ensure_piece(b, piece_at(b, i)); }

/* A placed piece's composition is no longer needed: the page copied what
 * it draws. */
static void release_piece(piece *p) {
  kh_arena_drop(p->arena);
  kh_arena_drop(p->text);
  p->arena = p->text = NULL;
  p->st = NULL;
  p->tbl = NULL;
  memset(&p->lines, 0, sizeof p->lines);
  memset(&p->mlines, 0, sizeof p->mlines);
  memset(&p->olines, 0, sizeof p->olines);
}

static void release(builder *b, size_t i) { release_piece(piece_at(b, i)); }

static kh_status collect(builder *b, const kh_part *part, const kh_node *n, kh_fixed x,
                         kh_fixed measure, const list_mark *mark, int level);

/* The boxes of GFM task items (`- [ ]`, `- [x]`): □ and ■, as on Japanese
 * forms; both are in the BIZ UD fonts (☐ and ☑ are not). */
#define TASK_OPEN "\xE2\x96\xA1"
#define TASK_DONE "\xE2\x96\xA0"

/* A list: every item's marker in the level's form (style/list.c); one
 * marker column as wide as the widest marker and its gap, in whole ems so
 * the text stays on the character grid; the items' blocks at its right. */
static kh_status collect_list(builder *b, const kh_part *part, const kh_node *n, kh_fixed x,
                              kh_fixed measure) {
  kh_status ret = KH_OK;
  kh_fixed em = b->F.em;
  const kh_pstyle *ist = kh_layout_style(b->L, page_name(part), "item");
  int count = 0;
  for (const kh_node *it = n->child; it; it = it->next) count++;
  const char **texts = kh_arena_alloc(b->strings, (size_t)(count + 1) * sizeof *texts);
  kh_arena *tmp = kh_arena_new();
  if (!texts || !tmp) {
    kh_arena_drop(tmp);
    return KH_NOMEM;
  }
  kh_fixed widest = 0;
  int num = n->start, i = 0;
  for (const kh_node *it = n->child; it && ret == KH_OK; it = it->next, i++) {
    char mk[128];
    int len = kh_style_list_marker(ist, n->ordered, n->level, n->ordered ? num++ : 0, mk, sizeof mk);
    if (it->task) { /* a task box: in the bullet's place, or after the number */
      size_t at = n->ordered ? (size_t)len : 0;
      len = (int)at + snprintf(mk + at, sizeof mk - at, "%s",
                               it->task == KH_TASK_DONE ? TASK_DONE : TASK_OPEN);
    }
    kh_lines ls = {0};
    kh_fixed w = 0;
    if (!(texts[i] = kh_arena_strndup(b->strings, mk, (size_t)len))) ret = KH_NOMEM;
    else ret = marker_line(b, tmp, part, texts[i], &ls, &w);
    if (w > widest) widest = w;
  }
  kh_arena_drop(tmp);
  if (ret != KH_OK) return ret;
  list_mark m = {0};
  m.gap = n->ordered ? ist->marker_gap : 0; /* a bullet's em box spaces it */
  if (n->ordered && m.gap == 0) m.gap = 1; /* still right-aligned */
  m.col = x + ist->left + ist->indent;
  if (m.col < x) m.col = x;
  m.width = (widest + m.gap + em - 1) / em * em;
  if (m.width < em) m.width = em;
  kh_fixed text_x = m.col + m.width;
  if (text_x - x > measure - 2 * em) {
    kh_warning(b->ctx, n->pos, "list nested too deep for the measure: its text is set at the "
                               "container's edge");
    text_x = x;
  }
  i = 0;
  for (const kh_node *it = n->child; it && ret == KH_OK; it = it->next, i++) {
    m.text = texts[i];
    m.item = it;
    ret = collect(b, part, it->child, text_x, measure - (text_x - x), &m, n->level);
  }
  return ret;
}

/* The blocks from n up to `end` (NULL: to the last), n's sibling before it
 * being `prev`. */
static kh_status collect_blocks(builder *b, const kh_part *part, const kh_node *n,
                                const kh_node *prev, const kh_node *end, kh_fixed x,
                                kh_fixed measure, const list_mark *mark, int level) {
  kh_status ret = KH_OK;
  kh_fixed em = b->F.em;
  int in_item = mark != NULL;
  for (; n && n != end; prev = n, n = n->next) {
    piece p = {0};
    p.node = n;
    p.part = part;
    p.x = x;
    p.measure = measure;
    switch (n->kind) {
    case KH_NODE_PARA:
    case KH_NODE_HEADING:
    case KH_NODE_CELL:
    case KH_NODE_CODE:
    case KH_NODE_CAPTION:
      p.kind = P_PARA;
      p.style_name = n->style;
      if (mark) p.mark = *mark;
      if (mark && b->outer.text) { /* the first line of an item's list */
        p.outer = b->outer;
        b->outer = (list_mark){0};
      }
      p.in_item = in_item;
      p.level = level;
      p.after_heading = n->kind == KH_NODE_PARA && prev && prev->kind == KH_NODE_HEADING;
      ret = add_piece(b, p);
      mark = NULL; /* only the first block of a list item has it */
      break;
    case KH_NODE_LIST:
      /* an item that opens with a list: its marker goes on the list's
       * first line, before that item's own */
      if (mark && b->outer.text)
        kh_warning(b->ctx, n->pos, "a list item opening with a list inside a list item "
                                   "opening with a list: the outermost marker is not set");
      else if (mark)
        b->outer = *mark;
      mark = NULL;
      ret = collect_list(b, part, n, x, measure);
      break;
    case KH_NODE_LIST_ITEM: /* only inside lists */
      break;
    case KH_NODE_BOX: {
      size_t open = b->pieces.n;
      p.kind = P_BOX_OPEN;
      if ((ret = add_piece(b, p)) != KH_OK) return ret;
      /* one em of padding either side keeps the box's text on the grid */
      ret = collect(b, part, n->child, x + em, measure - 2 * em, NULL, level);
      if (ret != KH_OK) return ret;
      b->pieces.v[open].close = b->pieces.n - open;
      p.kind = P_BOX_CLOSE;
      ret = add_piece(b, p);
      break;
    }
    case KH_NODE_TABLE:
      p.kind = P_TABLE;
      p.after_caption = prev && prev->kind == KH_NODE_CAPTION;
      ret = add_piece(b, p);
      break;
    case KH_NODE_RULE:
      p.kind = P_RULE;
      p.nlines = 1;
      ret = add_piece(b, p);
      break;
    case KH_NODE_ROW:
      break; /* rows live inside tables */
    case KH_NODE_FIGURE:
      p.kind = P_FIGURE;
      ret = add_piece(b, p);
      break;
    case KH_NODE_FOOTNOTE: /* live in kh_part.notes, not in the body */
      break;
    }
    if (ret != KH_OK) return ret;
  }
  return KH_OK;
}

static kh_status collect(builder *b, const kh_part *part, const kh_node *n, kh_fixed x,
                         kh_fixed measure, const list_mark *mark, int level) {
  return collect_blocks(b, part, n, NULL, NULL, x, measure, mark, level);
}

/* ---- pass 2: place ---------------------------------------------------------*/

static kh_status draw_notes(builder *b);
static kh_status take_carry(builder *b);

/* Every item carries what it is drawn for: the node its caller names, else
 * the builder's current node, or none for page furniture.  Rules and frames
 * are always furniture. */
static kh_status item(builder *b, kh_item it) {
  it.flags |= b->flags;
  if (it.kind == KH_ITEM_LINE) it.flags |= KH_ITEM_ARTIFACT;
  if (it.flags & KH_ITEM_ARTIFACT) {
    it.node = NULL;
    it.mark = NULL;
    it.flags &= ~(unsigned)KH_ITEM_MARKER;
  } else if (!it.node) {
    it.node = b->node;
  }
  return kh_vec_push(&b->items, it);
}

static kh_status rule(builder *b, kh_fixed x1, kh_fixed y1, kh_fixed x2, kh_fixed y2) {
  kh_item it = {0};
  it.kind = KH_ITEM_LINE;
  it.x = x1, it.y = y1, it.x2 = x2, it.y2 = y2;
  it.width = b->L->rule_width;
  it.flags = KH_ITEM_ARTIFACT; /* rules, boxes and frames are furniture */
  return item(b, it);
}

static kh_status rect(builder *b, kh_fixed x1, kh_fixed y1, kh_fixed x2, kh_fixed y2) {
  kh_status ret = rule(b, x1, y1, x2, y1);
  if (ret == KH_OK) ret = rule(b, x2, y1, x2, y2);
  if (ret == KH_OK) ret = rule(b, x2, y2, x1, y2);
  if (ret == KH_OK) ret = rule(b, x1, y2, x1, y1);
  return ret;
}

static kh_status rule(builder *b, kh_fixed x1, kh_fixed y1, kh_fixed x2, kh_fixed y2);

/* 取消線 and underlines: one rule per run of struck (underlined) glyphs on
 * the line, through the middle of the em box (under its foot). */
static kh_status text_rules(builder *b, const kh_lines *ls, uint32_t li, kh_fixed left,
                            kh_fixed base) {
  const kh_line *ln = &ls->lines[li];
  const kh_shaped *sh = ls->sh;
  const kh_spara *sp = sh->sp;
  static const unsigned kinds[] = {KH_RUN_STRIKE, KH_RUN_UNDERLINE};
  for (int k = 0; k < 2; k++) {
    for (uint32_t i = 0; i < ln->count;) {
      const kh_glyph *g0 = &sh->glyphs[ln->first + i];
      if (!(sp->runs[g0->run].flags & kinds[k])) {
        i++;
        continue;
      }
      uint32_t j = i + 1;
      while (j < ln->count && (sp->runs[sh->glyphs[ln->first + j].run].flags & kinds[k])) j++;
      const kh_glyph *gl = &sh->glyphs[ln->first + j - 1];
      kh_fixed size = sp->style->size;
      kh_fixed y = k == 0 ? base - EM_ASCENT(size) + size / 2 : base + size - EM_ASCENT(size);
      /* a vertical column's 傍線 stands on its right: the top of the em box
       * as set, before the page is turned */
      if (k == 1 && b->F.writing_mode == KH_WRITING_VERTICAL) y = base - EM_ASCENT(size);
      kh_status ret = rule(b, left + ln->x0 + ln->x[i], y, left + ln->x0 + ln->x[j - 1] + gl->adv, y);
      if (ret != KH_OK) return ret;
      i = j;
    }
  }
  return KH_OK;
}

/* One glyph of page furniture at (x, base), moved `dy` off the baseline,
 * standing for `text` (copied into the page's arena). */
static kh_status furniture_glyph(builder *b, const kh_glyph *g, unsigned flags, kh_fixed x,
                                 kh_fixed dy, kh_fixed base, const char *text, uint32_t len) {
  kh_item it = {0};
  it.kind = KH_ITEM_GLYPHS;
  it.flags = flags;
  it.font = g->font;
  it.size = g->size;
  it.n = 1;
  it.glyphs = kh_arena_alloc(b->page_arena, sizeof *it.glyphs);
  char *t = kh_arena_alloc(b->page_arena, len ? len : 1);
  if (!it.glyphs || !t) return KH_NOMEM;
  memset(it.glyphs, 0, sizeof *it.glyphs);
  memcpy(t, text, len);
  it.glyphs[0].gid = g->gid;
  it.glyphs[0].x = x;
  it.glyphs[0].dy = dy;
  it.glyphs[0].adv = g->adv;
  it.glyphs[0].text = t;
  it.glyphs[0].text_len = len;
  it.x = x;
  it.y = base;
  return item(b, it);
}

/* The continuation mark at the end of a wrapped verbatim line: page
 * furniture, not text (its text is the mark itself, for viewers that do
 * not know artifacts). */
static kh_status emit_cont(builder *b, const kh_lines *ls, const kh_line *ln, kh_fixed left,
                           kh_fixed base) {
  const kh_glyph *g = &ls->sh->cont;
  if (!ln->cont || g->adv == 0) return KH_OK;
  char t[4];
  uint32_t len = (uint32_t)kh_utf8_encode(g->cp, t);
  return furniture_glyph(b, g, KH_ITEM_ARTIFACT, left + ln->x0 + ln->cont_x, 0, base, t, len);
}

/* The hyphen at the end of a line broken inside a Western word: drawn in
 * the word's font, but no text of the document (its glyph's own text, for
 * the font's ToUnicode, is hidden by the PDF stage's ActualText). */
static kh_status emit_hyphen(builder *b, const kh_line *ln, kh_fixed left, kh_fixed base) {
  const kh_glyph *g = ln->hyphen;
  if (!g || g->adv == 0) return KH_OK;
  return furniture_glyph(b, g, KH_ITEM_ARTIFACT | KH_ITEM_HYPHEN,
                         left + ln->x0 + ln->hyphen_x + g->dx, g->dy, base, "-", 1);
}

/* ---- what an item is to the structure of the document --------------------*/

/* Marks of a leaf's text that are elements of their own in the tagged PDF. */
#define STRUCT_MARKS (KH_MARK_LINK | KH_MARK_FOOTREF | KH_MARK_RUBY)

/* The structural marks that overlap one line's text, so that finding the
 * mark of each glyph costs the line's marks, not the paragraph's. */
typedef struct line_marks {
  const kh_mark **v;
  uint32_t n;
  uint32_t marker_len; /* list marker bytes before the node's text */
} line_marks;

static kh_status marks_of_line(kh_arena *A, const kh_spara *sp, uint32_t lo, uint32_t hi,
                               line_marks *out) {
  const kh_inline *in = &sp->node->text;
  memset(out, 0, sizeof *out);
  out->marker_len = sp->marker_len;
  uint32_t n = 0;
  for (uint32_t i = 0; i < in->nmarks; i++) n += (in->marks[i].flags & STRUCT_MARKS) != 0;
  if (!n) return KH_OK;
  if (!(out->v = kh_arena_alloc(A, n * sizeof *out->v))) return KH_NOMEM;
  lo = lo > sp->marker_len ? lo - sp->marker_len : 0;
  hi = hi > sp->marker_len ? hi - sp->marker_len : 0;
  for (uint32_t i = 0; i < in->nmarks; i++) {
    const kh_mark *m = &in->marks[i];
    if ((m->flags & STRUCT_MARKS) && m->start < hi && m->end > lo) out->v[out->n++] = m;
  }
  return KH_OK;
}

/* The structural mark over a glyph's cluster (a byte of the spara's text). */
static const kh_mark *mark_at(const line_marks *lm, uint32_t cluster) {
  if (cluster < lm->marker_len) return NULL;
  uint32_t off = cluster - lm->marker_len;
  for (uint32_t i = 0; i < lm->n; i++)
    if (off >= lm->v[i]->start && off < lm->v[i]->end) return lm->v[i];
  return NULL;
}

static int in_marker(const line_marks *lm, const kh_glyph *g) {
  return g->cluster < lm->marker_len;
}

/* Ruby readings and 圏点 over a line (annot.c) go to the page through this:
 * a reading takes the ruby mark of its base, so that the tagged PDF puts it
 * in the RT of the base's Ruby. */
typedef struct annot_sink {
  builder *b;
  const line_marks *lm;
} annot_sink;

static kh_status add_annot(void *user, kh_item it) {
  const annot_sink *s = user;
  for (uint32_t i = 0; (it.flags & KH_ITEM_RUBY) && i < s->lm->n; i++) {
    const kh_mark *m = s->lm->v[i];
    if ((m->flags & KH_MARK_RUBY) && it.base_start >= m->start && it.base_start < m->end) {
      it.mark = m;
      break;
    }
  }
  return item(s->b, it);
}

/* A footnote reference's number links to its note, and is the place the
 * note's number links back to (an anchor keyed by the reference's mark). */
static kh_status footref_links(builder *b, const kh_lines *ls, uint32_t li, const line_marks *lm,
                               kh_fixed left, kh_fixed base) {
  const kh_line *ln = &ls->lines[li];
  const kh_shaped *sh = ls->sh;
  for (uint32_t i = 0; i < ln->count;) {
    const kh_glyph *g0 = &sh->glyphs[ln->first + i];
    const kh_mark *m = mark_at(lm, g0->cluster);
    if (!m || !(m->flags & KH_MARK_FOOTREF) || !m->note) {
      i++;
      continue;
    }
    uint32_t j = i + 1;
    while (j < ln->count && mark_at(lm, sh->glyphs[ln->first + j].cluster) == m) j++;
    const kh_glyph *gl = &sh->glyphs[ln->first + j - 1];
    kh_item it = {0};
    it.kind = KH_ITEM_LINK;
    it.node = sh->sp->node;
    it.mark = m;
    it.dest = m->note;
    it.x = left + ln->x0 + ln->x[i];
    it.x2 = left + ln->x0 + ln->x[j - 1] + gl->adv;
    /* the whole em box of the line: the raised number alone is small */
    kh_fixed size = sh->sp->style->size;
    it.y = base - EM_ASCENT(size);
    it.y2 = it.y + size;
    char d[40];
    int len = snprintf(d, sizeof d, "\xE6\xB3\xA8%d", m->note->number); /* 注N */
    if (!(it.href = kh_arena_strndup(b->page_arena, d, (size_t)len))) return KH_NOMEM;
    kh_status ret = item(b, it);
    kh_anchor a = {m, it.x, it.y};
    if (ret == KH_OK) ret = kh_vec_push(&b->anchors, a);
    if (ret != KH_OK) return ret;
    i = j;
  }
  return KH_OK;
}

/* Turns one composed line into glyph runs (split where font or size
 * changes, and where the list marker, a link, a footnote reference or ruby
 * starts or ends), image items and link rectangles. */
#define ORIENT (KH_GLYPH_SIDEWAYS | KH_GLYPH_TCY)

static kh_status emit_line(builder *b, const kh_lines *ls, uint32_t li, kh_fixed left,
                           kh_fixed base) {
  kh_arena *A = b->page_arena;
  b->line_no++;
  const kh_line *ln = &ls->lines[li];
  const kh_shaped *sh = ls->sh;
  const kh_spara *sp = sh->sp;
  kh_status ret = KH_OK;
  /* the page keeps its own copy of the line's text: the composed paragraph
   * is dropped once placed */
  uint32_t lo = UINT32_MAX, hi = 0;
  for (uint32_t k = 0; k < ln->count; k++) {
    const kh_glyph *g = &sh->glyphs[ln->first + k];
    if (g->cluster < lo) lo = g->cluster;
    if (g->cluster_end > hi) hi = g->cluster_end;
  }
  const char *text = lo < hi ? kh_arena_strndup(A, sp->text + lo, hi - lo) : "";
  if (!text) return KH_NOMEM;
  line_marks lm;
  if ((ret = marks_of_line(A, sp, lo, hi, &lm)) != KH_OK) return ret;
  uint32_t i = 0;
  while (i < ln->count) {
    const kh_glyph *g0 = &sh->glyphs[ln->first + i];
    const kh_mark *mark = mark_at(&lm, g0->cluster);
    uint32_t j = i + 1;
    if (!(g0->flags & KH_GLYPH_IMAGE))
      while (j < ln->count) {
        const kh_glyph *g = &sh->glyphs[ln->first + j];
        if (g->font != g0->font || g->size != g0->size || (g->flags & KH_GLYPH_IMAGE)) break;
        if (in_marker(&lm, g) != in_marker(&lm, g0) || mark_at(&lm, g->cluster) != mark) break;
        /* vertical text: a run stands one way; each 縦中横 is its own */
        if ((g->flags & ORIENT) != (g0->flags & ORIENT) || ((g->flags & KH_GLYPH_TCY) && g->adv))
          break;
        j++;
      }
    kh_item it = {0};
    it.kind = (g0->flags & KH_GLYPH_IMAGE) ? KH_ITEM_IMAGE : KH_ITEM_GLYPHS;
    it.node = sp->node;
    it.mark = mark;
    it.line = b->line_no;
    it.flags = (in_marker(&lm, g0) ? KH_ITEM_MARKER : 0) |
               ((g0->flags & KH_GLYPH_SIDEWAYS) ? KH_ITEM_SIDEWAYS : 0) |
               ((g0->flags & KH_GLYPH_TCY) ? KH_ITEM_TCY : 0);
    it.font = g0->font;
    it.size = g0->size;
    it.n = j - i;
    it.glyphs = kh_arena_alloc(A, it.n * sizeof *it.glyphs);
    if (!it.glyphs) return KH_NOMEM;
    for (uint32_t k = i; k < j; k++) {
      const kh_glyph *g = &sh->glyphs[ln->first + k];
      kh_pglyph *pg = &it.glyphs[k - i];
      pg->gid = g->gid;
      pg->x = left + ln->x0 + ln->x[k] + g->dx;
      pg->dy = g->dy;
      pg->adv = g->adv;
      if (g->flags & KH_GLYPH_TCY) { /* the em cell, and its own advance */
        pg->x = left + ln->x0 + ln->x[k];
        pg->adv = g->dx;
      }
      if (g->flags & KH_GLYPH_CLUSTER_START) {
        pg->text = text + (g->cluster - lo);
        pg->text_len = g->cluster_end - g->cluster;
      }
    }
    if (it.kind == KH_ITEM_IMAGE) {
      it.x = it.glyphs[0].x;
      it.y = base - EM_ASCENT(g0->size);
      it.x2 = it.x + g0->size;
      it.y2 = it.y + g0->size;
    } else {
      it.x = it.glyphs[0].x;
      it.y = base;
    }
    if ((ret = item(b, it)) != KH_OK) return ret;
    i = j;
  }
  if ((ret = emit_cont(b, ls, ln, left, base)) != KH_OK) return ret;
  if ((ret = emit_hyphen(b, ln, left, base)) != KH_OK) return ret;
  /* ruby and 圏点 over the line (annot.c); where the line gap cannot hold
   * them, place_para gave the line more room (ruby_room) */
  annot_sink sink = {b, &lm};
  if ((ret = kh_page_annots(A, ls, li, left, base, add_annot, &sink)) != KH_OK) return ret;
  /* links: one rectangle per run of linked glyphs on the line */
  for (i = 0; i < ln->count;) {
    const kh_glyph *g0 = &sh->glyphs[ln->first + i];
    const kh_run *r = &sp->runs[g0->run];
    if (!(r->flags & KH_RUN_LINK)) {
      i++;
      continue;
    }
    uint32_t j = i + 1;
    while (j < ln->count && sp->runs[sh->glyphs[ln->first + j].run].href == r->href) j++;
    const kh_glyph *gl = &sh->glyphs[ln->first + j - 1];
    kh_item it = {0};
    it.kind = KH_ITEM_LINK;
    it.node = sp->node;
    it.mark = mark_at(&lm, g0->cluster);
    it.x = left + ln->x0 + ln->x[i];
    it.x2 = left + ln->x0 + ln->x[j - 1] + gl->adv;
    it.y = base - EM_ASCENT(g0->size);
    it.y2 = it.y + g0->size;
    it.href = r->href;
    if ((ret = item(b, it)) != KH_OK) return ret;
    i = j;
  }
  if ((ret = footref_links(b, ls, li, &lm, left, base)) != KH_OK) return ret;
  return text_rules(b, ls, li, left, base);
}

/* A list item's marker on the baseline of its first line: the item's
 * label (Lbl), not its text. */
static kh_status emit_marker(builder *b, const piece *p, kh_fixed base) {
  if (!p->mlines.n) return KH_OK;
  size_t from = b->items.n;
  kh_status ret = emit_line(b, &p->mlines, 0, p->mx, base);
  for (size_t i = from; ret == KH_OK && i < b->items.n; i++) {
    b->items.v[i].flags |= KH_ITEM_MARKER;
    b->items.v[i].node = p->node; /* the item's first block holds its Lbl */
    b->items.v[i].mark = NULL;    /* a note's number is no reference */
  }
  if (ret != KH_OK || !p->olines.n) return ret;
  from = b->items.n; /* the outer item's marker: its own Lbl */
  ret = emit_line(b, &p->olines, 0, p->ox, base);
  for (size_t i = from; ret == KH_OK && i < b->items.n; i++) {
    b->items.v[i].flags |= KH_ITEM_MARKER;
    b->items.v[i].node = p->outer.item;
    b->items.v[i].mark = NULL;
  }
  return ret;
}

/* Prints a short text (folio, label) through the compose callback, aligned
 * as its style says, or as `align` when it is not KH_ALIGN_DEFAULT. */
static kh_status emit_text_aligned(builder *b, const char *style_name, const char *text,
                                   kh_align align, kh_fixed base, kh_fixed *x1, kh_fixed *x2) {
  kh_arena *A = b->page_arena;
  kh_node *n = kh_arena_alloc(A, sizeof *n);
  if (!n) return KH_NOMEM;
  n->kind = KH_NODE_PARA;
  n->style = style_name;
  n->text.text = text;
  n->text.len = (uint32_t)strlen(text);
  const kh_pstyle *st = kh_layout_style(b->L, page_name(b->part), style_name);
  if (align != KH_ALIGN_DEFAULT) {
    kh_pstyle *copy = kh_arena_alloc(A, sizeof *copy);
    if (!copy) return KH_NOMEM;
    *copy = *st;
    copy->align = align;
    copy->indent = copy->indent_after_heading = 0;
    st = copy;
  }
  kh_lines ls = {0};
  kh_status ret = b->compose(b->user, A, n, st, NULL, b->F.measure, b->F.writing_mode, &ls);
  if (ret != KH_OK || ls.n == 0) return ret;
  kh_fixed left = b->F.left + st->left;
  if (x1) *x1 = left + ls.lines[0].x0;
  if (x2) *x2 = left + ls.lines[0].x0 + ls.lines[0].width;
  size_t first = b->items.n;
  ret = emit_line(b, &ls, 0, left, base);
  for (size_t i = first; i < b->items.n; i++) { /* page furniture */
    b->items.v[i].flags = KH_ITEM_ARTIFACT;
    b->items.v[i].node = NULL;
    b->items.v[i].mark = NULL;
  }
  return ret;
}

static kh_status emit_text(builder *b, const char *style_name, const char *text,
                           kh_fixed base, kh_fixed *x1, kh_fixed *x2) {
  return emit_text_aligned(b, style_name, text, KH_ALIGN_DEFAULT, base, x1, x2);
}

/* The text of a running head or foot slot with its fields filled in. */
static kh_status fill_fields(builder *b, const char *fmt, char **out) {
  kh_buf o = {0};
  kh_status ret = KH_OK;
  *out = NULL;
  for (const char *p = fmt; *p;) {
    const char *e = *p == '{' ? strchr(p, '}') : NULL;
    if (!e) {
      KH_CHECK(kh_buf_append(&o, p, 1));
      p++;
      continue;
    }
    size_t n = (size_t)(e - p - 1);
    const char *f = p + 1, *v = NULL;
    char num[24];
    if (n == 4 && !strncmp(f, "page", 4)) {
      snprintf(num, sizeof num, "%u", (unsigned)b->npages + 1);
      v = num;
    } else if (n == 5 && !strncmp(f, "pages", 5)) {
      snprintf(num, sizeof num, "%u", (unsigned)(b->total_pages ? b->total_pages : b->npages + 1));
      v = num;
    } else if (n == 5 && !strncmp(f, "title", 5)) v = b->doc ? b->doc->title : NULL;
    else if (n == 4 && !strncmp(f, "part", 4)) v = b->part ? b->part->title : NULL;
    else if (n == 4 && !strncmp(f, "date", 4))
      v = b->part && b->part->date_iso ? b->part->date_iso : b->doc ? b->doc->date_iso : NULL;
    else if (n == 5 && !strncmp(f, "label", 5)) v = b->part ? b->part->label : NULL;
    else if (n == 7 && !strncmp(f, "section", 7)) {
      const kh_node *sec = b->section_first ? b->section_first : b->section_start;
      if (sec) KH_CHECK(kh_buf_append(&o, sec->text.text, sec->text.len));
    } else
      KH_CHECK(kh_buf_append(&o, p, n + 2)); /* checked by the layout: not reached */
    if (v) KH_CHECK(kh_buf_append(&o, v, strlen(v)));
    p = e + 1;
  }
  /* a hard break or a newline in a field would start a second line */
  for (size_t i = 0; i < o.len; i++)
    if (o.data[i] == '\n') o.data[i] = ' ';
  if (!(*out = kh_arena_strndup(b->page_arena, o.data ? o.data : "", o.len))) ret = KH_NOMEM;
cleanup:
  kh_buf_free(&o);
  return ret;
}

/* Running head and foot: two grid lines above the text block and two below
 * it, in the `running-head` and `folio` styles, drawn as page furniture. */
static kh_status furniture(builder *b) {
  kh_status ret = KH_OK;
  const kh_frame *F = &b->F;
  if (!b->tpl) return KH_OK;
  static const kh_align aligns[] = {KH_ALIGN_LEFT, KH_ALIGN_CENTER, KH_ALIGN_RIGHT};
  for (int where = 0; where < 2; where++) {
    const char *const *slots = where ? b->tpl->foot : b->tpl->head;
    kh_fixed base = where ? F->top + F->height + F->pitch * 2 : baseline(b, 0) - F->pitch * 2;
    for (int i = 0; i < KH_SLOT_COUNT; i++) {
      if (!slots[i]) continue;
      char *t;
      if ((ret = fill_fields(b, slots[i], &t)) != KH_OK) return ret;
      if (!*t) continue;
      ret = emit_text_aligned(b, where ? "folio" : "running-head", t, aligns[i], base, NULL, NULL);
      if (ret != KH_OK) return ret;
    }
  }
  return KH_OK;
}

/* A vertical page's anchors on the paper, as kh_page_vertical turns its
 * items: a point at logical (x, y) goes to the right of its column. */
static void turn_anchors(builder *b, const kh_frame *F) {
  for (size_t i = 0; i < b->anchors.n; i++) {
    kh_anchor *a = &b->anchors.v[i];
    kh_fixed x = a->x;
    a->x = F->right - (a->y - F->top);
    a->y = x;
  }
}

/* The page is written: the document may give back the top-level blocks
 * before the one being placed (its pieces, and those collected after it,
 * are still read), and before the heading a running head prints.  Nothing
 * else reads a block behind them: footnotes live to the end (the document
 * keeps them), the outline copies its titles, anchors and the structure
 * tree keep nodes and marks as keys only, and on the first pass of a
 * template that prints {pages} nothing is given back (the second pass
 * reads every block again). */
static void release_behind(builder *b) {
  if (b->placing < b->base || b->placing >= b->base + b->pieces.n) return;
  const piece *p = piece_at(b, b->placing);
  if (!p->part || (!p->top && p->kind != P_PART)) return;
  const kh_node *next = p->kind == P_PART ? p->part->body : p->top;
  if (b->keep_section && b->section_top && b->part == p->part) next = b->section_top;
  kh_doc_release(b->doc, p->part, next);
}

static kh_status page_close(builder *b) {
  kh_status ret = KH_OK;
  if (!b->page_open) {
    b->why = NULL;
    return KH_OK;
  }
  const kh_frame *F = &b->F;
  if (b->box_open) { /* a box that runs on: close it at the foot */
    kh_fixed top = line_top(b, b->box_page_k) - (F->pitch * 2 - F->em) / 2;
    kh_fixed bot = line_top(b, b->k) - (F->pitch - F->em) / 2;
    if ((ret = rect(b, F->left, top, F->left + F->measure, bot)) != KH_OK) return ret;
  }
  if (b->k_used < b->k && b->k <= F->lines) b->k_used = b->k;
  int note_lines = b->grid_full - F->lines;
  if ((ret = draw_notes(b)) != KH_OK) return ret;
  kh_frame frame = b->F;
  if (frame.writing_mode == KH_WRITING_VERTICAL) {
    kh_page_vertical(b->items.v + b->turn_from, b->items.n - b->turn_from, &frame);
    turn_anchors(b, &frame);
    b->F = kh_frame_paper(&frame); /* heads and folios stay horizontal */
  }
  b->flags = KH_ITEM_ARTIFACT;
  ret = furniture(b);
  b->flags = 0;
  b->F = frame;
  if (ret != KH_OK) return ret;
  kh_page pg = {0};
  pg.items = b->items.v;
  pg.n = (uint32_t)b->items.n;
  pg.width = F->page_w;
  pg.height = F->page_h;
  pg.grid_lines = b->grid_full;
  pg.lines_used = b->k_used < F->lines ? b->k_used : F->lines;
  pg.anchors = b->anchors.v;
  pg.nanchors = (uint32_t)b->anchors.n;
  pg.note_lines = note_lines;
  pg.part = b->cdone ? NULL : b->cpart;
  pg.next = b->cdone ? NULL : b->cnode;
  if (pg.lines_used < F->lines) pg.short_why = b->why ? b->why : "end";
  b->why = NULL;
  b->k_used = 0;
  ret = b->counting ? KH_OK : b->sink(b->user, &pg, b->npages);
  if (ret == KH_OK && !b->counting) release_behind(b);
  b->npages++;
  /* the page is gone: its items, glyphs and texts with it */
  b->items.n = 0;
  b->anchors.n = 0;
  b->line_no = 0;
  b->turn_from = 0;
  b->page_open = 0;
  kh_arena_drop(b->page_arena);
  if (!(b->page_arena = kh_arena_new()) && ret == KH_OK) ret = KH_NOMEM;
  return ret;
}

static kh_status page_open(builder *b) {
  kh_status ret = KH_OK;
  if ((ret = page_close(b)) != KH_OK) return ret;
  b->page_open = 1;
  b->k = 0;
  b->section_start = b->section;
  b->section_first = NULL;
  b->F.lines = b->grid_full;
  if ((ret = take_carry(b)) != KH_OK) return ret;
  if (b->box_open) b->box_page_k = 0;
  if (b->part_first_page && b->part && b->part->label) {
    /* the part's label (別添) above the text block, right-aligned; on the
     * paper's frame, horizontal, on a vertical page */
    kh_frame frame = b->F;
    b->F = kh_frame_paper(&frame);
    const kh_frame *F = &b->F;
    kh_fixed base = baseline(b, 0) - F->pitch * 2;
    kh_fixed x1 = 0, x2 = 0;
    b->flags = KH_ITEM_ARTIFACT;
    ret = emit_text(b, "label", b->part->label, base, &x1, &x2);
    if (ret == KH_OK && b->tpl && b->tpl->label_box) {
      kh_fixed pad = F->em / 2;
      kh_fixed top = base - EM_ASCENT(F->em) - pad / 2;
      ret = rect(b, x1 - pad, top, x2 + pad, top + F->em + pad);
    }
    b->flags = 0;
    b->F = frame;
  }
  b->part_first_page = 0;
  b->turn_from = b->items.n;
  return ret;
}

/* Grid lines used so far on the page: those up to the next free one. */
static void mark_used(builder *b) {
  if (b->k_used < b->k) b->k_used = b->k;
}

/* Makes room for `need` grid lines, opening a new page when they do not fit
 * (and would fit on a fresh page). */
static kh_status room_why(builder *b, int need, const char *why) {
  if (!b->page_open) return page_open(b);
  if (b->k + need > b->F.lines && b->k > 0) {
    b->why = why; /* the page before ends short: say why */
    return page_open(b);
  }
  return KH_OK;
}

static kh_status room(builder *b, int need) { return room_why(b, need, "keep"); }

/* ---- footnotes at the foot of the page (JLReq 4.3, 脚注) ------------------
 *
 * A footnote is set at the foot of the page where it is first referred to,
 * under a short rule, in the `footnote` style, each starting with its number
 * set as its references are (superscript, hanging two of the note's ems).
 * Notes do not sit on the body's grid: their lines are on a pitch of their
 * own, the note size times the grid's pitch over its em (the body's
 * proportion), stacked up from the foot of the text block; the area takes
 * whole grid lines from the body (its height and a body em for the rule,
 * rounded up), so the body above stays on the grid and the page keeps its
 * line count less the lines the notes take.
 *
 * A note that does not fit under the line that refers to it moves with that
 * line to the next page (a paragraph's line, with the one before it when it
 * is the paragraph's last; the page before ends short).
 * A line that cannot move (a table row, a heading) keeps its place, and the
 * notes that do not fit there continue at the next page's foot, before that
 * page's own notes, split between lines if need be; so does a note longer
 * than a page. */

static kh_fixed note_pitch(const builder *b, const piece *p) {
  return kh_fixed_muldiv(p->st->size, b->F.pitch, b->F.em);
}

/* Grid lines a note area of height h takes. */
static int note_area(const builder *b, kh_fixed h) {
  if (h <= 0) return 0;
  return (int)((h + b->F.em + b->F.pitch - 1) / b->F.pitch);
}

static void body_lines(builder *b) { b->F.lines = b->grid_full - note_area(b, b->foot_h); }

static fnote *find_note(builder *b, const kh_node *n) {
  size_t i = b->part_notes + (size_t)(n->number > 0 ? n->number - 1 : 0);
  if (i < b->fnotes.n && b->fnotes.v[i].node == n) return &b->fnotes.v[i];
  for (i = 0; i < b->fnotes.n; i++)
    if (b->fnotes.v[i].node == n) return &b->fnotes.v[i];
  return NULL;
}

typedef KH_VEC(fspan) fspan_vec;

/* Queues note f's lines, then those of the notes its text refers to first. */
static kh_status queue_note(builder *b, fnote *f, fspan_vec *out, kh_fixed *h) {
  kh_status ret = KH_OK;
  for (size_t k = f->first; k < f->end; k++) {
    piece *p = &b->notes.v[k];
    if (p->kind != P_PARA) continue; /* warned when collected */
    if ((ret = ensure_piece(b, p)) != KH_OK) return ret;
    if (!p->lines.n) continue;
    fspan s = {k, 0, p->lines.n};
    if ((ret = kh_vec_push(out, s)) != KH_OK) return ret;
    *h += note_pitch(b, p) * (kh_fixed)p->lines.n;
  }
  for (size_t k = f->first; k < f->end; k++) {
    const kh_node *n = b->notes.v[k].node;
    for (uint32_t i = 0; n && i < n->text.nmarks; i++) {
      const kh_mark *m = &n->text.marks[i];
      fnote *g = (m->flags & KH_MARK_FOOTREF) && m->note ? find_note(b, m->note) : NULL;
      if (!g || g->ref) continue;
      g->ref = m;
      if ((ret = queue_note(b, g, out, h)) != KH_OK) return ret;
    }
  }
  return KH_OK;
}

/* The bytes of the node's text (list marker left out) that lines
 * [li, li + n) of ls hold: [*lo, *hi). */
static void node_range(const kh_lines *ls, uint32_t li, uint32_t n, uint32_t *lo, uint32_t *hi) {
  uint32_t ml = ls->sh->sp->marker_len;
  *lo = UINT32_MAX, *hi = 0;
  for (uint32_t l = li; l < li + n && l < ls->n; l++)
    for (uint32_t k = 0; k < ls->lines[l].count; k++) {
      const kh_glyph *g = &ls->sh->glyphs[ls->lines[l].first + k];
      if (g->cluster < *lo) *lo = g->cluster;
      if (g->cluster_end > *hi) *hi = g->cluster_end;
    }
  *lo = *lo > ml ? *lo - ml : 0;
  *hi = *hi > ml ? *hi - ml : 0;
}

/* The notes first referred to on line li: queued, their first reference
 * noted (the place their number links back to). */
static kh_status line_notes(builder *b, const kh_lines *ls, uint32_t li, fspan_vec *out,
                            kh_fixed *h) {
  const kh_node *node = ls->sh->sp->node;
  if (!node || !node->text.nmarks || !ls->lines[li].count) return KH_OK;
  uint32_t lo, hi;
  node_range(ls, li, 1, &lo, &hi);
  for (uint32_t i = 0; i < node->text.nmarks; i++) {
    const kh_mark *m = &node->text.marks[i];
    if (!(m->flags & KH_MARK_FOOTREF) || !m->note || m->start < lo || m->start >= hi) continue;
    fnote *f = find_note(b, m->note);
    if (!f || f->ref) continue;
    f->ref = m;
    kh_status ret = queue_note(b, f, out, h);
    if (ret != KH_OK) return ret;
  }
  return KH_OK;
}

/* Adds note lines to the page's area while it leaves the body its first
 * body_end grid lines; the first line that does not fit and all after it
 * run on to the next page.  `force`: at least one line (a page of its
 * own for a note longer than a page). */
static kh_status foot_add(builder *b, const fspan *v, size_t n, int body_end, int force) {
  kh_status ret = KH_OK;
  int full = b->carry.n > 0; /* notes already run on: these follow them */
  for (size_t i = 0; i < n && ret == KH_OK; i++) {
    fspan s = v[i];
    kh_fixed pitch = note_pitch(b, &b->notes.v[s.piece]);
    uint32_t fit = 0;
    while (!full && fit < s.count &&
           (b->grid_full - note_area(b, b->foot_h + pitch * (kh_fixed)(fit + 1)) >= body_end ||
            (force && !b->foot.n && !fit)))
      fit++;
    if (fit) {
      fspan t = {s.piece, s.from, fit};
      ret = kh_vec_push(&b->foot, t);
      b->foot_h += pitch * (kh_fixed)fit;
    }
    if (fit < s.count && ret == KH_OK) {
      full = 1;
      fspan t = {s.piece, s.from + fit, s.count - fit};
      ret = kh_vec_push(&b->carry, t);
    }
  }
  body_lines(b);
  return ret;
}

/* A new page takes the note lines that ran on, first. */
static kh_status take_carry(builder *b) {
  fspan_vec v = {0};
  b->foot.n = 0;
  b->foot_h = 0;
  if (b->carry.n) {
    v.v = b->carry.v, v.n = b->carry.n, v.cap = b->carry.cap;
    memset(&b->carry, 0, sizeof b->carry);
  }
  kh_status ret = foot_add(b, v.v, v.n, 1, 1);
  kh_vec_free(&v);
  return ret;
}

/* The height of the notes lines [li, li + n) of ls would queue (their
 * nested notes aside), without queuing them. */
static kh_status notes_height(builder *b, const kh_lines *ls, uint32_t li, uint32_t n,
                              kh_fixed *h) {
  *h = 0;
  const kh_node *node = ls->sh->sp->node;
  if (!node || !node->text.nmarks) return KH_OK;
  uint32_t lo, hi;
  node_range(ls, li, n, &lo, &hi);
  for (uint32_t i = 0; i < node->text.nmarks; i++) {
    const kh_mark *m = &node->text.marks[i];
    if (!(m->flags & KH_MARK_FOOTREF) || !m->note || m->start < lo || m->start >= hi) continue;
    const fnote *f = find_note(b, m->note);
    for (size_t k = f && !f->ref ? f->first : 0; f && !f->ref && k < f->end; k++) {
      piece *p = &b->notes.v[k];
      if (p->kind != P_PARA) continue;
      kh_status ret = ensure_piece(b, p);
      if (ret != KH_OK) return ret;
      *h += note_pitch(b, p) * (kh_fixed)p->lines.n;
    }
  }
  return KH_OK;
}

/* A paragraph's last line that would move with its notes would stand alone
 * at the head of the next page (泣き別れ): its last two lines go.  `before`
 * is the paragraph's lines before ls (the windows before a long
 * paragraph's last). */
static kh_status foot_widow(builder *b, const kh_lines *ls, uint32_t li, uint32_t before) {
  if (ls->next || ls->n - li != 2 || before + li < 2 || b->k == 0 || b->carry.n) return KH_OK;
  kh_fixed h;
  kh_status ret = notes_height(b, ls, li, 2, &h);
  if (ret != KH_OK || h == 0) return ret;
  if (b->grid_full - note_area(b, b->foot_h + h) >= b->k + 2) return KH_OK; /* both fit */
  if (b->grid_full - note_area(b, h) < 2) return KH_OK; /* no better on the next */
  b->why = "footnote";
  return page_open(b);
}

/* Before line li of ls is placed on the `rows` grid lines from b->k: the
 * notes it refers to first go to this page's foot, or it moves with them
 * (`can_move`), or they run on (see above). */
static kh_status foot_refs(builder *b, const kh_lines *ls, uint32_t li, int rows, int can_move) {
  fspan_vec want = {0};
  kh_fixed h = 0;
  kh_status ret = line_notes(b, ls, li, &want, &h);
  if (ret == KH_OK && want.n) {
    if (can_move && b->k > 0 && !b->carry.n &&
        b->grid_full - note_area(b, b->foot_h + h) < b->k + rows &&
        b->grid_full - note_area(b, h) >= rows) {
      b->why = "footnote";
      ret = page_open(b);
    }
    if (ret == KH_OK) ret = foot_add(b, want.v, want.n, b->k + rows, 0);
  }
  kh_vec_free(&want);
  return ret;
}

/* The note's number links back to its first reference; the note is the
 * place its references link to. */
static kh_status note_links(builder *b, const piece *p, kh_fixed base, size_t from) {
  if (!p->mlines.n) return KH_OK;
  const fnote *f = find_note(b, p->mark.item);
  kh_fixed size = p->st->size;
  kh_anchor a = {p->mark.item, p->mx, base - EM_ASCENT(size)};
  kh_status ret = kh_vec_push(&b->anchors, a);
  if (ret != KH_OK || !f || !f->ref) return ret;
  for (size_t i = from; i < b->items.n; i++) b->items.v[i].mark = f->back;
  kh_item it = {0};
  it.kind = KH_ITEM_LINK;
  it.node = p->node;
  it.mark = f->back;
  it.dest = f->ref;
  it.x = p->mx;
  it.x2 = p->mx + p->mlines.lines[0].width;
  it.y = a.y;
  it.y2 = a.y + size;
  char d[64];
  int len = snprintf(d, sizeof d, "\xE6\xB3\xA8%d\xE3\x81\xAE\xE5\x8F\x82\xE7\x85\xA7\xE7\xAE\x87"
                                  "\xE6\x89\x80\xE3\x81\xB8", p->mark.item->number); /* 注Nの参照箇所へ */
  if (!(it.href = kh_arena_strndup(b->page_arena, d, (size_t)len))) return KH_NOMEM;
  return item(b, it);
}

/* Draws the page's note area: the rule, then the lines, the last one's em
 * box on the foot of the text block. */
static kh_status draw_notes(builder *b) {
  kh_status ret = KH_OK;
  const kh_frame *F = &b->F;
  if (!b->foot.n) return KH_OK;
  const kh_node *keep = b->node;
  kh_fixed y = F->top + F->height - b->foot_h; /* the first line's slot */
  const piece *p0 = &b->notes.v[b->foot.v[0].piece];
  kh_fixed ry = y + note_pitch(b, p0) - p0->st->size - F->em / 2;
  int chars = F->chars / 3 > 0 ? F->chars / 3 : 1; /* a third of the measure */
  if ((ret = rule(b, F->left, ry, F->left + F->em * chars, ry)) != KH_OK) return ret;
  for (size_t s = 0; s < b->foot.n && ret == KH_OK; s++) {
    fspan sp = b->foot.v[s];
    piece *p = &b->notes.v[sp.piece];
    kh_fixed pitch = note_pitch(b, p), size = p->st->size;
    b->node = p->node;
    for (uint32_t i = sp.from; i < sp.from + sp.count && ret == KH_OK; i++) {
      kh_fixed base = y + pitch - size + EM_ASCENT(size);
      size_t from = b->items.n; /* the number first, in reading order */
      if (i == 0) ret = emit_marker(b, p, base);
      if (ret == KH_OK && i == 0 && p->mark.note) ret = note_links(b, p, base, from);
      if (ret == KH_OK) ret = emit_line(b, &p->lines, i, p->x, base);
      y += pitch;
    }
    if (sp.from + sp.count >= p->lines.n) release_piece(p);
  }
  b->node = keep;
  b->foot.n = 0;
  b->foot_h = 0;
  return ret;
}

/* Pages for the notes that still run on at the end of a part. */
static kh_status flush_notes(builder *b) {
  kh_status ret = KH_OK;
  while (ret == KH_OK && b->carry.n && b->page_open) {
    b->why = "footnote";
    ret = page_open(b);
  }
  return ret;
}

/* The footnotes of a part, collected as pieces of their own (builder.notes),
 * each note's first block with its number as a hanging marker. */
static kh_status collect_notes(builder *b, const kh_part *part) {
  kh_status ret = KH_OK;
  if (!part->notes) return KH_OK;
  piece_vec body = b->pieces;
  b->pieces = b->notes;
  const kh_pstyle *st = kh_layout_style(b->L, page_name(part), "footnote");
  for (const kh_node *n = part->notes; n && ret == KH_OK; n = n->next) {
    fnote f = {0};
    f.node = n;
    f.part = part;
    f.first = b->pieces.n;
    char num[16];
    int len = snprintf(num, sizeof num, "%d", n->number);
    list_mark m = {0};
    if (!(m.text = kh_arena_strndup(b->strings, num, (size_t)len))) {
      ret = KH_NOMEM;
      break;
    }
    kh_mark *back = kh_arena_alloc(b->strings, sizeof *back);
    if (!back) {
      ret = KH_NOMEM;
      break;
    }
    memset(back, 0, sizeof *back);
    back->flags = KH_MARK_LINK;
    f.back = back;
    m.item = n;
    m.note = 1;
    m.col = b->F.left;
    m.width = 2 * st->size;
    m.gap = st->size / 2;
    ret = collect(b, part, n->child, b->F.left + m.width, b->F.measure - m.width, &m, 1);
    f.end = b->pieces.n;
    for (size_t k = f.first; ret == KH_OK && k < f.end; k++) {
      const piece *p = &b->pieces.v[k];
      if (p->kind == P_TABLE || p->kind == P_FIGURE || p->kind == P_RULE)
        kh_warning(b->ctx, p->node->pos, "a %s in a footnote is not set: footnotes hold "
                                         "paragraphs, lists and code",
                   p->kind == P_TABLE ? "table" : p->kind == P_FIGURE ? "figure" : "rule");
      else if (p->kind == P_BOX_OPEN)
        kh_warning(b->ctx, p->node->pos, "a box in a footnote is set without its frame");
    }
    if (ret == KH_OK) ret = kh_vec_push(&b->fnotes, f);
  }
  b->notes = b->pieces;
  b->pieces = body;
  return ret;
}

/* Forgets what the first pass placed (the pages are counted, then drawn). */
static void notes_reset(builder *b) {
  for (size_t i = 0; i < b->fnotes.n; i++) b->fnotes.v[i].ref = NULL;
  for (size_t i = 0; i < b->notes.n; i++) release_piece(&b->notes.v[i]);
  b->foot.n = b->carry.n = b->anchors.n = 0;
  b->foot_h = 0;
}

/* Grid lines a piece must have together where it starts: no line alone at
 * the foot or the head of a page (泣き別れ), so a paragraph of up to three
 * lines stays whole and a longer one leaves at least two on each side; a
 * heading (行取り) whole; a table its first rows, a box its first line. */
static int head_lines(const piece *p) {
  switch (p->kind) {
  case P_PARA:
    if (p->st->lines || p->lines.n <= 3) return p->nlines;
    return 2;
  case P_TABLE: { /* its head and first row */
    const table *tb = p->tbl;
    int first = tb && tb->nhead < tb->nrows ? tb->nhead : 0, n = 0;
    for (int r = 0; tb && r <= first && r < tb->nrows; r++) n += tb->rowlines[r];
    return n;
  }
  default: return 1;
  }
}

/* Room for ruby (JLReq 3.3.2: ruby sits in the space between lines).  In a
 * book's pitch (文庫: 行間 of two thirds of an em and more) ruby of half
 * the base size fits in the line gap and the lines stay where they are.
 * Where it does not fit, the line takes as many more whole grid lines as
 * the ruby needs, and its ruby and base are centred in that space, so the
 * text after it stays on the grid (the way 行取り keeps a heading on it;
 * the layout's pitch is never made uneven).  The first line of a page has
 * nothing above it: its ruby may stand over the text block.  Returns the
 * extra grid lines; *shift is how far the base moves down from its grid
 * line. */
static int ruby_room(const builder *b, const kh_lines *ls, uint32_t li, kh_fixed size,
                     kh_fixed *shift) {
  const kh_frame *F = &b->F;
  kh_fixed h = kh_page_annot_height(ls, li);
  kh_fixed gap = F->pitch - F->em - (size - F->em) / 2; /* above this line's em box */
  *shift = 0;
  if (h <= gap || b->k == 0 || F->pitch <= 0) return 0;
  int extra = (int)((h - gap + F->pitch - 1) / F->pitch);
  /* from the em box above to the next line's: ruby, base and two equal
   * spaces */
  kh_fixed span = F->pitch * (extra + 1) + (F->pitch - F->em);
  kh_fixed free = span - h - size;
  *shift = free / 2 + h - (F->pitch - F->em) + (size - F->em) / 2;
  if (*shift < 0) *shift = 0;
  return extra;
}

/* A paragraph composed in windows (para/window.c): its next window, made
 * once the one before it is dropped, so one window's composition is held
 * at a time (the paragraph's styled runs, kept by the driver, are what the
 * next window needs of the ones before). */
static kh_status next_window(builder *b, const piece *p) {
  piece *q = &b->pieces.v[p - b->pieces.v];
  kh_lines next = {0};
  next.window = 1;
  next.from = q->lines.next;
  kh_arena_drop(q->text);
  q->lines = (kh_lines){0};
  if (!(q->text = kh_arena_new())) return KH_NOMEM;
  kh_status ret = b->compose(b->user, q->text, q->node, q->st, NULL, q->measure,
                             b->F.writing_mode, &next);
  q->lines = next;
  return ret;
}

static kh_status place_para(builder *b, const piece *p, int next_lines) {
  const kh_frame *F = &b->F;
  const kh_pstyle *st = p->st;
  kh_status ret = KH_OK;
  if (b->k > 0) b->k += st->space_before;
  int need = head_lines(p);
  if (st->keep_with_next && next_lines) /* a heading stays with what follows */
    need = p->nlines + next_lines;
  if (need > F->lines) need = p->nlines < F->lines ? p->nlines : F->lines;
  const char *why = st->keep_with_next && next_lines ? "heading" : "orphan";
  if ((ret = room_why(b, need, why)) != KH_OK) return ret;
  if (p->node->kind == KH_NODE_HEADING && p->node->level <= 2) {
    b->section = p->node;
    b->section_top = p->top;
    if (!b->section_first && strcmp(st->name, "title")) b->section_first = p->node;
  }
  if (st->outline && p->node->text.len) {
    /* a vertical page's heading: the top of its column */
    kh_outline_entry e = {st->outline, NULL, (int)b->npages,
                          b->F.writing_mode == KH_WRITING_VERTICAL ? b->F.left
                                                                   : line_top(b, b->k)};
    e.title = kh_arena_strndup(b->outline_out->arena, p->node->text.text, p->node->text.len);
    if (!e.title || (ret = kh_vec_push(&b->outline, e)) != KH_OK) return KH_NOMEM;
  }
  uint32_t n = p->lines.n;
  if (st->lines && (int)n <= st->lines && !p->lines.next) {
    /* 行取り: centre the block's em boxes in st->lines grid lines */
    kh_fixed top = line_top(b, b->k);
    kh_fixed span = F->pitch * (st->lines - 1) + F->em;
    kh_fixed body = F->pitch * ((int)n - 1) + st->size;
    kh_fixed first = top + (span - body) / 2 + EM_ASCENT(st->size);
    for (uint32_t i = 0; i < n; i++)
      if ((ret = foot_refs(b, &p->lines, i, st->lines, 0)) != KH_OK ||
          (ret = emit_line(b, &p->lines, i, p->x, first + F->pitch * (int)i)) != KH_OK)
        return ret;
    if (n && (ret = emit_marker(b, p, first)) != KH_OK) return ret;
    if (st->box && n) {
      kh_fixed x1 = p->x + F->measure, x2 = p->x;
      for (uint32_t i = 0; i < n; i++) {
        const kh_line *ln = &p->lines.lines[i];
        if (p->x + ln->x0 < x1) x1 = p->x + ln->x0;
        if (p->x + ln->x0 + ln->width > x2) x2 = p->x + ln->x0 + ln->width;
      }
      kh_fixed pad = F->em;
      ret = rect(b, x1 - pad, top - (F->pitch - F->em) / 2, x2 + pad,
                 top + span + (F->pitch - F->em) / 2);
      if (ret != KH_OK) return ret;
    }
    b->k += st->lines;
  } else {
    uint32_t before = 0; /* the paragraph's lines in the windows before */
    for (uint32_t i = 0;; i++) {
      while (i == n && p->lines.next) { /* the rest of a long paragraph */
        before += n;
        if ((ret = next_window(b, p)) != KH_OK) return ret;
        n = p->lines.n; /* none: a window of white space */
        i = 0;
      }
      if (i >= n) break;
      /* a page ends when it is full, or a line early when only the
       * paragraph's last line would be carried over (its last window
       * holds its last lines, kumihan.c) */
      int rows = F->lines - b->k;
      kh_fixed shift = 0;
      int extra = ruby_room(b, &p->lines, i, st->size, &shift);
      if (rows <= extra || (n - i == 2 && rows == 1 + extra && before + i >= 2 && !p->lines.next)) {
        b->why = rows <= extra ? NULL : "widow";
        if ((ret = page_open(b)) != KH_OK) return ret;
        extra = ruby_room(b, &p->lines, i, st->size, &shift);
      }
      if ((ret = foot_widow(b, &p->lines, i, before)) != KH_OK) return ret;
      if ((ret = foot_refs(b, &p->lines, i, 1 + extra, 1)) != KH_OK) return ret;
      /* the notes may have moved the line to a new page */
      extra = ruby_room(b, &p->lines, i, st->size, &shift);
      kh_fixed base = baseline(b, b->k) + (st->size - F->em) / 2 + shift;
      if ((ret = emit_line(b, &p->lines, i, p->x, base)) != KH_OK) return ret;
      if (i == 0 && !p->lines.from && (ret = emit_marker(b, p, base)) != KH_OK) return ret;
      b->k += 1 + extra;
    }
  }
  b->k += st->space_after;
  return KH_OK;
}

/* Draws lines [from, from + count) of row r, composed in `lines` (one per
 * column), at the current grid line: the cells' text, the rule above when
 * `top`, the rule below and the column rules. */
static kh_status draw_rows(builder *b, const table *tb, int r, const kh_lines *lines, int from,
                           int count, int top) {
  const kh_frame *F = &b->F;
  kh_fixed half = (F->pitch - F->em) / 2;
  kh_status ret = KH_OK;
  kh_fixed y1 = line_top(b, b->k) - half;
  kh_fixed y2 = line_top(b, b->k + count) - half;
  const kh_node *keep = b->node;
  if (top && (ret = rule(b, tb->colx[0], y1, tb->colx[tb->ncols], y1)) != KH_OK) return ret;
  /* a row split at the page's foot is not closed there: it runs on under
   * the head repeated on the next page */
  if (from + count >= tb->rowlines[r] &&
      (ret = rule(b, tb->colx[0], y2, tb->colx[tb->ncols], y2)) != KH_OK)
    return ret;
  for (int c = 0; c <= tb->ncols; c++)
    if ((ret = rule(b, tb->colx[c], y1, tb->colx[c], y2)) != KH_OK) return ret;
  for (int c = 0; ret == KH_OK && c < tb->ncols; c++) {
    const cell *cl = &tb->cells[r * tb->ncols + c];
    if (!cl->node) continue;
    b->node = cl->node;
    for (int i = from; ret == KH_OK && i < from + count && i < (int)lines[c].n; i++) {
      ret = foot_refs(b, &lines[c], (uint32_t)i, count, 0);
      if (ret == KH_OK) ret = emit_line(b, &lines[c], (uint32_t)i, cl->x, baseline(b, b->k + i - from));
    }
  }
  b->node = keep;
  b->k += count;
  return ret;
}

/* Row r's text, composed again (it was measured and dropped when the
 * table was composed) into a new arena *A that the caller drops once the
 * row is on its pages: a row split over many pages is composed once, not
 * once a page (which was quadratic in the row's length). */
static kh_status row_lines(builder *b, const table *tb, int r, kh_arena **A, kh_lines **lines) {
  *lines = NULL;
  if (!(*A = kh_arena_new())) return KH_NOMEM;
  if (!(*lines = kh_arena_alloc(*A, (size_t)tb->ncols * sizeof **lines))) return KH_NOMEM;
  return compose_row(b, tb, r, *A, *lines);
}

/* Draws lines [from, from + count) of row r (draw_rows), composed now. */
static kh_status table_rows(builder *b, const table *tb, int r, int from, int count, int top) {
  kh_arena *RA = NULL;
  kh_lines *lines;
  kh_status ret = row_lines(b, tb, r, &RA, &lines);
  if (ret == KH_OK) ret = draw_rows(b, tb, r, lines, from, count, top);
  kh_arena_drop(RA);
  return ret;
}

/* A new page for a table that runs on: its head again at the top. */
static kh_status table_page(builder *b, const table *tb) {
  kh_status ret = page_open(b);
  for (int r = 0; ret == KH_OK && tb->headlines && r < tb->nhead; r++)
    ret = table_rows(b, tb, r, 0, tb->rowlines[r], r == 0);
  return ret;
}

/* A table starts where it is when its head and first row fit there; it
 * continues on the next page between rows, repeating its head; a row taller
 * than what a page leaves for it is split between lines of its cells. */
static kh_status place_table(builder *b, const piece *p) {
  const kh_frame *F = &b->F;
  const table *tb = p->tbl;
  kh_status ret = KH_OK;
  if (!tb->nrows) return KH_OK;
  int sb = p->st ? p->st->space_before : 0, sa = p->st ? p->st->space_after : 0;
  if (b->k > 0 && !p->after_caption) b->k += sb;
  int first = tb->nhead < tb->nrows ? tb->nhead : 0;
  int need = 0;
  for (int r = 0; r < first; r++) need += tb->rowlines[r];
  /* a first row taller than a page splits from here anyway */
  need += tb->rowlines[first] + need <= F->lines ? tb->rowlines[first] : 1;
  if (need > F->lines) need = F->lines;
  if ((ret = room(b, need)) != KH_OK) return ret;
  int top_of_page = 1;
  for (int r = 0; r < tb->nrows; r++) {
    int rl = tb->rowlines[r];
    int body = F->lines - tb->headlines; /* what a continuation page holds */
    if (b->k + rl > F->lines && rl <= body && b->k > 0) {
      if ((ret = table_page(b, tb)) != KH_OK) return ret;
      top_of_page = b->k == 0;
    }
    kh_arena *RA = NULL;
    kh_lines *lines;
    ret = row_lines(b, tb, r, &RA, &lines);
    for (int from = 0; ret == KH_OK && from < rl;) {
      int avail = F->lines - b->k;
      if (avail <= 0) {
        if ((ret = table_page(b, tb)) == KH_OK) top_of_page = b->k == 0;
        continue;
      }
      int count = rl - from < avail ? rl - from : avail;
      ret = draw_rows(b, tb, r, lines, from, count, r == 0 || from > 0 || top_of_page);
      top_of_page = 0;
      from += count;
    }
    kh_arena_drop(RA);
    if (ret != KH_OK) return ret;
  }
  mark_used(b);
  b->k += sa;
  return KH_OK;
}

static kh_status place_figure(builder *b, const piece *p) {
  const kh_frame *F = &b->F;
  kh_status ret = KH_OK;
  int before = p->st ? p->st->space_before : 0, after = p->st ? p->st->space_after : 0;
  if (b->k > 0) b->k += before;
  int need = p->nlines < F->lines ? p->nlines : F->lines;
  if ((ret = room_why(b, need, "figure")) != KH_OK) return ret;
  kh_fixed span = F->pitch * (p->img_lines - 1) + F->em;
  kh_item it = {0};
  it.kind = KH_ITEM_IMAGE;
  it.font = -1;
  it.image = p->node->image;
  it.node = p->node;
  it.x = p->x + (p->measure - p->img_w) / 2;
  it.y = line_top(b, b->k) + (span - p->img_h) / 2;
  it.x2 = it.x + p->img_w;
  it.y2 = it.y + p->img_h;
  if ((ret = item(b, it)) != KH_OK) return ret;
  b->k += p->img_lines;
  for (uint32_t i = 0; i < p->lines.n; i++) {
    if (b->k >= F->lines && (ret = page_open(b)) != KH_OK) return ret;
    if ((ret = foot_refs(b, &p->lines, i, 1, 0)) != KH_OK) return ret;
    kh_fixed base = baseline(b, b->k) + (p->lines.sh->sp->style->size - F->em) / 2;
    if ((ret = emit_line(b, &p->lines, i, p->x, base)) != KH_OK) return ret;
    b->k++;
  }
  mark_used(b);
  b->k += after;
  return KH_OK;
}

/* ---- the pieces, collected as place() needs them ---------------------------*/

/* place() looks ahead along a chain of headings at most four pieces past
 * the one it places (and over a box, which is collected whole). */
#define LOOKAHEAD 4

/* Collects the document's next top-level block, or starts the next part
 * (its footnotes), or ends one (an empty part still gets its page: a
 * P_PART piece).  The blocks are measured on their part's template frame,
 * whatever page is being placed. */
static kh_status collect_next(builder *b) {
  kh_status ret = KH_OK;
  int start = 0;
  if (!b->cstarted) {
    b->cstarted = 1;
    b->cpart = b->doc->parts;
    start = 1;
  } else if (!b->cnode) { /* the part's blocks are all collected */
    if (b->base + b->pieces.n == b->cpart_first) {
      piece p = {0};
      p.kind = P_PART;
      p.part = b->cpart;
      if ((ret = add_piece(b, p)) != KH_OK) return ret;
    }
    b->cpart = b->cpart->next;
    start = 1;
  }
  if (!b->cpart) {
    b->cdone = 1;
    return KH_OK;
  }
  kh_frame placing = b->F;
  b->F = kh_frame_of(&tpl_of(b->L, b->cpart)->geom);
  if (start) {
    b->cnode = b->cpart->body;
    b->cprev = NULL;
    b->cpart_first = b->base + b->pieces.n;
    if (!b->recollect) ret = collect_notes(b, b->cpart); /* kept for both passes */
  } else {
    const kh_node *n = b->cnode;
    size_t from = b->pieces.n;
    ret = collect_blocks(b, b->cpart, n, b->cprev, n->next, b->F.left, b->F.measure, NULL, 1);
    for (size_t k = from; k < b->pieces.n; k++) b->pieces.v[k].top = n;
    b->cprev = n;
    b->cnode = n->next;
  }
  b->F = placing;
  return ret;
}

/* Collects until piece `want` is known or the document ends.  The second
 * pass (pages counted, then drawn) collects again what the first one did,
 * without its warnings and traces a second time. */
static kh_status more(builder *b, size_t want) {
  kh_status ret = KH_OK;
  kh_trace_stage trace = b->ctx->trace;
  if (b->recollect) {
    b->ctx->quiet++;
    b->ctx->trace = KH_TRACE_NONE;
  }
  while (ret == KH_OK && !b->cdone && b->base + b->pieces.n <= want) ret = collect_next(b);
  if (b->recollect) {
    b->ctx->quiet--;
    b->ctx->trace = trace;
  }
  return ret;
}

/* Forgets the pieces placed before piece i. */
static void drop_placed(builder *b, size_t i) {
  if (i <= b->base) return;
  size_t n = i - b->base;
  memmove(b->pieces.v, b->pieces.v + n, (b->pieces.n - n) * sizeof *b->pieces.v);
  b->pieces.n -= n;
  b->base = i;
}

static kh_status place(builder *b) {
  kh_status ret = KH_OK;
  const kh_frame *F = &b->F;
  for (size_t i = 0;; i++) {
    size_t want = i + b->lookahead < i ? SIZE_MAX : i + b->lookahead;
    if ((ret = more(b, want)) != KH_OK) return ret;
    if (i >= b->base + b->pieces.n) break;
    drop_placed(b, i);
    b->placing = i;
    const piece *p = piece_at(b, i);
    if (b->part != p->part) { /* every part starts a page of its template */
      if ((ret = flush_notes(b)) != KH_OK) return ret;
      b->why = "part";
      if ((ret = page_close(b)) != KH_OK) return ret;
      b->part = p->part;
      b->tpl = tpl_of(b->L, p->part);
      b->F = kh_frame_of(&b->tpl->geom);
      b->grid_full = b->F.lines;
      for (b->part_notes = 0; b->part_notes < b->fnotes.n; b->part_notes++)
        if (b->fnotes.v[b->part_notes].part == p->part) break;
      b->section = NULL;
      b->section_top = NULL;
      b->part_first_page = 1;
      if ((ret = page_open(b)) != KH_OK) return ret;
    }
    if ((ret = ensure(b, i)) != KH_OK) return ret;
    b->node = p->node;
    switch (p->kind) {
    case P_PARA: {
      /* look ahead along a chain of headings to the first block that is
       * not one: all of them stay together with its first lines */
      int follow = 0;
      for (size_t k = i; piece_at(b, k)->kind == P_PARA && piece_at(b, k)->st->keep_with_next &&
                         k + 1 < b->base + b->pieces.n && k < i + LOOKAHEAD;
           k++) {
        if ((ret = ensure(b, k + 1)) != KH_OK) return ret;
        const piece *q = piece_at(b, k + 1);
        int last = !(q->kind == P_PARA && q->st->keep_with_next);
        follow += (last ? head_lines(q) : q->nlines) + (q->st ? q->st->space_before : 0);
        if (last) break;
      }
      ret = place_para(b, p, follow);
      break;
    }
    case P_TABLE:
      ret = place_table(b, p);
      break;
    case P_BOX_OPEN: {
      /* a blank grid line above and below holds the rule; the whole box
       * moves to the next page if it fits there and not here */
      int need = 2;
      for (size_t k = i + 1; k < i + p->close; k++) {
        if ((ret = ensure(b, k)) != KH_OK) return ret;
        const piece *q = piece_at(b, k);
        need += q->nlines + (q->st ? q->st->space_before + q->st->space_after : 0);
      }
      if (need > F->lines) need = 3;
      if ((ret = room(b, need)) != KH_OK) return ret;
      if (b->k == 0) b->k = 1;
      else b->k += 1;
      b->box_open = 1;
      b->box_page_k = b->k;
      break;
    }
    case P_BOX_CLOSE: {
      kh_fixed top = line_top(b, b->box_page_k) - (F->pitch * 2 - F->em) / 2;
      kh_fixed bot = line_top(b, b->k) - (F->pitch - F->em) / 2;
      if (b->box_page_k == 0) top = line_top(b, 0) - (F->pitch - F->em) / 2;
      ret = rect(b, p->x, top, p->x + F->measure, bot);
      b->box_open = 0;
      b->k += 1;
      break;
    }
    case P_RULE:
      if ((ret = room(b, 1)) != KH_OK) return ret;
      ret = rule(b, p->x, baseline(b, b->k) - F->em / 3, p->x + F->measure,
                 baseline(b, b->k) - F->em / 3);
      b->k += 1;
      break;
    case P_PART:
      b->why = "part";
      ret = page_open(b);
      break;
    case P_FIGURE:
      ret = place_figure(b, p);
      break;
    }
    if (ret != KH_OK) return ret;
    mark_used(b);
    release(b, i);
  }
  if ((ret = flush_notes(b)) != KH_OK) return ret;
  return page_close(b);
}

/* Does a template the document uses print `field` ("{pages}")? */
static int uses_field(const builder *b, const kh_doc *doc, const char *field) {
  for (const kh_part *part = doc->parts; part; part = part->next) {
    const kh_page_tpl *t = tpl_of(b->L, part);
    for (int i = 0; t && i < KH_SLOT_COUNT; i++)
      if ((t->head[i] && strstr(t->head[i], field)) ||
          (t->foot[i] && strstr(t->foot[i], field)))
        return 1;
  }
  return 0;
}

kh_status kh_page_build(kh_ctx *ctx, const kh_doc *doc, const kh_layout *layout,
                        kh_compose_fn compose, kh_page_sink_fn sink, void *user,
                        kh_outline **out) {
  kh_status ret = KH_OK;
  builder b = {0};
  b.ctx = ctx;
  b.L = layout;
  b.compose = compose;
  b.sink = sink;
  b.user = user;
  b.doc = doc;
  *out = NULL;
  kh_outline *ol = calloc(1, sizeof *ol);
  b.outline_out = ol;
  b.page_arena = kh_arena_new();
  b.strings = kh_arena_new();
  if (!ol || !(ol->arena = kh_arena_new()) || !b.page_arena || !b.strings) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  /* a trace of compositions (runs, shape, lines) shows them in the order
   * it always has: every list marker measured while collecting first, so
   * the blocks are all collected first */
  b.lookahead = ctx->trace == KH_TRACE_RUNS || ctx->trace == KH_TRACE_SHAPE ||
                        ctx->trace == KH_TRACE_LINES
                    ? SIZE_MAX
                    : LOOKAHEAD;
  b.keep_section = uses_field(&b, doc, "{section}");
  if (uses_field(&b, doc, "{pages}")) {
    /* a template prints {pages}: count them first, then draw */
    b.counting = 1;
    KH_CHECK(place(&b));
    b.total_pages = b.npages;
    b.counting = 0;
    for (size_t i = 0; i < b.pieces.n; i++) release_piece(&b.pieces.v[i]);
    b.pieces.n = 0;
    b.base = 0;
    b.cstarted = b.cdone = 0;
    b.cpart = NULL;
    b.cnode = b.cprev = NULL;
    b.recollect = 1;
    b.npages = 0;
    b.part = NULL;
    b.tpl = NULL;
    b.box_open = 0;
    b.outline.n = 0;
    notes_reset(&b);
  }
  KH_CHECK(place(&b));
  ol->n = (uint32_t)b.outline.n;
  ol->entries = kh_arena_alloc(ol->arena, (b.outline.n + 1) * sizeof *ol->entries);
  if (!ol->entries) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  if (b.outline.n) memcpy(ol->entries, b.outline.v, b.outline.n * sizeof *ol->entries);
  *out = ol;
  ol = NULL;
cleanup:
  for (size_t i = 0; i < b.pieces.n; i++) release_piece(&b.pieces.v[i]); /* after a failure */
  for (size_t i = 0; i < b.notes.n; i++) release_piece(&b.notes.v[i]);
  kh_vec_free(&b.pieces);
  kh_vec_free(&b.notes);
  kh_vec_free(&b.fnotes);
  kh_vec_free(&b.foot);
  kh_vec_free(&b.carry);
  kh_vec_free(&b.anchors);
  kh_vec_free(&b.items);
  kh_vec_free(&b.outline);
  kh_arena_drop(b.page_arena);
  kh_arena_drop(b.strings);
  kh_outline_drop(ol);
  return ret;
}

void kh_outline_drop(kh_outline *outline) {
  if (!outline) return;
  kh_arena_drop(outline->arena);
  free(outline);
}

static const char *trace_flags(const kh_item *it) {
  if (it->flags & KH_ITEM_ARTIFACT) return "/A";
  if (it->flags & KH_ITEM_MARKER) return "/M";
  /* vertical text: upright, sideways, 縦中横 */
  if (it->flags & KH_ITEM_UPRIGHT) return "/V";
  if (it->flags & KH_ITEM_SIDEWAYS) return "/S";
  if (it->flags & KH_ITEM_TCY) return "/T";
  return "";
}

void kh_page_trace(const kh_page *pg, uint32_t index, FILE *out) {
  fprintf(out, "page %u %.2fx%.2fpt lines %d/%d", index + 1, KH_FIXED_TO_PT(pg->width),
          KH_FIXED_TO_PT(pg->height), pg->lines_used, pg->grid_lines);
  if (pg->note_lines) fprintf(out, " notes %d", pg->note_lines);
  if (pg->short_why) fprintf(out, " short: %s", pg->short_why);
  fputc('\n', out);
  for (uint32_t i = 0; i < pg->n; i++) {
    const kh_item *it = &pg->items[i];
    const char *fl = trace_flags(it);
    switch (it->kind) {
    case KH_ITEM_GLYPHS:
      fprintf(out, "  text%s f%d %.2fpt @%.3f,%.3f \"", fl, it->font, KH_FIXED_TO_PT(it->size),
              KH_FIXED_TO_PT(it->x), KH_FIXED_TO_PT(it->y));
      for (uint32_t g = 0; g < it->n; g++)
        fwrite(it->glyphs[g].text ? it->glyphs[g].text : "", 1, it->glyphs[g].text_len, out);
      fputs("\"\n", out);
      break;
    case KH_ITEM_IMAGE:
      if (it->font < 0)
        fprintf(out, "  figure%s %s @%.3f,%.3f-%.3f,%.3f\n", fl, it->href ? it->href : "",
                KH_FIXED_TO_PT(it->x), KH_FIXED_TO_PT(it->y), KH_FIXED_TO_PT(it->x2),
                KH_FIXED_TO_PT(it->y2));
      else
        fprintf(out, "  image%s f%d gid %u @%.3f,%.3f-%.3f,%.3f\n", fl, it->font,
                it->glyphs[0].gid, KH_FIXED_TO_PT(it->x), KH_FIXED_TO_PT(it->y),
                KH_FIXED_TO_PT(it->x2), KH_FIXED_TO_PT(it->y2));
      break;
    case KH_ITEM_LINE:
      fprintf(out, "  line%s %.3f,%.3f-%.3f,%.3f\n", fl, KH_FIXED_TO_PT(it->x),
              KH_FIXED_TO_PT(it->y), KH_FIXED_TO_PT(it->x2), KH_FIXED_TO_PT(it->y2));
      break;
    case KH_ITEM_LINK:
      fprintf(out, "  link%s %.3f,%.3f-%.3f,%.3f <%s>\n", fl, KH_FIXED_TO_PT(it->x),
              KH_FIXED_TO_PT(it->y), KH_FIXED_TO_PT(it->x2), KH_FIXED_TO_PT(it->y2), it->href);
      break;
    }
  }
}
