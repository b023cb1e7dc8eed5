/* doc: ruby notation, a post-pass over a leaf block's text.
 *
 * Two notations (JLReq 3.3 ruby; the notations are the sources' own):
 *  - Aozora Bunko: `｜親文字《おやもじ》` (the base runs from ｜ to 《), and
 *    `漢字《かんじ》` without ｜, where the base is the run of kanji (with
 *    々〆〇ヶ) just before 《.  Both are group ruby.
 *  - The brace form of Japanese Markdown tools: `{親文字|おやもじ}` is group
 *    ruby; `{親文字|おや|も|じ}`, one reading per base character, is
 *    mono-ruby (jukugo ruby when the base is a word of several kanji).
 * The notation is removed from the text; a KH_MARK_RUBY mark over the base
 * holds the reading(s) (mono-ruby readings separated by '|').  The segments
 * are rebuilt so that every kept byte maps to its source offset.  A
 * malformed notation is a warning at its position and stays as text. */
#include <string.h>

#include "doc/doc.h"

#define FW_BAR "\xEF\xBD\x9C"   /* ｜ U+FF5C */
#define OPEN_R "\xE3\x80\x8A"   /* 《 U+300A */
#define CLOSE_R "\xE3\x80\x8B"  /* 》 U+300B */

/* Aozora Bunko's notation guide counts these as kanji for a ruby base. */
static int is_kanji(int32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF) ||
         cp == 0x3005 || cp == 0x3006 || cp == 0x3007 || cp == 0x30F6;
}

static int at(const char *t, uint32_t len, uint32_t i, const char *lit) {
  size_t n = strlen(lit);
  return i + n <= len && memcmp(t + i, lit, n) == 0;
}

/* Offset of the next `lit` in [i, end), or UINT32_MAX. */
static uint32_t find(const char *t, uint32_t end, uint32_t i, const char *lit) {
  for (; i < end; i++)
    if (at(t, end, i, lit)) return i;
  return UINT32_MAX;
}

/* The next `lit` at or after `from` before `eol`, remembered: the scan asks
 * with `from` never decreasing, so a line costs one pass per literal, not
 * one per notation character. */
typedef struct next_cache {
  uint32_t from, eol, pos;
  int valid;
} next_cache;

static uint32_t next_of(next_cache *c, const char *t, uint32_t eol, uint32_t from,
                        const char *lit) {
  if (c->valid && c->eol == eol && c->from <= from && c->pos >= from) return c->pos;
  c->valid = 1;
  c->from = from;
  c->eol = eol;
  c->pos = find(t, eol, from, lit);
  return c->pos;
}

static uint32_t count_chars(const char *t, uint32_t a, uint32_t b) {
  uint32_t n = 0;
  for (size_t i = a; i < b; n++) kh_utf8_next(t, b, &i);
  return n;
}

/* One recognised notation: the old text [from, to) becomes the base
 * [base0, base1) (a part of it) with `reading`. */
typedef struct found {
  uint32_t from, to, base0, base1;
  uint32_t r0, r1; /* the reading(s) in the old text */
} found;

typedef struct pass {
  kh_ctx *ctx;
  const kh_inline *in;
  KH_VEC(found) f;
  uint32_t done; /* old text before this is settled */
} pass;

static int in_code(const kh_inline *in, uint32_t i) {
  for (uint32_t k = 0; k < in->nmarks; k++)
    if ((in->marks[k].flags & KH_MARK_CODE) && i >= in->marks[k].start && i < in->marks[k].end)
      return 1;
  return 0;
}

/* Finds the notations, left to right. */
static kh_status scan(pass *p) {
  const char *t = p->in->text;
  uint32_t len = p->in->len;
  uint32_t eol = 0; /* end of the line of text holding i */
  next_cache opens = {0}, closes = {0};
  for (uint32_t i = 0; i < len;) {
    /* a notation stays on its line of text */
    if (eol <= i) {
      const char *nl = memchr(t + i, '\n', len - i);
      eol = nl ? (uint32_t)(nl - t) : len;
      if (eol == i) {
        i++;
        continue;
      }
    }
    if (at(t, len, i, FW_BAR) && !in_code(p->in, i)) {
      uint32_t o = next_of(&opens, t, eol, i + 3, OPEN_R);
      uint32_t c = o == UINT32_MAX ? UINT32_MAX : next_of(&closes, t, eol, o + 3, CLOSE_R);
      if (o == UINT32_MAX || c == UINT32_MAX || o == i + 3 || c == o + 3) {
        kh_warning(p->ctx, kh_inline_pos(p->in, i),
                   "ruby: ｜ needs a base and then 《reading》; kept as text");
        i += 3;
        continue;
      }
      found f = {i, c + 3, i + 3, o, o + 3, c};
      if (kh_vec_push(&p->f, f) != KH_OK) return KH_NOMEM;
      i = p->done = c + 3;
      continue;
    }
    if (at(t, len, i, OPEN_R) && !in_code(p->in, i)) {
      uint32_t c = next_of(&closes, t, eol, i + 3, CLOSE_R);
      /* the run of kanji before 《, not reaching back past a notation */
      uint32_t b = i;
      while (b > p->done) {
        uint32_t s = b - 1;
        while (s > p->done && ((unsigned char)t[s] & 0xC0) == 0x80) s--;
        size_t k = s;
        if (!is_kanji(kh_utf8_next(t, len, &k))) break;
        b = s;
      }
      if (c == UINT32_MAX || c == i + 3 || b == i) {
        kh_warning(p->ctx, kh_inline_pos(p->in, i),
                   c == UINT32_MAX  ? "ruby: 《 without its closing 》; kept as text"
                   : c == i + 3     ? "ruby: empty reading 《》; kept as text"
                                    : "ruby: 《reading》 with no kanji before it (mark the base "
                                      "with ｜); kept as text");
        i += 3;
        continue;
      }
      found f = {b, c + 3, b, i, i + 3, c};
      if (kh_vec_push(&p->f, f) != KH_OK) return KH_NOMEM;
      i = p->done = c + 3;
      continue;
    }
    if (t[i] == '{' && !in_code(p->in, i)) {
      uint32_t bar = UINT32_MAX, c = UINT32_MAX;
      for (uint32_t k = i + 1; k < eol; k++) {
        if (t[k] == '{') break;
        if (t[k] == '|' && bar == UINT32_MAX) bar = k;
        if (t[k] == '}') {
          c = k;
          break;
        }
      }
      if (bar != UINT32_MAX && c != UINT32_MAX) {
        /* {base|r} or {base|r1|...|rn} with n = characters of base */
        uint32_t nbase = count_chars(t, i + 1, bar), nread = 1;
        int empty = bar == i + 1 || bar + 1 == c;
        for (uint32_t k = bar + 1; k < c; k++) {
          if (t[k] == '|') {
            nread++;
            if (t[k - 1] == '|' || k + 1 == c) empty = 1;
          }
        }
        if (empty || (nread > 1 && nread != nbase)) {
          if (empty)
            kh_warning(p->ctx, kh_inline_pos(p->in, i),
                       "ruby: {base|reading} with an empty base or reading; kept as text");
          else
            kh_warning(p->ctx, kh_inline_pos(p->in, i),
                       "ruby: %u readings for %u base characters (give one reading, or "
                       "one per character); kept as text",
                       (unsigned)nread, (unsigned)nbase);
          i = c + 1;
          continue;
        }
        found f = {i, c + 1, i + 1, bar, bar + 1, c};
        if (kh_vec_push(&p->f, f) != KH_OK) return KH_NOMEM;
        i = p->done = c + 1;
        continue;
      }
    }
    i++;
  }
  return KH_OK;
}

/* Source offset of old text byte i (UINT32_MAX when unknown). */
static uint32_t soff_of(const kh_inline *in, uint32_t i) {
  uint32_t lo = 0, hi = in->nsegs;
  while (lo < hi) { /* last segment with tstart <= i */
    uint32_t mid = (lo + hi) / 2;
    if (in->segs[mid].tstart <= i) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return UINT32_MAX;
  const kh_segment *s = &in->segs[lo - 1];
  return s->soff == UINT32_MAX ? UINT32_MAX : s->soff + (i - s->tstart);
}

kh_status kh_doc_ruby(kh_ctx *ctx, kh_arena *arena, kh_inline *in) {
  kh_status ret = KH_OK;
  pass p = {ctx, in, {0}, 0};
  uint32_t *map = NULL;
  kh_buf text = {0};
  KH_VEC(kh_segment) segs = {0};
  KH_VEC(kh_mark) marks = {0};
  if (in->len == 0 || (!memchr(in->text, '{', in->len) && find(in->text, in->len, 0, OPEN_R) == UINT32_MAX))
    return KH_OK;
  KH_CHECK(scan(&p));
  if (p.f.n == 0) goto cleanup;

  /* keep[i]: the old byte i is kept; map[i]: its new offset */
  map = malloc(((size_t)in->len + 1) * sizeof *map);
  if (!map) KH_CHECK(KH_NOMEM);
  uint32_t seg = 0, fi = 0;
  int gap = 1; /* the previous byte was dropped (or this is the start) */
  for (uint32_t i = 0; i <= in->len; i++) {
    map[i] = (uint32_t)text.len;
    if (i == in->len) break;
    const found *f = fi < p.f.n ? &p.f.v[fi] : NULL;
    int keep = !f || i < f->from || (i >= f->base0 && i < f->base1);
    if (f && i + 1 == f->to) fi++;
    int seg_starts = seg < in->nsegs && in->segs[seg].tstart == i;
    while (seg < in->nsegs && in->segs[seg].tstart <= i) seg++;
    if (!keep) {
      gap = 1;
      continue;
    }
    if (gap || seg_starts) {
      kh_segment s = {(uint32_t)text.len, soff_of(in, i)};
      if (segs.n && segs.v[segs.n - 1].tstart == s.tstart) segs.v[segs.n - 1] = s;
      else KH_CHECK(kh_vec_push(&segs, s));
      gap = 0;
    }
    KH_CHECK(kh_buf_append(&text, in->text + i, 1));
  }
  for (uint32_t k = 0; k < in->nmarks; k++) {
    kh_mark m = in->marks[k];
    m.start = map[m.start];
    m.end = map[m.end];
    KH_CHECK(kh_vec_push(&marks, m));
  }
  for (size_t k = 0; k < p.f.n; k++) {
    const found *f = &p.f.v[k];
    kh_mark m = {0};
    m.flags = KH_MARK_RUBY;
    m.start = map[f->base0];
    m.end = map[f->base1];
    m.ruby = kh_arena_strndup(arena, in->text + f->r0, f->r1 - f->r0);
    if (!m.ruby) KH_CHECK(KH_NOMEM);
    KH_CHECK(kh_vec_push(&marks, m));
  }
  char *nt = kh_arena_strndup(arena, text.data ? text.data : "", text.len);
  kh_mark *nm = kh_arena_alloc(arena, (marks.n + 1) * sizeof *nm);
  kh_segment *ns = kh_arena_alloc(arena, (segs.n + 1) * sizeof *ns);
  if (!nt || !nm || !ns) KH_CHECK(KH_NOMEM);
  memcpy(nm, marks.v, marks.n * sizeof *nm);
  if (segs.n) memcpy(ns, segs.v, segs.n * sizeof *ns);
  in->text = nt;
  in->len = (uint32_t)text.len;
  in->marks = nm;
  in->nmarks = (uint32_t)marks.n;
  in->segs = ns;
  in->nsegs = (uint32_t)segs.n;
cleanup:
  free(map);
  kh_buf_free(&text);
  kh_vec_free(&segs);
  kh_vec_free(&marks);
  kh_vec_free(&p.f);
  return ret;
}
