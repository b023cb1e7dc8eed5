/* base: context, status codes, diagnostics, arenas, byte buffers, UTF-8 and
 * fixed-point units.  Every other stage depends on this one and on nothing
 * else below it. */
#ifndef KH_BASE_H
#define KH_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kumihan.h"

/* ---- status --------------------------------------------------------------
 * The public kh_status enum lives in kumihan.h.  KH_CHECK jumps to the one
 * clean-up label of the calling function with `ret` set. */
#define KH_CHECK(expr)                                                       \
  do {                                                                       \
    ret = (expr);                                                            \
    if (ret != KH_OK) goto cleanup;                                          \
  } while (0)

/* ---- fixed point ---------------------------------------------------------
 * Lengths after shaping are integers in 1/65536 pt, so traces and PDFs are
 * bit-stable across machines.  Floats appear only inside line-breaking cost. */
typedef int64_t kh_fixed;
#define KH_FIXED_ONE 65536
#define KH_PT(x) ((kh_fixed)((x) * 65536.0 + ((x) < 0 ? -0.5 : 0.5)))
#define KH_FIXED_TO_PT(f) ((double)(f) / 65536.0)
/* a * b / c in 64 bits, rounded to nearest */
kh_fixed kh_fixed_muldiv(kh_fixed a, int64_t b, int64_t c);

/* ---- sources and positions -----------------------------------------------
 * A source is one input file held in memory.  Positions are byte offsets
 * into it; line and column are computed only when a diagnostic is made. */
typedef struct kh_source {
  char *path;        /* as the user named it; owned */
  char *data;        /* NUL-terminated copy of the bytes; owned: a mapping
                        of its own (page-aligned), see kh_source_release */
  size_t len;
  size_t map_len;    /* the mapping's length */
  uint32_t *lines;   /* byte offset of the start of each line; owned */
  size_t nlines;
  /* the last position looked up (base/diag.c), so that positions along one
   * line are counted on from there, not from the line's start each time */
  size_t memo_line;
  uint32_t memo_off;
  unsigned memo_col;
} kh_source;

typedef struct kh_srcpos {
  const kh_source *src; /* NULL when the position is unknown */
  uint32_t off;         /* byte offset into src->data */
} kh_srcpos;

/* 1-based line and column (column counted in characters, not bytes). */
void kh_srcpos_linecol(kh_srcpos pos, unsigned *line, unsigned *col);

/* ---- search path (base/search.c) ------------------------------------------
 * Folders where layouts and fonts named without a path are looked for: the
 * program's folders first, then the environment (KUMIHAN_LAYOUT_PATH,
 * KUMIHAN_FONT_PATH), then the installed data (ctx->layout_dir and
 * ctx->font_dir).  See search.c for the whole order. */
typedef enum kh_search_kind { KH_SEARCH_LAYOUT = 0, KH_SEARCH_FONT, KH_SEARCH_COUNT } kh_search_kind;

typedef struct kh_dirlist {
  char **v;     /* owned */
  size_t n;
  size_t nfront; /* how many were put first by the program */
} kh_dirlist;

/* ---- files a publication may read (base/file.c) ---------------------------
 * Every file a publication names resolves, after symlinks, inside one of
 * the roots (its folder, the layout and font folders, --allow-path
 * folders); only regular files are read, each under a size limit. */
typedef struct kh_file_id {
  uint64_t dev, ino;
} kh_file_id;

typedef struct kh_files {
  char *root;                /* the publication's folder (realpath), or NULL */
  char **allowed;            /* extra folders the user allowed (realpath) */
  size_t nallowed;
  size_t limit[2];           /* bytes: KH_INPUT_TEXT, KH_INPUT_BINARY */
  kh_file_id *read;          /* every file read, so no output replaces one */
  size_t nread;
  /* the layout, font and search folders resolved (realpath) once: every
   * file read is checked against them */
  struct kh_real_dir {
    char *dir, *real;
  } *dirs;
  size_t ndirs;
} kh_files;

/* ---- context -------------------------------------------------------------*/
/* Slots where a stage keeps state across calls (e.g. para's ICU break
 * iterator); freed by kh_ctx_drop through the stage's own function. */
typedef enum kh_cache_id {
  KH_CACHE_PARA = 0,
  KH_CACHE_FONTS,
  KH_CACHE_HYPHEN, /* para's hyphenation patterns (hyphen.c) */
  KH_CACHE_WORDS,  /* para's ICU word break iterator (phrase.c) */
  KH_CACHE_COUNT
} kh_cache_id;

struct kh_ctx {
  kh_diag_fn diag_fn;        /* NULL: print to stderr with the source line */
  void *diag_user;
  kh_diagnostic_fn diagnostic_fn; /* structured; takes precedence */
  void *diagnostic_user;
  struct kh_diagstate *diag; /* folding and the error limit (diag.c) */
  kh_trace_stage trace;      /* stage whose result is dumped, or KH_TRACE_NONE */
  FILE *trace_out;           /* where the trace goes; not owned */
  unsigned nerrors, nwarnings;
  int quiet;                 /* > 0: warnings are not given (a stage measuring
                                by composing on trial, e.g. page's table
                                columns); errors still are */
  kh_source **sources;       /* every file read, kept for diagnostics */
  size_t nsources;
  char *font_dir;            /* the installed fonts folder, or NULL; owned */
  char *layout_dir;          /* the installed layouts folder, or NULL; owned */
  kh_dirlist search[KH_SEARCH_COUNT]; /* folders searched before those */
  int64_t source_date_epoch; /* -1 when unset */
  kh_dirlist inputs;         /* every file a build read (for --watch) */
  unsigned npages;           /* pages of the last build */
  int werror;                /* a build with a warning fails */
  uint32_t doc_group_bytes;  /* top-level blocks given back together behind
                                the page builder (doc/store.c); 0: the
                                default, tests make it small */
  uint32_t para_window;      /* bytes of a long paragraph composed at once
                                (0: KH_PARA_WINDOW, para/para.h); the
                                tests make it small */

  kh_files files;            /* what may be read, and what was (base/file.c) */
  void *cache[KH_CACHE_COUNT];
  void (*cache_free[KH_CACHE_COUNT])(void *);
};

/* Diagnostics: "file:line:col: error: message".  kh_error returns
 * `status` so callers can write `return kh_error(ctx, pos, KH_SYNTAX, ...)`. */
kh_status kh_error(kh_ctx *ctx, kh_srcpos pos, kh_status status,
                   const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kh_warning(kh_ctx *ctx, kh_srcpos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error about a file as a whole (line 0 is not shown). */
kh_status kh_error_file(kh_ctx *ctx, const char *path, kh_status status,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Ends a build's diagnostics: sums up the folded warnings ("and 499 more
 * characters not in any font: ...") and the errors beyond the limit. */
void kh_diag_flush(kh_ctx *ctx);
kh_status kh_diag_init(kh_ctx *ctx);
void kh_diag_free(kh_ctx *ctx);
/* Warnings given from now on are kept, not shown, until kh_diag_release
 * (a long paragraph's window, para/window.c: its last lines are composed
 * again with the next window, and their warnings are that window's).
 * Errors are never held. */
void kh_diag_hold(kh_ctx *ctx);
/* Gives the held warnings, in order, whose position is in source `src` at
 * a byte offset in [lo, hi), or in another source, or at none (all of them
 * when `src` is NULL); drops the others; and stops holding. */
void kh_diag_release(kh_ctx *ctx, const kh_source *src, uint32_t lo, uint32_t hi);

/* Reads a whole file (or takes a copy of memory) into a source that the
 * context keeps until kh_ctx_drop.  Checks UTF-8 and reports the first
 * invalid byte as an error at its position.  *out is owned by ctx. */
kh_status kh_source_load(kh_ctx *ctx, const char *path, kh_source **out);
kh_status kh_source_from_memory(kh_ctx *ctx, const char *name,
                                const char *data, size_t len,
                                kh_source **out);
/* Gives back the whole pages of src->data inside bytes [lo, hi) (rounded
 * inward to pages): the caller knows nothing reads them again.  They are
 * no longer resident, and a read of them faults (in every build: a stray
 * read must not print wrong text); diagnostics never read them (a folded
 * warning's place is found when it is folded). */
void kh_source_release(const kh_source *src, size_t lo, size_t hi);
/* The system's page size, to which kh_source_release rounds. */
size_t kh_page_size(void);
/* Hands whole pages [p, p + len) of a private mapping back to the system
 * and makes them unreadable; the range stays reserved. */
void kh_pages_give_back(void *p, size_t len);
/* The index (0-based) of the line of `src` holding byte `off`. */
size_t kh_source_line_index(const kh_source *src, size_t off);
/* A text file the publication names (a part, a layout): confined to the
 * roots; errors are reported at `at` (the line naming it) when it is known,
 * about `what` ("part", "layout") named `name` as written. */
kh_status kh_source_load_named(kh_ctx *ctx, kh_srcpos at, const char *what,
                               const char *name, const char *path,
                               kh_source **out);

/* ---- reading files (base/file.c) -----------------------------------------*/
enum {
  KH_FILE_CONFINE = 1u << 0, /* must resolve inside the roots */
  KH_FILE_BINARY = 1u << 1,  /* a font or an image: the binary size limit */
  KH_FILE_MAPPED = 1u << 2   /* kh_file_read: the buffer is an anonymous
                                mapping of kh_file_mapped_len(*len) bytes
                                (munmap it), not malloc'd */
};
/* Reads a regular file whole into a malloc'd, NUL-terminated buffer. */
kh_status kh_file_read(kh_ctx *ctx, kh_srcpos at, const char *what,
                       const char *name, const char *path, unsigned flags,
                       char **data, size_t *len);
/* Maps a regular file read-only (fonts): *data stays valid until
 * kh_file_unmap(*data, *len).  An empty file is refused. */
kh_status kh_file_map(kh_ctx *ctx, kh_srcpos at, const char *what,
                      const char *name, const char *path, unsigned flags,
                      const void **data, size_t *len);
void kh_file_unmap(const void *data, size_t len);
/* The length of the mapping that holds `len` bytes and a NUL: whole pages. */
size_t kh_file_mapped_len(size_t len);
/* Checks a file as kh_file_read or kh_file_map would before reading it
 * (where it resolves, its kind, its size) and records it as read, without
 * reading it: a font a cache already holds. */
kh_status kh_file_check(kh_ctx *ctx, kh_srcpos at, const char *what,
                        const char *name, const char *path, unsigned flags);
/* Sets the publication's folder (NULL: none, e.g. a document in memory). */
kh_status kh_files_set_root(kh_ctx *ctx, const char *dir);
/* Is the file (device, inode) one that was read during this build? */
int kh_files_was_read(const kh_ctx *ctx, uint64_t dev, uint64_t ino);
void kh_files_free(kh_files *f);

/* Fills the search path from the environment and finds the installed data
 * (kh_ctx_new calls it). */
kh_status kh_search_init(kh_ctx *ctx);
/* Puts `dir` before the environment's folders (after earlier such calls). */
kh_status kh_search_prepend(kh_ctx *ctx, kh_search_kind kind, const char *dir);
/* The i-th folder searched, or NULL past the last. */
const char *kh_search_dir(const kh_ctx *ctx, kh_search_kind kind, size_t i);
/* The first "<dir>/<file>" that is a regular file, malloc'd; NULL if none
 * (or out of memory). */
char *kh_search_find(const kh_ctx *ctx, kh_search_kind kind, const char *file);
void kh_dirlist_free(kh_dirlist *l);
/* Notes a file the build reads (once), for kh_ctx_input. */
kh_status kh_ctx_note_input(kh_ctx *ctx, const char *path);

/* ---- memory --------------------------------------------------------------
 * An arena: stage outputs are allocated from it and freed all at once. */
typedef struct kh_arena kh_arena;
kh_arena *kh_arena_new(void);
void kh_arena_drop(kh_arena *a);
void *kh_arena_alloc(kh_arena *a, size_t size); /* zeroed; NULL on OOM */
char *kh_arena_strndup(kh_arena *a, const char *s, size_t len);
/* The arena takes a malloc'd block and frees it when it is dropped (a large
 * array built with realloc, kept without a copy).  On failure p is freed. */
kh_status kh_arena_adopt(kh_arena *a, void *p);
/* An arena whose blocks are memory mappings of their own (1 MiB, or the
 * request; only the pages written count in RSS), for storage given back
 * before the end (the document tree behind the page builder).
 * kh_arena_retire hands its pages back to the system and makes them
 * unreadable, so a stray read of released memory faults in every build
 * rather than reading wrong text; their addresses stay reserved until
 * kh_arena_drop, so nothing allocated later has the address of a released
 * node (pointers to nodes are kept as keys).  A retired arena allocates
 * nothing more and adopts nothing.  Its allocations are 8-byte aligned
 * (pointers and 64-bit numbers), not max_align_t. */
kh_arena *kh_arena_new_mapped(void);
void kh_arena_retire(kh_arena *a);
/* Bytes handed out by the arena so far (its blocks' used parts). */
size_t kh_arena_used(const kh_arena *a);

/* A growable byte buffer (heap).  kh_buf_free is NULL-safe in the sense
 * that a zeroed buffer may be freed. */
typedef struct kh_buf {
  char *data;
  size_t len, cap;
} kh_buf;
kh_status kh_buf_append(kh_buf *b, const void *data, size_t len);
kh_status kh_buf_printf(kh_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void kh_buf_free(kh_buf *b);

/* Growable array of fixed-size elements: KH_VEC(T) x; kh_vec_push(&x, &v). */
#define KH_VEC(T)                                                            \
  struct {                                                                   \
    T *v;                                                                    \
    size_t n, cap;                                                           \
  }
kh_status kh_vec_grow_(void **v, size_t *cap, size_t need, size_t elem);
#define kh_vec_reserve(vec, need)                                            \
  kh_vec_grow_((void **)&(vec)->v, &(vec)->cap, (need), sizeof(*(vec)->v))
#define kh_vec_push(vec, val)                                                \
  (kh_vec_reserve((vec), (vec)->n + 1) == KH_OK                              \
       ? ((vec)->v[(vec)->n++] = (val), KH_OK)                               \
       : KH_NOMEM)
#define kh_vec_free(vec) (free((vec)->v), (vec)->v = NULL, (vec)->n = (vec)->cap = 0)

/* ---- UTF-8 ---------------------------------------------------------------*/
/* Decodes one code point at s[*i] (advancing *i).  Returns -1 for an invalid
 * sequence (and advances by one byte). */
int32_t kh_utf8_next(const char *s, size_t len, size_t *i);
/* Returns the byte offset of the first invalid sequence, or len if none. */
size_t kh_utf8_validate(const char *s, size_t len);
/* Encodes cp into out (4 bytes room); returns bytes written. */
int kh_utf8_encode(int32_t cp, char *out);

/* A UTC instant as a calendar date (proleptic Gregorian). */
typedef struct kh_civil {
  int year, month, day, hour, minute, second;
} kh_civil;
/* Seconds since 1970-01-01 00:00 UTC (not negative) -> its UTC date. */
kh_civil kh_civil_of(int64_t t);

/* ---- paths ---------------------------------------------------------------*/
/* Joins dir and name into a malloc'd string ("name" if it is absolute). */
char *kh_path_join(const char *dir, const char *name);
/* Directory part of a path, malloc'd ("." when none). */
char *kh_path_dirname(const char *path);
/* The name of the NULL-terminated list `names` nearest to `word` (edit
 * distance with transpositions), for "did you mean" in diagnostics; NULL
 * when none is near enough. */
const char *kh_nearest(const char *word, const char *const *names);

/* ---- YAML ----------------------------------------------------------------
 * The one wrapper over libyaml, used by the layout (style) and by front
 * matter (doc).  A parsed document is a tree of nodes with positions. */
typedef enum kh_yaml_kind {
  KH_YAML_SCALAR,
  KH_YAML_SEQUENCE,
  KH_YAML_MAPPING
} kh_yaml_kind;

typedef struct kh_yaml kh_yaml;
struct kh_yaml {
  kh_yaml_kind kind;
  const char *scalar;   /* NUL-terminated, for scalars */
  size_t scalar_len;
  const char *key;      /* for children of a mapping: their key */
  kh_srcpos pos;        /* of the value */
  kh_srcpos key_pos;    /* for children of a mapping: of their key */
  kh_yaml *child;       /* first child (sequence items, mapping values) */
  kh_yaml *next;        /* next sibling */
};

/* Parses len bytes starting at `off` within src.  The tree is allocated from
 * arena.  Syntax errors are reported at their position. */
kh_status kh_yaml_parse(kh_ctx *ctx, kh_arena *arena, const kh_source *src,
                        uint32_t off, size_t len, kh_yaml **out);
/* Child of a mapping by key, or NULL. */
const kh_yaml *kh_yaml_get(const kh_yaml *map, const char *key);
/* Scalar as a number; returns KH_SYNTAX (reported) when it is not one. */
kh_status kh_yaml_number(kh_ctx *ctx, const kh_yaml *node, double *out);
kh_status kh_yaml_expect(kh_ctx *ctx, const kh_yaml *node, kh_yaml_kind kind);
/* libyaml's version string. */
const char *kh_yaml_version(void);

#endif
