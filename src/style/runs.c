/* style: styled runs.
 *
 * Splits a leaf block's text into runs of one font, size and script.  The
 * font comes from the paragraph style's composite face (or its strong face
 * inside **strong**: Japanese has no faux bold, bold is the Gothic), chosen
 * per script as LuaTeX-ja pairs a Japanese font with a Latin one. */
#include <string.h>

#include "style/style.h"

kh_script kh_script_of(int32_t cp) {
  /* Latin letters, digits and their punctuation: ASCII, Latin-1,
   * Latin Extended A/B, IPA, combining marks, Latin Extended Additional. */
  if (cp < 0x250 || (cp >= 0x300 && cp < 0x370) || (cp >= 0x1E00 && cp < 0x1F00))
    return cp == 0xD7 || cp == 0xF7 ? KH_SCRIPT_JA : KH_SCRIPT_LATIN; /* × ÷ */
  if (cp >= 0x2000 && cp <= 0x200A) return KH_SCRIPT_LATIN; /* Western spaces */
  /* Pictographs with emoji presentation: Misc Symbols and Pictographs,
   * Emoticons, Transport, Supplemental Symbols, Symbols Extended-A. */
  if (cp >= 0x1F300 && cp <= 0x1FAFF) return KH_SCRIPT_EMOJI;
  if (cp == 0xFE0F || (cp >= 0x1F1E6 && cp <= 0x1F1FF)) return KH_SCRIPT_EMOJI;
  return KH_SCRIPT_JA;
}

/* Between two Western characters they are Western (A—B), elsewhere
 * Japanese (「——」, “引用”). */
int kh_script_neutral(int32_t cp) {
  return cp == 0x2010 || cp == 0x2013 || cp == 0x2014 || cp == 0x2018 ||
         cp == 0x2019 || cp == 0x201C || cp == 0x201D;
}

static kh_script context_script(const char *text, uint32_t len, size_t before, size_t after) {
  int32_t prev = -1, next = -1;
  /* a run of dashes longer than this is Japanese (――――): bounds the work */
  int budget = 16;
  while (before > 0 && budget-- > 0) { /* the code point ending at `before` */
    size_t b = before - 1;
    while (b > 0 && ((unsigned char)text[b] & 0xC0) == 0x80) b--;
    size_t i = b;
    prev = kh_utf8_next(text, len, &i);
    if (!kh_script_neutral(prev)) break;
    before = b;
    prev = -1;
  }
  budget = 16;
  for (size_t i = after; i < len && budget-- > 0;) {
    next = kh_utf8_next(text, len, &i);
    if (!kh_script_neutral(next)) break;
    next = -1;
  }
  return prev >= 0 && next >= 0 && kh_script_of(prev) == KH_SCRIPT_LATIN &&
                 kh_script_of(next) == KH_SCRIPT_LATIN && prev != ' ' && next != ' '
             ? KH_SCRIPT_LATIN
             : KH_SCRIPT_JA;
}

static unsigned flags_at(const kh_node *node, uint32_t off, const char **href, int sesame) {
  unsigned f = 0;
  *href = NULL;
  for (uint32_t i = 0; i < node->text.nmarks; i++) {
    const kh_mark *m = &node->text.marks[i];
    if (off < m->start || off >= m->end) continue;
    /* Japanese has no italic: emphasis takes the strong (Gothic) face */
    if (m->flags & KH_MARK_STRONG) f |= KH_RUN_STRONG;
    /* ... unless the layout sets it with 圏点 (shape/annot.c) */
    if ((m->flags & KH_MARK_EM) && !sesame) f |= KH_RUN_STRONG;
    if (m->flags & KH_MARK_CODE) f |= KH_RUN_CODE;
    if (m->flags & KH_MARK_LINK) {
      f |= KH_RUN_LINK;
      *href = m->href;
    }
  }
  return f;
}

kh_status kh_style_para(kh_ctx *ctx, kh_arena *arena, const kh_layout *layout,
                        const kh_node *node, const kh_pstyle *style,
                        const char *marker, kh_fixed measure, kh_spara *out) {
  (void)ctx;
  memset(out, 0, sizeof *out);
  size_t mlen = marker ? strlen(marker) : 0;
  uint32_t len = node->text.len + (uint32_t)mlen;
  char *text = kh_arena_alloc(arena, len + 1);
  KH_VEC(kh_run) runs = {0};
  if (!text) return KH_NOMEM;
  if (mlen) memcpy(text, marker, mlen);
  if (node->text.len) memcpy(text + mlen, node->text.text, node->text.len);
  out->node = node;
  out->style = style;
  out->text = text;
  out->len = len;
  out->marker_len = (uint32_t)mlen;
  out->measure = measure - style->left - style->right;

  size_t i = 0;
  while (i < len) {
    uint32_t at = (uint32_t)i;
    int32_t cp = kh_utf8_next(text, len, &i);
    const char *href = NULL;
    unsigned flags = at < mlen ? 0 : flags_at(node, at - (uint32_t)mlen, &href,
                                                      layout->emphasis == KH_EMPHASIS_SESAME);
    kh_script script = kh_script_neutral(cp) ? context_script(text, len, at, i) : kh_script_of(cp);
    /* a variation selector or combining mark stays with its base */
    if (runs.n && (cp == 0xFE0F || cp == 0xFE0E || (cp >= 0xE0100 && cp <= 0xE01EF) ||
              (cp >= 0x300 && cp < 0x370) || cp == 0x200D))
      script = runs.v[runs.n - 1].script;
    int face = (flags & KH_RUN_CODE)     ? style->code_face
               : (flags & KH_RUN_STRONG) ? style->strong_face
                                         : style->face;
    const kh_face *fc = &layout->faces[face];
    int font = fc->font[script];
    if (font < 0 && script == KH_SCRIPT_EMOJI && layout->nfallback)
      font = layout->fallback[0];
    if (font < 0) font = fc->font[KH_SCRIPT_JA];
    kh_fixed size = style->size, rise = 0;
    if (script == KH_SCRIPT_LATIN && fc->latin_scale != 1000)
      size = kh_fixed_muldiv(size, fc->latin_scale, 1000);
    if (script == KH_SCRIPT_LATIN && fc->latin_rise)
      rise = kh_fixed_muldiv(style->size, fc->latin_rise, 1000);
    kh_run *prev = runs.n ? &runs.v[runs.n - 1] : NULL;
    if (prev && prev->font == font && prev->size == size && prev->script == script &&
        prev->flags == flags && prev->href == href && prev->rise == rise) {
      prev->end = (uint32_t)i;
      continue;
    }
    kh_run r = {at, (uint32_t)i, font, face, size, script, flags, href, rise};
    if (kh_vec_push(&runs, r) != KH_OK) {
      kh_vec_free(&runs);
      return KH_NOMEM;
    }
  }
  /* the runs stay with the paragraph, in the arena, at their real count */
  out->runs = kh_arena_alloc(arena, (runs.n + 1) * sizeof *out->runs);
  if (out->runs && runs.n) memcpy(out->runs, runs.v, runs.n * sizeof *out->runs);
  out->nruns = (uint32_t)runs.n;
  kh_vec_free(&runs);
  return out->runs ? KH_OK : KH_NOMEM;
}

void kh_style_trace(const kh_layout *layout, const kh_spara *sp, FILE *out) {
  static const char *scripts[] = {"ja", "latin", "emoji"};
  fprintf(out, "para[%s] measure=%.3f\n", sp->style->name, KH_FIXED_TO_PT(sp->measure));
  for (uint32_t i = 0; i < sp->nruns; i++) {
    const kh_run *r = &sp->runs[i];
    fprintf(out, "  [%s %s %.2fpt", layout->fonts[r->font].name, scripts[r->script],
            KH_FIXED_TO_PT(r->size));
    if (r->rise) fprintf(out, " rise=%.3f", KH_FIXED_TO_PT(r->rise));
    fprintf(out, "%s%s] \"%.*s\"\n",
            r->flags & KH_RUN_STRONG ? " strong" : "", r->flags & KH_RUN_LINK ? " link" : "",
            (int)(r->end - r->start), sp->text + r->start);
  }
}
