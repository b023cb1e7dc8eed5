/* style: list markers.
 *
 * The `item` style of a layout gives the markers of each nesting level:
 *
 *   item: {bullets: ["・", "・"], numbers: ["1.", "(1)", "①", "ア", "(ア)"],
 *          marker-gap: 0.5}
 *
 * A number format holds one counter: `1` (1, 2, 3 …), `１` (full-width
 * digits), `①` (circled numbers to ㊿, then the digits), `ア` (katakana in
 * 五十音 order: ア イ ウ エ オ カ …), `a` (a, b, c … z, then the digits);
 * what is around it (`(`, `.`, `）`) is printed as written.  Levels deeper
 * than the list repeat its last entry.  These are the forms of Japanese
 * official documents (公用文: 1 → (1) → ① → ア → (ア)). */
#include <stdio.h>
#include <string.h>

#include "style/style.h"

static const char *default_numbers[] = {"1.", "(1)", "\xE2\x91\xA0" /* ① */,
                                        "\xE3\x82\xA2" /* ア */, "(\xE3\x82\xA2)" /* (ア) */};
static const char *default_bullets[] = {"\xE3\x83\xBB" /* ・ */};

/* 五十音 (JIS order, without ゐ ゑ), as used to count in 公用文 */
static const char *const gojuon[] = {
    "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ",
    "チ", "ツ", "テ", "ト", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ",
    "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ", "ル", "レ", "ロ", "ワ", "ヲ", "ン"};

/* Writes counter n in the form of placeholder code point cp. */
static int counter(int32_t cp, int n, char *out, size_t size) {
  if (cp == 0x2460 && n >= 1 && n <= 50) { /* ① … ⑳, ㉑ … ㉟, ㊱ … ㊿ */
    int32_t c = n <= 20 ? 0x2460 + n - 1 : n <= 35 ? 0x3251 + n - 21 : 0x32B1 + n - 36;
    return kh_utf8_encode(c, out);
  }
  if (cp == 0x30A2 && n >= 1 && n <= (int)(sizeof gojuon / sizeof *gojuon))
    return snprintf(out, size, "%s", gojuon[n - 1]);
  if (cp == 'a' && n >= 1 && n <= 26) return snprintf(out, size, "%c", 'a' + n - 1);
  if (cp == 0xFF11) { /* full-width digits */
    char ascii[16];
    int len = snprintf(ascii, sizeof ascii, "%d", n), k = 0;
    for (int i = 0; i < len && k + 3 < (int)size; i++)
      k += kh_utf8_encode(ascii[i] == '-' ? 0xFF0D : 0xFF10 + (ascii[i] - '0'), out + k);
    return k;
  }
  return snprintf(out, size, "%d", n);
}

static int placeholder(int32_t cp) {
  return cp == '1' || cp == 0xFF11 || cp == 0x2460 || cp == 0x30A2 || cp == 'a';
}

int kh_style_list_marker(const kh_pstyle *st, int ordered, int level, int number, char *out,
                         size_t size) {
  const char *const *forms = ordered ? (st && st->nnumbers ? st->numbers : default_numbers)
                                     : (st && st->nbullets ? st->bullets : default_bullets);
  int n = ordered ? (st && st->nnumbers ? st->nnumbers : 5) : (st && st->nbullets ? st->nbullets : 1);
  if (!ordered && st && !st->nbullets && st->marker) { /* `marker:` alone: every level */
    forms = &st->marker;
    n = 1;
  }
  const char *f = forms[(level < 1 ? 1 : level > n ? n : level) - 1];
  size_t len = strlen(f), k = 0;
  int done = !ordered;
  for (size_t i = 0; i < len && k + 16 < size;) {
    size_t at = i;
    int32_t cp = kh_utf8_next(f, len, &i);
    if (!done && placeholder(cp)) {
      k += (size_t)counter(cp, number, out + k, size - k);
      done = 1;
      continue;
    }
    memcpy(out + k, f + at, i - at);
    k += i - at;
  }
  out[k] = '\0';
  return (int)k;
}
