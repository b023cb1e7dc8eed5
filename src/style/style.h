/* style: document tree -> styled runs.
 *
 * Reads the layout (layout/<name>.yaml: page, grid, fonts, composite faces,
 * paragraph styles, page templates) and resolves every leaf block into a
 * paragraph style plus runs of text that each have one font, size and
 * script.  Composite fonts in the manner of LuaTeX-ja's jfont/Latin pair or
 * InDesign's composite fonts: a face names one font per script. */
#ifndef KH_STYLE_H
#define KH_STYLE_H

#include "doc/doc.h"

/* Scripts a composite face assigns fonts by. */
typedef enum kh_script {
  KH_SCRIPT_JA = 0,   /* kana, kanji, full-width forms, CJK punctuation */
  KH_SCRIPT_LATIN,    /* Latin letters, digits, ASCII punctuation, space */
  KH_SCRIPT_EMOJI,    /* emoji presentation characters */
  KH_SCRIPT_COUNT
} kh_script;

/* Script of a code point, from ICU's Script and East_Asian_Width
 * properties and Emoji_Presentation: the one place that decides which font
 * of a composite face sets a character (para's JLReq class table agrees
 * with it).  The styled runs resolve dashes and quotation marks by their
 * context instead. */
kh_script kh_script_of(int32_t cp);
/* Dashes and quotation marks (‐ – — ‘ ’ “ ”): no script of their own;
 * Western between Western characters, else Japanese, where JLReq sets them
 * full-width (cl-08, cl-01/02, cl-03). */
int kh_script_neutral(int32_t cp);

/* A font file the layout names; shape/ loads it, by index. */
typedef struct kh_font_ref {
  const char *name;  /* layout name, e.g. "mincho" */
  const char *path;  /* resolved file path */
  kh_srcpos pos;     /* where the layout names it, for diagnostics */
  int system;        /* found through fontconfig among the system's fonts,
                        so not confined to the publication's folders */
} kh_font_ref;

/* A composite face: one font (index into kh_layout.fonts) per script. */
typedef struct kh_face {
  const char *name;
  int font[KH_SCRIPT_COUNT];
  int latin_scale;      /* size factor for Latin, in thousandths */
  int latin_rise;       /* baseline shift of Latin, in thousandths of an em,
                           upwards, to align a Latin face with the
                           Japanese one as LuaTeX-ja's yjabaselineshift */
} kh_face;

typedef struct kh_pstyle {
  const char *name;
  int face;            /* index into kh_layout.faces */
  int strong_face;     /* face for **strong** text (Japanese has no faux
                          bold: bold switches to the Gothic face) */
  int code_face;       /* face for `code` spans */
  kh_fixed size;       /* font size */
  kh_align align;
  kh_fixed indent;     /* first-line indent, relative to `left` (may be <0) */
  kh_fixed indent_after_heading; /* first-line indent directly after a
                                    heading (JLReq 4.3.5: some houses set
                                    none); equals indent unless the layout
                                    says otherwise */
  kh_fixed left;       /* left indent of every line */
  kh_fixed right;      /* right indent */
  int space_before;    /* in grid lines */
  int space_after;
  int lines;           /* 行取り: grid lines the block occupies, 0 = as needed */
  int box;             /* draw a ruled box around the block */
  int keep_with_next;  /* headings */
  int outline;         /* 0: not in the PDF outline; else its level */
  const char *marker;  /* list items: the bullet of every level (e.g. "・"),
                          or NULL */
  const char **bullets;/* list items: bullet per nesting level */
  int nbullets;
  const char **numbers;/* list items: number format per level ("1.", "(1)",
                          "①", "ア", "(ア)"; see style/list.c) */
  int nnumbers;
  kh_fixed marker_gap; /* list items: space between a number and the text */
} kh_pstyle;

/* The direction lines run in: horizontal (横組), or vertical (縦組): lines
 * are columns, top to bottom, set right to left on the same frame. */
typedef enum kh_writing_mode { KH_WRITING_HORIZONTAL = 0, KH_WRITING_VERTICAL = 1 } kh_writing_mode;

/* The geometry of a page: the paper, and on it the text block (hanmen) as
 * a line grid.  The layout's top-level `page:` and `grid:` give the
 * default; a page template may override any of it. */
typedef struct kh_geometry {
  kh_fixed page_w, page_h;  /* the paper as printed (orientation applied) */
  int landscape;            /* page_w > page_h was asked for */
  kh_fixed margin_top;      /* top of the first grid line's em box */
  kh_fixed margin_left;     /* left edge of the text block */
  int grid_chars;           /* characters per line (body size) */
  int grid_lines;           /* lines per page */
  kh_fixed grid_size;       /* the grid's em */
  kh_fixed line_pitch;      /* baseline to baseline */
  kh_fixed text_w, text_h;  /* derived text block, along and across its
                               lines: in vertical writing text_w is the
                               block's height on the paper, text_h its width */
  kh_writing_mode writing_mode; /* margin_left and margin_top are on the
                                   paper in either mode */
} kh_geometry;

/* Where a running head or foot field stands on its line. */
enum { KH_SLOT_LEFT = 0, KH_SLOT_CENTER, KH_SLOT_RIGHT, KH_SLOT_COUNT };

/* A page template: the page's geometry, and what is printed around the
 * text block.  Head and foot slots are texts with fields: {page},
 * {pages}, {title}, {part}, {section}, {date}, {label}. */
typedef struct kh_page_tpl {
  const char *name;
  kh_geometry geom;
  int folio;           /* print the page number at the foot (the same as
                          foot: {center: "{page}"}) */
  int label_box;       /* draw the part's label (別添) in a box, top right */
  const char *head[KH_SLOT_COUNT]; /* running head, above the text block */
  const char *foot[KH_SLOT_COUNT]; /* running foot, below it */
  kh_srcpos pos;
} kh_page_tpl;

/* `emphasis:` in the layout: the Gothic face (as **strong**), or 圏点
 * sesame dots over each character (JLReq 3.2). */
enum { KH_EMPHASIS_GOTHIC = 0, KH_EMPHASIS_SESAME = 1 };
/* How digits are set in table cells, so that a column of numbers lines up
 * (layout key table-figures). */
typedef enum kh_table_figures {
  KH_FIGURES_PROPORTIONAL = 0, /* as the Latin font has them */
  KH_FIGURES_TNUM,             /* the Latin font's tabular figures (OpenType
                                  'tnum') */
  KH_FIGURES_FIXED             /* the Japanese font's fixed-pitch (half-em)
                                  digits */
} kh_table_figures;

typedef struct kh_layout {
  kh_arena *arena;
  const char *name;
  /* the default geometry (also in `geom`), for pages of no template */
  kh_geometry geom;
  kh_fixed page_w, page_h;
  kh_fixed margin_top;      /* top of the first grid line's em box */
  kh_fixed margin_left;     /* derived: the text block is centred */
  int grid_chars;           /* characters per line (body size) */
  int grid_lines;           /* lines per page */
  kh_fixed grid_size;       /* body font size, the grid's em */
  kh_fixed line_pitch;      /* baseline to baseline */
  kh_fixed text_w, text_h;  /* derived text block */
  kh_fixed rule_width;      /* tables, boxes */
  int line_start_opening_half; /* JLReq 3.1.5: keep the half em before a
                                  line-start opening bracket */
  int line_end_closing_half;    /* set a line-end 」、。 half-width, its ink
                                  on the measure (JIS X 4051 行末約物半角) */
  int emphasis;             /* KH_EMPHASIS_*: how *emphasis* is set */
  int first_fit;            /* line-breaking: first-fit (default total-fit) */
  int hanging_punctuation;  /* hanging-punctuation: true (ぶら下げ, JLReq
                               3.8.3): a line-end 、。 may hang */
  int hyphenation;          /* hyphenation: a Western word may break at a
                               hyphenation point with a hyphen at the line
                               end (JIS X 4051, JLReq 3.1.10); true unless
                               the layout says false */
  kh_table_figures table_figures; /* digits in table cells */
  kh_srcpos table_figures_pos; /* where the layout sets it (diagnostics) */
  int tcy_digits;           /* tate-chu-yoko: a number of up to this many
                               digits is set across the column in vertical
                               text (縦中横, JLReq 3.2.4, cl-30); 0 = none,
                               default 2, at most 4 */
  int upright_latin;        /* upright-latin: in vertical text, a Western
                               word of up to this many letters standing
                               alone (JR, NHK) is set upright, a letter to
                               an em (JLReq 3.2.4); 0 = none (default) */
  int pdf_a;                /* write a PDF/A-2u file (XMP identification, an
                               sRGB output intent, no .notdef): `pdf-a`,
                               true unless the layout says false */
  int keep_hinting;         /* font-hinting: keep (embed TrueType
                               instructions; default drop) */
  kh_font_ref *fonts;
  int nfonts;
  int fallback[4];          /* fonts tried for characters a face lacks */
  int nfallback;
  kh_face *faces;
  int nfaces;
  kh_pstyle *styles;
  int nstyles;
  kh_page_tpl *pages;
  int npages;
  kh_page_tpl default_page; /* a part with no `page:`: the layout's
                               geometry, page number centred at the foot */
} kh_layout;

/* The style names the engine gives blocks, each with what triggers it
 * (style/names.c; docs/layout.md lists the same).  NULL-terminated. */
typedef struct kh_style_name {
  const char *name;
  const char *trigger;
} kh_style_name;
extern const kh_style_name kh_style_names[];
int kh_style_known(const char *name);
/* The layout file's top-level keys (docs/layout.md lists the same).
 * NULL-terminated. */
extern const char *const kh_layout_keys[];

/* Loads layout `name`: a path (it ends in .yaml or holds a '/') relative to
 * the folder of the file at `at`, else <name>.yaml along the layout search
 * path (base/search.c).  A layout not found is an error at `at` (the
 * front-matter line naming it) when known.  Unknown keys are errors at
 * their position. */
kh_status kh_layout_load_at(kh_ctx *ctx, const char *name, kh_srcpos at, kh_layout **out);
/* The same, with no position: a path is relative to the working folder. */
kh_status kh_layout_load(kh_ctx *ctx, const char *name, kh_layout **out);
/* The same from a source already read (the fuzz target's way in). */
kh_status kh_layout_parse(kh_ctx *ctx, const char *name, const kh_source *src,
                          kh_layout **out);
void kh_layout_drop(kh_layout *layout);
/* Style by name: "<page>.<name>" first when page is not NULL, then "<name>",
 * then "body" (never NULL once loaded). */
const kh_pstyle *kh_layout_style(const kh_layout *layout, const char *page,
                                 const char *name);
/* Template by name; NULL names the default template.  NULL when the layout
 * has no template of that name. */
const kh_page_tpl *kh_layout_page(const kh_layout *layout, const char *name);

/* The marker of item `number` (1-based) of a list at nesting `level`
 * (1 = outermost), from the `item` style's formats (or the defaults 1. (1)
 * ① ア (ア) and ・).  Writes NUL-terminated UTF-8 to out; returns its
 * length. */
int kh_style_list_marker(const kh_pstyle *item, int ordered, int level, int number, char *out,
                         size_t size);

/* ---- styled runs ---------------------------------------------------------*/
enum {
  KH_RUN_STRONG = 1u << 0,
  KH_RUN_LINK = 1u << 1,
  KH_RUN_CODE = 1u << 2,
  KH_RUN_STRIKE = 1u << 3,    /* 取消線: page draws a rule through it */
  KH_RUN_UNDERLINE = 1u << 4, /* page draws a rule under it */
  KH_RUN_FOOTREF = 1u << 5,   /* a footnote reference: set superscript */
  KH_RUN_TNUM = 1u << 6,      /* tabular figures: shape with OpenType 'tnum' */
  /* vertical text: how the run stands in its column (JLReq 3.2.4, UAX #50).
   * Neither: upright, shaped top to bottom with 'vert'/'vrt2' */
  KH_RUN_SIDEWAYS = 1u << 7,  /* set as horizontal text turned 90° clockwise */
  KH_RUN_TCY = 1u << 8,       /* 縦中横: set across the column in one em */
  KH_RUN_UPRIGHT = 1u << 9    /* Western letters set upright, each in an em
                                 of its own (shaped as 縦中横 of one) */
};

typedef struct kh_run {
  uint32_t start, end;  /* byte range in the paragraph text */
  int font;             /* index into layout->fonts (before fallback) */
  int fallback_face;    /* face whose other fonts shape/ may try */
  kh_fixed size;
  kh_script script;
  unsigned flags;
  const char *href;     /* KH_RUN_LINK */
  kh_fixed rise;        /* baseline shift upwards (the face's latin-rise) */
} kh_run;

/* A leaf block made ready for shaping. */
typedef struct kh_spara {
  const kh_node *node;      /* the block it comes from */
  const kh_pstyle *style;
  const char *text;         /* the text to typeset (marker included) */
  uint32_t len;
  uint32_t marker_len;      /* list marker bytes at the start of text */
  kh_run *runs;
  uint32_t nruns;
  kh_fixed measure;         /* line length available */
  kh_writing_mode writing_mode; /* vertical: shape/ sets upright runs top
                                   to bottom */
} kh_spara;

/* Splits one leaf node into runs under `style`; the paragraph measure is
 * `measure` less the style's indents.  Allocates from `arena`. */
kh_status kh_style_para(kh_ctx *ctx, kh_arena *arena, const kh_layout *layout,
                        const kh_node *node, const kh_pstyle *style,
                        const char *marker, kh_fixed measure, kh_writing_mode mode,
                        kh_spara *out);
/* A window of a styled paragraph, text [from, to) (a long paragraph is
 * shaped and composed a window at a time, para/window.c): sp's runs over
 * it, the first and last cut to it, with sp's whole text, so offsets stay
 * the paragraph's; `style` stands for sp's.  `from` and `to` fall between
 * characters.  Allocates from `arena`. */
kh_status kh_style_window(kh_arena *arena, const kh_spara *sp, const kh_pstyle *style,
                          uint32_t from, uint32_t to, kh_spara *out);
void kh_style_trace(const kh_layout *layout, const kh_spara *sp, FILE *out);

/* fontconfig and libyaml versions for kumihan --version (style/version.c). */
void kh_style_versions(kh_buf *out);

#endif
