/* para: the JLReq rules as data.
 *
 * W3C "Requirements for Japanese Text Layout" (JLReq, 2020 edition,
 * https://www.w3.org/TR/jlreq/) and JIS X 4051:
 *  - character classes (Appendix A), looked up per code point;
 *  - line breaking: characters not starting / ending a line (3.1.7, 3.1.8)
 *    and unbreakable sequences (3.1.10);
 *  - spacing between adjacent characters (3.1.2, 3.1.4, 3.2.6, Appendix B)
 *    as a class-pair glue table with shrink and stretch per adjustment tier
 *    (3.8.3, 3.8.4), in the manner of LuaTeX-ja's JFM glue tables;
 *  - where letter-spacing may be added (3.1.11, 3.8.4).
 * compose.c applies them; nothing here knows about glyphs or lines. */
#include <stdatomic.h>
#include <pthread.h>

#include "para/para.h"

/* ---- character classes (Appendix A) --------------------------------------
 * Single code points that differ from their block's class, sorted by code
 * point (binary search).  Full-width forms (U+FFxx) stand for the ASCII
 * code points Appendix A lists: in this program the ASCII characters
 * themselves are Western (cl-27) because the composite face sets them in the
 * proportional Latin font. */
typedef struct cp_class {
  int32_t cp;
  uint8_t cls;
} cp_class;

static const cp_class k_points[] = {
    /* ASCII brackets: A.1 and A.2 list ( [ { and ) ] } with the full-width
     * ones; set narrow from the Latin font they take no half-em glue, but
     * keep kinsoku and no letter-spacing inside (3.1.11 b) */
    {0x0028, KH_CL_OPENING},     /* ( A.1 */
    {0x0029, KH_CL_CLOSING},     /* ) A.2 */
    {0x005B, KH_CL_OPENING},     /* [ A.1 */
    {0x005D, KH_CL_CLOSING},     /* ] A.2 */
    {0x007B, KH_CL_OPENING},     /* { A.1 */
    {0x007D, KH_CL_CLOSING},     /* } A.2 */
    {0x00AB, KH_CL_OPENING},     /* « A.1 */
    {0x00B0, KH_CL_POSTFIX},     /* ° A.13 */
    {0x00B1, KH_CL_MATH_OP},     /* ± A.18 */
    {0x00BB, KH_CL_CLOSING},     /* » A.2 */
    {0x00D7, KH_CL_MATH_OP},     /* × A.18 */
    {0x00F7, KH_CL_MATH_OP},     /* ÷ A.18 */
    {0x2010, KH_CL_HYPHEN},      /* ‐ A.3 */
    {0x2013, KH_CL_HYPHEN},      /* – A.3 */
    {0x2014, KH_CL_INSEPARABLE}, /* — A.8 */
    /* deviation: ― U+2015 is not in A.8, but JIS X 0208 1-29 (the dash) maps
     * to it in the Microsoft tables, so Japanese text uses it as "—". */
    {0x2015, KH_CL_INSEPARABLE},
    {0x2016, KH_CL_IDEOGRAPHIC}, /* ‖ A.19 */
    {0x2018, KH_CL_OPENING},     /* ‘ A.1 */
    {0x2019, KH_CL_CLOSING},     /* ’ A.2 */
    {0x201C, KH_CL_OPENING},     /* “ A.1 */
    {0x201D, KH_CL_CLOSING},     /* ” A.2 */
    {0x2020, KH_CL_IDEOGRAPHIC}, /* † A.19 */
    {0x2021, KH_CL_IDEOGRAPHIC}, /* ‡ A.19 */
    {0x2022, KH_CL_IDEOGRAPHIC}, /* • A.19 */
    {0x2025, KH_CL_INSEPARABLE}, /* ‥ A.8 */
    {0x2026, KH_CL_INSEPARABLE}, /* … A.8 */
    {0x2030, KH_CL_POSTFIX},     /* ‰ A.13 */
    {0x2032, KH_CL_POSTFIX},     /* ′ A.13 */
    {0x2033, KH_CL_POSTFIX},     /* ″ A.13 */
    {0x203B, KH_CL_IDEOGRAPHIC}, /* ※ A.19 */
    {0x203C, KH_CL_DIVIDING},    /* ‼ A.4 */
    {0x2042, KH_CL_IDEOGRAPHIC}, /* ⁂ A.19 */
    {0x2047, KH_CL_DIVIDING},    /* ⁇ A.4 */
    {0x2048, KH_CL_DIVIDING},    /* ⁈ A.4 */
    {0x2049, KH_CL_DIVIDING},    /* ⁉ A.4 */
    {0x2051, KH_CL_IDEOGRAPHIC}, /* ⁑ A.19 */
    {0x20AC, KH_CL_PREFIX},      /* € A.12 */
    {0x2103, KH_CL_POSTFIX},     /* ℃ A.13 */
    {0x2113, KH_CL_POSTFIX},     /* ℓ A.13 */
    {0x2116, KH_CL_PREFIX},      /* № A.12 */
    {0x21D2, KH_CL_MATH_SYMBOL}, /* ⇒ A.17 */
    {0x21D4, KH_CL_MATH_SYMBOL}, /* ⇔ A.17 */
    {0x2208, KH_CL_MATH_SYMBOL}, /* ∈ A.17 */
    {0x2209, KH_CL_MATH_SYMBOL}, /* ∉ A.17 */
    {0x220B, KH_CL_MATH_SYMBOL}, /* ∋ A.17 */
    {0x2212, KH_CL_MATH_OP},     /* − A.18 */
    {0x2213, KH_CL_MATH_OP},     /* ∓ A.18 */
    {0x221D, KH_CL_MATH_SYMBOL}, /* ∝ A.17 */
    {0x2225, KH_CL_MATH_SYMBOL}, /* ∥ A.17 */
    {0x2226, KH_CL_MATH_SYMBOL}, /* ∦ A.17 */
    {0x2227, KH_CL_MATH_SYMBOL}, /* ∧ A.17 */
    {0x2228, KH_CL_MATH_SYMBOL}, /* ∨ A.17 */
    {0x2229, KH_CL_MATH_SYMBOL}, /* ∩ A.17 */
    {0x222A, KH_CL_MATH_SYMBOL}, /* ∪ A.17 */
    {0x223D, KH_CL_MATH_SYMBOL}, /* ∽ A.17 */
    {0x2243, KH_CL_MATH_SYMBOL}, /* ≃ A.17 */
    {0x2245, KH_CL_MATH_SYMBOL}, /* ≅ A.17 */
    {0x2248, KH_CL_MATH_SYMBOL}, /* ≈ A.17 */
    {0x2252, KH_CL_MATH_SYMBOL}, /* ≒ A.17 */
    {0x2260, KH_CL_MATH_SYMBOL}, /* ≠ A.17 */
    {0x2261, KH_CL_MATH_SYMBOL}, /* ≡ A.17 */
    {0x2262, KH_CL_MATH_SYMBOL}, /* ≢ A.17 */
    {0x2266, KH_CL_MATH_SYMBOL}, /* ≦ A.17 */
    {0x2267, KH_CL_MATH_SYMBOL}, /* ≧ A.17 */
    {0x226A, KH_CL_MATH_SYMBOL}, /* ≪ A.17 */
    {0x226B, KH_CL_MATH_SYMBOL}, /* ≫ A.17 */
    {0x2276, KH_CL_MATH_SYMBOL}, /* ≶ A.17 */
    {0x2277, KH_CL_MATH_SYMBOL}, /* ≷ A.17 */
    {0x2282, KH_CL_MATH_SYMBOL}, /* ⊂ A.17 */
    {0x2283, KH_CL_MATH_SYMBOL}, /* ⊃ A.17 */
    {0x2284, KH_CL_MATH_SYMBOL}, /* ⊄ A.17 */
    {0x2285, KH_CL_MATH_SYMBOL}, /* ⊅ A.17 */
    {0x2286, KH_CL_MATH_SYMBOL}, /* ⊆ A.17 */
    {0x2287, KH_CL_MATH_SYMBOL}, /* ⊇ A.17 */
    {0x228A, KH_CL_MATH_SYMBOL}, /* ⊊ A.17 */
    {0x228B, KH_CL_MATH_SYMBOL}, /* ⊋ A.17 */
    {0x2295, KH_CL_MATH_SYMBOL}, /* ⊕ A.17 */
    {0x2297, KH_CL_MATH_SYMBOL}, /* ⊗ A.17 */
    {0x22A5, KH_CL_MATH_SYMBOL}, /* ⊥ A.17 */
    {0x22DA, KH_CL_MATH_SYMBOL}, /* ⋚ A.17 */
    {0x22DB, KH_CL_MATH_SYMBOL}, /* ⋛ A.17 */
    {0x2305, KH_CL_MATH_SYMBOL}, /* ⌅ A.17 */
    {0x2306, KH_CL_MATH_SYMBOL}, /* ⌆ A.17 */
    {0x2985, KH_CL_OPENING},     /* ⦅ A.1 */
    {0x2986, KH_CL_CLOSING},     /* ⦆ A.2 */
    /* deviation: the two- and three-em dashes ⸺⸻ are not in A.8; they are
     * inseparable dashes like ——. */
    {0x2E3A, KH_CL_INSEPARABLE},
    {0x2E3B, KH_CL_INSEPARABLE},
    {0x3000, KH_CL_IDEO_SPACE},  /* ideographic space A.14 */
    {0x3001, KH_CL_COMMA},       /* 、 A.7 */
    {0x3002, KH_CL_FULL_STOP},   /* 。 A.6 */
    {0x3005, KH_CL_ITERATION},   /* 々 A.9 */
    {0x3008, KH_CL_OPENING},     /* 〈 A.1 */
    {0x3009, KH_CL_CLOSING},     /* 〉 A.2 */
    {0x300A, KH_CL_OPENING},     /* 《 A.1 */
    {0x300B, KH_CL_CLOSING},     /* 》 A.2 */
    {0x300C, KH_CL_OPENING},     /* 「 A.1 */
    {0x300D, KH_CL_CLOSING},     /* 」 A.2 */
    {0x300E, KH_CL_OPENING},     /* 『 A.1 */
    {0x300F, KH_CL_CLOSING},     /* 』 A.2 */
    {0x3010, KH_CL_OPENING},     /* 【 A.1 */
    {0x3011, KH_CL_CLOSING},     /* 】 A.2 */
    {0x3014, KH_CL_OPENING},     /* 〔 A.1 */
    {0x3015, KH_CL_CLOSING},     /* 〕 A.2 */
    {0x3016, KH_CL_OPENING},     /* 〖 A.1 */
    {0x3017, KH_CL_CLOSING},     /* 〗 A.2 */
    {0x3018, KH_CL_OPENING},     /* 〘 A.1 */
    {0x3019, KH_CL_CLOSING},     /* 〙 A.2 */
    {0x301A, KH_CL_OPENING},     /* 〚 deviation: bracket not in A.1 */
    {0x301B, KH_CL_CLOSING},     /* 〛 deviation: bracket not in A.2 */
    {0x301C, KH_CL_HYPHEN},      /* 〜 A.3 */
    {0x301D, KH_CL_OPENING},     /* 〝 A.1 */
    {0x301E, KH_CL_CLOSING},     /* 〞 deviation: pair of 〝, not in A.2 */
    {0x301F, KH_CL_CLOSING},     /* 〟 A.2 */
    {0x3033, KH_CL_INSEPARABLE}, /* 〳 A.8 */
    {0x3034, KH_CL_INSEPARABLE}, /* 〴 A.8 */
    {0x3035, KH_CL_INSEPARABLE}, /* 〵 A.8 */
    {0x303B, KH_CL_ITERATION},   /* 〻 A.9 */
    {0x3041, KH_CL_SMALL_KANA},  /* ぁ A.11 */
    {0x3043, KH_CL_SMALL_KANA},  /* ぃ A.11 */
    {0x3045, KH_CL_SMALL_KANA},  /* ぅ A.11 */
    {0x3047, KH_CL_SMALL_KANA},  /* ぇ A.11 */
    {0x3049, KH_CL_SMALL_KANA},  /* ぉ A.11 */
    {0x3063, KH_CL_SMALL_KANA},  /* っ A.11 */
    {0x3083, KH_CL_SMALL_KANA},  /* ゃ A.11 */
    {0x3085, KH_CL_SMALL_KANA},  /* ゅ A.11 */
    {0x3087, KH_CL_SMALL_KANA},  /* ょ A.11 */
    {0x308E, KH_CL_SMALL_KANA},  /* ゎ A.11 */
    {0x3095, KH_CL_SMALL_KANA},  /* ゕ A.11 */
    {0x3096, KH_CL_SMALL_KANA},  /* ゖ A.11 */
    {0x309D, KH_CL_ITERATION},   /* ゝ A.9 */
    {0x309E, KH_CL_ITERATION},   /* ゞ A.9 */
    {0x309F, KH_CL_IDEOGRAPHIC}, /* ゟ A.19 */
    {0x30A0, KH_CL_HYPHEN},      /* ゠ A.3 */
    {0x30A1, KH_CL_SMALL_KANA},  /* ァ A.11 */
    {0x30A3, KH_CL_SMALL_KANA},  /* ィ A.11 */
    {0x30A5, KH_CL_SMALL_KANA},  /* ゥ A.11 */
    {0x30A7, KH_CL_SMALL_KANA},  /* ェ A.11 */
    {0x30A9, KH_CL_SMALL_KANA},  /* ォ A.11 */
    {0x30C3, KH_CL_SMALL_KANA},  /* ッ A.11 */
    {0x30E3, KH_CL_SMALL_KANA},  /* ャ A.11 */
    {0x30E5, KH_CL_SMALL_KANA},  /* ュ A.11 */
    {0x30E7, KH_CL_SMALL_KANA},  /* ョ A.11 */
    {0x30EE, KH_CL_SMALL_KANA},  /* ヮ A.11 */
    {0x30F5, KH_CL_SMALL_KANA},  /* ヵ A.11 */
    {0x30F6, KH_CL_SMALL_KANA},  /* ヶ A.11 */
    {0x30FB, KH_CL_MIDDLE_DOT},  /* ・ A.5 */
    {0x30FC, KH_CL_PROLONGED},   /* ー A.10 */
    {0x30FD, KH_CL_ITERATION},   /* ヽ A.9 */
    {0x30FE, KH_CL_ITERATION},   /* ヾ A.9 */
    {0x30FF, KH_CL_IDEOGRAPHIC}, /* ヿ A.19 */
    {0x3303, KH_CL_POSTFIX},     /* ㌃ A.13 */
    {0x330D, KH_CL_POSTFIX},     /* ㌍ A.13 */
    {0x3314, KH_CL_POSTFIX},     /* ㌔ A.13 */
    {0x3318, KH_CL_POSTFIX},     /* ㌘ A.13 */
    {0x3322, KH_CL_POSTFIX},     /* ㌢ A.13 */
    {0x3323, KH_CL_POSTFIX},     /* ㌣ A.13 */
    {0x3326, KH_CL_POSTFIX},     /* ㌦ A.13 */
    {0x3327, KH_CL_POSTFIX},     /* ㌧ A.13 */
    {0x332B, KH_CL_POSTFIX},     /* ㌫ A.13 */
    {0x3336, KH_CL_POSTFIX},     /* ㌶ A.13 */
    {0x333B, KH_CL_POSTFIX},     /* ㌻ A.13 */
    {0x3349, KH_CL_POSTFIX},     /* ㍉ A.13 */
    {0x334A, KH_CL_POSTFIX},     /* ㍊ A.13 */
    {0x334D, KH_CL_POSTFIX},     /* ㍍ A.13 */
    {0x3351, KH_CL_POSTFIX},     /* ㍑ A.13 */
    {0x3357, KH_CL_POSTFIX},     /* ㍗ A.13 */
    {0x338E, KH_CL_POSTFIX},     /* ㎎ A.13 */
    {0x338F, KH_CL_POSTFIX},     /* ㎏ A.13 */
    {0x339C, KH_CL_POSTFIX},     /* ㎜ A.13 */
    {0x339D, KH_CL_POSTFIX},     /* ㎝ A.13 */
    {0x339E, KH_CL_POSTFIX},     /* ㎞ A.13 */
    {0x33A1, KH_CL_POSTFIX},     /* ㎡ A.13 */
    {0x33C4, KH_CL_POSTFIX},     /* ㏄ A.13 */
    {0x33CB, KH_CL_POSTFIX},     /* ㏋ A.13 */
    {0xFF01, KH_CL_DIVIDING},    /* ！ A.4 */
    {0xFF03, KH_CL_PREFIX},      /* ＃ A.12 */
    {0xFF04, KH_CL_PREFIX},      /* ＄ A.12 */
    {0xFF05, KH_CL_POSTFIX},     /* ％ A.13 */
    {0xFF08, KH_CL_OPENING},     /* （ A.1 */
    {0xFF09, KH_CL_CLOSING},     /* ） A.2 */
    {0xFF0B, KH_CL_MATH_OP},     /* ＋ A.18 */
    {0xFF0C, KH_CL_COMMA},       /* ， A.7 */
    {0xFF0E, KH_CL_FULL_STOP},   /* ． A.6 */
    {0xFF1A, KH_CL_MIDDLE_DOT},  /* ： A.5 */
    {0xFF1B, KH_CL_MIDDLE_DOT},  /* ； A.5 */
    {0xFF1C, KH_CL_MATH_SYMBOL}, /* ＜ A.17 */
    {0xFF1D, KH_CL_MATH_SYMBOL}, /* ＝ A.17 */
    {0xFF1E, KH_CL_MATH_SYMBOL}, /* ＞ A.17 */
    {0xFF1F, KH_CL_DIVIDING},    /* ？ A.4 */
    {0xFF3B, KH_CL_OPENING},     /* ［ A.1 */
    {0xFF3D, KH_CL_CLOSING},     /* ］ A.2 */
    {0xFF5B, KH_CL_OPENING},     /* ｛ A.1 */
    {0xFF5D, KH_CL_CLOSING},     /* ｝ A.2 */
    /* deviation: ～ U+FF5E is where Windows code pages put 〜 (A.3). */
    {0xFF5E, KH_CL_HYPHEN},
    {0xFF5F, KH_CL_OPENING},     /* ｟ A.1 */
    {0xFF60, KH_CL_CLOSING},     /* ｠ A.2 */
    /* half-width katakana punctuation: the classes of their full-width
     * counterparts (their narrow glyphs make them Western for spacing) */
    {0xFF61, KH_CL_FULL_STOP},   /* ｡ A.6 */
    {0xFF62, KH_CL_OPENING},     /* ｢ A.1 */
    {0xFF63, KH_CL_CLOSING},     /* ｣ A.2 */
    {0xFF64, KH_CL_COMMA},       /* ､ A.7 */
    {0xFF65, KH_CL_MIDDLE_DOT},  /* ･ A.5 */
    {0xFF67, KH_CL_SMALL_KANA},  /* ｧ A.11 */
    {0xFF68, KH_CL_SMALL_KANA},  /* ｨ A.11 */
    {0xFF69, KH_CL_SMALL_KANA},  /* ｩ A.11 */
    {0xFF6A, KH_CL_SMALL_KANA},  /* ｪ A.11 */
    {0xFF6B, KH_CL_SMALL_KANA},  /* ｫ A.11 */
    {0xFF6C, KH_CL_SMALL_KANA},  /* ｬ A.11 */
    {0xFF6D, KH_CL_SMALL_KANA},  /* ｭ A.11 */
    {0xFF6E, KH_CL_SMALL_KANA},  /* ｮ A.11 */
    {0xFF6F, KH_CL_SMALL_KANA},  /* ｯ A.11 */
    {0xFF70, KH_CL_PROLONGED},   /* ｰ A.10 */
    {0xFFE0, KH_CL_POSTFIX},     /* ￠ A.13 */
    {0xFFE1, KH_CL_PREFIX},      /* ￡ A.12 */
    {0xFFE5, KH_CL_PREFIX},      /* ￥ A.12 */
};

/* Blocks, sorted and disjoint.  A code point in no block is Western (A.27)
 * or ideographic-like (A.19) as its script puts it in the Latin or the
 * Japanese font (kh_script_of, from ICU). */
#define BY_SCRIPT 0
typedef struct range_class {
  int32_t lo, hi;
  uint8_t cls;
} range_class;

static const range_class k_ranges[] = {
    {0x0020, 0x0020, KH_CL_WESTERN_SPACE}, /* A.26 */
    {0x0021, 0x002F, KH_CL_WESTERN},       /* A.27 ASCII punctuation */
    {0x0030, 0x0039, KH_CL_NUMERAL},       /* A.24 European numerals */
    {0x003A, 0x007E, KH_CL_WESTERN},       /* A.27 letters, punctuation */
    {0x00A0, 0x00A0, KH_CL_WESTERN_SPACE}, /* no-break space: a word space */
    {0x00A1, 0x036F, KH_CL_WESTERN},       /* A.27 Latin-1, Latin extended, IPA */
    /* Greek and Cyrillic: A.19 (the JIS X 0213 characters of no other
     * class: rows 6 and 7, full-width in a Japanese font) when the
     * composite face sets them from the Japanese font, else A.27; which
     * one is kh_script_of's decision, so spacing follows the font */
    {0x0370, 0x052F, BY_SCRIPT},
    {0x1E00, 0x1FFF, BY_SCRIPT},           /* Latin and Greek extended */
    {0x2000, 0x200A, KH_CL_WESTERN_SPACE}, /* en, em, thin ... spaces */
    {0x200B, 0x20CF, KH_CL_WESTERN},       /* A.27 punctuation, currency */
    /* A.19 lists letterlike symbols, number forms, arrows, box drawing,
     * geometric shapes (■□), dingbats and enclosed numbers (①) as cl-19 */
    {0x2100, 0x2BFF, KH_CL_IDEOGRAPHIC},
    {0x2E80, 0x303F, KH_CL_IDEOGRAPHIC},   /* radicals, CJK symbols A.19 */
    {0x3040, 0x309F, KH_CL_HIRAGANA},      /* A.15 */
    {0x30A0, 0x30FF, KH_CL_KATAKANA},      /* A.16 */
    {0x3100, 0x31EF, KH_CL_IDEOGRAPHIC},   /* bopomofo, kanbun, strokes */
    {0x31F0, 0x31FF, KH_CL_SMALL_KANA},    /* A.11 small katakana for Ainu */
    {0x3200, 0x9FFF, KH_CL_IDEOGRAPHIC},   /* enclosed CJK, kanji A.19 */
    {0xAC00, 0xD7AF, KH_CL_IDEOGRAPHIC},   /* hangul: full-width */
    {0xF900, 0xFAFF, KH_CL_IDEOGRAPHIC},   /* compatibility ideographs A.19 */
    {0xFE30, 0xFE4F, KH_CL_IDEOGRAPHIC},   /* CJK compatibility forms */
    {0xFF01, 0xFF60, KH_CL_IDEOGRAPHIC},   /* full-width letters, digits A.19 */
    {0xFF61, 0xFF9F, KH_CL_KATAKANA},      /* half-width katakana */
    {0xFFE0, 0xFFEE, KH_CL_IDEOGRAPHIC},   /* full-width signs */
    {0x1F000, 0x1FAFF, KH_CL_IDEOGRAPHIC}, /* emoji: one em each */
    {0x20000, 0x3FFFF, KH_CL_IDEOGRAPHIC}, /* kanji, planes 2 and 3 A.19 */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The first point at or after `cp`, and the first range that does not end
 * before it (both tables are sorted). */
static size_t point_from(int32_t cp) {
  size_t lo = 0, hi = COUNT(k_points);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (k_points[mid].cp < cp) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static size_t range_from(int32_t cp) {
  size_t lo = 0, hi = COUNT(k_ranges);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (k_ranges[mid].hi < cp) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* The class of `cp`, given p = point_from(cp) and r = range_from(cp). */
static kh_jclass class_at(int32_t cp, size_t p, size_t r) {
  if (p < COUNT(k_points) && k_points[p].cp == cp)
    return (kh_jclass)k_points[p].cls;
  if (r < COUNT(k_ranges) && k_ranges[r].lo <= cp && k_ranges[r].cls != BY_SCRIPT)
    return (kh_jclass)k_ranges[r].cls;
  return kh_script_of(cp) == KH_SCRIPT_LATIN ? KH_CL_WESTERN : KH_CL_IDEOGRAPHIC;
}

static kh_jclass class_search(int32_t cp) {
  return class_at(cp, point_from(cp), range_from(cp));
}

/* The tables above are the reviewable data; a composer asks for the class
 * of every character, so the Basic Multilingual Plane's answers are kept in
 * blocks of 64 filled on first use (a text touches a few dozen blocks).
 * Entries are atomic, so threads composing at once may fill a block twice
 * with the same values. */
#define BLOCK_BITS 6
#define CLASS_BLOCKS (0x10000 >> BLOCK_BITS)
static _Atomic uint8_t k_class_cache[CLASS_BLOCKS][1 << BLOCK_BITS];
static _Atomic uint8_t k_class_ready[CLASS_BLOCKS];

kh_jclass kh_jlreq_class(int32_t cp) {
  if (cp < 0 || cp >= 0x10000)
    return class_search(cp);
  unsigned block = (unsigned)cp >> BLOCK_BITS, n = 1u << BLOCK_BITS;
  if (!atomic_load_explicit(&k_class_ready[block], memory_order_acquire)) {
    /* one search for the block's first code point, then a walk */
    int32_t first = (int32_t)(block << BLOCK_BITS);
    size_t p = point_from(first), r = range_from(first);
    for (unsigned i = 0; i < n; i++) {
      int32_t c = first + (int32_t)i;
      while (p < COUNT(k_points) && k_points[p].cp < c) p++;
      while (r < COUNT(k_ranges) && k_ranges[r].hi < c) r++;
      atomic_store_explicit(&k_class_cache[block][i], (uint8_t)class_at(c, p, r),
                            memory_order_relaxed);
    }
    atomic_store_explicit(&k_class_ready[block], 1, memory_order_release);
  }
  return (kh_jclass)atomic_load_explicit(&k_class_cache[block][cp & (n - 1)],
                                         memory_order_relaxed);
}

/* ---- line breaking -------------------------------------------------------
 * Pairs (before, after) between which no line may break; 0 matches any
 * class.  The strict rules: small kana, ー and 々 never start a line. */
typedef struct pair_rule {
  uint8_t a, b;
} pair_rule;

static const pair_rule k_no_break[] = {
    {0, KH_CL_CLOSING},     /* 3.1.7: closing brackets */
    {0, KH_CL_HYPHEN},      /* 3.1.7: hyphens */
    {0, KH_CL_DIVIDING},    /* 3.1.7: ？！ */
    {0, KH_CL_MIDDLE_DOT},  /* 3.1.7: middle dots */
    {0, KH_CL_FULL_STOP},   /* 3.1.7: full stops */
    {0, KH_CL_COMMA},       /* 3.1.7: commas */
    {0, KH_CL_ITERATION},   /* 3.1.7: iteration marks (strict) */
    {0, KH_CL_PROLONGED},   /* 3.1.7: ー (strict) */
    {0, KH_CL_SMALL_KANA},  /* 3.1.7: small kana (strict) */
    {KH_CL_OPENING, 0},     /* 3.1.8: opening brackets end no line */
    {KH_CL_INSEPARABLE, KH_CL_INSEPARABLE}, /* 3.1.10 a, b: —— …… */
    {KH_CL_PREFIX, KH_CL_NUMERAL},   /* 3.1.10 d: ＄100 */
    {KH_CL_NUMERAL, KH_CL_POSTFIX},  /* 3.1.10 e: 45％ */
    {KH_CL_NUMERAL, KH_CL_UNIT},     /* 3.1.10 f: 4km */
    {KH_CL_NUMERAL, KH_CL_NUMERAL},  /* 3.1.10 c: European numerals */
    {KH_CL_NUMERAL, KH_CL_WESTERN},  /* 3.1.10 f: 1,000 3.5 (no hyphenation) */
    {KH_CL_WESTERN, KH_CL_NUMERAL},  /* 3.1.10 f */
    {KH_CL_WESTERN, KH_CL_WESTERN},  /* 3.1.10 f: Western words */
    {KH_CL_UNIT, KH_CL_UNIT},        /* 3.1.10 f: letters of a unit */
    /* the contextual classes (Appendix A, cl-20..23, 28..30) */
    {0, KH_CL_REFERENCE},            /* cl-20: a reference mark stays with
                                        what it annotates */
    {KH_CL_REFERENCE, KH_CL_REFERENCE}, /* cl-20: and is one unit */
    {KH_CL_ORNAMENTED, KH_CL_ORNAMENTED}, /* cl-21: one complex */
    {KH_CL_RUBY_MONO, KH_CL_RUBY_MONO}, /* cl-22, 3.3: a mono- or group-ruby
                                           base is never split (cl-23,
                                           jukugo ruby, may break between
                                           its base characters: no row) */
    {KH_CL_WARICHU_OPENING, 0},      /* cl-28: as cl-01 (3.1.8) */
    {0, KH_CL_WARICHU_CLOSING},      /* cl-29: as cl-02 (3.1.7) */
    {KH_CL_TATECHUYOKO, KH_CL_TATECHUYOKO}, /* cl-30: one em box */
};

static int may_break_scan(kh_jclass a, kh_jclass b) {
  for (size_t i = 0; i < COUNT(k_no_break); i++) {
    const pair_rule *r = &k_no_break[i];
    if ((r->a == 0 || r->a == a) && (r->b == 0 || r->b == b)) return 0;
  }
  return 1;
}

/* ---- spacing groups and box model ---------------------------------------
 * 3.1.2: commas, full stops, brackets and middle dots are half-width with
 * half (quarter) em spacing beside them; a full-width font glyph holds the
 * ink in one half, so its box is the advance less half an em. */
kh_jgroup kh_jlreq_group(kh_jclass c, int fullwidth) {
  switch (c) {
  case KH_CL_OPENING:
  case KH_CL_WARICHU_OPENING: return fullwidth ? KH_JG_OPEN : KH_JG_WEST;
  case KH_CL_CLOSING:
  case KH_CL_WARICHU_CLOSING:
  case KH_CL_COMMA: return fullwidth ? KH_JG_CLOSE : KH_JG_WEST;
  case KH_CL_FULL_STOP: return fullwidth ? KH_JG_STOP : KH_JG_WEST;
  case KH_CL_MIDDLE_DOT: return fullwidth ? KH_JG_MIDDLE : KH_JG_WEST;
  case KH_CL_ITERATION:
  case KH_CL_PROLONGED:
  case KH_CL_SMALL_KANA:
  case KH_CL_HIRAGANA:
  case KH_CL_KATAKANA:
  case KH_CL_IDEOGRAPHIC:
  case KH_CL_ORNAMENTED:
  case KH_CL_RUBY_MONO:
  case KH_CL_RUBY_JUKUGO:
  case KH_CL_TATECHUYOKO: return KH_JG_JA;
  /* a reference mark (small raised digits) sets solid either side */
  case KH_CL_REFERENCE: return KH_JG_OTHER;
  case KH_CL_NUMERAL:
  case KH_CL_UNIT:
  case KH_CL_WESTERN:
  case KH_CL_WESTERN_SPACE: return KH_JG_WEST;
  default: return KH_JG_OTHER;
  }
}

static const kh_jbox k_boxes[KH_JG_COUNT] = {
    /* 3.1.2 a: ink in the right half, half em before it; 3.1.5: the
     * half em before a line-start bracket is dropped (tentsuki) unless the
     * layout asks for it */
    [KH_JG_OPEN] = {4, -4, 4, 0, 0},
    /* 3.1.2 a, 3.1.9: half em after a line-end 」、 inside the measure, the
     * first space removed to fit (3.8.3 b) */
    [KH_JG_CLOSE] = {4, 0, 0, 4, 1},
    /* 3.1.9: likewise after a line-end 。 */
    [KH_JG_STOP] = {4, 0, 0, 4, 1},
    /* 3.1.2 a, 3.1.9: a quarter em either side, also at a line start (list
     * markers) and a line end: a middle dot stays full-width there.
     * deviation: 3.8.3 c would remove the line-end quarter; we keep it. */
    [KH_JG_MIDDLE] = {4, -2, 2, 2, 0},
};

const kh_jbox *kh_jlreq_box(kh_jgroup g) { return &k_boxes[g]; }

/* ---- glue between adjacent characters -------------------------------------
 * [before][after] = {natural, shrink, stretch, shrink tier, stretch tier} in
 * eighths of an em; pairs not listed are set solid.  Consecutive punctuation
 * shares one space (3.1.4): 」「 = ½ + ½ + ½, 。」 = ½ + ½, （（ = ½ + ½. */
/* 3.8.3 e allows the half em of brackets and commas to go down to solid;
 * we stop at a quarter em, as the examples its note cites do ("up to
 * solid setting is regarded as too much reduction").  Solid brackets look
 * cramped, and a full-width glyph would then overlap its neighbour's
 * advance by half an em, which text extraction (poppler) reads as a new
 * line. */
#define PUNCT(n) {n, (n) / 2, 0, KH_SHRINK_PUNCT, 0}
#define MIDDLE(n) {n, 2, 0, KH_SHRINK_MIDDLE, 0}
#define FIXED(n) {n, 0, 0, 0, 0}
#define JW {2, 1, 2, KH_SHRINK_JW, KH_STRETCH_JW}

static const kh_jglue k_glue[KH_JG_COUNT][KH_JG_COUNT] = {
    [KH_JG_OPEN][KH_JG_MIDDLE] = MIDDLE(2), /* App. B: quarter before ・ */
    /* after 」、: half em (3.1.2 a), reducible (3.8.3 e) */
    [KH_JG_CLOSE][KH_JG_JA] = PUNCT(4),
    [KH_JG_CLOSE][KH_JG_OTHER] = PUNCT(4),
    [KH_JG_CLOSE][KH_JG_WEST] = PUNCT(4),     /* 3.2.6 c */
    [KH_JG_CLOSE][KH_JG_OPEN] = PUNCT(4),     /* 3.1.4 c, d: 」「 、「 */
    [KH_JG_CLOSE][KH_JG_MIDDLE] = MIDDLE(2),  /* 3.1.4 g: 」・ */
    /* 」」 、」 」、 solid: 3.1.4 a, b, f */
    /* after 。: half em, not reduced in mid-line (3.8.3 e, note) */
    [KH_JG_STOP][KH_JG_JA] = FIXED(4),
    [KH_JG_STOP][KH_JG_OTHER] = FIXED(4),
    [KH_JG_STOP][KH_JG_WEST] = FIXED(4),      /* 3.2.6 c */
    [KH_JG_STOP][KH_JG_OPEN] = FIXED(4),      /* 3.1.4 c: 。「 */
    [KH_JG_STOP][KH_JG_MIDDLE] = MIDDLE(6),   /* App. B: ½ after 。, ¼ before ・ */
    /* 。」 solid: 3.1.4 a */
    /* a quarter em either side of a middle dot (3.1.2 a, 3.1.4 g, h),
     * reducible to solid (3.8.3 d) */
    [KH_JG_MIDDLE][KH_JG_JA] = MIDDLE(2),
    [KH_JG_MIDDLE][KH_JG_OTHER] = MIDDLE(2),
    [KH_JG_MIDDLE][KH_JG_WEST] = MIDDLE(2),
    [KH_JG_MIDDLE][KH_JG_OPEN] = MIDDLE(2),   /* 3.1.4 h: ・「 */
    [KH_JG_MIDDLE][KH_JG_CLOSE] = MIDDLE(2),
    [KH_JG_MIDDLE][KH_JG_STOP] = MIDDLE(2),
    [KH_JG_MIDDLE][KH_JG_MIDDLE] = {4, 4, 0, KH_SHRINK_MIDDLE, 0},
    /* half em before 「 (3.1.2 a), reducible (3.8.3 e) */
    [KH_JG_JA][KH_JG_OPEN] = PUNCT(4),
    [KH_JG_OTHER][KH_JG_OPEN] = PUNCT(4),
    [KH_JG_WEST][KH_JG_OPEN] = PUNCT(4),      /* 3.2.6 c */
    /* quarter em before ・ (3.1.2 a), reducible to solid (3.8.3 d) */
    [KH_JG_JA][KH_JG_MIDDLE] = MIDDLE(2),
    [KH_JG_OTHER][KH_JG_MIDDLE] = MIDDLE(2),
    [KH_JG_WEST][KH_JG_MIDDLE] = MIDDLE(2),
    /* kana/kanji and Western: a quarter em (3.2.6 b), reducible to an eighth
     * (3.8.3 f), extensible to a half (3.8.4 b) */
    [KH_JG_JA][KH_JG_WEST] = JW,
    [KH_JG_WEST][KH_JG_JA] = JW,
    /* Western next to 」。、 or after 「: solid (3.2.6 c) */
};

#undef PUNCT
#undef MIDDLE
#undef FIXED
#undef JW

const kh_jglue *kh_jlreq_glue(kh_jgroup a, kh_jgroup b) {
  return &k_glue[a][b];
}

/* ---- letter-spacing ---------------------------------------------------
 * Where justification may add space between characters (3.8.4 c, d).
 * First matching row wins; 0 matches any class. */
typedef struct spread_rule {
  uint8_t a, b, spread;
} spread_rule;

static const spread_rule k_spread[] = {
    /* 3.1.10 a, b and 3.1.11 a: —— …… never come apart */
    {KH_CL_INSEPARABLE, KH_CL_INSEPARABLE, KH_SPREAD_NEVER},
    /* cl-20: a reference mark is not spaced from what it annotates, nor
     * inside; cl-21, cl-30: one complex, one box */
    {0, KH_CL_REFERENCE, KH_SPREAD_NEVER},
    {KH_CL_REFERENCE, KH_CL_REFERENCE, KH_SPREAD_NEVER},
    {KH_CL_ORNAMENTED, KH_CL_ORNAMENTED, KH_SPREAD_NEVER},
    {KH_CL_TATECHUYOKO, KH_CL_TATECHUYOKO, KH_SPREAD_NEVER},
    /* 3.1.11 b: inside warichu brackets as inside brackets */
    {KH_CL_WARICHU_OPENING, 0, KH_SPREAD_LAST},
    {0, KH_CL_WARICHU_CLOSING, KH_SPREAD_LAST},
    /* 3.1.11 b: after an opening bracket, before a closing bracket, full
     * stop or comma (handled as closing brackets) */
    {KH_CL_OPENING, 0, KH_SPREAD_LAST},
    {0, KH_CL_CLOSING, KH_SPREAD_LAST},
    {0, KH_CL_FULL_STOP, KH_SPREAD_LAST},
    {0, KH_CL_COMMA, KH_SPREAD_LAST},
    /* 3.1.11 b: either side of middle dots, ？！, hyphens, ideographic space */
    {0, KH_CL_MIDDLE_DOT, KH_SPREAD_LAST},
    {KH_CL_MIDDLE_DOT, 0, KH_SPREAD_LAST},
    {0, KH_CL_DIVIDING, KH_SPREAD_LAST},
    {KH_CL_DIVIDING, 0, KH_SPREAD_LAST},
    {0, KH_CL_HYPHEN, KH_SPREAD_LAST},
    {KH_CL_HYPHEN, 0, KH_SPREAD_LAST},
    {0, KH_CL_IDEO_SPACE, KH_SPREAD_LAST},
    {KH_CL_IDEO_SPACE, 0, KH_SPREAD_LAST},
    /* 3.1.11 a via 3.1.10: units and words stay solid; 3.2.6: no spacing
     * inside Western words and numerals except as a last resort (3.8.4 d
     * note: "depends on each layout processing system") */
    {KH_CL_PREFIX, KH_CL_NUMERAL, KH_SPREAD_LAST},
    {KH_CL_NUMERAL, KH_CL_POSTFIX, KH_SPREAD_LAST},
    {KH_CL_NUMERAL, KH_CL_UNIT, KH_SPREAD_LAST},
    {KH_CL_NUMERAL, KH_CL_NUMERAL, KH_SPREAD_LAST},
    {KH_CL_NUMERAL, KH_CL_WESTERN, KH_SPREAD_LAST},
    {KH_CL_WESTERN, KH_CL_NUMERAL, KH_SPREAD_LAST},
    {KH_CL_WESTERN, KH_CL_WESTERN, KH_SPREAD_LAST},
    {KH_CL_UNIT, KH_CL_UNIT, KH_SPREAD_LAST},
};

static kh_spread spread_scan(kh_jclass a, kh_jclass b) {
  for (size_t i = 0; i < COUNT(k_spread); i++) {
    const spread_rule *r = &k_spread[i];
    if ((r->a == 0 || r->a == a) && (r->b == 0 || r->b == b))
      return (kh_spread)r->spread;
  }
  return KH_SPREAD_OK;
}

/* ---- class x class lookups ------------------------------------------------
 * The pair rules above stay lists, each row citing its clause; a composer
 * asks about every adjacent pair, so their answers for every pair of
 * classes are made once into two tables (the first match wins, as in the
 * lists). */
#define NCLASS (KH_CL_WESTERN + 1)
static uint8_t k_break_table[NCLASS][NCLASS];
static uint8_t k_spread_table[NCLASS][NCLASS];
/* pthread_once rather than C11's call_once: the same in glibc, but
 * ThreadSanitizer sees only pthread_once as ordering the tables' writes
 * before their reads (it reported call_once here as a race) */
static pthread_once_t k_tables_once = PTHREAD_ONCE_INIT;

static void make_tables(void) {
  for (int a = 0; a < NCLASS; a++)
    for (int b = 0; b < NCLASS; b++) {
      k_break_table[a][b] = (uint8_t)may_break_scan((kh_jclass)a, (kh_jclass)b);
      k_spread_table[a][b] = (uint8_t)spread_scan((kh_jclass)a, (kh_jclass)b);
    }
}

int kh_jlreq_may_break(kh_jclass a, kh_jclass b) {
  if ((unsigned)a >= NCLASS || (unsigned)b >= NCLASS)
    return may_break_scan(a, b);
  pthread_once(&k_tables_once, make_tables);
  return k_break_table[a][b];
}

kh_spread kh_jlreq_spread(kh_jclass a, kh_jclass b) {
  if ((unsigned)a >= NCLASS || (unsigned)b >= NCLASS)
    return spread_scan(a, b);
  pthread_once(&k_tables_once, make_tables);
  return (kh_spread)k_spread_table[a][b];
}
