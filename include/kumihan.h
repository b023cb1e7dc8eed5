/* kumihan: typesets Japanese publications (Markdown + YAML) into PDF.
 *
 * Use: kh_ctx_new, set options, kh_build_file or kh_build_memory, kh_ctx_drop.
 * Every call takes the context first.  Functions return a kh_status; the
 * details of a failure go to the diagnostic callback as one line
 * "file:line:col: error: message". */
#ifndef KUMIHAN_H
#define KUMIHAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KUMIHAN_VERSION "0.1.0"

typedef enum kh_status {
  KH_OK = 0,
  KH_NOMEM,       /* out of memory */
  KH_IO,          /* a file could not be read or written */
  KH_SYNTAX,      /* bad input: Markdown, YAML, UTF-8, unknown keys */
  KH_FONT,        /* a font is missing or unusable */
  KH_LIMIT,       /* input beyond a documented limit */
  KH_UNSUPPORTED, /* input that is valid but not handled */
  KH_LIBRARY      /* a library below us failed */
} kh_status;

typedef enum kh_severity { KH_SEV_WARNING, KH_SEV_ERROR } kh_severity;

/* Called once per diagnostic.  `line` is the whole formatted message without
 * a trailing newline, e.g. "release.md:3:7: warning: no glyph for U+1F4A1".
 * The string is valid only during the call. */
typedef void (*kh_diag_fn)(void *user, kh_severity sev, const char *line);

/* Stages whose result can be dumped as text (see kh_ctx_set_trace). */
typedef enum kh_trace_stage {
  KH_TRACE_NONE = 0,
  KH_TRACE_DOC,   /* document tree */
  KH_TRACE_RUNS,  /* styled runs */
  KH_TRACE_SHAPE, /* shaped glyph runs */
  KH_TRACE_LINES, /* lines, with | at breaks */
  KH_TRACE_PAGES  /* positioned runs per page */
} kh_trace_stage;

/* A diagnostic as a record, for programs that present diagnostics their own
 * way (JSON, an editor).  Every string is valid only during the call. */
typedef struct kh_diagnostic {
  kh_severity severity;
  const char *code;     /* the kind, stable: for errors "syntax", "io",
                           "font", "limit", "unsupported", "library",
                           "nomem"; for warnings "missing-glyph",
                           "overfull-line", "table-too-wide", ... */
  const char *file;     /* NULL when about no file */
  unsigned line, column;/* 1-based (column in characters); 0 when unknown */
  const char *message;  /* the message alone */
  const char *text;     /* the first line, "file:line:col: error: message" */
  const char *excerpt;  /* the source line and a caret under the column,
                           two lines without a final newline, or NULL */
} kh_diagnostic;
typedef void (*kh_diagnostic_fn)(void *user, const kh_diagnostic *d);

typedef struct kh_ctx kh_ctx;

/* A new context; NULL when out of memory.  Diagnostics go to stderr, each
 * followed by its source line and a caret, until a callback is set. */
kh_ctx *kh_ctx_new(void);
/* Frees the context and everything it owns.  NULL-safe. */
void kh_ctx_drop(kh_ctx *ctx);

/* The diagnostic's first line only (NULL: back to stderr). */
void kh_ctx_set_diag(kh_ctx *ctx, kh_diag_fn fn, void *user);
/* Diagnostics as records; takes precedence over kh_ctx_set_diag. */
void kh_ctx_set_diagnostic_fn(kh_ctx *ctx, kh_diagnostic_fn fn, void *user);
/* Errors shown per build (default 20; 0: all); the rest are counted and
 * summed up in one line.  A warning repeated (the same kind) is shown three
 * times, then summed up in one line when the build ends. */
void kh_ctx_set_error_limit(kh_ctx *ctx, unsigned limit);
/* Dumps the result of `stage` to `out` (not owned) while building. */
void kh_ctx_set_trace(kh_ctx *ctx, kh_trace_stage stage, FILE *out);
/* Where layouts and fonts named without a path are found, in order: the
 * folders given here (first given, first searched), the colon-separated
 * KUMIHAN_LAYOUT_PATH / KUMIHAN_FONT_PATH (and the older one-folder
 * KUMIHAN_LAYOUT_DIR / KUMIHAN_FONT_DIR after them), then the installed
 * <prefix>/share/kumihan/{layout,fonts}, found from where the program or
 * libkumihan itself lies.  A layout or font named by a path is relative to
 * the file naming it; font families go to fontconfig. */
kh_status kh_ctx_set_font_dir(kh_ctx *ctx, const char *dir);
kh_status kh_ctx_set_layout_dir(kh_ctx *ctx, const char *dir);
/* The i-th folder searched for layouts (fonts = 0) or fonts (fonts = 1);
 * NULL past the last.  Owned by ctx. */
const char *kh_ctx_search_dir(const kh_ctx *ctx, int fonts, size_t i);
/* Seconds since 1970 used for the PDF's dates; negative means "take the date
 * from the front matter".  kh_ctx_new reads SOURCE_DATE_EPOCH. */
void kh_ctx_set_source_date_epoch(kh_ctx *ctx, int64_t epoch);

/* Files a publication may read.  Every file it names (parts, layout,
 * images, fonts) must resolve, after symbolic links, inside the
 * publication's folder, the layout or font folder, or a folder allowed
 * here; anything else is an error at the line naming it.  `dir` must exist. */
kh_status kh_ctx_allow_path(kh_ctx *ctx, const char *dir);

/* Size limits on what is read, in bytes (0 keeps the default).  Defaults:
 * 64 MiB for text (Markdown, YAML), 256 MiB for fonts and images. */
typedef enum kh_input_kind { KH_INPUT_TEXT = 0, KH_INPUT_BINARY = 1 } kh_input_kind;
void kh_ctx_set_size_limit(kh_ctx *ctx, kh_input_kind kind, size_t bytes);
#define KH_DEFAULT_TEXT_LIMIT ((size_t)64 << 20)
#define KH_DEFAULT_BINARY_LIMIT ((size_t)256 << 20)

/* Makes `ctx` use the font cache of `from` (made if it has none): builds
 * with either context then load each set of fonts once.  Fonts are
 * immutable once loaded, so the contexts may build in different threads
 * at the same time (each context itself in one thread at a time); the
 * cache lives until the last context using it is dropped. */
kh_status kh_ctx_share_fonts(kh_ctx *ctx, kh_ctx *from);

/* Number of errors and warnings reported so far. */
unsigned kh_ctx_error_count(const kh_ctx *ctx);
unsigned kh_ctx_warning_count(const kh_ctx *ctx);
/* With `on`, a build that gives a warning fails (an error says how many)
 * and writes no PDF: kh_build_file leaves no file, the others no buffer. */
void kh_ctx_set_werror(kh_ctx *ctx, int on);
/* Pages of the last build. */
unsigned kh_ctx_page_count(const kh_ctx *ctx);
/* The i-th file builds with this context have read (sources, layouts,
 * fonts, images), as named; NULL past the last.  Owned by ctx. */
const char *kh_ctx_input(const kh_ctx *ctx, size_t i);

/* Builds the publication at `input` (a Markdown file, or a folder holding
 * publication.yaml) into the PDF file `output`.  `output` must be a regular
 * file or not exist, and must not be any file the build reads (the input,
 * a part, the layout, a font).  The PDF is written to a temporary file
 * created exclusively beside `output` (an unpredictable name, mode 0600
 * until it is complete) and renamed over `output` only on success: on
 * failure no file is left at `output` (an existing one is left as it was)
 * and the temporary file is removed. */
kh_status kh_build_file(kh_ctx *ctx, const char *input, const char *output);

/* Builds the publication at `input` (as kh_build_file) into a PDF in memory,
 * writing nothing: *pdf is malloc'd, owned by the caller.  With pdf NULL,
 * the PDF is made and thrown away (a check of every stage). */
kh_status kh_build_path(kh_ctx *ctx, const char *input, unsigned char **pdf,
                        size_t *pdf_len);

/* Writes `len` bytes to the file `output` as kh_build_file writes its PDF:
 * a temporary file beside it, renamed over it only when complete. */
kh_status kh_write_output(kh_ctx *ctx, const char *output, const unsigned char *data,
                          size_t len);

/* Builds one Markdown document held in memory (`name` is used in
 * diagnostics and to resolve the layout) into a PDF in memory.  On success
 * *pdf is a malloc'd buffer owned by the caller (free it with free()). */
kh_status kh_build_memory(kh_ctx *ctx, const char *name, const char *markdown,
                          size_t len, unsigned char **pdf, size_t *pdf_len);

/* Writes the versions of kumihan, the libraries it was built with and runs
 * with (HarfBuzz, ICU, libharu, md4c, fontconfig, libyaml)
 * and of the fonts of `layout` (NULL: the default layout) to `out`. */
kh_status kh_print_versions(kh_ctx *ctx, const char *layout, FILE *out);

/* Removes the temporary files of every build being written right now.
 * Async-signal-safe: meant for the program's own SIGINT/SIGTERM/SIGHUP
 * handler (the library installs no signal handler), which then lets the
 * signal take its course.  Temporary files are registered only while they
 * exist. */
void kh_signal_cleanup(void);

const char *kh_status_string(kh_status status);
const char *kh_version(void);

#ifdef __cplusplus
}
#endif
#endif
