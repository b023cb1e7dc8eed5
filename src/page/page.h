/* page: lines -> blocks on pages.
 *
 * Places each block's lines on the page's line grid (hanmen: characters per
 * line x lines per page at a fixed pitch), with 行取り for headings, ruled
 * boxes, ruled tables, page templates (folio, part label), and breaks pages
 * keeping headings with what follows.  Produces positioned items for pdf/. */
#ifndef KH_PAGE_H
#define KH_PAGE_H

#include "para/para.h"

/* Composes one leaf block at a measure, allocating from `arena`: the driver
 * chains style -> shape -> para for the page builder, which never calls
 * those stages itself. */
typedef kh_status (*kh_compose_fn)(void *user, kh_arena *arena, const kh_node *node,
                                   const kh_pstyle *style, const char *marker,
                                   kh_fixed measure, kh_writing_mode mode, kh_lines *out);

typedef struct kh_pglyph {
  uint32_t gid;
  kh_fixed x;         /* pen position on the page, from the left edge */
  kh_fixed adv;       /* advance as drawn */
  kh_fixed dy;        /* vertical offset from the run's baseline */
  const char *text;   /* the characters of its cluster, for ToUnicode and
                         text extraction; len 0 for the second and later
                         glyphs of a cluster */
  uint32_t text_len;
} kh_pglyph;

typedef enum kh_item_kind {
  KH_ITEM_GLYPHS, /* a run of glyphs of one font and size on one baseline */
  KH_ITEM_IMAGE,  /* a colour glyph drawn as its PNG */
  KH_ITEM_LINE,   /* a straight rule */
  KH_ITEM_LINK    /* a link annotation over a rectangle */
} kh_item_kind;

/* What a drawn item is to the structure of the document (the tagged PDF):
 * content of its node, or page furniture (an Artifact). */
enum {
  KH_ITEM_ARTIFACT = 1u << 0, /* page furniture: folio, running head, label
                                 box, rules, frames, emphasis dots */
  KH_ITEM_MARKER = 1u << 1,   /* a list item's marker (Lbl), not its body */
  KH_ITEM_RUBY = 1u << 2,     /* GLYPHS: ruby text (RT) over the base text
                                 [base_start, base_end) of `node` (the RB);
                                 kept out of the text flow (ActualText) */
  KH_ITEM_EMPHASIS = 1u << 3, /* GLYPHS: 圏点 sesame dots (with ARTIFACT) over
                                 [base_start, base_end) of `node` */
  /* GLYPHS of a vertical page (縦組), on the paper (kh_page_vertical):
   * UPRIGHT: glyphs standing in a column: x is the column's centre line,
   *   each glyph's x its pen down the page (the top of its em box, the
   *   PDF's vertical origin) and dy its offset across, rightwards;
   * SIDEWAYS: horizontal glyphs turned 90° clockwise: x is their baseline,
   *   each glyph's x its pen down the page, dy its offset across,
   *   rightwards;
   * TCY: 縦中横, a short number set across the column: an ordinary
   *   horizontal run (hscale narrows it to the em when it is wider). */
  KH_ITEM_UPRIGHT = 1u << 4,
  KH_ITEM_SIDEWAYS = 1u << 5,
  KH_ITEM_TCY = 1u << 6,
  /* GLYPHS (with ARTIFACT): the hyphen at the end of a line broken inside
   * a Western word (kh_line.hyphen): kept out of the text flow
   * (ActualText), so copy and search give the word whole */
  KH_ITEM_HYPHEN = 1u << 7
};

/* Coordinates in kh_fixed points, origin at the page's top-left corner,
 * y growing downwards; pdf/ flips them. */
typedef struct kh_item {
  kh_item_kind kind;
  unsigned flags;     /* KH_ITEM_ARTIFACT, KH_ITEM_MARKER */
  const kh_node *node;/* the document node it was drawn for; NULL for
                         artifacts */
  int font;           /* GLYPHS, IMAGE: index into the fontset */
  kh_fixed size;      /* GLYPHS, IMAGE */
  kh_fixed x, y;      /* GLYPHS: baseline y; IMAGE: top-left; LINE: start;
                         LINK: top-left */
  kh_fixed x2, y2;    /* LINE: end; IMAGE, LINK: bottom-right */
  kh_fixed width;     /* LINE: stroke width */
  kh_pglyph *glyphs;  /* GLYPHS; IMAGE: exactly one */
  uint32_t n;
  const char *href;   /* LINK: the URI; for a link inside the document
                         (dest set) what it leads to, for its /Contents */
  const void *dest;   /* LINK: a link inside the document, to the anchor
                         (kh_anchor) of this key, on this page or another */
  uint32_t base_start, base_end; /* KH_ITEM_RUBY, KH_ITEM_EMPHASIS: the base
                                    these stand over, bytes of node's text */
  const char *image;  /* IMAGE of a figure: its file (font -1, no glyph);
                         NULL for a colour glyph */
  const kh_mark *mark;/* GLYPHS, IMAGE, LINK: the link, footnote reference
                         or ruby of node's text that the item draws (for a
                         KH_ITEM_RUBY reading, its base's ruby), or NULL:
                         a run is split where this changes, so the tagged
                         PDF can give it its own element */
  uint32_t line;      /* GLYPHS, IMAGE of the text of a line (not its ruby
                         or dots): the line's number on the page, from 1,
                         so that pdf/ can give a vertical column that holds
                         sideways or 縦中横 text one ActualText; 0 else */
  int hscale;         /* GLYPHS: horizontal scale in 1/1000 (縦中横 of
                         three or four digits); 0 is 1000 */
} kh_item;

typedef struct kh_outline_entry {
  int level;          /* 1 = top */
  const char *title;  /* UTF-8, NUL-terminated */
  int page;           /* 0-based */
  kh_fixed y;         /* top of the heading on its page */
} kh_outline_entry;

/* A place a link inside the document leads to: a footnote (its key is the
 * KH_NODE_FOOTNOTE) or a footnote reference (the KH_MARK_FOOTREF mark). */
typedef struct kh_anchor {
  const void *key;
  kh_fixed x, y;      /* top-left of what it marks */
} kh_anchor;

typedef struct kh_page {
  kh_item *items;
  uint32_t n;
  kh_fixed width, height; /* the paper, from the page's frame */
  int grid_lines;         /* lines of the page's grid */
  int lines_used;         /* grid lines the text block uses (the last one
                             holding anything, spacing included) */
  kh_anchor *anchors;
  uint32_t nanchors;
  int note_lines;         /* grid lines of the footnote area at the foot */
  const char *short_why;  /* why the text ends before the grid's last line
                             (a rule that forced it), or NULL when full */
  /* how far the page builder has read the document: the items come from
   * the blocks of the parts before `part` and of `part` before its
   * top-level block `next` (NULL: all of it), and the footnotes of those
   * parts; part NULL: from anywhere (every block is read, or the page was
   * made by hand) */
  const kh_part *part;
  const kh_node *next;
} kh_page;

/* The frame of a page: where its text goes.  Made from the page template's
 * geometry (kh_geometry) when a part starts; every position on the page is
 * computed from it.
 *
 *   +------------------- width -------------------+
 *   |            running head (2 lines up)        |
 *   |   left  +------- measure = em*chars ---+    |
 *   |  ------>| line 0   top of its em box   |    |
 *   |         | line 1   +pitch              |    |
 *   |         | ...                          |    |
 *   |         | line lines-1                 |    |
 *   |         +------------------------------+    |
 *   |            running foot (2 lines down)      |
 *   +---------------------------------------------+
 *
 * A block's height is a whole number of grid lines (a line takes one, a
 * heading its 行取り, a figure or table the lines its height rounds up to),
 * so text after it stays on the grid. */
typedef struct kh_frame {
  kh_fixed page_w, page_h;  /* the paper */
  kh_fixed left, top;       /* the text block's top-left corner: the left
                               of its lines, the top of the first line's
                               em box */
  kh_fixed measure;         /* line length: em * chars */
  kh_fixed height;          /* pitch * (lines - 1) + em */
  kh_fixed em;              /* the grid's em (body size) */
  kh_fixed pitch;           /* baseline to baseline (行送り) */
  int lines, chars;
  kh_writing_mode writing_mode;
  kh_fixed right;           /* vertical: the paper x of the first column's
                               right edge */
} kh_frame;
/* Vertical writing (縦組) uses the same frame: the page builder sets a
 * vertical page as a horizontal one turned 90° clockwise, its lines the
 * columns, and kh_page_vertical turns the finished items onto the paper.
 * The frame's left is then the paper y of the columns' top, its top the
 * logical y that maps to `right`:
 *
 *      paper x = right - (y - top),   paper y = x
 *
 *   +------------------------------------------+
 *   |   col lines-1 ...  col 1   col 0         |
 *   |   +--------------------------------+ <- left (paper y)
 *   |   |  |        |  |       |  |      |     |
 *   |   |  v        |  v       |  v      |     |
 *   |   +--------------------------------+     |
 *   |                                 right ^  |
 *   +------------------------------------------+ */

/* The frame of a template's geometry. */
kh_frame kh_frame_of(const kh_geometry *geom);
/* The text block of a vertical frame as a horizontal frame on the paper
 * (for the running heads and folios, which stay horizontal in the margin);
 * a horizontal frame as it is. */
kh_frame kh_frame_paper(const kh_frame *frame);
/* Turns a vertical page's items [0, n), set as a horizontal page in
 * `frame`, onto the paper (see KH_ITEM_UPRIGHT). */
void kh_page_vertical(kh_item *items, size_t n, const kh_frame *frame);

/* Receives each page as soon as it is finished, in order.  The page and
 * everything it points to are freed when the call returns, so a long
 * document never holds more than a page or two in memory. */
typedef kh_status (*kh_page_sink_fn)(void *user, const kh_page *page, uint32_t index);

typedef struct kh_outline {
  kh_arena *arena;   /* owns the titles */
  kh_outline_entry *entries;
  uint32_t n;
} kh_outline;

/* Lays out the document on pages of its templates' frames, handing each
 * page to `sink`; *out gets the outline (the headings' pages and places). */
kh_status kh_page_build(kh_ctx *ctx, const kh_doc *doc, const kh_layout *layout,
                        kh_compose_fn compose, kh_page_sink_fn sink, void *user,
                        kh_outline **out);
void kh_outline_drop(kh_outline *outline);

/* Internal to page/ (annot.c): the ruby and sesame dots over line `li`,
 * whose glyphs start at page x `left` on baseline `base`; each item is
 * handed to `add`. */
kh_status kh_page_annots(kh_arena *A, const kh_lines *ls, uint32_t li, kh_fixed left,
                         kh_fixed base, kh_status (*add)(void *user, kh_item it),
                         void *user);
/* How far the annotations over line `li` reach above its em box: the
 * largest ruby or 圏点 size standing on the line (0 when none). */
kh_fixed kh_page_annot_height(const kh_lines *ls, uint32_t li);
/* The "pages" trace of one page: positioned runs, rules, images, links. */
void kh_page_trace(const kh_page *page, uint32_t index, FILE *out);

#endif
