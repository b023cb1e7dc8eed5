/* page: vertical writing (縦組) on the paper.
 *
 * The page builder sets a vertical page as a horizontal one, its lines the
 * columns, and this file turns the finished page a quarter turn clockwise
 * onto the paper (kh_frame): the start of a line goes to the top of its
 * column, the line's "up" (where ruby and 圏点 stand) to the column's right
 * (JLReq 3.3.2: ruby of vertical text stands on its right), the next line
 * to the left.  So every composition rule holds along the column as it
 * holds along the line.  What the turn would get wrong is set right here:
 * upright glyphs stand upright in their em boxes, 縦中横 numbers are set
 * across the column, figures keep their shape. */
#include "page/page.h"

#define EM_ASCENT(size) kh_fixed_muldiv((size), 880, 1000)

kh_frame kh_frame_paper(const kh_frame *F) {
  if (F->writing_mode != KH_WRITING_VERTICAL) return *F;
  kh_frame p = *F;
  p.writing_mode = KH_WRITING_HORIZONTAL;
  p.left = F->right - F->height;
  p.top = F->left;
  p.measure = F->height;
  p.height = F->measure;
  p.right = 0;
  return p;
}

/* The paper x of a logical y. */
static kh_fixed paper_x(const kh_frame *F, kh_fixed y) { return F->right - (y - F->top); }

/* The centre line of the column whose em box has its baseline at y. */
static kh_fixed centre_of(const kh_frame *F, kh_fixed base, kh_fixed size) {
  return paper_x(F, base - EM_ASCENT(size) + size / 2);
}

/* A 縦中横 group: its glyphs' own advances (in adv) side by side, centred
 * on the column, narrowed to the em when they are wider (JLReq 3.2.4). */
static void across(const kh_frame *F, kh_item *it) {
  kh_fixed cell = it->glyphs[0].x, w = 0;
  for (uint32_t i = 0; i < it->n; i++) w += it->glyphs[i].adv;
  int64_t scale = w > it->size ? kh_fixed_muldiv(1000, it->size, w) : 1000;
  kh_fixed x = centre_of(F, it->y, it->size) - kh_fixed_muldiv(w, scale, 1000) / 2;
  for (uint32_t i = 0; i < it->n; i++) {
    kh_pglyph *g = &it->glyphs[i];
    g->adv = kh_fixed_muldiv(g->adv, scale, 1000);
    g->x = x;
    g->dy = 0;
    x += g->adv;
  }
  it->hscale = scale < 1000 ? (int)scale : 0;
  it->x = it->glyphs[0].x;
  it->y = cell + EM_ASCENT(it->size);
}

/* A rectangle [x, x2] x [y, y2] on the paper. */
static void turn_box(const kh_frame *F, kh_item *it) {
  kh_fixed x = it->x, x2 = it->x2, y = it->y, y2 = it->y2;
  it->x = paper_x(F, y2);
  it->x2 = paper_x(F, y);
  it->y = x;
  it->y2 = x2;
}

/* A figure keeps its shape: it is drawn upright, as large as the turned
 * box allows, centred in it. */
static void upright_image(const kh_frame *F, kh_item *it) {
  kh_fixed w = it->x2 - it->x, h = it->y2 - it->y; /* the image's own */
  turn_box(F, it);
  kh_fixed bw = it->x2 - it->x, bh = it->y2 - it->y;
  if (w <= 0 || h <= 0) return;
  kh_fixed iw = bw, ih = kh_fixed_muldiv(bw, h, w);
  if (ih > bh) {
    ih = bh;
    iw = kh_fixed_muldiv(bh, w, h);
  }
  it->x += (bw - iw) / 2;
  it->y += (bh - ih) / 2;
  it->x2 = it->x + iw;
  it->y2 = it->y + ih;
}

void kh_page_vertical(kh_item *items, size_t n, const kh_frame *F) {
  for (size_t i = 0; i < n; i++) {
    kh_item *it = &items[i];
    switch (it->kind) {
    case KH_ITEM_GLYPHS:
      if (it->flags & KH_ITEM_TCY) {
        across(F, it);
        break;
      }
      if (it->flags & KH_ITEM_SIDEWAYS) it->x = paper_x(F, it->y);
      else {
        it->flags |= KH_ITEM_UPRIGHT;
        it->x = centre_of(F, it->y, it->size);
      }
      /* offsets across the line ran down it, towards the next line: now
       * towards the next column, leftwards */
      for (uint32_t k = 0; k < it->n; k++) it->glyphs[k].dy = -it->glyphs[k].dy;
      it->y = it->n ? it->glyphs[0].x : 0;
      break;
    case KH_ITEM_IMAGE:
      if (it->image) upright_image(F, it);
      else turn_box(F, it); /* a colour glyph: its em box */
      break;
    case KH_ITEM_LINK: turn_box(F, it); break;
    case KH_ITEM_LINE: {
      kh_fixed x = it->x, x2 = it->x2;
      it->x = paper_x(F, it->y);
      it->x2 = paper_x(F, it->y2);
      it->y = x;
      it->y2 = x2;
      break;
    }
    }
  }
}
