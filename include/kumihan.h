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

typedef struct kh_ctx kh_ctx;

/* A new context; NULL when out of memory.  Diagnostics go to stderr until a
 * callback is set. */
kh_ctx *kh_ctx_new(void);
/* Frees the context and everything it owns.  NULL-safe. */
void kh_ctx_drop(kh_ctx *ctx);

void kh_ctx_set_diag(kh_ctx *ctx, kh_diag_fn fn, void *user);
/* Dumps the result of `stage` to `out` (not owned) while building. */
void kh_ctx_set_trace(kh_ctx *ctx, kh_trace_stage stage, FILE *out);
/* Where the bundled fonts and the layouts are found.  Defaults: the
 * directories compiled in (the source tree's fonts/ and layout/), overridden
 * by the environment variables KUMIHAN_FONT_DIR and KUMIHAN_LAYOUT_DIR. */
kh_status kh_ctx_set_font_dir(kh_ctx *ctx, const char *dir);
kh_status kh_ctx_set_layout_dir(kh_ctx *ctx, const char *dir);
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

/* Number of errors and warnings reported so far. */
unsigned kh_ctx_error_count(const kh_ctx *ctx);
unsigned kh_ctx_warning_count(const kh_ctx *ctx);

/* Builds the publication at `input` (a Markdown file, or a folder holding
 * publication.yaml) into the PDF file `output`.  `output` must be a regular
 * file or not exist, and must not be any file the build reads (the input,
 * a part, the layout, a font).  The PDF is written to a temporary file
 * created exclusively beside `output` (an unpredictable name, mode 0600
 * until it is complete) and renamed over `output` only on success: on
 * failure no file is left at `output` (an existing one is left as it was)
 * and the temporary file is removed. */
kh_status kh_build_file(kh_ctx *ctx, const char *input, const char *output);

/* Builds one Markdown document held in memory (`name` is used in
 * diagnostics and to resolve the layout) into a PDF in memory.  On success
 * *pdf is a malloc'd buffer owned by the caller (free it with free()). */
kh_status kh_build_memory(kh_ctx *ctx, const char *name, const char *markdown,
                          size_t len, unsigned char **pdf, size_t *pdf_len);

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
