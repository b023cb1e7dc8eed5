/* base: arenas, buffers, vectors, UTF-8, fixed point and paths. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/base.h"

kh_fixed kh_fixed_muldiv(kh_fixed a, int64_t b, int64_t c) {
  int64_t p = (int64_t)a * b;
  int64_t half = c / 2;
  if ((p < 0) != (c < 0)) half = -half;
  return (kh_fixed)((p + half) / c);
}

/* ---- arena: a chain of blocks; large requests get a block of their own --*/
typedef struct block {
  struct block *next;
  size_t used, cap;
  max_align_t data[];
} block;

typedef struct adopted {
  struct adopted *next;
  void *p;
} adopted;

typedef struct mapping {
  void *p;
  size_t len;
} mapping;

struct kh_arena {
  block *head;
  adopted *adopted; /* malloc'd blocks it owns, recorded in its own blocks */
  size_t used;      /* bytes handed out */
  /* a mapped arena (kh_arena_new_mapped): its blocks' mappings, kept
   * outside them (a retired block cannot be read) */
  int mapped, retired;
  mapping *maps;
  size_t nmaps, mapcap;
};

#define ARENA_BLOCK (64 * 1024)
#define MAPPED_BLOCK (1024 * 1024)

kh_arena *kh_arena_new(void) { return calloc(1, sizeof(kh_arena)); }

kh_arena *kh_arena_new_mapped(void) {
  kh_arena *a = kh_arena_new();
  if (a) a->mapped = 1;
  return a;
}

/* A block of a mapped arena: a mapping of its own, recorded. */
static block *map_block(kh_arena *a, size_t bytes) {
  size_t ps = kh_page_size();
  size_t len = (bytes + ps - 1) / ps * ps;
  if (len < bytes) return NULL;
  if (a->nmaps == a->mapcap) {
    size_t nc = a->mapcap ? a->mapcap * 2 : 8;
    mapping *g = realloc(a->maps, nc * sizeof *g);
    if (!g) return NULL;
    a->maps = g;
    a->mapcap = nc;
  }
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  a->maps[a->nmaps++] = (mapping){p, len};
  return p;
}

void kh_arena_retire(kh_arena *a) {
  if (!a || a->retired) return;
  for (adopted *d = a->adopted; d; d = d->next) free(d->p);
  a->adopted = NULL;
  a->head = NULL;
  a->retired = 1;
  for (size_t i = 0; i < a->nmaps; i++) {
    /* reserved until the drop */
    kh_pages_give_back(a->maps[i].p, a->maps[i].len);
  }
}

size_t kh_arena_used(const kh_arena *a) { return a ? a->used : 0; }

void kh_arena_drop(kh_arena *a) {
  if (!a) return;
  for (adopted *d = a->adopted; d; d = d->next) free(d->p);
  if (a->mapped) {
    for (size_t i = 0; i < a->nmaps; i++) munmap(a->maps[i].p, a->maps[i].len);
    free(a->maps);
    free(a);
    return;
  }
  for (block *b = a->head, *n; b; b = n) {
    n = b->next;
    free(b);
  }
  free(a);
}

/* A mapped arena holds the document's nodes, text and marks: pointers and
 * 64-bit numbers, 8-byte aligned (a node of 168 bytes takes 168, not 176). */
#define MAPPED_ALIGN 8

void *kh_arena_alloc(kh_arena *a, size_t size) {
  size_t align = a->mapped ? MAPPED_ALIGN : sizeof(max_align_t);
  size = (size + align - 1) & ~(align - 1);
  if (size == 0) size = align;
  if (a->retired) return NULL;
  block *b = a->head;
  if (!b || b->cap - b->used < size) {
    size_t whole = a->mapped ? MAPPED_BLOCK : ARENA_BLOCK;
    size_t cap = size > whole / 4 ? size : whole;
    block *nb = a->mapped ? map_block(a, sizeof(block) + cap) : malloc(sizeof(block) + cap);
    if (!nb) return NULL;
    nb->used = 0;
    nb->cap = cap;
    if (b && cap != whole) { /* keep filling the current block */
      nb->next = b->next;
      b->next = nb;
    } else {
      nb->next = b;
      a->head = nb;
    }
    b = nb;
  }
  void *p = (char *)b->data + b->used;
  b->used += size;
  a->used += size;
  memset(p, 0, size);
  return p;
}

kh_status kh_arena_adopt(kh_arena *a, void *p) {
  if (a->retired) {
    free(p);
    return KH_NOMEM;
  }
  adopted *d = kh_arena_alloc(a, sizeof *d);
  if (!d) {
    free(p);
    return KH_NOMEM;
  }
  d->p = p;
  d->next = a->adopted;
  a->adopted = d;
  return KH_OK;
}

char *kh_arena_strndup(kh_arena *a, const char *s, size_t len) {
  char *d = kh_arena_alloc(a, len + 1);
  if (d) {
    if (len) memcpy(d, s, len); /* s may be NULL when len is 0 ([x]()) */
    d[len] = '\0';
  }
  return d;
}

/* ---- buffers and vectors -------------------------------------------------*/
kh_status kh_vec_grow_(void **v, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return KH_OK;
  size_t nc = *cap ? *cap * 2 : 16;
  while (nc < need) nc *= 2;
  void *p = realloc(*v, nc * elem);
  if (!p) return KH_NOMEM;
  *v = p;
  *cap = nc;
  return KH_OK;
}

kh_status kh_buf_append(kh_buf *b, const void *data, size_t len) {
  if (kh_vec_grow_((void **)&b->data, &b->cap, b->len + len + 1, 1) != KH_OK)
    return KH_NOMEM;
  if (len) memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return KH_OK;
}

kh_status kh_buf_printf(kh_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return KH_LIBRARY;
  if (kh_vec_grow_((void **)&b->data, &b->cap, b->len + (size_t)n + 1, 1) !=
      KH_OK)
    return KH_NOMEM;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return KH_OK;
}

void kh_buf_free(kh_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* ---- UTF-8 (RFC 3629: no overlongs, no surrogates, max U+10FFFF) --------*/
int32_t kh_utf8_next(const char *str, size_t len, size_t *i) {
  const unsigned char *s = (const unsigned char *)str;
  size_t p = *i;
  unsigned c = s[p];
  int n;
  int32_t cp, min;
  if (c < 0x80) {
    *i = p + 1;
    return (int32_t)c;
  } else if ((c & 0xE0) == 0xC0) {
    n = 1, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3, cp = c & 0x07, min = 0x10000;
  } else {
    *i = p + 1;
    return -1;
  }
  for (int k = 1; k <= n; k++) {
    if (p + (size_t)k >= len || (s[p + k] & 0xC0) != 0x80) {
      *i = p + 1;
      return -1;
    }
    cp = (cp << 6) | (s[p + k] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *i = p + 1;
    return -1;
  }
  *i = p + (size_t)n + 1;
  return cp;
}

size_t kh_utf8_validate(const char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    size_t at = i;
    if ((unsigned char)s[i] < 0x80) {
      i++;
      continue;
    }
    if (kh_utf8_next(s, len, &i) < 0) return at;
  }
  return len;
}

int kh_utf8_encode(int32_t cp, char *out) {
  unsigned char *o = (unsigned char *)out;
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    return 1;
  } else if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  } else if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | (cp >> 18));
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

/* ---- paths ---------------------------------------------------------------*/
char *kh_path_join(const char *dir, const char *name) {
  size_t dl = strlen(dir), nl = strlen(name);
  if (name[0] == '/' || dl == 0) {
    char *d = malloc(nl + 1);
    if (d) memcpy(d, name, nl + 1);
    return d;
  }
  char *p = malloc(dl + nl + 2);
  if (!p) return NULL;
  memcpy(p, dir, dl);
  size_t k = dl;
  if (dir[dl - 1] != '/') p[k++] = '/';
  memcpy(p + k, name, nl + 1);
  return p;
}

char *kh_path_dirname(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    char *d = malloc(2);
    if (d) memcpy(d, ".", 2);
    return d;
  }
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, path, n);
    d[n] = '\0';
  }
  return d;
}

/* Optimal string alignment distance (Levenshtein with transpositions), on
 * bytes, capped: names are short ASCII keys. */
static size_t osa_distance(const char *a, const char *b) {
  enum { MAX = 64 };
  size_t n = strlen(a), m = strlen(b);
  if (n >= MAX || m >= MAX) return MAX;
  size_t d[MAX + 1][MAX + 1];
  for (size_t i = 0; i <= n; i++) d[i][0] = i;
  for (size_t j = 0; j <= m; j++) d[0][j] = j;
  for (size_t i = 1; i <= n; i++)
    for (size_t j = 1; j <= m; j++) {
      size_t cost = a[i - 1] != b[j - 1];
      size_t v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1;
      d[i][j] = v;
    }
  return d[n][m];
}

const char *kh_nearest(const char *word, const char *const *names) {
  const char *best = NULL;
  size_t best_d = (size_t)-1, len = strlen(word);
  size_t limit = len < 6 ? 2 : len / 3 + 1; /* farther is another word */
  for (size_t i = 0; names && names[i]; i++) {
    size_t d = osa_distance(word, names[i]);
    if (d < best_d) best_d = d, best = names[i];
  }
  return best_d <= limit && best_d > 0 ? best : NULL;
}

/* Days are counted in 400-year eras of 146097 days, with March as the first
 * month so that the leap day ends the year. */
kh_civil kh_civil_of(int64_t t) {
  kh_civil c;
  int64_t days = t / 86400, secs = t % 86400;
  int64_t z = days + 719468; /* days from 0000-03-01 */
  int64_t era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  c.year = (int)(yoe + era * 400 + (month <= 2));
  c.month = (int)month;
  c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
  c.hour = (int)(secs / 3600);
  c.minute = (int)(secs / 60 % 60);
  c.second = (int)(secs % 60);
  return c;
}
