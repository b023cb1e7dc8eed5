/* doc: the footnote pre-pass.
 *
 * md4c (CommonMark + GFM tables) has no footnotes, and the other C parsers
 * that do (cmark-gfm) would replace md4c for one construct; so kumihan
 * reads the GFM/pandoc form itself, before md4c sees the text:
 *
 *   本文[^1]。            a reference: replaced by the note's number
 *   [^1]: 出典……          a definition, at the start of a line (up to three
 *     続きの行             spaces), outside fenced code; it runs on over the
 *                         following non-blank lines, and over blank lines
 *       次の段落           followed by a line indented four spaces or more
 *
 * Each definition is cut out of a copy of the part that keeps every other
 * byte where it was (the definition's bytes become spaces, its line ends
 * stay), so md4c's offsets into the copy are offsets into the source and
 * every diagnostic keeps its line and column.  A definition's own text,
 * with its continuation indents removed, is parsed by md4c on its own with
 * a map back to the source (kh_srcmap). */
#include <string.h>

#include "doc/internal.h"

typedef struct line {
  uint32_t start, end; /* [start, end) without the line end */
  uint32_t next;       /* start of the next line */
} line;

static line line_at(const kh_source *src, uint32_t at) {
  line l = {at, at, at};
  while (l.end < src->len && src->data[l.end] != '\n') l.end++;
  l.next = l.end < src->len ? l.end + 1 : l.end;
  if (l.end > l.start && src->data[l.end - 1] == '\r') l.end--;
  return l;
}

static uint32_t indent_of(const kh_source *src, line l) {
  uint32_t i = l.start;
  while (i < l.end && src->data[i] == ' ') i++;
  return i - l.start;
}

static int blank(const kh_source *src, line l) {
  for (uint32_t i = l.start; i < l.end; i++)
    if (src->data[i] != ' ' && src->data[i] != '\t') return 0;
  return 1;
}

/* A fence line (``` or ~~~, three or more, up to three spaces in): its
 * character and length, else 0. */
static int fence(const kh_source *src, line l, char *ch) {
  uint32_t i = l.start + indent_of(src, l);
  if (i - l.start > 3 || i >= l.end) return 0;
  char c = src->data[i];
  if (c != '`' && c != '~') return 0;
  int n = 0;
  while (i < l.end && src->data[i] == c) i++, n++;
  if (n < 3) return 0;
  *ch = c;
  return n;
}

/* `[^label]:` at the start of line l: the label's range and where the text
 * after the colon starts. */
static int definition(const kh_source *src, line l, uint32_t *lab, uint32_t *lab_end,
                      uint32_t *text) {
  uint32_t i = l.start + indent_of(src, l);
  if (i - l.start > 3 || i + 4 > l.end) return 0;
  const char *d = src->data;
  if (d[i] != '[' || d[i + 1] != '^') return 0;
  uint32_t j = i + 2;
  while (j < l.end && d[j] != ']' && d[j] != '[' && d[j] != ' ' && d[j] != '\t') j++;
  if (j == i + 2 || j + 1 >= l.end || d[j] != ']' || d[j + 1] != ':') return 0;
  *lab = i + 2;
  *lab_end = j;
  j += 2;
  while (j < l.end && (d[j] == ' ' || d[j] == '\t')) j++;
  *text = j;
  return 1;
}

typedef KH_VEC(kh_srcmap) map_vec;

/* Adds source bytes [a, b) and a line end to a definition's text. */
static kh_status take(kh_buf *t, map_vec *map, const kh_source *src, uint32_t a,
                      uint32_t b) {
  kh_srcmap m = {(uint32_t)t->len, a};
  if (kh_vec_push(map, m) != KH_OK) return KH_NOMEM;
  if (kh_buf_append(t, src->data + a, b - a) != KH_OK) return KH_NOMEM;
  return kh_buf_append(t, "\n", 1);
}

static void blank_out(char *body, uint32_t a, uint32_t b) {
  for (uint32_t i = a; i < b; i++)
    if (body[i] != '\n' && body[i] != '\r') body[i] = ' ';
}

kh_status kh_doc_notes_scan(kh_ctx *ctx, kh_arena *arena, const kh_source *src, uint32_t off,
                            kh_fnotes *out) {
  kh_status ret = KH_OK;
  KH_VEC(kh_fnote) notes = {0};
  kh_buf t = {0};
  map_vec map = {0};
  memset(out, 0, sizeof *out);
  char fch = 0;
  int flen = 0; /* inside a fence of flen fch's */
  for (uint32_t at = off; at < src->len;) {
    line l = line_at(src, at);
    char c;
    int n = fence(src, l, &c);
    if (flen) {
      if (n >= flen && c == fch) flen = 0;
      at = l.next;
      continue;
    }
    if (n) {
      fch = c, flen = n;
      at = l.next;
      continue;
    }
    uint32_t lab, lab_end, text;
    if (!definition(src, l, &lab, &lab_end, &text)) {
      at = l.next;
      continue;
    }
    kh_fnote f = {0};
    f.label = src->data + lab;
    f.label_len = lab_end - lab;
    f.pos = (kh_srcpos){src, lab - 2};
    for (uint32_t i = 0; i < notes.n; i++)
      if (notes.v[i].label_len == f.label_len && !memcmp(notes.v[i].label, f.label, f.label_len)) {
        unsigned line_no, col;
        kh_srcpos_linecol(notes.v[i].pos, &line_no, &col);
        ret = kh_error(ctx, f.pos, KH_SYNTAX, "footnote '[^%.*s]' is defined twice (first at line %u)",
                       (int)f.label_len, f.label, line_no);
        goto cleanup;
      }
    t.len = 0;
    map.n = 0;
    KH_CHECK(take(&t, &map, src, text, l.end));
    uint32_t end = l.next;
    /* its continuation: lazy lines, and indented paragraphs after blanks */
    for (uint32_t p = l.next; p < src->len;) {
      line m = line_at(src, p);
      uint32_t a, b, x;
      if (blank(src, m)) {
        uint32_t q = m.next;
        while (q < src->len && blank(src, line_at(src, q))) q = line_at(src, q).next;
        if (q >= src->len || indent_of(src, line_at(src, q)) < 4) break;
        for (uint32_t r = p; r < q; r = line_at(src, r).next) KH_CHECK(kh_buf_append(&t, "\n", 1));
        p = q;
        continue;
      }
      if (definition(src, m, &a, &b, &x) || fence(src, m, &c)) break;
      uint32_t ind = indent_of(src, m);
      KH_CHECK(take(&t, &map, src, m.start + (ind > 4 ? 4 : ind), m.end));
      p = end = m.next;
    }
    if (!out->body) {
      if (!(out->body = kh_arena_alloc(arena, src->len + 1))) {
        ret = KH_NOMEM;
        goto cleanup;
      }
      memcpy(out->body, src->data, src->len);
    }
    blank_out(out->body, l.start, end);
    f.len = (uint32_t)t.len;
    f.text = kh_arena_strndup(arena, t.data ? t.data : "", t.len);
    f.nmap = (uint32_t)map.n;
    f.map = kh_arena_alloc(arena, (map.n + 1) * sizeof *f.map);
    if (!f.text || !f.map) {
      ret = KH_NOMEM;
      goto cleanup;
    }
    memcpy(f.map, map.v, map.n * sizeof *f.map);
    KH_CHECK(kh_vec_push(&notes, f));
    at = end;
  }
  if (notes.n) {
    if (!(out->v = kh_arena_alloc(arena, notes.n * sizeof *out->v))) {
      ret = KH_NOMEM;
      goto cleanup;
    }
    memcpy(out->v, notes.v, notes.n * sizeof *out->v);
    out->n = (uint32_t)notes.n;
  }
cleanup:
  kh_vec_free(&notes);
  kh_vec_free(&map);
  kh_buf_free(&t);
  return ret;
}

kh_fnote *kh_doc_notes_find(kh_fnotes *fn, const char *label, size_t len) {
  for (uint32_t i = 0; i < fn->n; i++)
    if (fn->v[i].label_len == len && !memcmp(fn->v[i].label, label, len)) return &fn->v[i];
  return NULL;
}
