/* para: a long paragraph composed a window at a time.
 *
 * Composition holds about 230 bytes a character (units, glue, the breaker's
 * nodes, the shaped glyphs), so a paragraph of 20 MB would need gigabytes
 * if it were composed whole (issue: memory proportional to a page).  A
 * paragraph longer than KH_PARA_WINDOW bytes is shaped and composed a
 * window at a time instead: each window is composed as if it were a whole
 * paragraph, and only its lines that end before its last eighth are kept;
 * the next window starts where the first line left out starts, so no kept
 * line is a window's short last line, and the breaks near a window's end
 * are chosen again with the text that follows.  Total fit looks ahead over
 * a few lines at most in practice; an eighth of a window is hundreds of
 * lines, so the lines kept are those whole-paragraph composition would
 * choose in all but contrived text.  Paragraphs up to KH_PARA_WINDOW bytes
 * (every ordinary one) are composed whole, as before. */
#include "para/para.h"

/* Where the window's text ends: the end of its last run (runs are what was
 * shaped: style clipped them to the window). */
static uint32_t window_end(const kh_shaped *sh) {
  const kh_spara *sp = sh->sp;
  return sp->nruns ? sp->runs[sp->nruns - 1].end : sp->len;
}

static int empty_line(const kh_line *ln) { return ln->count == 0; }

kh_status kh_para_compose_window(kh_ctx *ctx, kh_arena *arena, const kh_shaped *sh,
                                 unsigned options, int last, kh_lines *out) {
  out->next = 0;
  /* a line left out is composed again in the next window: its warnings
   * are that window's to give */
  ctx->quiet += !last;
  kh_status ret = kh_para_compose(ctx, arena, sh, options, out);
  ctx->quiet -= !last;
  if (ret != KH_OK || last || out->n < 2) {
    if (ret == KH_OK && !last) out->next = window_end(sh);
    goto warn;
  }
  uint32_t from = out->from, to = window_end(sh);
  uint32_t keep_to = to - (to - from) / 8;
  /* keep lines [0, n): the first line left out holds text (a window never
   * starts on an empty line, which would lose the forced break before it)
   * and at least one line stays */
  uint32_t n = out->n - 1;
  while (n > 1 && (out->lines[n - 1].text_end > keep_to || empty_line(&out->lines[n])))
    n--;
  if (empty_line(&out->lines[n])) { /* only empty lines after the first */
    while (n < out->n && empty_line(&out->lines[n])) n++;
    if (n == out->n) {
      out->next = to;
      goto warn;
    }
  }
  out->n = n;
  out->next = out->lines[n].text_start;
warn:
  if (ret == KH_OK && !last)
    for (uint32_t i = 0; i < out->n; i++)
      if (out->lines[i].overfull) {
        const kh_spara *sp = sh->sp;
        uint32_t t = out->lines[i].text_start;
        uint32_t off = t > sp->marker_len ? t - sp->marker_len : 0;
        kh_warning(ctx, sp->node ? kh_inline_pos(&sp->node->text, off) : (kh_srcpos){0},
                   "overfull line");
      }
  return ret;
}
