/* base: the context and sources (diagnostics: diag.c, search path: search.c). */
#define _DEFAULT_SOURCE /* madvise, MAP_ANONYMOUS */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/base.h"

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

kh_ctx *kh_ctx_new(void) {
  kh_ctx *ctx = calloc(1, sizeof *ctx);
  if (!ctx) return NULL;
  ctx->source_date_epoch = -1;
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  if (sde && *sde) {
    char *end;
    long long v = strtoll(sde, &end, 10);
    if (*end == '\0' && v >= 0) ctx->source_date_epoch = v;
  }
  if (kh_diag_init(ctx) != KH_OK || kh_search_init(ctx) != KH_OK) {
    kh_ctx_drop(ctx);
    return NULL;
  }
  return ctx;
}

/* A source's bytes: a mapping of map_len bytes. */
static void data_free(char *data, size_t map_len) {
  if (data) munmap(data, map_len);
}

static void source_free(kh_source *s) {
  if (!s) return;
  free(s->path);
  data_free(s->data, s->map_len);
  free(s->lines);
  free(s);
}

void kh_ctx_drop(kh_ctx *ctx) {
  if (!ctx) return;
  for (int i = 0; i < KH_CACHE_COUNT; i++)
    if (ctx->cache[i] && ctx->cache_free[i]) ctx->cache_free[i](ctx->cache[i]);
  for (size_t i = 0; i < ctx->nsources; i++) source_free(ctx->sources[i]);
  free(ctx->sources);
  kh_files_free(&ctx->files);
  free(ctx->font_dir);
  free(ctx->layout_dir);
  for (int k = 0; k < KH_SEARCH_COUNT; k++) kh_dirlist_free(&ctx->search[k]);
  kh_dirlist_free(&ctx->inputs);
  kh_diag_free(ctx);
  free(ctx);
}

void kh_ctx_set_diag(kh_ctx *ctx, kh_diag_fn fn, void *user) {
  ctx->diag_fn = fn; /* NULL: the default printer (base/diag.c) */
  ctx->diag_user = user;
}

void kh_ctx_set_trace(kh_ctx *ctx, kh_trace_stage stage, FILE *out) {
  ctx->trace = stage;
  ctx->trace_out = out;
}

kh_status kh_ctx_set_font_dir(kh_ctx *ctx, const char *dir) {
  return kh_search_prepend(ctx, KH_SEARCH_FONT, dir);
}

kh_status kh_ctx_set_layout_dir(kh_ctx *ctx, const char *dir) {
  return kh_search_prepend(ctx, KH_SEARCH_LAYOUT, dir);
}

void kh_ctx_set_source_date_epoch(kh_ctx *ctx, int64_t epoch) {
  ctx->source_date_epoch = epoch < 0 ? -1 : epoch;
}

unsigned kh_ctx_error_count(const kh_ctx *ctx) { return ctx->nerrors; }
unsigned kh_ctx_warning_count(const kh_ctx *ctx) { return ctx->nwarnings; }
unsigned kh_ctx_page_count(const kh_ctx *ctx) { return ctx->npages; }
void kh_ctx_set_werror(kh_ctx *ctx, int on) { ctx->werror = on != 0; }

const char *kh_status_string(kh_status status) {
  switch (status) {
  case KH_OK: return "ok";
  case KH_NOMEM: return "out of memory";
  case KH_IO: return "input/output error";
  case KH_SYNTAX: return "syntax error";
  case KH_FONT: return "font error";
  case KH_LIMIT: return "limit exceeded";
  case KH_UNSUPPORTED: return "unsupported";
  case KH_LIBRARY: return "library error";
  }
  return "unknown status";
}

const char *kh_version(void) { return KUMIHAN_VERSION; }

/* ---- sources -------------------------------------------------------------*/

/* Line ends: CRLF and a lone CR become LF, in place, so that front matter,
 * Markdown and positions see one kind.  Returns the new length. */
static size_t normalize_line_ends(char *d, size_t len) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (d[i] == '\r') {
      d[o++] = '\n';
      if (i + 1 < len && d[i + 1] == '\n') i++;
    } else {
      d[o++] = d[i];
    }
  }
  d[o] = '\0';
  return o;
}

/* NUL and the C0 and C1 control characters other than tab and line feed
 * have no place in a publication: each would be drawn as a missing glyph or
 * lost.  Returns the offset of the first one, or len. */
static size_t first_control(const char *s, size_t len, int32_t *cp) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
      *cp = c;
      return i;
    }
    if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
        (unsigned char)s[i + 1] <= 0x9F) {
      *cp = (unsigned char)s[i + 1];
      return i;
    }
  }
  return len;
}

size_t kh_page_size(void) {
  /* asked from every build's thread (--jobs): kept atomically; two threads
   * that both ask first store the same value */
  static _Atomic size_t size;
  size_t n = atomic_load_explicit(&size, memory_order_relaxed);
  if (!n) {
    long ps = sysconf(_SC_PAGESIZE);
    n = ps > 0 ? (size_t)ps : 4096;
    atomic_store_explicit(&size, n, memory_order_relaxed);
  }
  return n;
}

void kh_pages_give_back(void *p, size_t len) {
  madvise(p, len, MADV_DONTNEED); /* no longer resident */
  mprotect(p, len, PROT_NONE);    /* and any read of them faults */
}

size_t kh_source_line_index(const kh_source *src, size_t off) {
  size_t lo = 0, hi = src->nlines; /* the last line start <= off */
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (src->lines[mid] <= off) lo = mid;
    else hi = mid;
  }
  return lo;
}

void kh_source_release(const kh_source *src, size_t lo, size_t hi) {
  size_t ps = kh_page_size();
  if (!src || !src->data || hi > src->map_len) return;
  lo = (lo + ps - 1) / ps * ps;
  hi = hi / ps * ps;
  if (lo >= hi) return;
  kh_pages_give_back(src->data + lo, hi - lo);
}

/* `data` is a mapping of map_len bytes (kh_file_read's KH_FILE_MAPPED). */
static kh_status source_add(kh_ctx *ctx, const char *name, char *data,
                            size_t len, size_t map_len, int from_file, kh_source **out) {
  kh_source *s = calloc(1, sizeof *s);
  kh_source **grown = realloc(ctx->sources, (ctx->nsources + 1) * sizeof *grown);
  if (!s || !grown) {
    free(s);
    data_free(data, map_len);
    if (grown) ctx->sources = grown;
    return KH_NOMEM;
  }
  ctx->sources = grown;
  len = normalize_line_ends(data, len);
  s->path = dup_str(name);
  s->data = data;
  s->len = len;
  s->map_len = map_len;
  size_t nl = 1;
  for (size_t i = 0; i < len; i++) nl += data[i] == '\n';
  s->lines = malloc(nl * sizeof *s->lines);
  if (!s->path || !s->lines) {
    source_free(s);
    return KH_NOMEM;
  }
  s->lines[0] = 0;
  s->nlines = 1;
  for (size_t i = 0; i < len; i++)
    if (data[i] == '\n') s->lines[s->nlines++] = (uint32_t)(i + 1);
  ctx->sources[ctx->nsources++] = s;
  *out = s;
  if (from_file && kh_ctx_note_input(ctx, name) != KH_OK) return KH_NOMEM;
  size_t bad = kh_utf8_validate(data, len);
  int32_t cp = 0;
  size_t ctl = first_control(data, bad, &cp);
  if (ctl < bad)
    return kh_error(ctx, (kh_srcpos){s, (uint32_t)ctl}, KH_SYNTAX,
                    "control character U+%04X is not allowed", (unsigned)cp);
  if (bad < len)
    return kh_error(ctx, (kh_srcpos){s, (uint32_t)bad}, KH_SYNTAX,
                    "invalid UTF-8 (byte 0x%02X)", (unsigned char)data[bad]);
  return KH_OK;
}

kh_status kh_source_from_memory(kh_ctx *ctx, const char *name,
                                const char *data, size_t len,
                                kh_source **out) {
  if (len > UINT32_MAX / 2)
    return kh_error_file(ctx, name, KH_LIMIT, "input larger than 2 GiB");
  size_t map_len = kh_file_mapped_len(len);
  char *copy = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (copy == MAP_FAILED) return KH_NOMEM;
  if (len) memcpy(copy, data, len);
  copy[len] = '\0';
  return source_add(ctx, name, copy, len, map_len, 0, out);
}

/* The size limit keeps positions within 32 bits as well. */
static kh_status source_read(kh_ctx *ctx, kh_srcpos at, const char *what, const char *name,
                             const char *path, unsigned flags, kh_source **out) {
  char *data = NULL;
  size_t len = 0;
  kh_status ret = kh_file_read(ctx, at, what, name, path, flags | KH_FILE_MAPPED, &data, &len);
  if (ret != KH_OK) return ret;
  if (len > UINT32_MAX / 2) {
    data_free(data, kh_file_mapped_len(len));
    return kh_error_file(ctx, path, KH_LIMIT, "input larger than 2 GiB");
  }
  return source_add(ctx, path, data, len, kh_file_mapped_len(len), 1, out);
}

kh_status kh_source_load(kh_ctx *ctx, const char *path, kh_source **out) {
  return source_read(ctx, (kh_srcpos){0}, "file", path, path, 0, out);
}

kh_status kh_source_load_named(kh_ctx *ctx, kh_srcpos at, const char *what,
                               const char *name, const char *path, kh_source **out) {
  return source_read(ctx, at, what, name, path, KH_FILE_CONFINE, out);
}
