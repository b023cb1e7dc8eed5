/* doc: content -> document tree.
 *
 * Reads a publication (a folder with publication.yaml, or one Markdown file),
 * each part's YAML front matter (libyaml through base's wrapper) and its
 * Markdown body (md4c, CommonMark + GFM tables).  md4c's types stay inside
 * doc/markdown.c.  Text keeps byte-accurate source positions for diagnostics.
 */
#ifndef KH_DOC_H
#define KH_DOC_H

#include "base/base.h"

/* Inline marks over a block's text.  Ranges are byte offsets [start, end). */
enum {
  KH_MARK_STRONG = 1u << 0,
  KH_MARK_EM = 1u << 1,
  KH_MARK_CODE = 1u << 2,
  KH_MARK_LINK = 1u << 3,
  KH_MARK_STRIKE = 1u << 4,   /* ~~text~~: 取消線, a rule through the text */
  KH_MARK_UNDERLINE = 1u << 5,/* an underline (傍線), where supported */
  KH_MARK_FOOTREF = 1u << 6,  /* a footnote reference: the mark covers the
                                 reference's printed number; `note` is the
                                 footnote it refers to */
  KH_MARK_RUBY = 1u << 7,     /* ruby over [start, end): `ruby` holds the
                                 reading(s) (composition issue) */
  KH_MARK_SESAME = 1u << 8    /* 圏点 over each base character */
};

typedef struct kh_mark {
  uint32_t start, end;
  unsigned flags;
  const char *href; /* for KH_MARK_LINK; NUL-terminated, in the doc arena */
  const struct kh_node *note; /* KH_MARK_FOOTREF: the KH_NODE_FOOTNOTE */
  const char *ruby;           /* KH_MARK_RUBY: the reading, UTF-8, NUL-
                                 terminated; readings of mono-ruby are
                                 separated by '|' */
} kh_mark;

/* A piece of text copied from the source: text[tstart..] came from byte
 * `soff` of the source.  Used to map a text offset back to file:line:col. */
typedef struct kh_segment {
  uint32_t tstart;
  uint32_t soff;
} kh_segment;

/* The text of one leaf block (paragraph, heading, table cell).  UTF-8, not
 * NUL-terminated in general (where it is the source's own bytes it points
 * into the source, kh_source.data, and is not copied); soft line breaks inside a paragraph have been
 * joined (no space between two Japanese characters, one space otherwise).
 * A hard line break (two trailing spaces or a backslash in Markdown) is the
 * byte '\n': the line must end there.  In a KH_NODE_CODE block '\n'
 * separates the code's lines, and spaces are kept as written. */
typedef struct kh_inline { /* pointers, then counts: no padding (a long
                              document has one per block) */
  const char *text;
  kh_mark *marks;
  kh_segment *segs;
  const kh_source *src;
  uint32_t len;
  uint32_t nmarks;
  uint32_t nsegs;
} kh_inline;

/* Source position of byte `off` of an inline's text. */
kh_srcpos kh_inline_pos(const kh_inline *in, uint32_t off);

typedef enum kh_node_kind {
  KH_NODE_PARA,       /* leaf: text, style */
  KH_NODE_HEADING,    /* leaf: text, level, style "h1".."h6" */
  KH_NODE_LIST,       /* container of LIST_ITEM; ordered, start */
  KH_NODE_LIST_ITEM,  /* container of blocks; marker text (page/ sets a
                         marker alone as a leaf of this kind, whose digits
                         style/ gives equal widths) */
  KH_NODE_BOX,        /* container: a ruled box (Markdown block quote) */
  KH_NODE_TABLE,      /* container of ROW */
  KH_NODE_ROW,        /* container of CELL; header flag */
  KH_NODE_CELL,       /* leaf: text, align */
  KH_NODE_RULE,       /* thematic break */
  KH_NODE_FIGURE,     /* leaf: an image; `image` its resolved path, `alt`
                         its alt text, text the caption (may be empty),
                         `number` the figure number (図1) */
  KH_NODE_CODE,       /* leaf: a code block, verbatim (see kh_inline);
                         `info` the info string (language), or NULL */
  KH_NODE_FOOTNOTE,   /* container of blocks: a footnote's text, kept in
                         kh_part.notes, referenced by KH_MARK_FOOTREF marks;
                         `label` its [^label], `number` its number */
  KH_NODE_CAPTION     /* leaf: a table's caption (an explicit construct,
                         not a heading), placed before the table */
} kh_node_kind;

typedef enum kh_align {
  KH_ALIGN_DEFAULT = 0,
  KH_ALIGN_LEFT,
  KH_ALIGN_CENTER,
  KH_ALIGN_RIGHT,
  KH_ALIGN_JUSTIFY
} kh_align;

/* A list item's task box (GFM task lists, `- [ ]` and `- [x]`). */
enum { KH_TASK_NONE = 0, KH_TASK_OPEN, KH_TASK_DONE };

typedef struct kh_node kh_node;
/* Fields in an order with no padding: a long document has a node for every
 * block (168 bytes, from 184). */
struct kh_node {
  kh_node_kind kind;
  int level;          /* heading level; list nesting depth (1 = outer) */
  const char *style;  /* paragraph style name looked up in the layout:
                         "body", "h2", "date", "title", "note", "cell" ...
                         Set by doc; NUL-terminated, static or arena. */
  kh_inline text;     /* leaf kinds only */
  int ordered;        /* lists */
  int start;          /* ordered lists: first number */
  unsigned char header; /* rows: part of the table head */
  unsigned char empty;  /* rows: every cell is empty (a head row kept only
                           to satisfy GFM syntax is not drawn) */
  unsigned char task;   /* list items: a GFM task box, KH_TASK_* */
  kh_align align;     /* cells */
  int number;         /* figures, footnotes: 1-based number */
  const char *image;  /* figures: the image file, resolved against the
                         Markdown file's folder */
  const char *alt;    /* figures: alt text (for the PDF's /Alt) */
  const char *info;   /* code blocks: info string */
  const char *label;  /* footnotes: the [^label] as written */
  kh_fixed width;     /* figures: width from the image title ("width=80mm"),
                         0 when not given */
  int width_permille; /* figures: width as a share of the measure
                         ("width=60%" = 600), 0 when not given */
  kh_srcpos pos;      /* where the block starts */
  kh_node *child;     /* first child (containers) */
  kh_node *next;      /* next sibling */
};

/* One part of a publication: its own front matter and body, starting on a
 * new page with its own page template. */
typedef struct kh_part kh_part;
struct kh_part {
  const kh_source *src;
  const char *layout;   /* layout name from front matter ("press-release") */
  kh_srcpos layout_pos; /* where it is named, for diagnostics */
  const char *page;     /* page template name within the layout, or NULL */
  kh_srcpos page_pos;   /* where the front matter names it */
  const char *title;    /* front matter; NULL when absent */
  const char *subtitle;
  const char *date_iso; /* "2022-03-31", for the PDF metadata */
  const char *issuer;   /* the first issuer line (the PDF's Author) */
  const char *label;    /* page label printed top right, e.g. "別添" */
  const char *lang;     /* language tag from front matter, or NULL */
  kh_node *notes;       /* footnote definitions (KH_NODE_FOOTNOTE), in
                           number order, linked by next */
  kh_node *body;        /* blocks; front matter is turned into leading and
                           trailing blocks with styles "date", "issuer",
                           "title", "subtitle", "contact-heading", "contact",
                           in the order a press release prints them */
  kh_part *next;
};

typedef struct kh_doc_store kh_doc_store;

typedef struct kh_doc {
  kh_arena *arena;   /* owns every node, string and array below but the
                        parts' top-level blocks, which `store` holds */
  kh_doc_store *store; /* the blocks, in groups that kh_doc_release gives
                          back */
  kh_part *parts;
  /* metadata for the PDF, from publication.yaml or the first part */
  const char *title;
  const char *author;
  const char *subject;
  const char *date_iso;
  const char *layout;
  kh_srcpos layout_pos; /* where the layout is named */
  const char *lang;  /* BCP 47 language tag; "ja" unless given */
} kh_doc;

/* Reads `path`: a directory with publication.yaml, or a Markdown file. */
kh_status kh_doc_load(kh_ctx *ctx, const char *path, kh_doc **out);
/* Reads one Markdown document from memory. */
kh_status kh_doc_load_memory(kh_ctx *ctx, const char *name, const char *data,
                             size_t len, kh_doc **out);
void kh_doc_drop(kh_doc *doc);
/* Lets kh_doc_release give storage back: for a document whose tree nothing
 * reads behind the page builder (the driver's, dropped once its pages are
 * made).  Without it kh_doc_release does nothing. */
void kh_doc_allow_release(kh_doc *doc);
/* The page builder is done with every top-level block of the parts before
 * `part` and with those of `part` before `next` (NULL: all of the part),
 * for good: their nodes, text, marks and segments, and the source text
 * only they came from, are given back (in groups of blocks, whole pages of
 * the source).  A read of released memory faults, in every build.  What
 * lives to the end stays: footnotes, the front matter's blocks and
 * metadata, and the source lines they come from.  Addresses of released
 * nodes and marks are never reused before kh_doc_drop, so they stay valid
 * as keys (never to be read through).  `doc` is const as the tree's
 * readers hold it; only its storage changes. */
void kh_doc_release(const kh_doc *doc, const kh_part *part, const kh_node *next);
/* Writes the tree as text (the "doc" trace). */
void kh_doc_trace(const kh_doc *doc, FILE *out);

/* Internal to doc/: parse one part's Markdown body (after front matter)
 * into its blocks and its footnotes (kh_part.notes).  The top-level blocks
 * go into groups of `store` (NULL: all into `arena`); the footnotes into
 * `arena`. */
kh_status kh_doc_parse_markdown(kh_ctx *ctx, kh_arena *arena, kh_doc_store *store,
                                const kh_source *src, uint32_t off,
                                kh_node **out, kh_node **notes);

/* The md4c version for kumihan --version (doc/version.c). */
void kh_doc_versions(kh_buf *out);

/* Internal to doc/: turns the ruby notations in a leaf's text into
 * KH_MARK_RUBY marks over the base text (ruby.c). */
kh_status kh_doc_ruby(kh_ctx *ctx, kh_arena *arena, kh_inline *in);

#endif
