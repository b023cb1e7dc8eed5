/* The library's entry points: chains the stages
 * doc -> style -> shape -> para -> page -> pdf and writes the file.
 * The page builder asks for each block through compose(), so it never calls
 * the stages before it directly, and hands each finished page to sink(),
 * which writes it into the PDF at once. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pdf/pdf.h"

/* glibc's malloc_trim, where malloc is glibc's: under AddressSanitizer,
 * whose allocator replaces it, malloc_trim in threads (--jobs) crashes
 * inside glibc (a SEGV, or "a->attached_threads > 0" asserted at thread
 * exit) */
#include "base/glibc_malloc.h"
#ifdef KH_GLIBC_MALLOC
#define KH_MALLOC_TRIM 1
#include <malloc.h> /* malloc_trim, mallinfo2 */
/* bytes free in the heap from which they are handed back */
#define TRIM_AT ((size_t)4 << 20)
#endif

#define DEFAULT_LAYOUT "press-release"

typedef struct driver {
  kh_ctx *ctx;
  const kh_layout *layout;
  const kh_fontset *fonts;
  kh_pdf *pdf; /* NULL when only tracing */
  /* a long paragraph composed in windows: its styled runs, kept from its
   * first window to its last (compose_window) */
  kh_arena *win_arena;
  const kh_node *win_node;
  const kh_pstyle *win_style;
  kh_fixed win_measure;
  kh_spara win_sp;
} driver;

static unsigned para_options(const kh_layout *L) {
  return (L->line_start_opening_half ? KH_PARA_OPENING_HALF : 0) |
         (L->line_end_closing_half ? KH_PARA_CLOSING_HALF : 0) |
         (L->first_fit ? KH_PARA_FIRST_FIT : 0) | (L->hanging_punctuation ? KH_PARA_HANG : 0) |
         (L->hyphenation ? 0 : KH_PARA_NO_HYPHENATION);
}

/* Where a window's warnings may lie: text offset `t` of the paragraph
 * (its list marker before the node's text) in the node's source. */
static uint32_t window_src(const kh_node *node, const kh_spara *sp, uint32_t t) {
  return kh_inline_pos(&node->text, t > sp->marker_len ? t - sp->marker_len : 0).off;
}

/* One window of a paragraph longer than KH_PARA_WINDOW (para/window.c):
 * the paragraph is styled once, at its first window; each window is
 * shaped and composed from out->from, and only its lines are kept.  A
 * window ends a whole window after `from`, or at the paragraph's end when
 * less than an eighth of a window would be left after it: the last window
 * always holds the paragraph's last lines, so the rules of a paragraph's
 * end (its last line, the widow rule) are seen there.  The warnings of the
 * text after the kept lines are dropped, as that text is shaped and
 * composed again with the next window, which gives them: each warning is
 * given once. */
static kh_status compose_window(driver *d, kh_arena *arena, const kh_node *node,
                                const kh_pstyle *style, const char *marker,
                                kh_fixed measure, kh_writing_mode mode, kh_lines *out) {
  kh_ctx *ctx = d->ctx;
  kh_status ret = KH_OK;
  uint32_t from = out->from;
  if (from == 0 || d->win_node != node || d->win_style != style ||
      d->win_measure != measure || d->win_sp.writing_mode != mode) {
    kh_arena_drop(d->win_arena);
    d->win_node = NULL;
    if (!(d->win_arena = kh_arena_new())) return KH_NOMEM;
    ret = kh_style_para(ctx, d->win_arena, d->layout, node, style, marker, measure, mode,
                        &d->win_sp);
    if (ret != KH_OK) return ret;
    d->win_node = node;
    d->win_style = style;
    d->win_measure = measure;
  }
  const kh_spara *whole = &d->win_sp;
  if (from > whole->len) from = whole->len;
  uint32_t size = ctx->para_window ? ctx->para_window : KH_PARA_WINDOW;
  uint32_t to = whole->len - from > size + size / 8 ? from + size : whole->len;
  while (to > from && to < whole->len && ((unsigned char)whole->text[to] & 0xC0) == 0x80)
    to--; /* between characters */
  const kh_pstyle *st = style;
  if (from > 0) { /* the paragraph's first line is behind: no indent */
    kh_pstyle *cont = kh_arena_alloc(arena, sizeof *cont);
    if (!cont) return KH_NOMEM;
    *cont = *style;
    cont->indent = cont->indent_after_heading = 0;
    st = cont;
  }
  kh_spara *sp = kh_arena_alloc(arena, sizeof *sp);
  kh_shaped *sh = kh_arena_alloc(arena, sizeof *sh);
  if (!sp || !sh) return KH_NOMEM;
  int last = to == whole->len;
  kh_diag_hold(ctx);
  ret = kh_style_window(arena, whole, st, from, to, sp);
  if (ret == KH_OK && ctx->trace == KH_TRACE_RUNS) kh_style_trace(d->layout, sp, ctx->trace_out);
  if (ret == KH_OK) ret = kh_shape_para(ctx, arena, d->fonts, d->layout, sp, sh);
  if (ret == KH_OK && ctx->trace == KH_TRACE_SHAPE) kh_shape_trace(d->layout, sh, ctx->trace_out);
  out->from = from;
  if (ret == KH_OK) ret = kh_para_compose_window(ctx, arena, sh, para_options(d->layout), last, out);
  /* the window's warnings: those of the text from `from` to the next
   * window's start (all of them when composition failed) */
  uint32_t lo = from ? window_src(node, whole, from) : 0;
  uint32_t hi = ret == KH_OK && out->next ? window_src(node, whole, out->next) : UINT32_MAX;
  kh_diag_release(ctx, node->text.src, lo, hi);
  if (ret == KH_OK && ctx->trace == KH_TRACE_LINES) kh_para_trace(out, ctx->trace_out);
  if (ret != KH_OK || last) { /* the paragraph is done */
    kh_arena_drop(d->win_arena);
    d->win_arena = NULL;
    d->win_node = NULL;
  }
  return ret;
}

static kh_status compose(void *user, kh_arena *arena, const kh_node *node,
                         const kh_pstyle *style, const char *marker, kh_fixed measure, kh_writing_mode mode,
                         kh_lines *out) {
  driver *d = user;
  kh_ctx *ctx = d->ctx;
  out->next = 0;
  if (out->window && node->text.len + (marker ? strlen(marker) : 0) >
                         (ctx->para_window ? ctx->para_window : KH_PARA_WINDOW))
    return compose_window(d, arena, node, style, marker, measure, mode, out);
  kh_spara *sp = kh_arena_alloc(arena, sizeof *sp);
  kh_shaped *sh = kh_arena_alloc(arena, sizeof *sh);
  if (!sp || !sh) return KH_NOMEM;
  kh_status ret = kh_style_para(ctx, arena, d->layout, node, style, marker, measure, mode, sp);
  if (ret != KH_OK) return ret;
  if (ctx->trace == KH_TRACE_RUNS) kh_style_trace(d->layout, sp, ctx->trace_out);
  if ((ret = kh_shape_para(ctx, arena, d->fonts, d->layout, sp, sh)) != KH_OK) return ret;
  if (ctx->trace == KH_TRACE_SHAPE) kh_shape_trace(d->layout, sh, ctx->trace_out);
  ret = kh_para_compose(ctx, arena, sh, para_options(d->layout), out);
  if (ret == KH_OK && ctx->trace == KH_TRACE_LINES) kh_para_trace(out, ctx->trace_out);
  return ret;
}

/* Each finished page goes straight into the PDF, then is freed. */
static kh_status sink(void *user, const kh_page *page, uint32_t index) {
  driver *d = user;
  d->ctx->npages = index + 1;
  if (d->ctx->trace == KH_TRACE_PAGES) kh_page_trace(page, index, d->ctx->trace_out);
  return d->pdf ? kh_pdf_add_page(d->pdf, page) : KH_OK;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The PDF's date: SOURCE_DATE_EPOCH, else the publication date (00:00 in
 * Japan, UTC+9), else none.  Never the clock. */
static int64_t doc_epoch(const kh_ctx *ctx, const kh_doc *doc) {
  if (ctx->source_date_epoch >= 0) return ctx->source_date_epoch;
  int y, m, dd;
  if (doc->date_iso && sscanf(doc->date_iso, "%d-%d-%d", &y, &m, &dd) == 3)
    return days_from_civil(y, m, dd) * 86400 - 9 * 3600;
  return -1;
}

/* ---- one font cache for every build with a context --------------------------
 * Fonts are immutable once loaded; a program building many publications with
 * one context loads each layout's fonts once, and contexts in other threads
 * may share the cache (kh_ctx_share_fonts: --jobs).  The cache holds the
 * fontsets of the last FONT_SETS sets of font files asked for (their paths,
 * in order, are the key); each build holds a reference to its fontset, so
 * one pushed out of the cache lives until its builds end.  A font the
 * cache holds is still checked for each build as if it were read (where it
 * resolves, its kind and size), so a shared cache lets no publication use
 * a font it could not read itself. */
#define FONT_SETS 4

typedef struct font_cache {
  pthread_mutex_t lock;
  atomic_int refs; /* contexts using it */
  char *key[FONT_SETS];
  kh_fontset *set[FONT_SETS]; /* most recently used first */
} font_cache;

static void font_cache_free(void *p) {
  font_cache *c = p;
  if (!c || atomic_fetch_sub(&c->refs, 1) > 1) return;
  for (int i = 0; i < FONT_SETS; i++) {
    free(c->key[i]);
    kh_fontset_drop(c->set[i]);
  }
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static font_cache *font_cache_of(kh_ctx *ctx) {
  font_cache *c = ctx->cache[KH_CACHE_FONTS];
  if (c) return c;
  if (!(c = calloc(1, sizeof *c))) return NULL;
  if (pthread_mutex_init(&c->lock, NULL) != 0) {
    free(c);
    return NULL;
  }
  atomic_init(&c->refs, 1);
  ctx->cache[KH_CACHE_FONTS] = c;
  ctx->cache_free[KH_CACHE_FONTS] = font_cache_free;
  return c;
}

/* Held while a context's font cache is made for sharing: threads share the
 * one of `from`, which the first of them may have to make. */
static pthread_mutex_t share_lock = PTHREAD_MUTEX_INITIALIZER;

kh_status kh_ctx_share_fonts(kh_ctx *ctx, kh_ctx *from) {
  pthread_mutex_lock(&share_lock);
  font_cache *c = font_cache_of(from);
  pthread_mutex_unlock(&share_lock);
  if (!c) return KH_NOMEM;
  if (ctx->cache[KH_CACHE_FONTS] == c) return KH_OK;
  if (ctx->cache[KH_CACHE_FONTS]) font_cache_free(ctx->cache[KH_CACHE_FONTS]);
  atomic_fetch_add(&c->refs, 1);
  ctx->cache[KH_CACHE_FONTS] = c;
  ctx->cache_free[KH_CACHE_FONTS] = font_cache_free;
  return KH_OK;
}

/* The fontset of the layout's fonts, from the cache or loaded into it; the
 * caller holds a reference (kh_fontset_drop). */
static kh_status fontset_cached(kh_ctx *ctx, const kh_layout *layout, kh_fontset **out) {
  kh_buf key = {0};
  kh_status ret = KH_OK;
  int locked = 0;
  *out = NULL;
  for (int i = 0; i < layout->nfonts; i++) {
    KH_CHECK(kh_buf_printf(&key, "%s\n", layout->fonts[i].path));
    KH_CHECK(kh_ctx_note_input(ctx, layout->fonts[i].path));
  }
  KH_CHECK(kh_buf_append(&key, "", 1));
  font_cache *c = font_cache_of(ctx);
  if (!c) KH_CHECK(KH_NOMEM);
  pthread_mutex_lock(&c->lock);
  locked = 1;
  int hit = 0;
  while (hit < FONT_SETS && c->key[hit] && strcmp(c->key[hit], key.data)) hit++;
  if (hit < FONT_SETS && c->key[hit]) {
    for (int i = 0; i < layout->nfonts; i++) { /* read as this build may */
      const kh_font_ref *ref = &layout->fonts[i];
      KH_CHECK(kh_file_check(ctx, ref->pos, "font", ref->name ? ref->name : ref->path,
                             ref->path, (ref->system ? 0 : KH_FILE_CONFINE) | KH_FILE_BINARY));
    }
  } else {
    kh_fontset *set = NULL;
    KH_CHECK(kh_fontset_new(ctx, layout, &set));
    hit = FONT_SETS - 1; /* the least recently used goes */
    free(c->key[hit]);
    kh_fontset_drop(c->set[hit]);
    c->key[hit] = key.data;
    c->set[hit] = set;
    key.data = NULL;
  }
  char *k = c->key[hit]; /* to the front */
  kh_fontset *set = c->set[hit];
  memmove(c->key + 1, c->key, (size_t)hit * sizeof *c->key);
  memmove(c->set + 1, c->set, (size_t)hit * sizeof *c->set);
  c->key[0] = k;
  c->set[0] = set;
  *out = kh_fontset_keep(set);
cleanup:
  if (locked) pthread_mutex_unlock(&c->lock);
  kh_buf_free(&key);
  return ret;
}

/* The threads that finish a PDF's fonts (kh_pdf_meta.threads): one per
 * CPU (0), but only this one when the context shares its font cache with
 * contexts in other threads (--jobs): then the builds already keep every
 * CPU busy, and more threads would only contend with them. */
static int pdf_threads(kh_ctx *ctx) {
  font_cache *c = ctx->cache[KH_CACHE_FONTS];
  return c && atomic_load(&c->refs) > 1 ? 1 : 0;
}

/* The text of a leaf block, if it has any that is not white space. */
static const char *block_text(kh_arena *arena, const kh_node *n) {
  for (uint32_t i = 0; i < n->text.len; i++)
    if (!strchr(" \t\n", n->text.text[i])) {
      char *s = kh_arena_strndup(arena, n->text.text, n->text.len);
      for (char *c = s; c && *c; c++)
        if (*c == '\n' || *c == '\t') *c = ' '; /* hard breaks */
      return s;
    }
  return NULL;
}

/* The first heading (or title block) of the document, depth first. */
static const kh_node *first_heading(const kh_node *n) {
  for (; n; n = n->next) {
    if ((n->kind == KH_NODE_HEADING || (n->style && !strcmp(n->style, "title"))) &&
        n->text.len)
      return n;
    const kh_node *h = first_heading(n->child);
    if (h) return h;
  }
  return NULL;
}

/* The document's title is never empty (PDF/UA-1 7.1: dc:title; viewers show
 * it with DisplayDocTitle): the front matter's, else the first heading's,
 * else the source file's name. */
static const char *doc_title(kh_doc *doc) {
  if (doc->title && doc->title[0]) return doc->title;
  for (const kh_part *p = doc->parts; p; p = p->next) {
    const kh_node *h = first_heading(p->body);
    const char *t = h ? block_text(doc->arena, h) : NULL;
    if (t) return t;
  }
  const char *name = doc->parts && doc->parts->src ? doc->parts->src->path : NULL;
  if (name && name[0]) {
    const char *base = strrchr(name, '/');
    return base && base[1] ? base + 1 : name;
  }
  return "kumihan";
}

/* Every part's `page:` names a template of the layout: a misspelt one would
 * lose the template's folio and label in silence. */
static kh_status check_templates(kh_ctx *ctx, const kh_doc *doc, const kh_layout *layout) {
  const char *names[65];
  int n = 0;
  for (int i = 0; i < layout->npages && n < 64; i++) names[n++] = layout->pages[i].name;
  names[n] = NULL;
  for (const kh_part *p = doc->parts; p; p = p->next) {
    if (!p->page || kh_layout_page(layout, p->page)) continue;
    const char *near = kh_nearest(p->page, names);
    return kh_error(ctx, p->page_pos, KH_SYNTAX,
                    "page template '%s' is not in layout '%s'%s%s%s", p->page, layout->name,
                    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
  }
  return KH_OK;
}

/* A copy of s in `a` (NULL stays NULL; *ok cleared when out of memory). */
static const char *meta_copy(kh_arena *a, const char *s, int *ok) {
  if (!s) return NULL;
  const char *c = kh_arena_strndup(a, s, strlen(s));
  if (!c) *ok = 0;
  return c;
}

/* Builds the document and drops it (*docp is NULL after): the PDF goes out
 * through `write` as it is made (no PDF when write is NULL: tracing only).
 * The document tree is freed once the last page is laid out, before the
 * end of the PDF (fonts, structure tree, outline, cross-references) is
 * written: the two never need memory at once.  The PDF's metadata strings
 * are copied for that. */
static kh_status build(kh_ctx *ctx, kh_doc **docp, kh_pdf_write_fn write, void *user) {
  kh_status ret = KH_OK;
  kh_doc *doc = *docp;
  kh_layout *layout = NULL;
  kh_fontset *fonts = NULL;
  kh_outline *outline = NULL;
  kh_arena *meta_arena = NULL;
  /* the source's path, for the message below: the context keeps it */
  const char *path = doc->parts && doc->parts->src ? doc->parts->src->path : NULL;
  driver d = {ctx, NULL, NULL, NULL, NULL, NULL, NULL, 0, {0}};
  unsigned warnings = ctx->nwarnings;
  ctx->npages = 0;
  if (ctx->trace == KH_TRACE_DOC) kh_doc_trace(doc, ctx->trace_out);
  KH_CHECK(kh_layout_load_at(ctx, doc->layout ? doc->layout : DEFAULT_LAYOUT,
                             doc->layout ? doc->layout_pos : (kh_srcpos){0}, &layout));
  for (const kh_part *p = doc->parts; p; p = p->next)
    if (p->layout && doc->layout && strcmp(p->layout, doc->layout)) {
      ret = kh_error(ctx, p->layout_pos.src ? p->layout_pos : (kh_srcpos){p->src, 0}, KH_UNSUPPORTED,
                     "every part must use the publication's layout '%s'", doc->layout);
      goto cleanup;
    }
  KH_CHECK(check_templates(ctx, doc, layout));
  KH_CHECK(fontset_cached(ctx, layout, &fonts));
  kh_shape_check_layout(ctx, layout, fonts);
  d.layout = layout;
  d.fonts = fonts;
  if (write) {
    int ok = (meta_arena = kh_arena_new()) != NULL;
    kh_pdf_meta meta = {NULL, NULL, NULL, "kumihan " KUMIHAN_VERSION, doc_epoch(ctx, doc),
                        NULL, doc, layout->pdf_a, layout->keep_hinting, pdf_threads(ctx)};
    if (ok) {
      meta.title = meta_copy(meta_arena, doc_title(doc), &ok);
      meta.author = meta_copy(meta_arena, doc->author, &ok);
      meta.subject = meta_copy(meta_arena, doc->subject, &ok);
      meta.lang = meta_copy(meta_arena, doc->lang, &ok);
    }
    if (!ok) {
      ret = KH_NOMEM;
      goto cleanup;
    }
    KH_CHECK(kh_pdf_new(ctx, fonts, &meta, layout->page_w, layout->page_h, write, user,
                        &d.pdf));
  }
  /* the page builder's blocks behind it go back as it writes pages: this
   * build drops the document after them (doc/store.c) */
  kh_doc_allow_release(doc);
  KH_CHECK(kh_page_build(ctx, doc, layout, compose, sink, &d, &outline));
  /* nothing after this reads the document tree (the structure tree keeps
   * copies of what it writes; the outline, its titles) */
  kh_arena_drop(d.win_arena);
  d.win_arena = NULL;
  kh_doc_drop(doc);
  *docp = doc = NULL;
#if defined(KH_MALLOC_TRIM)
  /* what the page builder and the document's own arena held (the
   * top-level blocks are in mappings of their own, already given back:
   * doc/store.c) lies among the pages' and the PDF's smaller allocations,
   * where glibc keeps pages resident once they are free: hand them back
   * when that is much, so the end of the PDF does not add to the peak.
   * Not when little is free (a short document, and the benchmark's 1,000
   * and 3,000 pages, with 0.8 and 1.9 MB free): the end of the PDF would
   * only fault the same pages in again (about 40 faults on the
   * publication) */
  if (mallinfo2().fordblks >= TRIM_AT) malloc_trim(0);
#endif
  if (write) KH_CHECK(kh_pdf_finish(d.pdf, outline->entries, outline->n));
  if (ctx->werror && ctx->nwarnings > warnings) /* the caller discards the PDF */
    ret = kh_error_file(ctx, path, KH_SYNTAX, "%u warning%s treated as errors: no PDF written",
                        ctx->nwarnings - warnings, ctx->nwarnings - warnings == 1 ? "" : "s");
cleanup:
  kh_arena_drop(d.win_arena);
  kh_pdf_drop(d.pdf);
  kh_fontset_drop(fonts);
  kh_outline_drop(outline);
  kh_layout_drop(layout);
  kh_arena_drop(meta_arena);
  return ret;
}

/* ---- the output -------------------------------------------------------------
 * The PDF goes to a temporary file created exclusively (O_EXCL, a random
 * name) beside the output, then is renamed over it.  The output must be a
 * regular file or nothing (never a folder or a device node, which rename
 * would replace) and none of the files the build read (`-o x.md`).  The
 * temporary files being written are registered in a fixed table that
 * kh_signal_cleanup() can walk from a signal handler with unlink() alone. */
#define NTEMP 32 /* builds writing at the same time, in one process */
#define TEMP_FREE 0
#define TEMP_CLAIMED 1
#define TEMP_LIVE 2

static struct {
  atomic_int state;
  char path[PATH_MAX];
} temp_files[NTEMP];

void kh_signal_cleanup(void) {
  for (int i = 0; i < NTEMP; i++)
    if (atomic_load(&temp_files[i].state) == TEMP_LIVE) unlink(temp_files[i].path);
}

static int temp_register(const char *path) {
  for (int i = 0; i < NTEMP; i++) {
    int expect = TEMP_FREE;
    if (atomic_compare_exchange_strong(&temp_files[i].state, &expect, TEMP_CLAIMED)) {
      snprintf(temp_files[i].path, sizeof temp_files[i].path, "%s", path);
      atomic_store(&temp_files[i].state, TEMP_LIVE);
      return i;
    }
  }
  return -1;
}

static void temp_release(int slot) {
  if (slot >= 0) atomic_store(&temp_files[slot].state, TEMP_FREE);
}

/* What may be replaced: nothing, or a regular file the build did not read. */
static kh_status check_output(kh_ctx *ctx, const char *output, const char *input) {
  struct stat st, in;
  if (stat(output, &st) != 0)
    return errno == ENOENT ? KH_OK
                           : kh_error_file(ctx, output, KH_IO, "cannot write: %s", strerror(errno));
  if (S_ISDIR(st.st_mode))
    return kh_error_file(ctx, output, KH_IO, "the output is a folder, not a file");
  if (!S_ISREG(st.st_mode))
    return kh_error_file(ctx, output, KH_IO,
                         "the output is not a regular file (a device, FIFO or socket): "
                         "refusing to replace it");
  if ((input && stat(input, &in) == 0 && in.st_dev == st.st_dev && in.st_ino == st.st_ino) ||
      kh_files_was_read(ctx, (uint64_t)st.st_dev, (uint64_t)st.st_ino))
    return kh_error_file(ctx, output, KH_IO,
                         "the output is one of the build's own inputs: refusing to replace it");
  return KH_OK;
}

/* "dir/.name.XXXXXXXXXXXXXXXX.tmp" with 64 random bits. */
static kh_status temp_name(kh_ctx *ctx, const char *output, char *tmp, size_t n) {
  const char *slash = strrchr(output, '/');
  int dlen = slash ? (int)(slash - output + 1) : 0;
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
    return kh_error_file(ctx, output, KH_IO, "cannot make a temporary name: %s", strerror(errno));
  int w = snprintf(tmp, n, "%.*s.%s.%016llx.tmp", dlen, output, slash ? slash + 1 : output,
                   (unsigned long long)r);
  if (w < 0 || (size_t)w >= n) return kh_error_file(ctx, output, KH_LIMIT, "path too long");
  return KH_OK;
}

static int write_all(int fd, const unsigned char *data, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, data, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    data += w;
    len -= (size_t)w;
  }
  return 0;
}

/* The PDF being written into its temporary file. */
typedef struct temp_out {
  kh_ctx *ctx;
  const char *output;
  char tmp[PATH_MAX];
  int fd, slot;
} temp_out;

static kh_status temp_open(temp_out *t) {
  kh_ctx *ctx = t->ctx;
  const char *output = t->output;
  kh_status ret = KH_OK;
  t->fd = t->slot = -1;
  for (int attempt = 0; t->fd < 0; attempt++) {
    KH_CHECK(temp_name(ctx, output, t->tmp, sizeof t->tmp));
    /* no signal between creating the file and registering it */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    t->slot = temp_register(t->tmp);
    int err = EBUSY; /* no free slot: too many builds writing at once */
    if (t->slot >= 0) {
      t->fd = open(t->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
      err = errno;
      if (t->fd < 0) temp_release(t->slot), t->slot = -1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (t->fd < 0 && (err != EEXIST || attempt == 8)) {
      ret = kh_error_file(ctx, output, KH_IO, "cannot write: %s", strerror(err));
      goto cleanup;
    }
  }
cleanup:
  return ret;
}

static kh_status temp_write(void *user, const void *data, size_t len) {
  temp_out *t = user;
  if (write_all(t->fd, data, len) != 0)
    return kh_error_file(t->ctx, t->output, KH_IO, "cannot write: %s", strerror(errno));
  return KH_OK;
}

/* With ok, the file is synced and renamed over the output; otherwise, or
 * when that fails, it is removed. */
static kh_status temp_close(temp_out *t, int ok) {
  kh_ctx *ctx = t->ctx;
  const char *output = t->output;
  kh_status ret = KH_OK;
  if (ok && fsync(t->fd) != 0) {
    ret = kh_error_file(ctx, output, KH_IO, "cannot write: %s", strerror(errno));
    goto cleanup;
  }
  int rc = close(t->fd);
  t->fd = -1;
  if (ok && rc != 0) {
    ret = kh_error_file(ctx, output, KH_IO, "cannot write: %s", strerror(errno));
    goto cleanup;
  }
  if (ok) {
    KH_CHECK(check_output(ctx, output, NULL)); /* again, just before replacing it */
    if (rename(t->tmp, output) != 0)
      ret = kh_error_file(ctx, output, KH_IO, "cannot rename into place: %s", strerror(errno));
  }
cleanup:
  if (t->fd >= 0) close(t->fd);
  if (t->slot >= 0) {
    if (ret != KH_OK || !ok) unlink(t->tmp);
    temp_release(t->slot);
  }
  return ret;
}

static kh_status mem_write(void *user, const void *data, size_t len) {
  return kh_buf_append(user, data, len);
}

kh_status kh_build_file(kh_ctx *ctx, const char *input, const char *output) {
  kh_doc *doc = NULL;
  kh_status ret = output ? check_output(ctx, output, input) : KH_OK;
  if (ret == KH_OK) ret = kh_doc_load(ctx, input, &doc);
  if (ret == KH_OK && !output) ret = build(ctx, &doc, NULL, NULL);
  if (ret == KH_OK && output) {
    /* the PDF is written into a temporary file as it is made: only the
     * page being drawn and what the end of the file needs stay in memory */
    temp_out t = {ctx, output, "", -1, -1};
    ret = temp_open(&t);
    if (ret == KH_OK) {
      ret = build(ctx, &doc, temp_write, &t);
      kh_status st = temp_close(&t, ret == KH_OK);
      if (ret == KH_OK) ret = st;
    }
  }
  kh_doc_drop(doc);
  kh_diag_flush(ctx);
  return ret;
}

static kh_status discard_write(void *user, const void *data, size_t len) {
  (void)user;
  (void)data;
  (void)len;
  return KH_OK;
}

kh_status kh_build_path(kh_ctx *ctx, const char *input, unsigned char **pdf,
                        size_t *pdf_len) {
  kh_doc *doc = NULL;
  kh_buf b = {0};
  if (pdf) *pdf = NULL;
  if (pdf_len) *pdf_len = 0;
  kh_status ret = kh_doc_load(ctx, input, &doc);
  if (ret == KH_OK) ret = pdf ? build(ctx, &doc, mem_write, &b) : build(ctx, &doc, discard_write, NULL);
  if (ret == KH_OK && pdf) {
    *pdf = (unsigned char *)b.data;
    if (pdf_len) *pdf_len = b.len;
  } else {
    kh_buf_free(&b);
  }
  kh_doc_drop(doc);
  kh_diag_flush(ctx);
  return ret;
}

kh_status kh_write_output(kh_ctx *ctx, const char *output, const unsigned char *data,
                          size_t len) {
  kh_status ret = check_output(ctx, output, NULL);
  if (ret != KH_OK) return ret;
  temp_out t = {ctx, output, "", -1, -1};
  if ((ret = temp_open(&t)) != KH_OK) return ret;
  ret = temp_write(&t, data, len);
  kh_status st = temp_close(&t, ret == KH_OK);
  return ret == KH_OK ? st : ret;
}

kh_status kh_build_memory(kh_ctx *ctx, const char *name, const char *markdown, size_t len,
                          unsigned char **pdf, size_t *pdf_len) {
  kh_doc *doc = NULL;
  *pdf = NULL;
  *pdf_len = 0;
  kh_buf b = {0};
  kh_status ret = kh_doc_load_memory(ctx, name, markdown, len, &doc);
  if (ret == KH_OK) ret = build(ctx, &doc, mem_write, &b);
  if (ret == KH_OK) {
    *pdf = (unsigned char *)b.data;
    *pdf_len = b.len;
  } else {
    kh_buf_free(&b);
  }
  kh_doc_drop(doc);
  kh_diag_flush(ctx);
  return ret;
}

/* ---- versions ---------------------------------------------------------------*/

kh_status kh_print_versions(kh_ctx *ctx, const char *layout_name, FILE *out) {
  kh_buf b = {0};
  kh_buf_printf(&b, "kumihan %s\n", KUMIHAN_VERSION);
  kh_shape_versions(&b);
  kh_para_versions(&b);
  kh_pdf_versions(&b);
  kh_doc_versions(&b);
  kh_style_versions(&b);
  kh_layout *layout = NULL;
  kh_fontset *fonts = NULL;
  kh_status ret = kh_layout_load(ctx, layout_name ? layout_name : DEFAULT_LAYOUT, &layout);
  if (ret == KH_OK) ret = kh_fontset_new(ctx, layout, &fonts);
  if (ret == KH_OK) {
    kh_buf_printf(&b, "fonts of the layout '%s':\n", layout->name);
    for (int i = 0; i < kh_fontset_count(fonts); i++) {
      char v[256];
      const kh_font *f = kh_fontset_get(fonts, i);
      kh_font_version(f, v, sizeof v);
      kh_buf_printf(&b, "  %s: %s (%s)\n", layout->fonts[i].name, v, kh_font_path(f));
    }
  }
  if (b.data) fputs(b.data, out);
  kh_buf_free(&b);
  kh_fontset_drop(fonts);
  kh_layout_drop(layout);
  kh_diag_flush(ctx);
  return ret;
}
