/* page: lines -> blocks on pages.
 *
 * The text block is a grid of `chars` x `lines` at a fixed line pitch
 * (JLReq 2.3.1 hanmen, 行送り).  Every body line sits on a grid line; a
 * heading with `lines: n` is centred in n grid lines (行取り, JLReq 4.3.3);
 * tables and boxes take whole grid lines, with their rules midway between
 * two grid lines, so the text after them stays on the grid.
 *
 * Two passes: collect() turns the tree into a list of pieces, place() puts
 * them on pages.  A piece is composed (through the driver's callback) only
 * when it is about to be placed, or looked ahead at, into an arena of its
 * own that is dropped once it is placed; each page has an arena that is
 * dropped once the sink has taken the page.  Memory stays flat however long
 * the document. */
#include <string.h>

#include "page/page.h"

/* The ideographic em box puts the baseline 0.88 em below its top (the
 * ideographic embox of BIZ UD and most Japanese fonts: 880/1000). */
#define EM_ASCENT(size) kh_fixed_muldiv((size), 880, 1000)

typedef enum piece_kind { P_PARA, P_TABLE, P_BOX_OPEN, P_BOX_CLOSE, P_RULE, P_PART } piece_kind;

typedef struct cell {
  const kh_node *node;
  const kh_pstyle *st;
  kh_lines lines;
  kh_fixed x;      /* left edge of the cell's text */
} cell;

typedef struct table {
  int ncols, nrows;
  kh_fixed *colx;  /* ncols + 1 rule positions */
  cell *cells;     /* nrows x ncols */
  int *rowlines;   /* grid lines per row */
} table;

typedef struct piece {
  piece_kind kind;
  const kh_node *node;
  const kh_part *part;
  /* what to compose: */
  const char *style_name;
  const char *marker;
  int level;
  int after_heading;
  kh_fixed measure;
  kh_fixed x;      /* left edge of the measure; P_PARA: style->left added
                      once composed */
  /* once composed (P_PARA, P_TABLE): */
  kh_arena *arena; /* NULL until composed; dropped once placed */
  const kh_pstyle *st;
  kh_lines lines;
  table *tbl;
  int nlines;      /* grid lines taken, spacing excluded */
  size_t close;    /* P_BOX_OPEN: index of its P_BOX_CLOSE */
} piece;

typedef struct builder {
  kh_ctx *ctx;
  const kh_layout *L;
  kh_compose_fn compose;
  void *user;
  kh_page_sink_fn sink;
  kh_outline *outline_out;
  kh_arena *strings;         /* made while collecting: list markers */
  KH_VEC(piece) pieces;
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
} builder;

static kh_fixed line_top(const builder *b, int k) {
  return b->L->margin_top + b->L->line_pitch * k;
}

static kh_fixed baseline(const builder *b, int k) {
  return line_top(b, k) + EM_ASCENT(b->L->grid_size);
}

/* ---- pass 1: compose ------------------------------------------------------*/

static kh_status add_piece(builder *b, piece p) {
  return kh_vec_push(&b->pieces, p);
}

static const char *page_name(const kh_part *part) { return part ? part->page : NULL; }

static kh_status compose_para(builder *b, piece *p) {
  const kh_pstyle *base = kh_layout_style(b->L, page_name(p->part), p->style_name);
  kh_pstyle *st = kh_arena_alloc(p->arena, sizeof *st);
  if (!st) return KH_NOMEM;
  *st = *base;
  if (p->level > 1) st->left = base->left * p->level; /* nested lists step in */
  if (p->after_heading) st->indent = base->indent_after_heading;
  p->st = st;
  p->x += st->left;
  kh_status ret = b->compose(b->user, p->arena, p->node, st, p->marker ? p->marker : st->marker,
                             p->measure, &p->lines);
  if (ret != KH_OK) return ret;
  p->nlines = (int)p->lines.n;
  if (st->lines > p->nlines) p->nlines = st->lines;
  return KH_OK;
}

/* Natural single-line width of a cell's text. */
static kh_status cell_natural(builder *b, kh_arena *A, const kh_part *part, const kh_node *n,
                              kh_fixed *w) {
  const kh_pstyle *st = kh_layout_style(b->L, page_name(part), n->style);
  kh_pstyle loose = *st;
  loose.align = KH_ALIGN_LEFT;
  kh_lines lines = {0};
  kh_status ret = b->compose(b->user, A, n, &loose, NULL, KH_PT(5000), &lines);
  if (ret != KH_OK) return ret;
  *w = 0;
  for (uint32_t i = 0; i < lines.n; i++)
    if (lines.lines[i].x0 + lines.lines[i].width > *w) *w = lines.lines[i].x0 + lines.lines[i].width;
  return KH_OK;
}

static kh_status compose_table(builder *b, piece *p) {
  kh_ctx *ctx = b->ctx;
  kh_arena *A = p->arena;
  const kh_part *part = p->part;
  const kh_node *t = p->node;
  kh_fixed x = p->x, measure = p->measure;
  kh_fixed em = b->L->grid_size;
  table *tb = kh_arena_alloc(A, sizeof *tb);
  if (!tb) return KH_NOMEM;
  for (const kh_node *r = t->child; r; r = r->next) {
    if (r->header && r->empty) continue; /* a GFM head row left blank */
    int nc = 0;
    for (const kh_node *c = r->child; c; c = c->next) nc++;
    if (nc > tb->ncols) tb->ncols = nc;
    tb->nrows++;
  }
  p->st = kh_layout_style(b->L, page_name(part), t->style);
  p->tbl = tb;
  if (!tb->nrows || !tb->ncols) return KH_OK;
  kh_fixed *natural = kh_arena_alloc(A, (size_t)tb->ncols * sizeof *natural);
  tb->colx = kh_arena_alloc(A, (size_t)(tb->ncols + 1) * sizeof *tb->colx);
  tb->cells = kh_arena_alloc(A, (size_t)(tb->nrows * tb->ncols) * sizeof *tb->cells);
  tb->rowlines = kh_arena_alloc(A, (size_t)tb->nrows * sizeof *tb->rowlines);
  if (!natural || !tb->colx || !tb->cells || !tb->rowlines) return KH_NOMEM;
  int ri = 0;
  for (const kh_node *r = t->child; r; r = r->next) {
    if (r->header && r->empty) continue;
    int ci = 0;
    for (const kh_node *c = r->child; c; c = c->next, ci++) {
      kh_fixed w;
      kh_status ret = cell_natural(b, A, part, c, &w);
      if (ret != KH_OK) return ret;
      if (w > natural[ci]) natural[ci] = w;
      tb->cells[ri * tb->ncols + ci].node = c;
    }
    ri++;
  }
  /* Columns in whole ems plus a half-em pad either side, so cell text stays
   * on the character grid; if too wide, the widest columns give way. */
  kh_fixed pad = em / 2, total = 0;
  kh_fixed *w = kh_arena_alloc(A, (size_t)tb->ncols * sizeof *w);
  if (!w) return KH_NOMEM;
  for (int c = 0; c < tb->ncols; c++) {
    w[c] = ((natural[c] + em - 1) / em) * em + 2 * pad;
    total += w[c];
  }
  while (total > measure) {
    int widest = 0;
    for (int c = 1; c < tb->ncols; c++)
      if (w[c] > w[widest]) widest = c;
    if (w[widest] <= 4 * em) {
      kh_warning(ctx, t->pos, "table is wider than the text block");
      break;
    }
    w[widest] -= em;
    total -= em;
  }
  tb->colx[0] = x + ((measure - total) / 2 / em) * em; /* centred on the grid */
  for (int c = 0; c < tb->ncols; c++) tb->colx[c + 1] = tb->colx[c] + w[c];
  for (int r = 0; r < tb->nrows; r++) {
    tb->rowlines[r] = 1;
    for (int c = 0; c < tb->ncols; c++) {
      cell *cl = &tb->cells[r * tb->ncols + c];
      if (!cl->node) continue;
      cl->st = kh_layout_style(b->L, page_name(part), cl->node->style);
      kh_pstyle *st = kh_arena_alloc(A, sizeof *st);
      if (!st) return KH_NOMEM;
      *st = *cl->st;
      if (cl->node->align) st->align = cl->node->align;
      cl->st = st;
      cl->x = tb->colx[c] + pad + st->left;
      kh_status ret = b->compose(b->user, A, cl->node, st, NULL, w[c] - 2 * pad, &cl->lines);
      if (ret != KH_OK) return ret;
      if ((int)cl->lines.n > tb->rowlines[r]) tb->rowlines[r] = (int)cl->lines.n;
    }
  }
  for (int r = 0; r < tb->nrows; r++) p->nlines += tb->rowlines[r];
  return KH_OK;
}

/* Composes piece i if it is not yet. */
static kh_status ensure(builder *b, size_t i) {
  piece *p = &b->pieces.v[i];
  if (p->arena || (p->kind != P_PARA && p->kind != P_TABLE)) return KH_OK;
  if (!(p->arena = kh_arena_new())) return KH_NOMEM;
  return p->kind == P_PARA ? compose_para(b, p) : compose_table(b, p);
}

/* A placed piece's composition is no longer needed: the page copied what
 * it draws. */
static void release(builder *b, size_t i) {
  piece *p = &b->pieces.v[i];
  kh_arena_drop(p->arena);
  p->arena = NULL;
  p->st = NULL;
  p->tbl = NULL;
  memset(&p->lines, 0, sizeof p->lines);
}

static kh_status collect(builder *b, const kh_part *part, const kh_node *n, kh_fixed x,
                         kh_fixed measure, const char *marker, int level) {
  kh_status ret = KH_OK;
  kh_fixed em = b->L->grid_size;
  for (const kh_node *prev = NULL; n; prev = n, n = n->next) {
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
      p.marker = marker;
      p.level = level;
      p.after_heading = n->kind == KH_NODE_PARA && prev && prev->kind == KH_NODE_HEADING;
      ret = add_piece(b, p);
      marker = NULL; /* only the first block of a list item has it */
      break;
    case KH_NODE_LIST: {
      int num = n->start;
      for (const kh_node *it = n->child; it && ret == KH_OK; it = it->next) {
        const char *m = NULL;
        if (n->ordered) {
          char mk[32];
          snprintf(mk, sizeof mk, "%d.", num++);
          if (!(m = kh_arena_strndup(b->strings, mk, strlen(mk)))) return KH_NOMEM;
        }
        ret = collect(b, part, it->child, x, measure, m, n->level);
      }
      break;
    }
    case KH_NODE_LIST_ITEM:
      ret = collect(b, part, n->child, x, measure, marker, level);
      break;
    case KH_NODE_BOX: {
      size_t open = b->pieces.n;
      p.kind = P_BOX_OPEN;
      if ((ret = add_piece(b, p)) != KH_OK) return ret;
      /* one em of padding either side keeps the box's text on the grid */
      ret = collect(b, part, n->child, x + em, measure - 2 * em, NULL, level);
      if (ret != KH_OK) return ret;
      b->pieces.v[open].close = b->pieces.n;
      p.kind = P_BOX_CLOSE;
      ret = add_piece(b, p);
      break;
    }
    case KH_NODE_TABLE:
      p.kind = P_TABLE;
      ret = add_piece(b, p);
      break;
    case KH_NODE_RULE:
      p.kind = P_RULE;
      p.nlines = 1;
      ret = add_piece(b, p);
      break;
    case KH_NODE_ROW:
      break; /* rows live inside tables */
    case KH_NODE_FIGURE:   /* not made by doc/ yet */
    case KH_NODE_FOOTNOTE: /* live in kh_part.notes, not in the body */
      break;
    }
    if (ret != KH_OK) return ret;
  }
  return KH_OK;
}

/* ---- pass 2: place ---------------------------------------------------------*/

static kh_status item(builder *b, kh_item it) { return kh_vec_push(&b->items, it); }

static kh_status rule(builder *b, kh_fixed x1, kh_fixed y1, kh_fixed x2, kh_fixed y2) {
  kh_item it = {0};
  it.kind = KH_ITEM_LINE;
  it.x = x1, it.y = y1, it.x2 = x2, it.y2 = y2;
  it.width = b->L->rule_width;
  return item(b, it);
}

static kh_status rect(builder *b, kh_fixed x1, kh_fixed y1, kh_fixed x2, kh_fixed y2) {
  kh_status ret = rule(b, x1, y1, x2, y1);
  if (ret == KH_OK) ret = rule(b, x2, y1, x2, y2);
  if (ret == KH_OK) ret = rule(b, x2, y2, x1, y2);
  if (ret == KH_OK) ret = rule(b, x1, y2, x1, y1);
  return ret;
}

static kh_status add_item(void *user, kh_item it) { return item(user, it); }

/* Turns one composed line into glyph runs (split where font or size
 * changes), image items and link rectangles. */
static kh_status emit_line(builder *b, const kh_lines *ls, uint32_t li, kh_fixed left,
                           kh_fixed base) {
  kh_arena *A = b->page_arena;
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
  uint32_t i = 0;
  while (i < ln->count) {
    const kh_glyph *g0 = &sh->glyphs[ln->first + i];
    uint32_t j = i + 1;
    if (!(g0->flags & KH_GLYPH_IMAGE))
      while (j < ln->count) {
        const kh_glyph *g = &sh->glyphs[ln->first + j];
        if (g->font != g0->font || g->size != g0->size || (g->flags & KH_GLYPH_IMAGE)) break;
        j++;
      }
    kh_item it = {0};
    it.kind = (g0->flags & KH_GLYPH_IMAGE) ? KH_ITEM_IMAGE : KH_ITEM_GLYPHS;
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
  /* ruby and 圏点 over the line (annot.c) */
  if ((ret = kh_page_annots(A, ls, li, left, base, add_item, b)) != KH_OK) return ret;
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
    it.x = left + ln->x0 + ln->x[i];
    it.x2 = left + ln->x0 + ln->x[j - 1] + gl->adv;
    it.y = base - EM_ASCENT(g0->size);
    it.y2 = it.y + g0->size;
    it.href = r->href;
    if ((ret = item(b, it)) != KH_OK) return ret;
    i = j;
  }
  return KH_OK;
}

/* Prints a short text (folio, label) through the compose callback. */
static kh_status emit_text(builder *b, const char *style_name, const char *text,
                           kh_fixed base, kh_fixed *x1, kh_fixed *x2) {
  kh_arena *A = b->page_arena;
  kh_node *n = kh_arena_alloc(A, sizeof *n);
  if (!n) return KH_NOMEM;
  n->kind = KH_NODE_PARA;
  n->style = style_name;
  n->text.text = text;
  n->text.len = (uint32_t)strlen(text);
  const kh_pstyle *st = kh_layout_style(b->L, page_name(b->part), style_name);
  kh_lines ls = {0};
  kh_status ret = b->compose(b->user, A, n, st, NULL, b->L->text_w, &ls);
  if (ret != KH_OK || ls.n == 0) return ret;
  kh_fixed left = b->L->margin_left + st->left;
  if (x1) *x1 = left + ls.lines[0].x0;
  if (x2) *x2 = left + ls.lines[0].x0 + ls.lines[0].width;
  return emit_line(b, &ls, 0, left, base);
}

static kh_status page_close(builder *b) {
  kh_status ret = KH_OK;
  if (!b->page_open) return KH_OK;
  const kh_layout *L = b->L;
  if (b->box_open) { /* a box that runs on: close it at the foot */
    kh_fixed top = line_top(b, b->box_page_k) - (L->line_pitch * 2 - L->grid_size) / 2;
    kh_fixed bot = line_top(b, b->k) - (L->line_pitch - L->grid_size) / 2;
    if ((ret = rect(b, L->margin_left, top, L->margin_left + L->text_w, bot)) != KH_OK) return ret;
  }
  if (b->tpl && b->tpl->folio) {
    char num[16];
    snprintf(num, sizeof num, "%u", (unsigned)b->npages + 1);
    char *t = kh_arena_strndup(b->page_arena, num, strlen(num));
    if (!t) return KH_NOMEM;
    kh_fixed base = L->margin_top + L->text_h + L->line_pitch * 2;
    if ((ret = emit_text(b, "folio", t, base, NULL, NULL)) != KH_OK) return ret;
  }
  kh_page pg = {b->items.v, (uint32_t)b->items.n};
  ret = b->sink(b->user, &pg, b->npages++);
  /* the page is gone: its items, glyphs and texts with it */
  b->items.n = 0;
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
  if (b->box_open) b->box_page_k = 0;
  if (b->part_first_page && b->part && b->part->label) {
    /* the part's label (別添) above the text block, right-aligned */
    const kh_layout *L = b->L;
    kh_fixed base = baseline(b, 0) - L->line_pitch * 2;
    kh_fixed x1 = 0, x2 = 0;
    if ((ret = emit_text(b, "label", b->part->label, base, &x1, &x2)) != KH_OK) return ret;
    if (b->tpl && b->tpl->label_box) {
      kh_fixed pad = L->grid_size / 2;
      kh_fixed top = base - EM_ASCENT(L->grid_size) - pad / 2;
      ret = rect(b, x1 - pad, top, x2 + pad, top + L->grid_size + pad);
    }
  }
  b->part_first_page = 0;
  return ret;
}

/* Makes room for `need` grid lines, opening a new page when they do not fit
 * (and would fit on a fresh page). */
static kh_status room(builder *b, int need) {
  if (!b->page_open) return page_open(b);
  if (b->k + need > b->L->grid_lines && b->k > 0) return page_open(b);
  return KH_OK;
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
  case P_TABLE: return p->nlines < 2 ? p->nlines : 2;
  default: return 1;
  }
}

static kh_status place_para(builder *b, const piece *p, int next_lines) {
  const kh_layout *L = b->L;
  const kh_pstyle *st = p->st;
  kh_status ret = KH_OK;
  if (b->k > 0) b->k += st->space_before;
  int need = head_lines(p);
  if (st->keep_with_next && next_lines) /* a heading stays with what follows */
    need = p->nlines + next_lines;
  if (need > L->grid_lines) need = p->nlines < L->grid_lines ? p->nlines : L->grid_lines;
  if ((ret = room(b, need)) != KH_OK) return ret;
  if (st->outline && p->node->text.len) {
    kh_outline_entry e = {st->outline, NULL, (int)b->npages, line_top(b, b->k)};
    e.title = kh_arena_strndup(b->outline_out->arena, p->node->text.text, p->node->text.len);
    if (!e.title || (ret = kh_vec_push(&b->outline, e)) != KH_OK) return KH_NOMEM;
  }
  uint32_t n = p->lines.n;
  if (st->lines && (int)n <= st->lines) {
    /* 行取り: centre the block's em boxes in st->lines grid lines */
    kh_fixed top = line_top(b, b->k);
    kh_fixed span = L->line_pitch * (st->lines - 1) + L->grid_size;
    kh_fixed body = L->line_pitch * ((int)n - 1) + st->size;
    kh_fixed first = top + (span - body) / 2 + EM_ASCENT(st->size);
    for (uint32_t i = 0; i < n; i++)
      if ((ret = emit_line(b, &p->lines, i, p->x, first + L->line_pitch * (int)i)) != KH_OK)
        return ret;
    if (st->box && n) {
      kh_fixed x1 = p->x + L->text_w, x2 = p->x;
      for (uint32_t i = 0; i < n; i++) {
        const kh_line *ln = &p->lines.lines[i];
        if (p->x + ln->x0 < x1) x1 = p->x + ln->x0;
        if (p->x + ln->x0 + ln->width > x2) x2 = p->x + ln->x0 + ln->width;
      }
      kh_fixed pad = L->grid_size;
      ret = rect(b, x1 - pad, top - (L->line_pitch - L->grid_size) / 2, x2 + pad,
                 top + span + (L->line_pitch - L->grid_size) / 2);
      if (ret != KH_OK) return ret;
    }
    b->k += st->lines;
  } else {
    for (uint32_t i = 0; i < n; i++) {
      /* a page ends when it is full, or a line early when only the
       * paragraph's last line would be carried over */
      int rows = L->grid_lines - b->k;
      if (rows <= 0 || (n - i == 2 && rows == 1 && i >= 2)) {
        if ((ret = page_open(b)) != KH_OK) return ret;
      }
      kh_fixed base = baseline(b, b->k) + (st->size - L->grid_size) / 2;
      if ((ret = emit_line(b, &p->lines, i, p->x, base)) != KH_OK) return ret;
      b->k++;
    }
  }
  b->k += st->space_after;
  return KH_OK;
}

static kh_status place_table(builder *b, const piece *p) {
  const kh_layout *L = b->L;
  const table *tb = p->tbl;
  kh_fixed half = (L->line_pitch - L->grid_size) / 2;
  kh_status ret = KH_OK;
  int need = p->nlines <= L->grid_lines ? p->nlines : tb->rowlines[0];
  if ((ret = room(b, need)) != KH_OK) return ret;
  for (int r = 0; r < tb->nrows; r++) {
    int rl = tb->rowlines[r];
    int first_row_on_page = r == 0;
    if (b->k + rl > L->grid_lines) {
      if ((ret = page_open(b)) != KH_OK) return ret;
      first_row_on_page = 1;
    }
    kh_fixed top = line_top(b, b->k) - half;
    kh_fixed bot = line_top(b, b->k + rl) - half;
    if (first_row_on_page && (ret = rule(b, tb->colx[0], top, tb->colx[tb->ncols], top)) != KH_OK)
      return ret;
    if ((ret = rule(b, tb->colx[0], bot, tb->colx[tb->ncols], bot)) != KH_OK) return ret;
    for (int c = 0; c <= tb->ncols; c++)
      if ((ret = rule(b, tb->colx[c], top, tb->colx[c], bot)) != KH_OK) return ret;
    for (int c = 0; c < tb->ncols; c++) {
      const cell *cl = &tb->cells[r * tb->ncols + c];
      for (uint32_t i = 0; cl->node && i < cl->lines.n; i++)
        if ((ret = emit_line(b, &cl->lines, i, cl->x, baseline(b, b->k + (int)i))) != KH_OK)
          return ret;
    }
    b->k += rl;
  }
  return KH_OK;
}

static kh_status place(builder *b) {
  kh_status ret = KH_OK;
  const kh_layout *L = b->L;
  for (size_t i = 0; i < b->pieces.n; i++) {
    const piece *p = &b->pieces.v[i];
    if (b->part != p->part) { /* every part starts a page of its template */
      b->part = p->part;
      b->tpl = kh_layout_page(L, page_name(p->part));
      b->part_first_page = 1;
      if ((ret = page_open(b)) != KH_OK) return ret;
    }
    if ((ret = ensure(b, i)) != KH_OK) return ret;
    switch (p->kind) {
    case P_PARA: {
      /* look ahead along a chain of headings to the first block that is
       * not one: all of them stay together with its first lines */
      int follow = 0;
      for (size_t k = i; b->pieces.v[k].kind == P_PARA && b->pieces.v[k].st->keep_with_next &&
                         k + 1 < b->pieces.n && k < i + 4;
           k++) {
        if ((ret = ensure(b, k + 1)) != KH_OK) return ret;
        const piece *q = &b->pieces.v[k + 1];
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
      for (size_t k = i + 1; k < p->close; k++) {
        if ((ret = ensure(b, k)) != KH_OK) return ret;
        const piece *q = &b->pieces.v[k];
        need += q->nlines + (q->st ? q->st->space_before + q->st->space_after : 0);
      }
      if (need > L->grid_lines) need = 3;
      if ((ret = room(b, need)) != KH_OK) return ret;
      if (b->k == 0) b->k = 1;
      else b->k += 1;
      b->box_open = 1;
      b->box_page_k = b->k;
      break;
    }
    case P_BOX_CLOSE: {
      kh_fixed top = line_top(b, b->box_page_k) - (L->line_pitch * 2 - L->grid_size) / 2;
      kh_fixed bot = line_top(b, b->k) - (L->line_pitch - L->grid_size) / 2;
      if (b->box_page_k == 0) top = line_top(b, 0) - (L->line_pitch - L->grid_size) / 2;
      ret = rect(b, p->x, top, p->x + L->text_w, bot);
      b->box_open = 0;
      b->k += 1;
      break;
    }
    case P_RULE:
      if ((ret = room(b, 1)) != KH_OK) return ret;
      ret = rule(b, p->x, baseline(b, b->k) - L->grid_size / 3, p->x + L->text_w,
                 baseline(b, b->k) - L->grid_size / 3);
      b->k += 1;
      break;
    case P_PART:
      ret = page_open(b);
      break;
    }
    if (ret != KH_OK) return ret;
    release(b, i);
  }
  return page_close(b);
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
  *out = NULL;
  kh_outline *ol = calloc(1, sizeof *ol);
  b.outline_out = ol;
  b.page_arena = kh_arena_new();
  b.strings = kh_arena_new();
  if (!ol || !(ol->arena = kh_arena_new()) || !b.page_arena || !b.strings) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  for (const kh_part *part = doc->parts; part; part = part->next) {
    size_t before = b.pieces.n;
    KH_CHECK(collect(&b, part, part->body, layout->margin_left, layout->text_w, NULL, 1));
    if (b.pieces.n == before) { /* an empty part still gets its page */
      piece p = {0};
      p.kind = P_PART;
      p.part = part;
      KH_CHECK(add_piece(&b, p));
    }
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
  for (size_t i = 0; i < b.pieces.n; i++) release(&b, i); /* after a failure */
  kh_vec_free(&b.pieces);
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

void kh_page_trace(const kh_page *pg, uint32_t index, FILE *out) {
  fprintf(out, "page %u\n", index + 1);
  for (uint32_t i = 0; i < pg->n; i++) {
    const kh_item *it = &pg->items[i];
    switch (it->kind) {
    case KH_ITEM_GLYPHS:
      fprintf(out, "  text f%d %.2fpt @%.3f,%.3f \"", it->font, KH_FIXED_TO_PT(it->size),
              KH_FIXED_TO_PT(it->x), KH_FIXED_TO_PT(it->y));
      for (uint32_t g = 0; g < it->n; g++)
        fwrite(it->glyphs[g].text ? it->glyphs[g].text : "", 1, it->glyphs[g].text_len, out);
      fputs("\"\n", out);
      break;
    case KH_ITEM_IMAGE:
      fprintf(out, "  image f%d gid %u @%.3f,%.3f-%.3f,%.3f\n", it->font, it->glyphs[0].gid,
              KH_FIXED_TO_PT(it->x), KH_FIXED_TO_PT(it->y), KH_FIXED_TO_PT(it->x2),
              KH_FIXED_TO_PT(it->y2));
      break;
    case KH_ITEM_LINE:
      fprintf(out, "  line %.3f,%.3f-%.3f,%.3f\n", KH_FIXED_TO_PT(it->x), KH_FIXED_TO_PT(it->y),
              KH_FIXED_TO_PT(it->x2), KH_FIXED_TO_PT(it->y2));
      break;
    case KH_ITEM_LINK:
      fprintf(out, "  link %.3f,%.3f-%.3f,%.3f <%s>\n", KH_FIXED_TO_PT(it->x),
              KH_FIXED_TO_PT(it->y), KH_FIXED_TO_PT(it->x2), KH_FIXED_TO_PT(it->y2), it->href);
      break;
    }
  }
}
