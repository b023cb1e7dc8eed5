/* para: shaped glyph runs -> lines (Japanese line composition).
 *
 * Follows W3C JLReq (https://www.w3.org/TR/jlreq/) and JIS X 4051:
 * JLReq character classes, line breaking rules (kinsoku, §3.1.7, §3.1.8),
 * spacing between adjacent characters (§3.1.4, Appendix A), Japanese-Western
 * spacing (§3.2.2), and line adjustment (§3.8): push-in before push-out,
 * compress punctuation glue before Japanese-Western glue, expand
 * Japanese-Western glue and spaces before inter-character spacing.  ICU gives
 * the UAX #14 break opportunities; the JLReq tables in jlreq.c refine them. */
#ifndef KH_PARA_H
#define KH_PARA_H

#include "shape/shape.h"

/* A line: a range of the paragraph's glyphs with their final pen positions. */
typedef struct kh_line {
  uint32_t first, count; /* glyph range drawn (trailing spaces excluded) */
  kh_fixed *x;           /* pen x of each glyph, relative to the line origin */
  kh_fixed x0;           /* line origin relative to the paragraph's left edge
                            (indents, centring, right alignment) */
  kh_fixed width;        /* set width: end of the last character's box,
                            plus the half-em after a line-end 」。、 when it
                            is kept (then equal to x of last glyph + its
                            advance; x + advance - width = half an em when
                            that space was removed to fit) */
  kh_fixed natural;      /* width before justification (for the trace) */
  uint32_t text_start, text_end; /* bytes of the paragraph text it holds */
  int overfull;          /* no way to fit the measure was found */
  int hang;              /* the last glyph (、。) hangs past the measure
                            (ぶら下げ, JLReq 3.8.3): width exceeds it */
  int cont;              /* a verbatim line wrapped here: the shaped
                            paragraph's continuation mark (kh_shaped.cont)
                            is drawn at cont_x */
  kh_fixed cont_x;       /* pen x of the continuation mark, like x[] */
  kh_fixed max_gap;      /* the largest space added to one gap between two
                            characters by justification (0 when none) */
  const kh_glyph *hyphen; /* the line ends inside a Western word at a
                            hyphenation point: the hyphen set after its
                            last glyph (kh_shaped.hyphens), at pen x
                            hyphen_x like x[]; NULL otherwise.  Its width
                            is in `width` */
  kh_fixed hyphen_x;
} kh_line;

typedef struct kh_lines {
  const kh_shaped *sh;
  kh_line *lines;
  uint32_t n;
  /* A paragraph too long to hold composed at once (more than
   * KH_PARA_WINDOW bytes) is composed a window at a time (window.c), for a
   * caller that says it can place it so: it sets `window` and `from` (the
   * paragraph text offset to start at, 0 first) before composing; `next`
   * comes back as the offset the rest starts at, to be passed as `from`,
   * or 0 when these lines end the paragraph.  Callers that leave `window`
   * 0 get the whole paragraph in one piece. */
  uint8_t window;
  uint32_t from, next;
} kh_lines;

/* Bytes of paragraph text composed at once when windows are allowed: a
 * paragraph up to this long is composed whole (about 87,000 Japanese
 * characters, some 60 pages); a longer one in windows of this size (the
 * last up to an eighth longer), each but the last ending an eighth before
 * its end at a line break chosen in it, so its
 * lines are those of a paragraph of that length.  Memory is then that of
 * one window (about 230 bytes a character), not of the paragraph. */
#define KH_PARA_WINDOW (256u * 1024u)

/* The layout's choices for brackets and punctuation at line edges. */
enum {
  /* keep the half em before a line-start opening bracket (JLReq 3.1.5;
   * without it the bracket is set flush, 天付き) */
  KH_PARA_OPENING_HALF = 1u << 0,
  /* drop the half em after a line-end 」、。 so its ink ends on the measure
   * (JIS X 4051's 行末の約物半角; without it the half em stays inside the
   * measure, to be removed first when a line is pushed in) */
  KH_PARA_CLOSING_HALF = 1u << 1,
  /* choose each line's breaks one line at a time (first fit), not over the
   * whole paragraph (total fit, the default) */
  KH_PARA_FIRST_FIT = 1u << 2,
  /* a line-end 、。 may hang past the measure (ぶら下げ, JLReq 3.8.3) */
  KH_PARA_HANG = 1u << 3,
  /* Western words are not hyphenated (hyphen.c): one that does not fit
   * goes whole to the next line, or breaks, as a last resort, between two
   * letters with no hyphen */
  KH_PARA_NO_HYPHENATION = 1u << 4,
  /* a title or heading: lines break at phrase boundaries (phrase.c) */
  KH_PARA_PHRASES = 1u << 5
};

/* Breaks and justifies one paragraph with `options` (KH_PARA_*).
 * Allocates from arena. */
kh_status kh_para_compose(kh_ctx *ctx, kh_arena *arena, const kh_shaped *sh,
                          unsigned options, kh_lines *out);
/* Composes the window of a paragraph that `sh` holds (shaped from the
 * text offset `out->from` up to a window's end, window.c): like
 * kh_para_compose, then, unless `last` (the window reaches the
 * paragraph's end), keeps only the lines that end before the window's
 * last eighth, leaving two lines at least out, and sets out->next to
 * where the first line left out starts.  At least one line is kept.  The
 * caller drops the warnings of the lines left out (kh_diag_hold). */
kh_status kh_para_compose_window(kh_ctx *ctx, kh_arena *arena, const kh_shaped *sh,
                                 unsigned options, int last, kh_lines *out);
/* Whether a line break before paragraph text byte t would fall inside a
 * group ruby's base (ruby.c). */
int kh_para_inside_ruby(const kh_shaped *sh, uint32_t t);
/* One line per output line: the text with "|" at each break, then the
 * line's width and adjustment. */
void kh_para_trace(const kh_lines *lines, FILE *out);

/* ---- JLReq tables (jlreq.c), exposed for the unit tests ------------------*/
typedef enum kh_jclass {
  KH_CL_OPENING = 1,        /* cl-01 opening brackets 「（ */
  KH_CL_CLOSING = 2,        /* cl-02 closing brackets 」） */
  KH_CL_HYPHEN = 3,         /* cl-03 hyphens ‐〜 */
  KH_CL_DIVIDING = 4,       /* cl-04 dividing punctuation ？！ */
  KH_CL_MIDDLE_DOT = 5,     /* cl-05 middle dots ・：； */
  KH_CL_FULL_STOP = 6,      /* cl-06 full stops 。． */
  KH_CL_COMMA = 7,          /* cl-07 commas 、， */
  KH_CL_INSEPARABLE = 8,    /* cl-08 inseparable —…‥ */
  KH_CL_ITERATION = 9,      /* cl-09 iteration marks ヽゝ々 */
  KH_CL_PROLONGED = 10,     /* cl-10 prolonged sound mark ー */
  KH_CL_SMALL_KANA = 11,    /* cl-11 small kana ぁっャ */
  KH_CL_PREFIX = 12,        /* cl-12 prefixed abbreviations ¥＄ */
  KH_CL_POSTFIX = 13,       /* cl-13 postfixed abbreviations ％℃ */
  KH_CL_IDEO_SPACE = 14,    /* cl-14 ideographic space */
  KH_CL_HIRAGANA = 15,      /* cl-15 */
  KH_CL_KATAKANA = 16,      /* cl-16 */
  KH_CL_MATH_SYMBOL = 17,   /* cl-17 ＝≠ */
  KH_CL_MATH_OP = 18,       /* cl-18 ＋−×÷ */
  KH_CL_IDEOGRAPHIC = 19,   /* cl-19 kanji and other full-width characters */
  /* cl-20..23, 25, 28..30 depend on context, never on the code point alone:
   * kh_jlreq_class never returns them; composition (or the stage that
   * knows the context: ruby, warichu) assigns them to units */
  KH_CL_REFERENCE = 20,     /* cl-20 characters of a reference mark (合印:
                               a footnote reference's number) */
  KH_CL_ORNAMENTED = 21,    /* cl-21 a base character with a superscript or
                               subscript (添え字付き親文字) */
  KH_CL_RUBY_MONO = 22,     /* cl-22 base characters of mono- or group ruby
                               (熟語ルビ以外のルビ付き親文字群) */
  KH_CL_RUBY_JUKUGO = 23,   /* cl-23 base characters of jukugo ruby */
  KH_CL_NUMERAL = 24,       /* cl-24 grouped numerals (digits) */
  KH_CL_UNIT = 25,          /* cl-25 unit symbols ("km" right after a
                               numeral; ㎏ alone is cl-13, Appendix A) */
  KH_CL_WESTERN_SPACE = 26, /* cl-26 Western word space */
  KH_CL_WESTERN = 27,       /* cl-27 Western characters */
  KH_CL_WARICHU_OPENING = 28, /* cl-28 the opening bracket of 割注 */
  KH_CL_WARICHU_CLOSING = 29, /* cl-29 the closing bracket of 割注 */
  KH_CL_TATECHUYOKO = 30    /* cl-30 characters set horizontally in vertical
                               text (縦中横) */
} kh_jclass;

kh_jclass kh_jlreq_class(int32_t cp);
/* May a line break between a and b (by JLReq's rules alone)? */
int kh_jlreq_may_break(kh_jclass a, kh_jclass b);

/* ---- internal to para/: the spacing tables jlreq.c gives compose.c ------
 * Spacing groups: how a character takes part in inter-character spacing.
 * Punctuation with a half-em ink box (OPEN, CLOSE, STOP, MIDDLE) only when
 * its glyph is full-width; a proportional glyph is Western. */
typedef enum kh_jgroup {
  KH_JG_JA = 0,  /* kana, kanji (cl-09..11, 15, 16, 19) */
  KH_JG_OTHER,   /* other full-width characters (cl-03, 04, 08, 12..14, 17, 18) */
  KH_JG_WEST,    /* Western characters and numerals (cl-24, 25, 27) */
  KH_JG_OPEN,    /* cl-01 */
  KH_JG_CLOSE,   /* cl-02 and cl-07 */
  KH_JG_STOP,    /* cl-06 */
  KH_JG_MIDDLE,  /* cl-05 */
  KH_JG_COUNT
} kh_jgroup;

/* Adjustment tiers, spent in this order (JLReq 3.8.3, 3.8.4). */
enum {
  KH_SHRINK_NONE = 0,
  KH_SHRINK_SPACE,  /* Western word spaces, down to a quarter em */
  KH_SHRINK_MIDDLE, /* quarter em around middle dots */
  KH_SHRINK_PUNCT,  /* half em before 「 and after 」、 */
  KH_SHRINK_JW,     /* Japanese-Western quarter em, down to an eighth */
  KH_STRETCH_NONE = 0,
  KH_STRETCH_SPACE, /* Western word spaces, up to half an em */
  KH_STRETCH_JW     /* Japanese-Western quarter em, up to half an em */
};

/* Glue between two adjacent characters, in eighths of an em. */
typedef struct kh_jglue {
  uint8_t nat, shrink, stretch, shrink_tier, stretch_tier;
} kh_jglue;

/* The box model of a group, in eighths of an em: the box is the advance
 * less `trim`; the glyph's pen is `pen` from the box's start; `lead` is the
 * space before it at a line start, `end` the space after it at a line end
 * (removable when `end_removable`). */
typedef struct kh_jbox {
  int8_t trim, pen, lead, end, end_removable;
} kh_jbox;

/* Letter-spacing (JLReq 3.8.4 c, d) between two characters. */
typedef enum kh_spread {
  KH_SPREAD_OK = 0,   /* may be spaced out */
  KH_SPREAD_LAST,     /* only when nothing else on the line can be */
  KH_SPREAD_NEVER     /* never (inseparable characters) */
} kh_spread;

kh_jgroup kh_jlreq_group(kh_jclass c, int fullwidth);
const kh_jglue *kh_jlreq_glue(kh_jgroup a, kh_jgroup b);
const kh_jbox *kh_jlreq_box(kh_jgroup g);
kh_spread kh_jlreq_spread(kh_jclass a, kh_jclass b);

/* The ICU version for kumihan --version (para/version.c). */
void kh_para_versions(kh_buf *out);

#endif
