/* doc: the storage of the parts' blocks, given back behind the page builder.
 *
 * A long document's tree and its Markdown source are most of what a build
 * holds when it ends its last page, yet the page builder reads a block only
 * until its pages are written.  The Markdown adapter stores the top-level
 * blocks in groups (doc/internal.h), each a mapped arena; kh_doc_release
 * walks the parts' blocks up to the builder's frontier and retires each
 * group whose last block it passes, then gives back the whole pages of the
 * source that no unreleased group and nothing kept to the end (footnotes,
 * front matter) comes from.  Released pages are unreadable (kh_arena_retire,
 * kh_source_release): a reader forgotten here faults rather than print
 * wrong text, and the test suite runs every path through it. */
#include <stdlib.h>

#include "doc/internal.h"

kh_doc_store *kh_doc_store_new(void) { return calloc(1, sizeof(kh_doc_store)); }

void kh_doc_store_drop(kh_doc_store *s) {
  if (!s) return;
  for (size_t i = 0; i < s->groups.n; i++) kh_arena_drop(s->groups.v[i].arena);
  kh_vec_free(&s->groups);
  kh_vec_free(&s->pins);
  kh_vec_free(&s->srcs);
  free(s);
}

static kh_src_done *src_done(kh_doc_store *s, const kh_source *src) {
  for (size_t i = 0; i < s->srcs.n; i++)
    if (s->srcs.v[i].src == src) return &s->srcs.v[i];
  return NULL;
}

kh_status kh_doc_store_group(kh_doc_store *s, const kh_source *src, kh_arena **arena) {
  kh_group g = {0};
  g.src = src;
  g.src_lo = UINT32_MAX;
  if (!src_done(s, src)) {
    kh_src_done d = {src, 0};
    if (kh_vec_push(&s->srcs, d) != KH_OK) return KH_NOMEM;
  }
  if (!(g.arena = kh_arena_new_mapped())) return KH_NOMEM;
  if (kh_vec_push(&s->groups, g) != KH_OK) {
    kh_arena_drop(g.arena);
    return KH_NOMEM;
  }
  *arena = g.arena;
  return KH_OK;
}

kh_status kh_doc_store_pin(kh_doc_store *s, const kh_source *src, uint32_t lo, uint32_t hi) {
  kh_pin p = {src, lo, hi};
  return kh_vec_push(&s->pins, p);
}

void kh_doc_allow_release(kh_doc *doc) {
  if (doc && doc->store) doc->store->allowed = 1;
}

/* The start of the line holding byte `off`. */
static size_t line_start(const kh_source *src, size_t off) {
  return src->lines[kh_source_line_index(src, off)];
}

/* The start of the line after the one holding byte `off` (or the end). */
static size_t line_after(const kh_source *src, size_t off) {
  size_t lo = kh_source_line_index(src, off);
  return lo + 1 < src->nlines ? src->lines[lo + 1] : src->len;
}

/* Gives back the pages of `d`'s source before the first line any live
 * group comes from, but the lines of its pins (a diagnostic prints a
 * position's whole line). */
static void release_source(kh_doc_store *s, kh_src_done *d) {
  const kh_source *src = d->src;
  size_t ps = kh_page_size();
  size_t limit = src->len;
  for (size_t i = s->done; i < s->groups.n; i++)
    if (s->groups.v[i].src == src && s->groups.v[i].src_lo < limit)
      limit = s->groups.v[i].src_lo;
  if (limit < src->len) limit = line_start(src, limit);
  size_t to = limit / ps * ps;
  if (limit == src->len) to = src->map_len; /* the last page, with the NUL */
  while (d->upto < to) {
    /* from upto: pinned pages are passed over, the run up to the next
     * pinned page is given back */
    size_t from = d->upto, end = to, pin_end = 0;
    for (size_t i = 0; i < s->pins.n; i++) {
      const kh_pin *p = &s->pins.v[i];
      if (p->src != src) continue;
      size_t lo = line_start(src, p->lo) / ps * ps;
      size_t hi = (line_after(src, p->hi > p->lo ? p->hi - 1 : p->lo) + ps - 1) / ps * ps;
      if (hi <= from || lo >= to) continue;
      if (lo <= from) {
        if (hi > pin_end) pin_end = hi;
      } else if (lo < end) {
        end = lo;
      }
    }
    if (pin_end) {
      d->upto = pin_end < to ? pin_end : to;
      continue;
    }
    kh_source_release(src, from, end);
    d->upto = end;
  }
}

void kh_doc_release(const kh_doc *doc, const kh_part *part, const kh_node *next) {
  kh_doc_store *s = doc ? doc->store : NULL;
  if (!s || !s->allowed) return;
  if (!s->started) {
    s->started = 1;
    s->at_part = doc->parts;
    s->at = doc->parts ? doc->parts->body : NULL;
  }
  size_t done = s->done;
  while (s->at_part && !(s->at_part == part && s->at == next)) {
    if (!s->at) { /* the part's blocks are all passed */
      s->at_part = s->at_part->next;
      s->at = s->at_part ? s->at_part->body : NULL;
      continue;
    }
    const kh_node *passed = s->at;
    s->at = passed->next; /* read before its group may go */
    while (s->done < s->groups.n && s->groups.v[s->done].last == passed)
      kh_arena_retire(s->groups.v[s->done++].arena);
  }
  if (s->done == done) return;
  for (size_t i = 0; i < s->srcs.n; i++) release_source(s, &s->srcs.v[i]);
}
