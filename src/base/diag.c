/* base: diagnostics.
 *
 * Every diagnostic's first line is "file:line:col: severity: message" (what
 * tests and users grep, as GCC prints it).  The default printer follows it
 * with the source line and a caret under the column, as GCC and Typst do:
 *
 *   release.md:4:3: error: invalid UTF-8 (byte 0xFF)
 *       4 | 悪い�行
 *         |     ^
 *
 * A program can take them as structured records instead (kh_diagnostic:
 * file, line, column, severity, code, message), e.g. to print JSON.
 *
 * The same warning (the same message format) repeated is shown FOLD_SHOW
 * times, then counted, and one line sums up the rest when the build ends:
 * "and 499 more characters not in any font: U+D55C U+AD6D ...".  Errors
 * beyond the context's limit are counted, not shown.  Positions are found
 * with the source's line-start index and a per-source memo of the last
 * column, so a run of diagnostics along one long line costs time linear in
 * the line, not quadratic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define FOLD_SHOW 3      /* warnings of one kind shown before folding */
#define FOLD_SAMPLES 6   /* U+XXXX samples named in the summary */
#define DEFAULT_ERROR_LIMIT 20

typedef struct fold {
  const char *fmt; /* the kind: the format string of the message */
  unsigned count;  /* seen in this build */
  unsigned hidden;
  /* where the first hidden one is, found when it is hidden: its source's
   * text may be given back by the end of the build (kh_source_release) */
  const char *hidden_file;
  unsigned hidden_line, hidden_col;
  char samples[FOLD_SAMPLES][12];
  int nsamples, more_samples;
} fold;

/* A warning given while warnings are held (kh_diag_hold). */
typedef struct held {
  kh_srcpos pos;
  const char *fmt; /* its kind, for folding */
  char *msg;       /* malloc'd */
} held;

struct kh_diagstate {
  fold *folds;
  size_t nfolds, cap;
  unsigned limit; /* errors shown; 0: every one */
  unsigned shown_errors, hidden_errors;
  int holding;
  held *held;
  size_t nheld, heldcap;
};

/* Warnings named by a stable code (for --diagnostics=json and folding
 * summaries), found by the start of their message. */
static const struct {
  const char *prefix, *code, *plural;
} warning_kinds[] = {
    {"no font has a glyph", "missing-glyph", "characters not in any font"},
    {"overfull line", "overfull-line", "overfull lines"},
    {"table is wider", "table-too-wide", "tables wider than the text block"},
    {"font ", "font-not-embedded", "fonts not embedded"},
    {"no colour bitmap", "emoji-not-drawn", "emoji not drawn"},
};

static int kind_of(const char *msg) {
  for (size_t i = 0; i < sizeof warning_kinds / sizeof warning_kinds[0]; i++)
    if (!strncmp(msg, warning_kinds[i].prefix, strlen(warning_kinds[i].prefix))) return (int)i;
  return -1;
}

static const char *error_code(kh_status st) {
  switch (st) {
  case KH_NOMEM: return "nomem";
  case KH_IO: return "io";
  case KH_SYNTAX: return "syntax";
  case KH_FONT: return "font";
  case KH_LIMIT: return "limit";
  case KH_UNSUPPORTED: return "unsupported";
  case KH_LIBRARY: return "library";
  case KH_OK: break;
  }
  return "error";
}

kh_status kh_diag_init(kh_ctx *ctx) {
  ctx->diag = calloc(1, sizeof *ctx->diag);
  if (!ctx->diag) return KH_NOMEM;
  ctx->diag->limit = DEFAULT_ERROR_LIMIT;
  return KH_OK;
}

void kh_diag_free(kh_ctx *ctx) {
  if (!ctx->diag) return;
  for (size_t i = 0; i < ctx->diag->nheld; i++) free(ctx->diag->held[i].msg);
  free(ctx->diag->held);
  free(ctx->diag->folds);
  free(ctx->diag);
  ctx->diag = NULL;
}

void kh_ctx_set_error_limit(kh_ctx *ctx, unsigned limit) { ctx->diag->limit = limit; }

void kh_ctx_set_diagnostic_fn(kh_ctx *ctx, kh_diagnostic_fn fn, void *user) {
  ctx->diagnostic_fn = fn;
  ctx->diagnostic_user = user;
}

/* ---- positions -----------------------------------------------------------*/

void kh_srcpos_linecol(kh_srcpos pos, unsigned *line, unsigned *col) {
  *line = *col = 0;
  kh_source *s = (kh_source *)pos.src; /* only the memo below changes */
  if (!s || !s->nlines) return;
  size_t lo = kh_source_line_index(s, pos.off);
  *line = (unsigned)lo + 1;
  /* count characters from the memo when it lies on this line before off */
  size_t from = s->lines[lo];
  unsigned c = 1;
  if (s->memo_line == lo + 1 && s->memo_off <= pos.off && s->memo_off >= from) {
    from = s->memo_off;
    c = s->memo_col;
  }
  for (size_t i = from; i < pos.off && i < s->len; i++)
    if (((unsigned char)s->data[i] & 0xC0) != 0x80) c++;
  s->memo_line = lo + 1;
  s->memo_off = pos.off;
  s->memo_col = c;
  *col = c;
}

/* Cells a character takes in a terminal: 2 for East Asian wide and
 * full-width characters (UAX #11, the common blocks), else 1. */
static int cells(int32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
                 (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                 (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                 (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
                 (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD)
             ? 2
             : 1;
}

/* "    12 | the line\n       |    ^": at most about EXCERPT_CELLS cells of
 * the line around the column, elided with "..." on either side. */
#define EXCERPT_CELLS 100
static void excerpt(kh_srcpos pos, unsigned line, kh_buf *b) {
  const kh_source *s = pos.src;
  size_t start = s->lines[line - 1], end = start;
  while (end < s->len && s->data[end] != '\n') end++;
  if (end > start && s->data[end - 1] == '\r') end--;
  size_t at = pos.off < start ? start : pos.off > end ? end : pos.off;
  /* begin at most EXCERPT_CELLS / 2 cells before the column */
  size_t from = at;
  int back = 0;
  while (from > start && back < EXCERPT_CELLS / 2) {
    from--;
    while (from > start && ((unsigned char)s->data[from] & 0xC0) == 0x80) from--;
    size_t i = from;
    back += cells(kh_utf8_next(s->data, s->len, &i));
  }
  kh_buf text = {0}, caret = {0};
  char num[16];
  int w = snprintf(num, sizeof num, "%u", line);
  kh_buf_printf(&text, "%*s%s | %s", w < 5 ? 5 - w : 0, "", num, from > start ? "..." : "");
  kh_buf_printf(&caret, "%*s | %s", w < 5 ? 5 : w, "", from > start ? "   " : "");
  int width = 0;
  size_t i = from;
  while (i < end) {
    size_t c0 = i;
    int32_t cp = kh_utf8_next(s->data, end, &i);
    int cw = cp == '\t' ? 1 : cells(cp);
    if (width + cw > EXCERPT_CELLS) {
      kh_buf_append(&text, "...", 3);
      break;
    }
    if (cp < 0) kh_buf_append(&text, "\xEF\xBF\xBD", 3); /* U+FFFD for a bad byte */
    else kh_buf_append(&text, s->data + c0, i - c0);
    if (c0 < at) kh_buf_append(&caret, cp == '\t' ? "\t" : cw == 2 ? "  " : " ", cp == '\t' ? 1 : (size_t)cw);
    width += cw;
  }
  kh_buf_append(&caret, "^", 1);
  kh_buf_printf(b, "%s\n%s", text.data ? text.data : "", caret.data);
  kh_buf_free(&text);
  kh_buf_free(&caret);
}

/* ---- emitting ------------------------------------------------------------*/

static void deliver(kh_ctx *ctx, kh_diagnostic *d, kh_srcpos pos) {
  char first[1600];
  if (d->file && d->line)
    snprintf(first, sizeof first, "%s:%u:%u: %s: %s", d->file, d->line, d->column,
             d->severity == KH_SEV_ERROR ? "error" : "warning", d->message);
  else
    snprintf(first, sizeof first, "%s: %s: %s", d->file ? d->file : "kumihan",
             d->severity == KH_SEV_ERROR ? "error" : "warning", d->message);
  d->text = first;
  kh_buf ex = {0};
  if (pos.src && d->line && (ctx->diagnostic_fn || !ctx->diag_fn)) excerpt(pos, d->line, &ex);
  d->excerpt = ex.data;
  if (ctx->diagnostic_fn) ctx->diagnostic_fn(ctx->diagnostic_user, d);
  else if (ctx->diag_fn) ctx->diag_fn(ctx->diag_user, d->severity, first);
  else if (d->excerpt) fprintf(stderr, "%s\n%s\n", first, d->excerpt);
  else fprintf(stderr, "%s\n", first);
  kh_buf_free(&ex);
}

static fold *fold_of(struct kh_diagstate *ds, const char *fmt) {
  for (size_t i = 0; i < ds->nfolds; i++)
    if (ds->folds[i].fmt == fmt) return &ds->folds[i];
  if (kh_vec_grow_((void **)&ds->folds, &ds->cap, ds->nfolds + 1, sizeof *ds->folds) != KH_OK)
    return NULL;
  fold *f = &ds->folds[ds->nfolds++];
  memset(f, 0, sizeof *f);
  f->fmt = fmt;
  return f;
}

/* Keeps the message's first U+XXXX, once, for the summary. */
static void sample(fold *f, const char *msg) {
  const char *u = strstr(msg, "U+");
  if (!u) return;
  size_t n = 2 + strspn(u + 2, "0123456789ABCDEF");
  if (n < 6 || n > 10) return;
  for (int i = 0; i < f->nsamples; i++)
    if (strlen(f->samples[i]) == n && !memcmp(f->samples[i], u, n)) return;
  if (f->nsamples == FOLD_SAMPLES) {
    f->more_samples = 1;
    return;
  }
  memcpy(f->samples[f->nsamples], u, n);
  f->samples[f->nsamples++][n] = '\0';
}

/* Counts, folds and delivers one diagnostic; `fmt` names its kind. */
static void give(kh_ctx *ctx, kh_severity sev, kh_status st, kh_srcpos pos, const char *path,
                 const char *fmt, const char *msg) {
  struct kh_diagstate *ds = ctx->diag;
  int kind = sev == KH_SEV_WARNING ? kind_of(msg) : -1;
  if (sev == KH_SEV_ERROR) {
    ctx->nerrors++;
    if (ds->limit && ds->shown_errors >= ds->limit) {
      ds->hidden_errors++;
      return;
    }
    ds->shown_errors++;
  } else {
    ctx->nwarnings++;
    fold *f = fold_of(ds, fmt);
    if (f && ++f->count > FOLD_SHOW) {
      if (!f->hidden++ && pos.src) {
        f->hidden_file = pos.src->path;
        kh_srcpos_linecol(pos, &f->hidden_line, &f->hidden_col);
      }
      sample(f, msg);
      return;
    }
  }
  kh_diagnostic d = {0};
  d.severity = sev;
  d.code = sev == KH_SEV_ERROR ? error_code(st) : kind >= 0 ? warning_kinds[kind].code : "warning";
  d.file = pos.src ? pos.src->path : path;
  if (pos.src) kh_srcpos_linecol(pos, &d.line, &d.column);
  d.message = msg;
  deliver(ctx, &d, pos);
}

/* Keeps a warning given while held; 0 when there is no memory for it (it
 * is then given at once: twice is better than never). */
static int hold(struct kh_diagstate *ds, kh_srcpos pos, const char *fmt, const char *msg) {
  if (kh_vec_grow_((void **)&ds->held, &ds->heldcap, ds->nheld + 1, sizeof *ds->held) != KH_OK)
    return 0;
  char *copy = strdup(msg);
  if (!copy) return 0;
  ds->held[ds->nheld++] = (held){pos, fmt, copy};
  return 1;
}

static void emit(kh_ctx *ctx, kh_severity sev, kh_status st, kh_srcpos pos, const char *path,
                 const char *fmt, va_list ap) {
  char msg[1024];
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (sev == KH_SEV_WARNING && ctx->diag->holding && hold(ctx->diag, pos, fmt, msg)) return;
  give(ctx, sev, st, pos, path, fmt, msg);
}

void kh_diag_hold(kh_ctx *ctx) { ctx->diag->holding = 1; }

void kh_diag_release(kh_ctx *ctx, const kh_source *src, uint32_t lo, uint32_t hi) {
  struct kh_diagstate *ds = ctx->diag;
  ds->holding = 0;
  for (size_t i = 0; i < ds->nheld; i++) {
    held *h = &ds->held[i];
    if (!src || h->pos.src != src || (h->pos.off >= lo && h->pos.off < hi))
      give(ctx, KH_SEV_WARNING, KH_OK, h->pos, NULL, h->fmt, h->msg);
    free(h->msg);
  }
  ds->nheld = 0;
}

void kh_diag_flush(kh_ctx *ctx) {
  struct kh_diagstate *ds = ctx->diag;
  for (size_t i = 0; i < ds->nfolds; i++) {
    fold *f = &ds->folds[i];
    if (!f->hidden) continue;
    char msg[1024];
    int kind = -1;
    /* the kind's name comes from its first message's words */
    for (size_t k = 0; k < sizeof warning_kinds / sizeof warning_kinds[0]; k++)
      if (!strncmp(f->fmt, warning_kinds[k].prefix, strlen(warning_kinds[k].prefix))) kind = (int)k;
    int n = snprintf(msg, sizeof msg, "and %u more %s", f->hidden,
                     kind >= 0 ? warning_kinds[kind].plural : "warnings of this kind");
    for (int s = 0; s < f->nsamples && n > 0 && (size_t)n < sizeof msg; s++)
      n += snprintf(msg + n, sizeof msg - (size_t)n, "%s%s", s ? " " : ": ", f->samples[s]);
    if (f->more_samples && n > 0 && (size_t)n < sizeof msg)
      snprintf(msg + n, sizeof msg - (size_t)n, " \xE2\x80\xA6"); /* ... */
    kh_diagnostic d = {0};
    d.severity = KH_SEV_WARNING;
    d.code = kind >= 0 ? warning_kinds[kind].code : "warning";
    d.file = f->hidden_file;
    d.line = f->hidden_line;
    d.column = f->hidden_col;
    d.message = msg;
    deliver(ctx, &d, (kh_srcpos){0});
  }
  if (ds->hidden_errors) {
    char msg[128];
    snprintf(msg, sizeof msg, "%u more errors not shown (the limit is %u)", ds->hidden_errors,
             ds->limit);
    kh_diagnostic d = {KH_SEV_ERROR, "limit", NULL, 0, 0, msg, NULL, NULL};
    deliver(ctx, &d, (kh_srcpos){0});
  }
  ds->nfolds = 0;
  ds->shown_errors = ds->hidden_errors = 0;
}

kh_status kh_error(kh_ctx *ctx, kh_srcpos pos, kh_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit(ctx, KH_SEV_ERROR, status, pos, NULL, fmt, ap);
  va_end(ap);
  return status;
}

void kh_warning(kh_ctx *ctx, kh_srcpos pos, const char *fmt, ...) {
  va_list ap;
  if (ctx->quiet) return; /* a trial composition, not the document's */
  va_start(ap, fmt);
  emit(ctx, KH_SEV_WARNING, KH_OK, pos, NULL, fmt, ap);
  va_end(ap);
}

kh_status kh_error_file(kh_ctx *ctx, const char *path, kh_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit(ctx, KH_SEV_ERROR, status, (kh_srcpos){0}, path, fmt, ap);
  va_end(ap);
  return status;
}
