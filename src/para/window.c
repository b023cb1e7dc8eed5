/* para: a long paragraph composed a window at a time.
 *
 * Composition holds about 230 bytes a character (units, glue, the breaker's
 * nodes, the shaped glyphs), so a paragraph of 20 MB would need gigabytes
 * if it were composed whole (issue: memory proportional to a page).  A
 * paragraph longer than KH_PARA_WINDOW bytes is shaped and composed a
 * window at a time instead: each window is composed as if it were a whole
 * paragraph, and only its lines that end before its last eighth are kept,
 * two lines at least left out; the next window starts where the first line
 * left out starts, so no kept line is a window's short last line, and the
 * breaks near a window's end are chosen again with the text that follows.
 * Total fit looks ahead over a few lines at most in practice; an eighth of
 * a window is hundreds of lines, so the lines kept are those
 * whole-paragraph composition would choose in all but contrived text.
 * Paragraphs up to KH_PARA_WINDOW bytes (every ordinary one) are composed
 * whole, as before.
 *
 * What each window holds and gives:
 *  - its warnings: those of the text it keeps, each once (the driver holds
 *    a window's warnings and drops those of the lines left out, which the
 *    next window composes again and warns of; kh_diag_hold);
 *  - memory: one window's composition at a time (the page builder drops a
 *    window before it asks for the next) and the paragraph's styled runs;
 *  - the paragraph's end: the last window holds at least the paragraph's
 *    last two lines (the lines left out, and a window is never cut less
 *    than an eighth of a window before the paragraph's end), so the rules
 *    of a paragraph's end (its last line, the widow rule of page.c, which
 *    counts the lines of the windows before) are seen by that window. */
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
  /* the warnings of lines left out are the caller's to drop (kh_diag_hold):
   * they are given by the next window, which composes those lines again */
  kh_status ret = kh_para_compose(ctx, arena, sh, options, out);
  if (ret != KH_OK || last) return ret;
  uint32_t from = out->from, to = window_end(sh);
  if (out->n < 2) {
    out->next = to;
    return KH_OK;
  }
  uint32_t keep_to = to - (to - from) / 8;
  /* keep lines [0, n): at least two lines are left out, so that the last
   * window holds the paragraph's last two lines at least (the widow rule
   * is seen there, page.c); the first line left out holds text (a window
   * never starts on an empty line, which would lose the forced break
   * before it) and at least one line stays */
  uint32_t n = out->n > 2 ? out->n - 2 : 1;
  while (n > 1 && (out->lines[n - 1].text_end > keep_to || empty_line(&out->lines[n])))
    n--;
  if (empty_line(&out->lines[n])) { /* only empty lines after the first */
    while (n < out->n && empty_line(&out->lines[n])) n++;
    if (n == out->n) {
      out->next = to;
      return KH_OK;
    }
  }
  out->n = n;
  out->next = out->lines[n].text_start;
  return KH_OK;
}
