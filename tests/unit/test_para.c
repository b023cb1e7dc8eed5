/* Unit tests: para (JLReq classes, kinsoku, spacing, line breaking and
 * justification) on synthetic shaped paragraphs: every CJK character and
 * full-width punctuation mark a 1-em glyph, ASCII 0.5 em, space 0.25 em,
 * 10.5 pt, one glyph per code point. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uclean.h>

#include "check.h"
#include "para/para.h"

#define EM KH_PT(10.5)

static unsigned nwarn;
static char last_diag[512];
static void on_diag(void *user, kh_severity sev, const char *line) {
  (void)user;
  if (sev == KH_SEV_WARNING) nwarn++;
  snprintf(last_diag, sizeof last_diag, "%s", line);
}

/* ---- (a) classes --------------------------------------------------------*/

typedef struct class_row {
  kh_jclass cls;
  const char *chars; /* UTF-8 */
} class_row;

static const class_row k_class_rows[] = {
    {KH_CL_OPENING, "「『（〔［｛〈《【〘〖〝‘“｟([{«"},
    {KH_CL_CLOSING, "」』）〕］｝〉》】〙〗〟’”｠)]}»"},
    {KH_CL_HYPHEN, "‐〜゠–～"},
    {KH_CL_DIVIDING, "？！‼⁇⁈⁉"},
    {KH_CL_MIDDLE_DOT, "・：；"},
    {KH_CL_FULL_STOP, "。．"},
    {KH_CL_COMMA, "、，"},
    {KH_CL_INSEPARABLE, "—…‥〳〴〵―"},
    {KH_CL_ITERATION, "ヽヾゝゞ々〻"},
    {KH_CL_PROLONGED, "ー"},
    {KH_CL_SMALL_KANA, "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇿ"},
    {KH_CL_PREFIX, "￥＄￡＃€№"},
    {KH_CL_POSTFIX, "°′″℃￠％‰㏋ℓ㌃㌔㍍㎏㎝"},
    {KH_CL_IDEO_SPACE, "\xE3\x80\x80"},
    {KH_CL_HIRAGANA, "あいうかがのんゔ"},
    {KH_CL_KATAKANA, "アイウカガノンヴヷ"},
    {KH_CL_MATH_SYMBOL, "＝≠≦≧⊂∈"},
    {KH_CL_MATH_OP, "＋−×÷±"},
    {KH_CL_IDEOGRAPHIC, "漢字国〆〇※■□①→２０Ａ＆仝𠮟😀αΩЖя"},
    /* cl-20..23, cl-25, cl-28..30 depend on context (ruby, warichu, units
     * after numerals): kh_jlreq_class never returns them */
    {KH_CL_NUMERAL, "0123456789"},
    {KH_CL_WESTERN_SPACE, " "},
    {KH_CL_WESTERN, "AZaz,.:;!?-/@éŁɐ"},
};

static void test_classes(void) {
  for (size_t r = 0; r < sizeof k_class_rows / sizeof *k_class_rows; r++) {
    const char *s = k_class_rows[r].chars;
    size_t i = 0, n = strlen(s);
    while (i < n) {
      int32_t cp = kh_utf8_next(s, n, &i);
      kh_jclass got = kh_jlreq_class(cp);
      if (got != k_class_rows[r].cls)
        fprintf(stderr, "class of U+%04X: %d, expected cl-%02d\n", (unsigned)cp,
                (int)got, (int)k_class_rows[r].cls);
      CHECK(got == k_class_rows[r].cls);
    }
  }
}

/* The JLReq class of every letter and digit agrees with the font the
 * composite face sets it from (style's kh_script_of, from ICU): Western
 * classes for the Latin font, none of them for the Japanese font. */
static void test_class_script(void) {
  int bad = 0;
  for (int32_t cp = 0; cp < 0x30000; cp++) {
    if (!u_isalnum(cp)) continue;
    kh_jclass c = kh_jlreq_class(cp);
    int west = c == KH_CL_WESTERN || c == KH_CL_NUMERAL;
    int latin = kh_script_of(cp) == KH_SCRIPT_LATIN;
    if (west != latin) {
      if (bad++ < 10 || (bad % 500) == 0)
        fprintf(stderr, "U+%04X: class cl-%02d, script %s\n", (unsigned)cp, (int)c,
                latin ? "latin" : "ja");
    }
  }
  CHECK_EQ_INT(bad, 0);
}

/* ---- (b) kinsoku ---------------------------------------------------------*/

typedef struct break_row {
  kh_jclass a, b;
  int may;
} break_row;

static const break_row k_break_rows[] = {
    {KH_CL_IDEOGRAPHIC, KH_CL_IDEOGRAPHIC, 1},
    {KH_CL_HIRAGANA, KH_CL_KATAKANA, 1},
    {KH_CL_IDEOGRAPHIC, KH_CL_CLOSING, 0},     /* 3.1.7 */
    {KH_CL_IDEOGRAPHIC, KH_CL_HYPHEN, 0},
    {KH_CL_IDEOGRAPHIC, KH_CL_DIVIDING, 0},
    {KH_CL_IDEOGRAPHIC, KH_CL_MIDDLE_DOT, 0},
    {KH_CL_IDEOGRAPHIC, KH_CL_FULL_STOP, 0},
    {KH_CL_IDEOGRAPHIC, KH_CL_COMMA, 0},
    {KH_CL_IDEOGRAPHIC, KH_CL_ITERATION, 0},
    {KH_CL_KATAKANA, KH_CL_PROLONGED, 0},
    {KH_CL_HIRAGANA, KH_CL_SMALL_KANA, 0},
    {KH_CL_CLOSING, KH_CL_CLOSING, 0},
    {KH_CL_CLOSING, KH_CL_OPENING, 1},
    {KH_CL_FULL_STOP, KH_CL_IDEOGRAPHIC, 1},
    {KH_CL_COMMA, KH_CL_OPENING, 1},
    {KH_CL_OPENING, KH_CL_IDEOGRAPHIC, 0},     /* 3.1.8 */
    {KH_CL_OPENING, KH_CL_OPENING, 0},
    {KH_CL_IDEOGRAPHIC, KH_CL_OPENING, 1},
    {KH_CL_INSEPARABLE, KH_CL_INSEPARABLE, 0}, /* 3.1.10 */
    {KH_CL_IDEOGRAPHIC, KH_CL_INSEPARABLE, 1},
    {KH_CL_INSEPARABLE, KH_CL_IDEOGRAPHIC, 1},
    {KH_CL_PREFIX, KH_CL_NUMERAL, 0},
    {KH_CL_NUMERAL, KH_CL_POSTFIX, 0},
    {KH_CL_NUMERAL, KH_CL_UNIT, 0},
    {KH_CL_NUMERAL, KH_CL_NUMERAL, 0},
    {KH_CL_WESTERN, KH_CL_WESTERN, 0},
    {KH_CL_WESTERN, KH_CL_NUMERAL, 0},
    {KH_CL_NUMERAL, KH_CL_WESTERN, 0},
    {KH_CL_NUMERAL, KH_CL_IDEOGRAPHIC, 1},
    {KH_CL_WESTERN, KH_CL_HIRAGANA, 1},
    {KH_CL_HIRAGANA, KH_CL_WESTERN, 1},
    {KH_CL_WESTERN, KH_CL_WESTERN_SPACE, 1},
    {KH_CL_WESTERN_SPACE, KH_CL_WESTERN, 1},
    {KH_CL_IDEO_SPACE, KH_CL_IDEOGRAPHIC, 1},
    {KH_CL_POSTFIX, KH_CL_IDEOGRAPHIC, 1},
};

static void test_may_break(void) {
  for (size_t r = 0; r < sizeof k_break_rows / sizeof *k_break_rows; r++) {
    const break_row *b = &k_break_rows[r];
    int got = kh_jlreq_may_break(b->a, b->b);
    if (got != b->may)
      fprintf(stderr, "may_break(cl-%02d, cl-%02d) = %d\n", (int)b->a,
              (int)b->b, got);
    CHECK(got == b->may);
  }
}

/* ---- synthetic paragraphs ------------------------------------------------*/

typedef struct para_case {
  kh_ctx *ctx;
  kh_arena *arena;
  kh_node node;
  kh_pstyle style;
  kh_spara sp;
  kh_shaped sh;
  kh_lines lines;
  kh_fixed measure;
} para_case;

/* Set: full-width punctuation comes as half-width forms (OpenType hwid),
 * whose advance is the ink box. */
static int half_forms;
/* Set: the synthetic paragraph is a code block (verbatim). */
static int code_block;
/* Set: marks over the synthetic paragraph's text. */
static kh_mark *test_marks;
static uint32_t test_nmarks;

static kh_fixed adv_of(int32_t cp) {
  if (cp == ' ') return EM / 4;
  if (cp < 0x80) return EM / 2;
  if (half_forms) switch (kh_jlreq_class(cp)) {
    case KH_CL_OPENING:
    case KH_CL_CLOSING:
    case KH_CL_MIDDLE_DOT:
    case KH_CL_FULL_STOP:
    case KH_CL_COMMA: return EM / 2;
    default: break;
    }
  return EM;
}

/* Shapes `text` synthetically and composes it.  `marker` bytes at the
 * start of text are a list marker. */
static kh_status compose(para_case *c, kh_ctx *ctx, const char *text,
                         uint32_t marker, kh_fixed measure, kh_align align,
                         kh_fixed indent, unsigned options) {
  memset(c, 0, sizeof *c);
  c->ctx = ctx;
  c->arena = kh_arena_new();
  uint32_t len = (uint32_t)strlen(text);
  c->node.kind = code_block ? KH_NODE_CODE : KH_NODE_PARA;
  c->node.text.text = text + marker;
  c->node.text.len = len - marker;
  c->node.text.marks = test_marks;
  c->node.text.nmarks = test_nmarks;
  c->style.name = "test";
  c->style.size = EM;
  c->style.align = align;
  c->style.indent = indent;
  c->sp.node = &c->node;
  c->sp.style = &c->style;
  c->sp.text = text;
  c->sp.len = len;
  c->sp.marker_len = marker;
  c->sp.measure = measure;
  c->measure = measure;
  kh_glyph *g = kh_arena_alloc(c->arena, (len + 1) * sizeof *g);
  uint32_t n = 0;
  for (size_t i = 0; i < len;) {
    size_t at = i;
    int32_t cp = kh_utf8_next(text, len, &i);
    kh_glyph *y = &g[n++];
    y->gid = (uint32_t)cp;
    y->cluster = (uint32_t)at;
    y->cluster_end = (uint32_t)i;
    y->cp = cp;
    y->size = EM;
    y->adv = adv_of(cp);
    y->flags = KH_GLYPH_CLUSTER_START | (cp == ' ' ? KH_GLYPH_SPACE : 0);
  }
  c->sh.sp = &c->sp;
  c->sh.glyphs = g;
  c->sh.n = n;
  if (!code_block) { /* the hyphen of hyphenated words, a third of an em */
    static kh_glyph hyphen = {.gid = '-', .cp = '-', .size = EM, .adv = EM / 3,
                              .flags = KH_GLYPH_CLUSTER_START};
    c->sh.hyphens = &hyphen;
  }
  if (code_block) { /* the continuation mark, half an em */
    c->sh.cont.gid = 0x23CE;
    c->sh.cont.cp = 0x23CE;
    c->sh.cont.size = EM;
    c->sh.cont.adv = EM / 2;
  }
  return kh_para_compose(ctx, c->arena, &c->sh, options, &c->lines);
}

static void release(para_case *c) { kh_arena_drop(c->arena); }

static kh_jclass cls_at(const para_case *c, uint32_t gi) {
  return kh_jlreq_class(c->sh.glyphs[gi].cp);
}

/* The ink box of a glyph from its pen: full-width punctuation holds its ink
 * in one half (BIZ UD Mincho). */
static void box_of(const para_case *c, uint32_t gi, kh_fixed pen,
                   kh_fixed *x1, kh_fixed *x2) {
  const kh_glyph *g = &c->sh.glyphs[gi];
  *x1 = pen;
  *x2 = pen + g->adv;
  if (g->adv != EM) return;
  switch (cls_at(c, gi)) {
  case KH_CL_OPENING: *x1 = pen + EM / 2; break;
  case KH_CL_CLOSING:
  case KH_CL_FULL_STOP:
  case KH_CL_COMMA: *x2 = pen + EM / 2; break;
  case KH_CL_MIDDLE_DOT:
    *x1 = pen + EM / 4;
    *x2 = pen + 3 * EM / 4;
    break;
  default: break;
  }
}

/* Pen x of glyph gi in the paragraph's frame (x0 added), or a sentinel. */
static kh_fixed pen_of(const para_case *c, uint32_t gi, uint32_t *line) {
  for (uint32_t i = 0; i < c->lines.n; i++) {
    const kh_line *ln = &c->lines.lines[i];
    if (gi >= ln->first && gi < ln->first + ln->count) {
      if (line) *line = i;
      return ln->x0 + ln->x[gi - ln->first];
    }
  }
  return INT32_MIN;
}

static int no_start(kh_jclass k) {
  return k == KH_CL_CLOSING || k == KH_CL_HYPHEN || k == KH_CL_DIVIDING ||
         k == KH_CL_MIDDLE_DOT || k == KH_CL_FULL_STOP || k == KH_CL_COMMA ||
         k == KH_CL_ITERATION || k == KH_CL_PROLONGED || k == KH_CL_SMALL_KANA;
}

static void dump(const para_case *c) {
  fprintf(stderr, "measure %.3f pt:\n", KH_FIXED_TO_PT(c->measure));
  kh_para_trace(&c->lines, stderr);
}

/* Invariants every composed paragraph keeps. */
static void check_invariants(const para_case *c, int justify, int opening_half) {
  int bad = 0;
  uint32_t prev_end = 0;
  for (uint32_t i = 0; i < c->lines.n; i++) {
    const kh_line *ln = &c->lines.lines[i];
    kh_fixed avail = c->measure - (i == 0 ? c->style.indent : 0);
    bad |= !ln->count;
    if (!ln->count) break;
    uint32_t a = ln->first, z = ln->first + ln->count - 1;
    /* no glyph lost: only spaces between lines */
    for (uint32_t j = prev_end; j < a; j++)
      bad |= !(c->sh.glyphs[j].flags & KH_GLYPH_SPACE);
    prev_end = z + 1;
    bad |= (c->sh.glyphs[a].flags & KH_GLYPH_SPACE) != 0;
    bad |= (c->sh.glyphs[z].flags & KH_GLYPH_SPACE) != 0;
    /* kinsoku (3.1.7, 3.1.8); a list marker may start the paragraph */
    if (!(i == 0 && c->sp.marker_len > 0) && no_start(cls_at(c, a))) {
      fprintf(stderr, "line %u starts with a prohibited character\n", i);
      bad = 1;
    }
    int last = i + 1 == c->lines.n;
    if (cls_at(c, z) == KH_CL_OPENING && !last) {
      fprintf(stderr, "line %u ends with an opening bracket\n", i);
      bad = 1;
    }
    if (ln->overfull) {
      fprintf(stderr, "line %u overfull\n", i);
      bad = 1;
    }
    /* boxes in order, never overlapping */
    kh_fixed x1, x2, prev2 = INT32_MIN;
    for (uint32_t j = a; j <= z; j++) {
      if (c->sh.glyphs[j].flags & KH_GLYPH_SPACE) continue;
      box_of(c, j, ln->x[j - a], &x1, &x2);
      if (j == a) {
        kh_fixed want = cls_at(c, j) == KH_CL_OPENING && opening_half ? EM / 2
                        : cls_at(c, j) == KH_CL_MIDDLE_DOT            ? EM / 4
                                                                      : 0;
        if (x1 != want) {
          fprintf(stderr, "line %u starts its box at %lld, not %lld\n", i, (long long)x1, (long long)want);
          bad = 1;
        }
      }
      if (x1 < prev2) {
        fprintf(stderr, "line %u: boxes overlap at glyph %u\n", i, j);
        bad = 1;
      }
      prev2 = x2;
    }
    /* the right edge: the last ink box, plus the half em after a line-end
     * 」。、 when it was kept (a middle dot keeps its quarter) */
    box_of(c, z, ln->x[z - a], &x1, &x2);
    kh_jclass zc = cls_at(c, z);
    int punct = zc == KH_CL_CLOSING || zc == KH_CL_FULL_STOP || zc == KH_CL_COMMA;
    int dot = zc == KH_CL_MIDDLE_DOT;
    int edge_ok = ln->width == x2 || (punct && ln->width == x2 + EM / 2) ||
                  (dot && ln->width == x2 + EM / 4);
    if (!edge_ok) {
      fprintf(stderr, "line %u: width %lld, ink ends at %lld\n", i, (long long)ln->width, (long long)x2);
      bad = 1;
    }
    if (justify && !last) {
      kh_fixed d = ln->width - avail;
      if (d < -1 || d > 1) {
        fprintf(stderr, "line %u: right edge %+lld off the measure\n", i, (long long)d);
        bad = 1;
      }
    } else if (ln->width > avail) {
      fprintf(stderr, "line %u: wider than the measure\n", i);
      bad = 1;
    }
  }
  for (uint32_t j = prev_end; j < c->sh.n; j++)
    bad |= !(c->sh.glyphs[j].flags & KH_GLYPH_SPACE);
  if (bad) dump(c);
  CHECK(!bad);
}

/* Dense paragraphs: brackets, 、。, mixed Western text, numerals, a URL,
 * ……, ——. */
static const char *const k_dense[] = {
    "本書は、「組版」の基本を扱う。句読点（、。）や括弧「」の詰め、AI や IoT "
    "等の新技術との関係、そして２０２１年度の調査で集めた32名の声を、順に見"
    "ていく。",
    "「なぜ、行頭に句点が来てはいけないのか？」——この問いに、編集者は「読みに"
    "くいから」と答えるだろう。しかし、それだけではない。JIS X 4051 は、行頭"
    "禁則・行末禁則・分離禁止の三つを定め、W3C の JLReq もこれに倣っている。",
    "……と、ここまで読めば、約物の扱いが文字組版の要であることがわかる。例え"
    "ば「『二重かぎ』の中の句点。」や、（丸括弧（入れ子））の連続、さらに「、」"
    "「。」が続く箇所では、二分の空きを詰めて全角一字分に収める。",
    "詳しくは https://www.w3.org/TR/jlreq/ を参照のこと。なお、参加者は計128名"
    "（うち学生45％）で、会場は東京・大阪・名古屋の３か所だった。ちょっと待って"
    "ください、ァィゥェォっゃゅょー等の小書きの仮名も、行頭には来ない。",
    "「スマートシティ」の実装に向けて、国土交通省ではスマートシティモデルプロ"
    "ジェクトとして各地域の実証実験等の支援を実施しております。この度、本取組"
    "から得られた知見から、実証実験を実装に結びつける気づきとなるように、「知"
    "見集」をとりまとめました。",
    "「」「」「」「」「」「」「」「」「」「」「」「」「」「」「」「」「」「」"
    "。」。」。」、「、「、「（（（）））・・・「『【〔〈《》〉〕】』」あ。",
    "令和3年度の予算は約1,234億円（前年度比＋5.6％）で、うちDX関連は"
    "¥12,000,000、Society 5.0 の実現に向けた取組を2022年4月1日から開始する。"
    "――詳細は別紙（PDF、2.5MB）を参照。",
};

static void test_dense(kh_ctx *ctx) {
  static const int measures[] = {20, 33, 40, 45};
  for (size_t m = 0; m < 4; m++)
    for (size_t t = 0; t < sizeof k_dense / sizeof *k_dense; t++)
      for (int half = 0; half < 2; half++) {
        para_case c;
        CHECK(compose(&c, ctx, k_dense[t], 0, measures[m] * EM,
                      KH_ALIGN_JUSTIFY, EM, half) == KH_OK);
        CHECK(c.lines.n >= 1);
        check_invariants(&c, 1, half);
        release(&c);
      }
  /* hanging indent: the first line is one em longer */
  for (size_t m = 0; m < 4; m++)
    for (size_t t = 0; t < sizeof k_dense / sizeof *k_dense; t++) {
      para_case c;
      CHECK(compose(&c, ctx, k_dense[t], 0, measures[m] * EM,
                    KH_ALIGN_DEFAULT, -EM, 0) == KH_OK);
      CHECK(c.lines.n >= 1 && c.lines.lines[0].x0 == -EM);
      check_invariants(&c, 1, 0);
      release(&c);
    }
  /* half-width forms of the punctuation: the same lines */
  half_forms = 1;
  for (size_t m = 0; m < 4; m++)
    for (size_t t = 0; t < sizeof k_dense / sizeof *k_dense; t++) {
      para_case c, d;
      CHECK(compose(&c, ctx, k_dense[t], 0, measures[m] * EM,
                    KH_ALIGN_JUSTIFY, EM, 0) == KH_OK);
      check_invariants(&c, 1, 0);
      half_forms = 0;
      CHECK(compose(&d, ctx, k_dense[t], 0, measures[m] * EM,
                    KH_ALIGN_JUSTIFY, EM, 0) == KH_OK);
      half_forms = 1;
      CHECK_EQ_INT(c.lines.n, d.lines.n);
      for (uint32_t i = 0; i < c.lines.n && i < d.lines.n; i++) {
        CHECK_EQ_INT(c.lines.lines[i].first, d.lines.lines[i].first);
        CHECK_EQ_INT(c.lines.lines[i].width, d.lines.lines[i].width);
      }
      release(&c);
      release(&d);
    }
  half_forms = 0;
  /* ragged lines keep the same rules */
  for (size_t t = 0; t < sizeof k_dense / sizeof *k_dense; t++) {
    para_case c;
    CHECK(compose(&c, ctx, k_dense[t], 0, 20 * EM, KH_ALIGN_LEFT, 0, 0) == KH_OK);
    check_invariants(&c, 0, 0);
    release(&c);
  }
  CHECK(nwarn == 0);
}

/* ---- spacing on lines set without adjustment -----------------------------*/

typedef struct pair_row {
  const char *pair;  /* two or one punctuation marks between 漢 and 字 */
  int extent;        /* their boxes with the space between, in quarter em */
  int span;          /* 漢 to 字 less 漢's em, in quarter em */
} pair_row;

static const pair_row k_pairs[] = {
    {"」「", 6, 6}, /* 3.1.4 d: 1.5 em */
    {"。」", 4, 6}, /* 3.1.4 a: 1 em, half em after */
    {"、」", 4, 6},
    {"」、", 4, 6}, /* 3.1.4 b */
    {"」。", 4, 6},
    {"、「", 6, 6}, /* 3.1.4 c */
    {"。「", 6, 6},
    {"（（", 4, 6}, /* 3.1.4 e */
    {"））", 4, 6}, /* 3.1.4 f */
    {"」」", 4, 6},
    {"」・", 5, 6}, /* 3.1.4 g */
    {"・「", 5, 6}, /* 3.1.4 h */
    {"・", 2, 4},   /* 3.1.2: quarter either side */
    {"「", 2, 4},
    {"」", 2, 4},
    {"。", 2, 4},
};

static void test_pairs(kh_ctx *ctx) {
  for (size_t r = 0; r < 2 * sizeof k_pairs / sizeof *k_pairs; r++) {
    half_forms = r >= sizeof k_pairs / sizeof *k_pairs;
    const pair_row *row = &k_pairs[r % (sizeof k_pairs / sizeof *k_pairs)];
    char text[64];
    snprintf(text, sizeof text, "漢%s字", row->pair);
    para_case c;
    CHECK(compose(&c, ctx, text, 0, 40 * EM, KH_ALIGN_LEFT, 0, 0) == KH_OK);
    CHECK_EQ_INT(c.lines.n, 1);
    uint32_t n = c.sh.n;
    kh_fixed a1, a2, b1, b2;
    box_of(&c, 1, pen_of(&c, 1, NULL), &a1, &a2);
    box_of(&c, n - 2, pen_of(&c, n - 2, NULL), &b1, &b2);
    kh_fixed extent = b2 - a1;
    kh_fixed span = pen_of(&c, n - 1, NULL) - pen_of(&c, 0, NULL) - EM;
    if (extent != row->extent * EM / 4 || span != row->span * EM / 4)
      fprintf(stderr, "%s: extent %.3f em, span %.3f em\n", row->pair,
              (double)extent / EM, (double)span / EM);
    CHECK_EQ_INT(extent, row->extent * EM / 4);
    CHECK_EQ_INT(span, row->span * EM / 4);
    CHECK_EQ_INT(c.lines.lines[0].width, c.lines.lines[0].natural);
    release(&c);
  }
  half_forms = 0;
}

/* Gap between the end of glyph a's ink and the pen of glyph b. */
static kh_fixed gap(const para_case *c, uint32_t a, uint32_t b) {
  kh_fixed x1, x2;
  box_of(c, a, pen_of(c, a, NULL), &x1, &x2);
  kh_fixed y1, y2;
  box_of(c, b, pen_of(c, b, NULL), &y1, &y2);
  return y1 - x2;
}

/* Glyph index of the n-th occurrence of code point cp. */
static uint32_t find(const para_case *c, int32_t cp, int nth) {
  for (uint32_t i = 0; i < c->sh.n; i++)
    if (c->sh.glyphs[i].cp == cp && nth-- == 0) return i;
  return UINT32_MAX;
}

static void test_jw(kh_ctx *ctx) {
  para_case c;
  /* 3.2.6: a quarter em between kana/kanji and Western characters; a space
   * typed there is absorbed into it */
  CHECK(compose(&c, ctx, "新技術AIや IoT 等の32名と２０２１年度、「AI」。", 0,
                40 * EM, KH_ALIGN_LEFT, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 1);
  CHECK_EQ_INT(gap(&c, find(&c, 0x8853, 0), find(&c, 'A', 0)), EM / 4); /* 術A */
  CHECK_EQ_INT(gap(&c, find(&c, 'I', 0), find(&c, 0x3084, 0)), EM / 4); /* Iや */
  CHECK_EQ_INT(gap(&c, find(&c, 0x3084, 0), find(&c, 'I', 1)), EM / 4); /* や I */
  CHECK_EQ_INT(gap(&c, find(&c, 'T', 0), find(&c, 0x7B49, 0)), EM / 4); /* T 等 */
  CHECK_EQ_INT(gap(&c, find(&c, 0x306E, 0), find(&c, '3', 0)), EM / 4); /* の3 */
  CHECK_EQ_INT(gap(&c, find(&c, '2', 0), find(&c, 0x540D, 0)), EM / 4); /* 2名 */
  CHECK_EQ_INT(gap(&c, find(&c, '3', 0), find(&c, '2', 0)), 0);
  /* full-width digits are Japanese characters: solid */
  CHECK_EQ_INT(gap(&c, find(&c, 0xFF11, 0), find(&c, 0x5E74, 0)), 0);
  /* Western next to brackets: solid (3.2.6 c) */
  CHECK_EQ_INT(gap(&c, find(&c, 0x300C, 0), find(&c, 'A', 1)), 0);
  CHECK_EQ_INT(gap(&c, find(&c, 'I', 2), find(&c, 0x300D, 0)), 0);
  release(&c);

  /* Western punctuation outside a word sets solid against kanji; inside a
   * numeral's run it keeps the quarter em */
  CHECK(compose(&c, ctx, "教授 <座長>、45%で", 0, 40 * EM, KH_ALIGN_LEFT, 0, 0) == KH_OK);
  CHECK_EQ_INT(gap(&c, find(&c, '<', 0), find(&c, 0x5EA7, 0)), 0); /* <座 */
  CHECK_EQ_INT(gap(&c, find(&c, 0x9577, 0), find(&c, '>', 0)), 0); /* 長> */
  CHECK_EQ_INT(gap(&c, find(&c, '%', 0), find(&c, 0x3067, 0)), EM / 4); /* %で */
  release(&c);

  /* a Western word space stays the font's space */
  CHECK(compose(&c, ctx, "JIS X 4051", 0, 40 * EM, KH_ALIGN_LEFT, 0, 0) == KH_OK);
  CHECK_EQ_INT(gap(&c, find(&c, 'S', 0), find(&c, 'X', 0)), EM / 4);
  CHECK_EQ_INT(c.lines.lines[0].width, 8 * EM / 2 + 2 * EM / 4);
  release(&c);
}

/* ---- breaking ------------------------------------------------------------*/

static void test_line_start_bracket(kh_ctx *ctx) {
  for (int half = 0; half < 2; half++) {
    para_case c;
    CHECK(compose(&c, ctx, "一二三四五六七八九十「一二三」", 0, 10 * EM,
                  KH_ALIGN_JUSTIFY, 0, half) == KH_OK);
    CHECK_EQ_INT(c.lines.n, 2);
    if (c.lines.n == 2) {
      const kh_line *ln = &c.lines.lines[1];
      CHECK_EQ_INT(c.sh.glyphs[ln->first].cp, 0x300C);
      /* 3.1.5: tentsuki puts the ink on the grid, its empty half outside */
      CHECK_EQ_INT(ln->x[0], half ? 0 : -EM / 2);
      CHECK_EQ_INT(ln->x[1], half ? EM : EM / 2);
    }
    check_invariants(&c, 1, half);
    release(&c);
  }
}

static void test_line_end(kh_ctx *ctx) {
  para_case c;
  /* 。 in the last place: its half em fills the measure */
  CHECK(compose(&c, ctx, "一二三四五六七八九。一二三", 0, 10 * EM,
                KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 2);
  const kh_line *ln = &c.lines.lines[0];
  CHECK_EQ_INT(ln->count, 10);
  CHECK_EQ_INT(ln->x[9] + EM, 10 * EM);
  CHECK_EQ_INT(ln->width, 10 * EM);
  CHECK_EQ_INT(ln->natural, 10 * EM);
  check_invariants(&c, 1, 0);
  release(&c);

  /* push-in (3.8.2): the line-end half em goes, and the half ems after
   * the two 、 down to a quarter, so that 。 stays on the line; its ink box
   * ends on the measure */
  CHECK(compose(&c, ctx, "一、二、三四五六七八。一二三", 0, 10 * EM,
                KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  ln = &c.lines.lines[0];
  CHECK_EQ_INT(ln->count, 11);
  CHECK_EQ_INT(ln->width, 10 * EM);
  CHECK_EQ_INT(ln->natural, 11 * EM);
  CHECK_EQ_INT(ln->x[10] + EM / 2, 10 * EM);
  CHECK_EQ_INT(ln->x[2], EM + EM / 2 + EM / 4); /* 二 a quarter after 、 */
  check_invariants(&c, 1, 0);
  release(&c);
  /* one 、 is not enough: push out 八。 instead */
  CHECK(compose(&c, ctx, "一二、三四五六七八九。一二三", 0, 10 * EM,
                KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  ln = &c.lines.lines[0];
  CHECK_EQ_INT(ln->count, 9);
  check_invariants(&c, 1, 0);
  release(&c);

  /* nothing to compress: push out (追い出し) 十 with its 。, and space
   * the nine characters out evenly */
  CHECK(compose(&c, ctx, "一二三四五六七八九十。一二三", 0, 10 * EM,
                KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  ln = &c.lines.lines[0];
  CHECK_EQ_INT(ln->count, 9);
  CHECK_EQ_INT(ln->x[1] - ln->x[0], EM + EM / 8);
  CHECK_EQ_INT(ln->x[8], 8 * (EM + EM / 8));
  check_invariants(&c, 1, 0);
  release(&c);
}

static void test_lone_last(kh_ctx *ctx) {
  para_case c;
  /* first fit would leave 「進。」 alone on the last line */
  CHECK(compose(&c, ctx, "一二三四五六七八九十一二三四五六七八九十進。", 0,
                10 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 3);
  if (c.lines.n == 3) {
    const kh_line *last = &c.lines.lines[2];
    CHECK_EQ_INT(last->count, 3); /* 十進。 */
    CHECK_EQ_INT(c.lines.lines[1].count, 9);
  }
  check_invariants(&c, 1, 0);
  release(&c);
  /* with the marks after it, still one character */
  CHECK(compose(&c, ctx, "一二三四五六七八九十一二三四五六七八九十「進」。", 0,
                10 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  CHECK(c.lines.n >= 2);
  if (c.lines.n >= 2) {
    const kh_line *last = &c.lines.lines[c.lines.n - 1];
    CHECK(last->count >= 4);
  }
  check_invariants(&c, 1, 0);
  release(&c);
}

static void test_align_and_marker(kh_ctx *ctx) {
  para_case c;
  CHECK(compose(&c, ctx, "見出し", 0, 20 * EM, KH_ALIGN_CENTER, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.lines[0].x0, (20 * EM - 3 * EM) / 2);
  release(&c);
  CHECK(compose(&c, ctx, "令和4年3月31日", 0, 20 * EM, KH_ALIGN_RIGHT, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.lines[0].x0 + c.lines.lines[0].width, 20 * EM);
  release(&c);
  /* a list marker: full-width, fixed, never alone at a line end */
  CHECK(compose(&c, ctx,
                "・スマートシティの実装に向けて、各地域の実証実験等の支援を実施"
                "しております。",
                3, 20 * EM, KH_ALIGN_JUSTIFY, -EM, 0) == KH_OK);
  const kh_line *ln = &c.lines.lines[0];
  CHECK_EQ_INT(ln->x0, -EM);
  CHECK_EQ_INT(ln->x[0], 0);
  CHECK_EQ_INT(ln->x[1], EM);
  check_invariants(&c, 1, 0);
  release(&c);
}

static void test_url(kh_ctx *ctx) {
  para_case c;
  /* a URL breaks after a slash rather than leave 詳しくは spaced out */
  CHECK(compose(&c, ctx, "詳しくは https://www.w3.org/TR/jlreq/ を参照のこと。",
                0, 14 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  CHECK(c.lines.n >= 2);
  if (c.lines.n >= 2) {
    const kh_line *ln = &c.lines.lines[0];
    CHECK_EQ_INT(c.sh.glyphs[ln->first + ln->count - 1].cp, '/');
    CHECK(ln->width - ln->natural < EM);
  }
  check_invariants(&c, 1, 0);
  release(&c);
  /* but not inside a word, nor before a digit (UAX #14 LB25) */
  CHECK(compose(&c, ctx, "漢字 and/or 1/2 漢字漢字", 0, 5 * EM, KH_ALIGN_LEFT,
                0, 0) == KH_OK);
  for (uint32_t i = 0; i < c.lines.n; i++) {
    const kh_line *ln = &c.lines.lines[i];
    int32_t cp = c.sh.glyphs[ln->first + ln->count - 1].cp;
    CHECK(cp != '1' && cp != 'a' && cp != 'n');
  }
  release(&c);
}

static void test_overfull(kh_ctx *ctx) {
  para_case c;
  unsigned before = nwarn;
  /* an unbreakable URL breaks at any character rather than run over */
  CHECK(compose(&c, ctx, "参照 https://www.example.go.jp/press/ のこと", 0,
                8 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  int over = 0;
  for (uint32_t i = 0; i < c.lines.n; i++) over += c.lines.lines[i].overfull;
  CHECK_EQ_INT(over, 0);
  CHECK_EQ_INT(nwarn, before);
  check_invariants(&c, 1, 0);
  release(&c);
  /* a character wider than the measure has no way to fit */
  CHECK(compose(&c, ctx, "漢字", 0, EM / 2, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  over = 0;
  for (uint32_t i = 0; i < c.lines.n; i++) over += c.lines.lines[i].overfull;
  CHECK_EQ_INT(c.lines.n, 2);
  CHECK_EQ_INT(over, 2);
  CHECK_EQ_INT(nwarn, before + 2);
  CHECK(strstr(last_diag, "overfull line") != NULL);
  release(&c);
  /* white space alone makes no line */
  CHECK(compose(&c, ctx, "   ", 0, 8 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 0);
  release(&c);
  CHECK(compose(&c, ctx, "", 0, 8 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 0);
  release(&c);
}

static void test_trace(kh_ctx *ctx) {
  para_case c;
  CHECK(compose(&c, ctx, "一二三四五六七八九十一二三", 0, 10 * EM,
                KH_ALIGN_JUSTIFY, EM, 0) == KH_OK);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  kh_para_trace(&c.lines, f);
  fclose(f);
  const char *want = "  [w=94.500 adj=+0.000 gap=0.000 x0=10.500] 一二三四五六七八九|\n"
                     "  [w=42.000 adj=+0.000 gap=0.000] 十一二三|\n";
  if (strcmp(buf, want) != 0) fprintf(stderr, "trace:\n%s", buf);
  CHECK(strcmp(buf, want) == 0);
  free(buf);
  release(&c);
}

/* Long paragraphs in one call; the cached ICU iterator across calls. */
static void test_long(kh_ctx *ctx) {
  kh_buf b = {0};
  for (int i = 0; i < 60; i++)
    for (size_t t = 0; t < sizeof k_dense / sizeof *k_dense; t++)
      CHECK(kh_buf_append(&b, k_dense[t], strlen(k_dense[t])) == KH_OK);
  para_case c;
  CHECK(compose(&c, ctx, b.data, 0, 40 * EM, KH_ALIGN_JUSTIFY, EM, 0) == KH_OK);
  CHECK(c.lines.n > 500);
  check_invariants(&c, 1, 0);
  release(&c);
  kh_buf_free(&b);
}

/* JIS X 4051 行末の約物半角: with KH_PARA_CLOSING_HALF a line-end 、 drops
 * its half em and its ink ends on the measure; by default the half em stays
 * inside the measure. */
static void test_line_end_half(kh_ctx *ctx) {
  const char *text = "あああああああああ、いいいいいいいいいい"; /* 9 + 、 + 10 */
  para_case c;
  CHECK(compose(&c, ctx, text, 0, 10 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  uint32_t comma = find(&c, 0x3001, 0), line = 9;
  kh_fixed pen = pen_of(&c, comma, &line);
  CHECK_EQ_INT(line, 0);
  CHECK_EQ_INT(pen + EM, 10 * EM); /* box + half em: the advance ends there */
  release(&c);
  CHECK(compose(&c, ctx, text, 0, 10 * EM, KH_ALIGN_JUSTIFY, 0, KH_PARA_CLOSING_HALF) == KH_OK);
  pen = pen_of(&c, comma, &line);
  CHECK_EQ_INT(line, 0);
  CHECK_EQ_INT(pen + EM / 2, 10 * EM); /* the ink box ends on the measure */
  CHECK_EQ_INT(c.lines.lines[0].width, 10 * EM);
  release(&c);
}


/* ---- forced breaks, code, indents, spacing, expansion, hanging ----------*/

/* '\n' ends a line; the line before it is set like a last line; two in a
 * row leave an empty line. */
static void test_hard_break(kh_ctx *ctx) {
  para_case c;
  CHECK(compose(&c, ctx, "一二三\n四五六七八九十一二三四五六七八", 0, 10 * EM,
                KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 3);
  CHECK_EQ_INT(c.lines.lines[0].count, 3);
  CHECK_EQ_INT(c.lines.lines[0].width, 3 * EM); /* not justified */
  CHECK_EQ_INT(c.sh.glyphs[c.lines.lines[1].first].cp, 0x56DB); /* 四 */
  CHECK_EQ_INT(c.lines.lines[1].width, 10 * EM);
  release(&c);
  CHECK(compose(&c, ctx, "住所\n\n東京都", 0, 10 * EM, KH_ALIGN_JUSTIFY, EM, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 3);
  CHECK_EQ_INT(c.lines.lines[0].count, 2);
  CHECK_EQ_INT(c.lines.lines[0].x0, EM); /* the first line's indent only */
  CHECK_EQ_INT(c.lines.lines[1].count, 0);
  CHECK_EQ_INT(c.lines.lines[2].count, 3);
  CHECK_EQ_INT(c.lines.lines[2].x0, 0);
  release(&c);
  /* with first fit too */
  CHECK(compose(&c, ctx, "一二三\n四五六", 0, 10 * EM, KH_ALIGN_JUSTIFY, 0,
                KH_PARA_FIRST_FIT) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 2);
  CHECK_EQ_INT(c.lines.lines[0].width, 3 * EM);
  release(&c);
}

/* A code block: spaces kept as written (indentation too), blank lines kept,
 * no spacing around brackets or between scripts, no justification, and a
 * long line wrapped at any character with the continuation mark. */
static void test_verbatim(kh_ctx *ctx) {
  para_case c;
  code_block = 1;
  CHECK(compose(&c, ctx, "  if (x) {\n\n    return「値」;\n  }", 0, 20 * EM,
                KH_ALIGN_LEFT, EM, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 4);
  const kh_line *ln = &c.lines.lines[0];
  CHECK_EQ_INT(ln->x0, 0); /* no indent */
  CHECK_EQ_INT(ln->x[0], 0);
  CHECK_EQ_INT(ln->x[2], EM / 2); /* "i" after two quarter-em spaces */
  CHECK_EQ_INT(c.lines.lines[1].count, 0);
  ln = &c.lines.lines[2];
  CHECK_EQ_INT(ln->x[4], EM); /* four spaces */
  uint32_t q = find(&c, 0x300C, 0); /* 「 a full em, no half-em glue */
  CHECK_EQ_INT(ln->x[q - ln->first], EM + 6 * EM / 2);
  CHECK_EQ_INT(ln->x[q - ln->first + 1], ln->x[q - ln->first] + EM);
  CHECK(!ln->cont);
  release(&c);
  /* 31 half-em characters at 10 em: 19 and the mark, then 12 */
  CHECK(compose(&c, ctx, "0123456789012345678901234567890", 0, 10 * EM,
                KH_ALIGN_LEFT, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.n, 2);
  CHECK_EQ_INT(c.lines.lines[0].count, 19);
  CHECK(c.lines.lines[0].cont);
  CHECK_EQ_INT(c.lines.lines[0].cont_x, 10 * EM - EM / 2);
  CHECK_EQ_INT(c.lines.lines[1].count, 12);
  CHECK(!c.lines.lines[1].cont);
  CHECK(!c.lines.lines[0].overfull && !c.lines.lines[1].overfull);
  release(&c);
  code_block = 0;
}

/* A paragraph that starts with U+3000 is indented by it alone. */
static void test_ideographic_indent(kh_ctx *ctx) {
  para_case c;
  CHECK(compose(&c, ctx, "\xE3\x80\x80一二三四五六七八九十一二三", 0, 10 * EM,
                KH_ALIGN_JUSTIFY, EM, 0) == KH_OK);
  const kh_line *ln = &c.lines.lines[0];
  CHECK_EQ_INT(ln->x0, 0);
  CHECK_EQ_INT(ln->x[1], EM); /* 一 one em in */
  CHECK_EQ_INT(ln->count, 10);
  release(&c);
  /* without it, the style's indent */
  CHECK(compose(&c, ctx, "一二三四五六七八九十一二三", 0, 10 * EM, KH_ALIGN_JUSTIFY, EM,
                0) == KH_OK);
  CHECK_EQ_INT(c.lines.lines[0].x0 + c.lines.lines[0].x[0], EM);
  release(&c);
}

/* 3.2.2: Western punctuation is no Western text; Greek and Cyrillic set
 * from the Japanese font take no Japanese-Western space. */
static void test_tight_western_punct(kh_ctx *ctx) {
  para_case c;
  CHECK(compose(&c, ctx, "設定を複製する(必要ならば)。x(必要)とAIを使う", 0, 40 * EM,
                KH_ALIGN_LEFT, 0, 0) == KH_OK);
  CHECK_EQ_INT(gap(&c, find(&c, '(', 0), find(&c, 0x5FC5, 0)), 0); /* (必 */
  CHECK_EQ_INT(gap(&c, find(&c, 0x3070, 0), find(&c, ')', 0)), 0); /* ば) */
  CHECK_EQ_INT(gap(&c, find(&c, 0x308B, 0), find(&c, '(', 0)), 0); /* る( */
  CHECK_EQ_INT(gap(&c, find(&c, 'x', 0), find(&c, '(', 1)), 0);
  CHECK_EQ_INT(gap(&c, find(&c, '(', 1), find(&c, 0x5FC5, 1)), 0);
  CHECK_EQ_INT(gap(&c, find(&c, 0x3068, 0), find(&c, 'A', 0)), EM / 4); /* とA */
  release(&c);
  CHECK(compose(&c, ctx, "文字\xCE\xB1\xCE\xB2\xCE\xB3と\xCE\xA9の\xD0\x96", 0, 40 * EM,
                KH_ALIGN_LEFT, 0, 0) == KH_OK);
  for (uint32_t i = 0; i + 1 < c.sh.n; i++) CHECK_EQ_INT(gap(&c, i, i + 1), 0);
  release(&c);
}

/* 3.8.4 with a cap: no gap between Japanese characters gets more than a
 * quarter em, no Japanese-Western space more than half an em (a quarter
 * added to its quarter), over a long run of technical text with URLs and
 * identifiers at several measures; a Western word breaks only at a
 * hyphenation point, with a hyphen (JIS X 4051, JLReq 3.1.10), never
 * between two letters without one (a URL, which takes no added hyphen,
 * aside). */
static const char *const k_technical[] = {
    "詳しくは https://www.w3.org/TR/jlreq/ を参照のこと。設定ファイルは "
    "/usr/local/share/kumihan/layout/press-release.yaml にある既定のものを複製"
    "して使うこと(必要ならば)。",
    "関数 kh_para_compose_with_total_fit_and_hanging_punctuation は段落を行に分け"
    "、構造体 kh_layout_composition_options_for_tables に表の数字の扱いを持たせる。",
    "インストール先を変えるときは ${DESTDIR}${PREFIX}/lib/x86_64-linux-gnu/pkgconfig "
    "を確かめ、問題があれば https://example.go.jp/press/2022/03/31/"
    "smartcity_model_project_findings_attachment_v2.pdf を見る。",
};

static int ascii_alnum(int32_t cp) {
  return cp < 0x80 && ((cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'));
}

/* Whether line i ends between two letters or digits of a run of Western
 * characters (no space) no wider than the measure. */
static int breaks_short_word(const para_case *c, uint32_t i) {
  const kh_line *a = &c->lines.lines[i], *b = &c->lines.lines[i + 1];
  if (!a->count || !b->count) return 0;
  const kh_glyph *g = c->sh.glyphs;
  uint32_t e = a->first + a->count - 1, s = b->first;
  if (s != e + 1 || !ascii_alnum(g[e].cp) || !ascii_alnum(g[s].cp)) return 0;
  uint32_t lo = e, hi = s;
  while (lo > 0 && g[lo - 1].cp > ' ' && g[lo - 1].cp < 0x80) lo--;
  while (hi + 1 < c->sh.n && g[hi + 1].cp > ' ' && g[hi + 1].cp < 0x80) hi++;
  kh_fixed w = 0;
  for (uint32_t k = lo; k <= hi; k++) w += g[k].adv;
  return w <= c->measure;
}

/* Whether line i ends between two letters with no hyphen, outside a URL
 * or path (a run holding "/"). */
static int breaks_inside_word(const para_case *c, uint32_t i) {
  const kh_line *a = &c->lines.lines[i], *b = &c->lines.lines[i + 1];
  if (!a->count || !b->count || a->hyphen) return 0;
  const kh_glyph *g = c->sh.glyphs;
  uint32_t e = a->first + a->count - 1, s = b->first;
  if (s != e + 1 || g[e].cp >= 0x80 || g[s].cp >= 0x80 || !isalpha(g[e].cp) ||
      !isalpha(g[s].cp))
    return 0;
  for (uint32_t k = e; k > 0 && g[k].cp > ' ' && g[k].cp < 0x80; k--)
    if (g[k].cp == '/') return 0;
  for (uint32_t k = s; k < c->sh.n && g[k].cp > ' ' && g[k].cp < 0x80; k++)
    if (g[k].cp == '/') return 0;
  return 1;
}

static void test_expansion_cap(kh_ctx *ctx) {
  int hyphens = 0;
  for (int chars = 12; chars <= 45; chars += 3) {
    for (size_t t = 0; t < sizeof k_technical / sizeof *k_technical; t++) {
      para_case c;
      CHECK(compose(&c, ctx, k_technical[t], 0, chars * EM, KH_ALIGN_JUSTIFY, EM, 0) == KH_OK);
      for (uint32_t i = 0; i < c.lines.n; i++) {
        const kh_line *ln = &c.lines.lines[i];
        int word = i + 1 < c.lines.n && breaks_inside_word(&c, i);
        if (ln->max_gap > EM / 4 || ln->overfull || word) {
          fprintf(stderr, "%d chars, line %u: gap %.3f pt%s\n", chars, i,
                  KH_FIXED_TO_PT(ln->max_gap), word ? ", inside a word, no hyphen" : "");
          dump(&c);
        }
        CHECK(ln->max_gap <= EM / 4);
        CHECK(!ln->overfull);
        CHECK(!word);
        if (ln->hyphen) {
          hyphens++;
          /* the hyphen follows the last letter and ends on the measure */
          CHECK_EQ_INT(ln->hyphen_x + ln->hyphen->adv, ln->width);
          CHECK(ln->width == c.measure - (i == 0 ? EM : 0));
        }
      }
      release(&c);
    }
  }
  CHECK(hyphens > 0);
}

/* Hyphenation (JIS X 4051, JLReq 3.1.10): at 27 and 30 characters the
 * identifier's "punctuation" breaks at a hyphenation point with a hyphen,
 * not as punc|tuation without one; at least two letters before the point
 * and three after it; no hyphen added to a URL or a hyphenated name; the
 * layout may turn it off, and the word then breaks as before. */
static void test_hyphenation(kh_ctx *ctx) {
  static const char *const ok[] = {"punc-", "punctu-", "punctua-"};
  for (int chars = 27; chars <= 30; chars += 3) {
    para_case c;
    CHECK(compose(&c, ctx, k_technical[1], 0, chars * EM, KH_ALIGN_JUSTIFY, EM, 0) == KH_OK);
    const kh_line *ln = &c.lines.lines[0];
    CHECK(ln->hyphen != NULL);
    char tail[16] = "";
    uint32_t from = ln->text_end;
    while (from > ln->text_start && from + 12 > ln->text_end && c.sp.text[from - 1] != '_') from--;
    snprintf(tail, sizeof tail, "%.*s-", (int)(ln->text_end - from), c.sp.text + from);
    int good = 0;
    for (size_t k = 0; k < sizeof ok / sizeof *ok; k++) good |= !strcmp(tail, ok[k]);
    if (!good) {
      fprintf(stderr, "%d chars: the first line ends '%s'\n", chars, tail);
      dump(&c);
    }
    CHECK(good);
    release(&c);
    /* turned off: no hyphen anywhere */
    CHECK(compose(&c, ctx, k_technical[1], 0, chars * EM, KH_ALIGN_JUSTIFY, EM,
                  KH_PARA_NO_HYPHENATION) == KH_OK);
    for (uint32_t i = 0; i < c.lines.n; i++) CHECK(c.lines.lines[i].hyphen == NULL);
    release(&c);
  }
  /* the fragments: "compose" never breaks as co-mpose or compo-se */
  for (int chars = 8; chars <= 30; chars++) {
    para_case c;
    CHECK(compose(&c, ctx, "関数 xx_compose_compose_compose_compose_compose_compose_compose を使う", 0,
                  chars * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
    for (uint32_t i = 0; i + 1 < c.lines.n; i++) {
      const kh_line *ln = &c.lines.lines[i];
      if (!ln->hyphen) continue;
      const char *e = c.sp.text + ln->text_end;
      CHECK(e[-1] != 'o' || e[-2] != 'c'); /* co- */
      CHECK(strncmp(e, "se", 2) || e[2] != '_'); /* -se */
      CHECK(!strncmp(e, "pose", 4)); /* com-pose is the one point */
    }
    release(&c);
  }
  /* no hyphen added to a URL or to a name with a hyphen of its own */
  for (int chars = 10; chars <= 30; chars++) {
    para_case c;
    CHECK(compose(&c, ctx, "詳細は https://example.go.jp/documentation/international/ と "
                  "libinternationalization-dev を見る。", 0, chars * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
    for (uint32_t i = 0; i < c.lines.n; i++) CHECK(c.lines.lines[i].hyphen == NULL);
    release(&c);
  }
}

/* JLReq 3.1.10 f: a word or identifier shorter than the measure goes whole
 * to the next line rather than break between two letters, even when the
 * line before must open a little past the cap. */
static void test_words_whole(kh_ctx *ctx) {
  para_case c;
  const char *text = "ビルドには CMake 3.20 以降と pkg-config が必要で、依存するライブラリは "
                     "libharfbuzz-dev、libicu-dev、libhpdf-dev などである。";
  for (int chars = 20; chars <= 45; chars++) {
    CHECK(compose(&c, ctx, text, 0, chars * EM, KH_ALIGN_JUSTIFY, EM, 0) == KH_OK);
    for (uint32_t i = 0; i + 1 < c.lines.n; i++) {
      if (breaks_short_word(&c, i)) {
        fprintf(stderr, "%d chars: line %u ends inside a word\n", chars, i);
        dump(&c);
      }
      CHECK(!breaks_short_word(&c, i));
    }
    release(&c);
  }
  /* a run wider than the measure still breaks between letters */
  CHECK(compose(&c, ctx, "詳細はabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzを見る。", 0,
                12 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  CHECK(c.lines.n >= 3);
  for (uint32_t i = 0; i < c.lines.n; i++) CHECK(!c.lines.lines[i].overfull);
  release(&c);
}

/* ぶら下げ (3.8.3): with KH_PARA_HANG a line-end 、 may hang past the
 * measure instead of the line being pushed in or out. */
static void test_hanging(kh_ctx *ctx) {
  const char *text = "一二三四五六七八九十、一二三四五六七八九十一二三";
  para_case c;
  CHECK(compose(&c, ctx, text, 0, 10 * EM, KH_ALIGN_JUSTIFY, 0, KH_PARA_HANG) == KH_OK);
  const kh_line *ln = &c.lines.lines[0];
  CHECK(ln->hang);
  CHECK_EQ_INT(ln->count, 11);
  CHECK_EQ_INT(ln->x[10], 10 * EM); /* 、 just past the measure */
  CHECK_EQ_INT(ln->x[9], 9 * EM);   /* the rest solid */
  CHECK_EQ_INT(c.sh.glyphs[c.lines.lines[1].first].cp, 0x4E00);
  release(&c);
  CHECK(compose(&c, ctx, text, 0, 10 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  for (uint32_t i = 0; i < c.lines.n; i++) CHECK(!c.lines.lines[i].hang);
  CHECK(c.lines.lines[0].width <= 10 * EM);
  check_invariants(&c, 1, 0);
  release(&c);
}

/* The layout's first fit: the push-in of 3.8.2 where total fit expands. */
static void test_first_fit(kh_ctx *ctx) {
  para_case c;
  CHECK(compose(&c, ctx, "一、二、三四五六七八。一二三", 0, 10 * EM, KH_ALIGN_JUSTIFY, 0,
                KH_PARA_FIRST_FIT) == KH_OK);
  CHECK_EQ_INT(c.lines.lines[0].count, 11);
  check_invariants(&c, 1, 0);
  release(&c);
}

/* The contextual classes: a unit after a numeral (cl-25) and a footnote
 * reference (cl-20) stay with what they belong to, even where a Western
 * run could otherwise break anywhere. */
static void test_contextual(kh_ctx *ctx) {
  para_case c;
  /* at 4 em the line must break inside the run, but never in 100km */
  CHECK(compose(&c, ctx, "abcdefgh100km", 0, 4 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  for (uint32_t i = 0; i < c.lines.n; i++) {
    const kh_line *ln = &c.lines.lines[i];
    int32_t last = c.sh.glyphs[ln->first + ln->count - 1].cp;
    CHECK(last != '1' && last != '0' && last != 'k');
  }
  release(&c);
  CHECK(kh_jlreq_may_break(KH_CL_NUMERAL, KH_CL_UNIT) == 0);
  CHECK(kh_jlreq_may_break(KH_CL_IDEOGRAPHIC, KH_CL_REFERENCE) == 0);
  CHECK(kh_jlreq_may_break(KH_CL_RUBY_MONO, KH_CL_RUBY_MONO) == 0);
  CHECK(kh_jlreq_may_break(KH_CL_RUBY_JUKUGO, KH_CL_RUBY_JUKUGO) == 1);
  CHECK(kh_jlreq_may_break(KH_CL_WARICHU_OPENING, KH_CL_IDEOGRAPHIC) == 0);
  CHECK(kh_jlreq_may_break(KH_CL_IDEOGRAPHIC, KH_CL_WARICHU_CLOSING) == 0);
  /* a footnote reference "12" after 本文 never starts a line: at 5 em
   * first fit would put 12 at the head of the second line */
  kh_mark m = {0};
  m.flags = KH_MARK_FOOTREF;
  m.start = 15; /* after 本文一二三 (5 x 3 bytes) */
  m.end = 17;
  test_marks = &m;
  test_nmarks = 1;
  CHECK(compose(&c, ctx, "本文一二三12と続く文", 0, 5 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  test_marks = NULL;
  test_nmarks = 0;
  for (uint32_t i = 1; i < c.lines.n; i++) {
    int32_t first = c.sh.glyphs[c.lines.lines[i].first].cp;
    CHECK(first != '1' && first != '2');
  }
  release(&c);
  /* ‥ … may start a line but never split (cl-08, 3.1.10 b) */
  CHECK(compose(&c, ctx, "一二三四五六……七八九十", 0, 7 * EM, KH_ALIGN_JUSTIFY, 0, 0) == KH_OK);
  CHECK_EQ_INT(c.lines.lines[0].count, 6);
  CHECK_EQ_INT(c.sh.glyphs[c.lines.lines[1].first].cp, 0x2026);
  CHECK_EQ_INT(c.sh.glyphs[c.lines.lines[1].first + 1].cp, 0x2026);
  release(&c);
}

int main(void) {
  kh_ctx *ctx = kh_ctx_new();
  if (!ctx) return 1;
  kh_ctx_set_diag(ctx, on_diag, NULL);
  test_classes();
  test_class_script();
  test_may_break();
  test_dense(ctx);
  test_pairs(ctx);
  test_jw(ctx);
  test_line_start_bracket(ctx);
  test_line_end(ctx);
  test_lone_last(ctx);
  test_align_and_marker(ctx);
  test_url(ctx);
  test_overfull(ctx);
  test_trace(ctx);
  test_long(ctx);
  test_line_end_half(ctx);
  test_hard_break(ctx);
  test_verbatim(ctx);
  test_ideographic_indent(ctx);
  test_tight_western_punct(ctx);
  test_expansion_cap(ctx);
  test_words_whole(ctx);
  test_hyphenation(ctx);
  test_hanging(ctx);
  test_first_fit(ctx);
  test_contextual(ctx);
  kh_ctx_drop(ctx);
  u_cleanup(); /* ICU's caches, for valgrind */
  return kh_test_report();
}
