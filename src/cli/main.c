/* kumihan: the command-line client of libkumihan.
 *
 * GNU conventions (getopt_long): options anywhere, --opt=value or --opt
 * value, `--` ends the options, `-` is standard input or output.  Several
 * inputs are built in one call, each into its own PDF, with one context (so
 * one font cache) per worker; --jobs N runs N worker threads, whose
 * contexts share one font cache. */
#define _DEFAULT_SOURCE /* realpath, strdup */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

/* glibc's malloc tuning (heap_ahead), where malloc is glibc's */
#include "base/glibc_malloc.h"
#ifdef KH_GLIBC_MALLOC
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#define KH_HEAP_AHEAD 1
#endif

static const char *const trace_names[] = {"", "doc", "runs", "shape", "lines", "pages"};

static void usage(FILE *out) {
  fputs("usage: kumihan [OPTION]... INPUT...\n"
        "       kumihan new NAME\n"
        "Typesets Japanese publications into PDF.  Each INPUT is a folder holding\n"
        "publication.yaml, a Markdown file, or '-' for Markdown on standard input;\n"
        "each is built into its own PDF, named after it (a folder 'kumihan .' is\n"
        "named after the folder) in the current folder unless -o or -d says where.\n"
        "'kumihan new NAME' starts a publication folder NAME from the template.\n"
        "\n"
        "Output:\n"
        "  -o, --output=FILE      write the PDF to FILE ('-': standard output);\n"
        "                         only with one INPUT\n"
        "  -d, --output-dir=DIR   write each PDF into DIR\n"
        "      --check            do everything but write the PDF\n"
        "  -w, --watch            build, then build again whenever an input, the\n"
        "                         layout, an image or a font changes (one line per\n"
        "                         build); stop with Ctrl-C\n"
        "  -j, --jobs=N           build up to N inputs at the same time (threads\n"
        "                         sharing one font cache)\n"
        "Diagnostics:\n"
        "      --werror           treat warnings as errors (no PDF, exit status 1)\n"
        "      --diagnostics=FMT  'text' (default: file:line:col: error: message,\n"
        "                         the source line and a caret) or 'json' (one\n"
        "                         object per line: file, line, column, severity,\n"
        "                         code, message)\n"
        "  -q, --quiet            show errors only, not warnings\n"
        "      --trace=STAGE      print a stage's result to standard output (doc,\n"
        "                         runs, shape, lines or pages); no PDF unless -o\n"
        "Where layouts and fonts are found:\n"
        "      --layout-dir=DIR   search DIR for layouts first (repeatable)\n"
        "      --font-dir=DIR     search DIR for font files first (repeatable)\n"
        "      --allow-path=DIR   let the publication read files in DIR too (by\n"
        "                         default only its own folder and the layout and\n"
        "                         font folders; repeatable)\n"
        "  -h, --help             show this help\n"
        "  -V, --version          show the versions of kumihan, its libraries and\n"
        "                         the default layout's fonts\n"
        "\n"
        "Search path.  A layout or font named by a path ('layout: ./my.yaml') is\n"
        "relative to the file that names it.  A name ('layout: press-release') is\n"
        "looked for in: the --layout-dir/--font-dir folders; KUMIHAN_LAYOUT_PATH /\n"
        "KUMIHAN_FONT_PATH; the installed data (PREFIX/share/kumihan, found next\n"
        "to the program).  Font families ({family: ...}) go to fontconfig, which\n"
        "also sees every font folder above.\n"
        "\n"
        "Environment:\n"
        "  KUMIHAN_LAYOUT_PATH  colon-separated folders searched for layouts\n"
        "  KUMIHAN_FONT_PATH    colon-separated folders searched for fonts\n"
        "  KUMIHAN_LAYOUT_DIR, KUMIHAN_FONT_DIR  one more folder each (older form),\n"
        "                       searched after the *_PATH folders\n"
        "  SOURCE_DATE_EPOCH    the PDF's date, in seconds since 1970 (else the\n"
        "                       front matter's date-iso; never the clock); a value\n"
        "                       that is not a whole number is an error\n"
        "\n"
        "Exit status:\n"
        "  0  every input built (or checked)\n"
        "  1  an input has an error (or a warning, with --werror)\n"
        "  2  usage: a bad option, argument or environment variable\n"
        "  3  internal: out of memory, or a library or the system failed\n",
        out);
  fputs("\nThe search path now:\n", out);
  kh_ctx *ctx = kh_ctx_new();
  for (int f = 0; ctx && f < 2; f++) {
    const char *d;
    fprintf(out, "  %s:", f ? "fonts" : "layouts");
    for (size_t i = 0; (d = kh_ctx_search_dir(ctx, f, i)); i++) fprintf(out, " %s", d);
    fputs(f ? " (then fontconfig)\n" : "\n", out);
  }
  kh_ctx_drop(ctx);
}

static int usage_error(const char *fmt, const char *arg) {
  fputs("kumihan: error: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs("\nTry 'kumihan --help' for more information.\n", stderr);
  return EXIT_USAGE;
}

/* ---- diagnostics ------------------------------------------------------------*/

/* A growing string; on out of memory it stops growing (and says nothing:
 * a diagnostic is then cut short, never wrong). */
typedef struct sbuf {
  char *data;
  size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }
static void sb_putc(sbuf *b, char c) { sb_add(b, &c, 1); }

static void json_string(sbuf *b, const char *s) {
  sb_putc(b, '"');
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if (*p == '"' || *p == '\\') {
      sb_putc(b, '\\');
      sb_putc(b, (char)*p);
    } else if (*p < 0x20) {
      char u[8];
      snprintf(u, sizeof u, "\\u%04x", *p);
      sb_puts(b, u);
    } else {
      sb_putc(b, (char)*p);
    }
  }
  sb_putc(b, '"');
}

typedef struct diag_opts {
  int json, quiet;
} diag_opts;

/* One write per diagnostic, so lines of parallel workers do not mix. */
static void on_diagnostic(void *user, const kh_diagnostic *d) {
  const diag_opts *o = user;
  if (o->quiet && d->severity == KH_SEV_WARNING) return;
  sbuf b = {0};
  if (o->json) {
    sb_puts(&b, "{\"file\":");
    if (d->file) json_string(&b, d->file);
    else sb_puts(&b, "null");
    char num[64];
    snprintf(num, sizeof num, ",\"line\":%u,\"column\":%u,\"severity\":", d->line, d->column);
    sb_puts(&b, num);
    json_string(&b, d->severity == KH_SEV_ERROR ? "error" : "warning");
    sb_puts(&b, ",\"code\":");
    json_string(&b, d->code);
    sb_puts(&b, ",\"message\":");
    json_string(&b, d->message);
    sb_puts(&b, "}\n");
  } else {
    sb_puts(&b, d->text);
    sb_putc(&b, '\n');
    if (d->excerpt) {
      sb_puts(&b, d->excerpt);
      sb_putc(&b, '\n');
    }
  }
  if (b.data) {
    fflush(stderr);
    (void)!write(STDERR_FILENO, b.data, b.len);
  }
  free(b.data);
}

static diag_opts g_diag;

/* A diagnostic of the program itself (not of an input), in the chosen form. */
static void cli_diag(kh_severity sev, const char *file, const char *code, const char *msg) {
  char text[1200];
  snprintf(text, sizeof text, "%s: %s: %s", file ? file : "kumihan",
           sev == KH_SEV_ERROR ? "error" : "warning", msg);
  kh_diagnostic d = {sev, code, file, 0, 0, msg, text, NULL};
  diag_opts o = g_diag;
  o.quiet = 0;
  on_diagnostic(&o, &d);
}

kh_ctx *cli_ctx(const cli_opts *o) {
  kh_ctx *ctx = kh_ctx_new();
  if (!ctx) return NULL;
  kh_ctx_set_diagnostic_fn(ctx, on_diagnostic, &g_diag);
  if (o->source_date_epoch >= 0) kh_ctx_set_source_date_epoch(ctx, o->source_date_epoch);
  kh_ctx_set_werror(ctx, o->werror);
  kh_status st = KH_OK;
  for (size_t i = o->nlayout_dirs; st == KH_OK && i > 0; i--)
    st = kh_ctx_set_layout_dir(ctx, o->layout_dirs[i - 1]);
  for (size_t i = o->nfont_dirs; st == KH_OK && i > 0; i--)
    st = kh_ctx_set_font_dir(ctx, o->font_dirs[i - 1]);
  for (size_t i = 0; st == KH_OK && i < o->nallowed; i++) st = kh_ctx_allow_path(ctx, o->allowed[i]);
  if (st != KH_OK) {
    kh_ctx_drop(ctx);
    return NULL;
  }
  return ctx;
}

/* ---- one build -----------------------------------------------------------------*/

static int exit_for(kh_status st) {
  return st == KH_OK ? EXIT_OK : st == KH_NOMEM || st == KH_LIBRARY ? EXIT_INTERNAL : EXIT_INPUT;
}

/* Standard input, whole. */
static kh_status read_stdin(char **data, size_t *len) {
  sbuf b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
    size_t before = b.len;
    sb_add(&b, chunk, n);
    if (b.len != before + n) {
      free(b.data);
      return KH_NOMEM;
    }
  }
  if (ferror(stdin)) {
    free(b.data);
    return KH_IO;
  }
  *data = b.data ? b.data : calloc(1, 1);
  *len = b.len;
  return *data ? KH_OK : KH_NOMEM;
}

int cli_build(kh_ctx *ctx, const cli_opts *o, const cli_job *job, int report) {
  unsigned char *pdf = NULL;
  size_t len = 0;
  unsigned warnings = kh_ctx_warning_count(ctx), errors = kh_ctx_error_count(ctx);
  kh_status st;
  int to_stdout = job->output && !strcmp(job->output, "-");
  if (!strcmp(job->input, "-")) {
    char *md = NULL;
    size_t mdlen = 0;
    st = read_stdin(&md, &mdlen);
    if (st == KH_IO) cli_diag(KH_SEV_ERROR, "<stdin>", "io", "cannot read standard input");
    if (st == KH_OK) st = kh_build_memory(ctx, "<stdin>", md, mdlen, &pdf, &len);
    free(md);
    if (st == KH_OK && job->output && !to_stdout && !o->check)
      st = kh_write_output(ctx, job->output, pdf, len);
  } else if (o->trace != KH_TRACE_NONE && !job->output) {
    st = kh_build_file(ctx, job->input, NULL);
  } else if (o->check || !job->output) {
    st = kh_build_path(ctx, job->input, NULL, NULL); /* made and thrown away */
  } else if (to_stdout) {
    st = kh_build_path(ctx, job->input, &pdf, &len);
  } else {
    st = kh_build_file(ctx, job->input, job->output); /* streamed to a temporary file */
  }
  warnings = kh_ctx_warning_count(ctx) - warnings;
  /* a failure no diagnostic told of (memory ran out where there was no
   * position to give): said here, never an exit status alone */
  if (st != KH_OK && kh_ctx_error_count(ctx) == errors) {
    char msg[64];
    snprintf(msg, sizeof msg, "%s", kh_status_string(st));
    cli_diag(KH_SEV_ERROR, job->input, st == KH_NOMEM ? "nomem" : "internal", msg);
  }
  if (st == KH_OK && to_stdout && !o->check) {
    if (fwrite(pdf, 1, len, stdout) != len || fflush(stdout) != 0) {
      cli_diag(KH_SEV_ERROR, NULL, "io", "cannot write to standard output");
      st = KH_IO;
    }
  }
  if (report) {
    time_t now = time(NULL);
    char when[16];
    strftime(when, sizeof when, "%H:%M:%S", localtime(&now));
    char msg[PATH_MAX + 128];
    if (st == KH_OK)
      snprintf(msg, sizeof msg, "[%s] %s: %u page%s%s%s, %u warning%s", when, job->input,
               kh_ctx_page_count(ctx), kh_ctx_page_count(ctx) == 1 ? "" : "s",
               job->output && !o->check ? " -> " : "", job->output && !o->check ? job->output : "",
               warnings, warnings == 1 ? "" : "s");
    else
      snprintf(msg, sizeof msg, "[%s] %s: failed", when, job->input);
    fprintf(stderr, "%s\n", msg);
  }
  free(pdf);
  return exit_for(st);
}

/* ---- outputs ------------------------------------------------------------------*/

/* The PDF's name for an input: the folder's or file's own name (a folder
 * given as "." or "dir/" is named after what it is), ".md" dropped. */
static char *output_name(const char *input, const char *dir) {
  char *real = NULL;
  size_t n = strlen(input);
  while (n > 1 && input[n - 1] == '/') n--;
  const char *base = input;
  for (size_t i = 0; i < n; i++)
    if (input[i] == '/') base = input + i + 1;
  size_t bl = (size_t)(input + n - base);
  if (bl == 0 || (bl == 1 && base[0] == '.') || (bl == 2 && !strncmp(base, "..", 2))) {
    real = realpath(input, NULL);
    if (!real) return NULL;
    base = strrchr(real, '/');
    base = base && base[1] ? base + 1 : "root";
    bl = strlen(base);
  }
  if (bl > 3 && !strncmp(base + bl - 3, ".md", 3)) bl -= 3;
  sbuf b = {0};
  if (dir) {
    sb_puts(&b, dir);
    if (dir[strlen(dir) - 1] != '/') sb_putc(&b, '/');
  }
  sb_add(&b, base, bl);
  sb_puts(&b, ".pdf");
  free(real);
  return b.data;
}

static int plan(const cli_opts *o, cli_job *jobs) {
  for (size_t i = 0; i < o->ninputs; i++) {
    jobs[i].input = o->inputs[i];
    if (o->check || (o->trace != KH_TRACE_NONE && !o->output)) continue;
    if (o->output) jobs[i].output = strdup(o->output);
    else if (!strcmp(o->inputs[i], "-") && !o->output_dir) jobs[i].output = strdup("-");
    else if (!strcmp(o->inputs[i], "-"))
      return usage_error("%s", "standard input needs -o FILE, not --output-dir");
    else jobs[i].output = output_name(o->inputs[i], o->output_dir);
    if (!jobs[i].output) {
      fprintf(stderr, "kumihan: error: %s: %s\n", o->inputs[i], strerror(errno));
      return EXIT_INPUT;
    }
    for (size_t k = 0; k < i; k++)
      if (jobs[k].output && !strcmp(jobs[k].output, jobs[i].output))
        return usage_error("two inputs would both be written to '%s'", jobs[i].output);
  }
  return EXIT_OK;
}

/* ---- many inputs ----------------------------------------------------------------*/

/* Builds jobs[k], jobs[k + step], ... with one context, whose font cache is
 * `fonts`'s when that is given (workers in threads share one). */
static int run_share(const cli_opts *o, const cli_job *jobs, size_t njobs, size_t k, size_t step,
                     kh_ctx *fonts) {
  kh_ctx *ctx = cli_ctx(o);
  if (!ctx || (fonts && kh_ctx_share_fonts(ctx, fonts) != KH_OK)) {
    kh_ctx_drop(ctx);
    fputs("kumihan: error: out of memory\n", stderr);
    return EXIT_INTERNAL;
  }
  if (o->trace != KH_TRACE_NONE) kh_ctx_set_trace(ctx, o->trace, stdout);
  int worst = EXIT_OK;
  for (size_t i = k; i < njobs; i += step) {
    int rc = cli_build(ctx, o, &jobs[i], 0);
    if (rc > worst) worst = rc;
  }
  kh_ctx_drop(ctx);
  return worst;
}

typedef struct worker {
  pthread_t thread;
  const cli_opts *o;
  const cli_job *jobs;
  size_t njobs, k, step;
  kh_ctx *fonts;
  int rc;
} worker;

static void *run_worker(void *arg) {
  worker *w = arg;
  w->rc = run_share(w->o, w->jobs, w->njobs, w->k, w->step, w->fonts);
  return NULL;
}

/* --jobs N: N threads, each with its own context, all with one font cache
 * (fonts are immutable once loaded: each font file is loaded once). */
static int run_all(const cli_opts *o, const cli_job *jobs, size_t njobs) {
  size_t nworkers = (size_t)o->jobs < njobs ? (size_t)o->jobs : njobs;
  if (nworkers <= 1) return run_share(o, jobs, njobs, 0, 1, NULL);
  kh_ctx *fonts = kh_ctx_new(); /* holds the shared cache */
  worker *w = calloc(nworkers, sizeof *w);
  if (!fonts || !w) {
    kh_ctx_drop(fonts);
    free(w);
    return EXIT_INTERNAL;
  }
  int worst = EXIT_OK;
  size_t started = 0;
  for (size_t i = 0; i < nworkers; i++) w[i] = (worker){0, o, jobs, njobs, i, nworkers, fonts, EXIT_OK};
  while (started < nworkers && pthread_create(&w[started].thread, NULL, run_worker, &w[started]) == 0)
    started++;
  /* the share of a worker that could not start is built here */
  for (size_t i = started; i < nworkers; i++) run_worker(&w[i]);
  for (size_t i = 0; i < nworkers; i++) {
    if (i < started) pthread_join(w[i].thread, NULL);
    if (w[i].rc > worst) worst = w[i].rc;
  }
  free(w);
  kh_ctx_drop(fonts);
  return worst;
}

/* ---- options ---------------------------------------------------------------------*/

enum {
  OPT_CHECK = 256,
  OPT_WERROR,
  OPT_DIAGNOSTICS,
  OPT_TRACE,
  OPT_LAYOUT_DIR,
  OPT_FONT_DIR,
  OPT_ALLOW_PATH
};

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"output-dir", required_argument, NULL, 'd'},
    {"jobs", required_argument, NULL, 'j'},
    {"check", no_argument, NULL, OPT_CHECK},
    {"werror", no_argument, NULL, OPT_WERROR},
    {"diagnostics", required_argument, NULL, OPT_DIAGNOSTICS},
    {"quiet", no_argument, NULL, 'q'},
    {"watch", no_argument, NULL, 'w'},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"layout-dir", required_argument, NULL, OPT_LAYOUT_DIR},
    {"font-dir", required_argument, NULL, OPT_FONT_DIR},
    {"allow-path", required_argument, NULL, OPT_ALLOW_PATH},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

/* SOURCE_DATE_EPOCH: unset or empty, or a whole number of seconds. */
static int read_epoch(long long *out) {
  const char *s = getenv("SOURCE_DATE_EPOCH");
  *out = -1;
  if (!s || !*s) return 0;
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (*end || errno || v < 0 || v > 253402300799LL /* 9999-12-31 */ || *s == '+' || *s == ' ')
    return -1;
  *out = v;
  return 0;
}

static int push(const char ***v, size_t *n, const char *s) {
  const char **g = realloc(*v, (*n + 1) * sizeof *g);
  if (!g) return -1;
  *v = g;
  g[(*n)++] = s;
  return 0;
}

static int parse(int argc, char **argv, cli_opts *o) {
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:d:j:qwhV", long_options, NULL)) != -1) {
    switch (c) {
    case 'o': o->output = optarg; break;
    case 'd': o->output_dir = optarg; break;
    case 'j': {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (*end || end == optarg || v < 1 || v > 256)
        return usage_error("--jobs needs a number from 1 to 256, not '%s'", optarg);
      o->jobs = (int)v;
      break;
    }
    case OPT_CHECK: o->check = 1; break;
    case OPT_WERROR: o->werror = 1; break;
    case OPT_DIAGNOSTICS:
      if (!strcmp(optarg, "json")) o->json = 1;
      else if (!strcmp(optarg, "text")) o->json = 0;
      else return usage_error("--diagnostics is 'text' or 'json', not '%s'", optarg);
      break;
    case 'q': o->quiet = 1; break;
    case 'w': o->watch = 1; break;
    case OPT_TRACE:
      for (int s = 1; s < 6; s++)
        if (!strcmp(optarg, trace_names[s])) o->trace = (kh_trace_stage)s;
      if (o->trace == KH_TRACE_NONE) return usage_error("unknown trace stage '%s'", optarg);
      break;
    case OPT_LAYOUT_DIR:
      if (push(&o->layout_dirs, &o->nlayout_dirs, optarg)) return EXIT_INTERNAL;
      break;
    case OPT_FONT_DIR:
      if (push(&o->font_dirs, &o->nfont_dirs, optarg)) return EXIT_INTERNAL;
      break;
    case OPT_ALLOW_PATH: {
      struct stat st;
      if (stat(optarg, &st) != 0 || !S_ISDIR(st.st_mode))
        return usage_error("--allow-path '%s' is not a folder", optarg);
      if (push(&o->allowed, &o->nallowed, optarg)) return EXIT_INTERNAL;
      break;
    }
    case 'h': usage(stdout); return -1;
    case 'V': {
      kh_ctx *ctx = cli_ctx(o);
      if (!ctx) return EXIT_INTERNAL;
      kh_status st = kh_print_versions(ctx, NULL, stdout);
      kh_ctx_drop(ctx);
      return st == KH_OK ? -1 : exit_for(st);
    }
    case ':': {
      /* the option as written: "-o" or "--output" */
      const char *a = argv[optind - 1];
      return usage_error("option '%s' needs a value", a);
    }
    default: {
      const char *a = argv[optind - 1];
      if (optopt) {
        char s[3] = {'-', (char)optopt, 0};
        return usage_error("unknown option '%s'", s);
      }
      return usage_error("unknown option '%s'", a);
    }
    }
  }
  for (int i = optind; i < argc; i++)
    if (push(&o->inputs, &o->ninputs, argv[i])) return EXIT_INTERNAL;
  if (o->ninputs == 0) return usage_error("%s", "no input (a publication folder or a Markdown file)");
  if (o->output && o->ninputs > 1)
    return usage_error("%s", "-o names one output: with several inputs use --output-dir DIR");
  if (o->output && o->output_dir) return usage_error("%s", "-o and --output-dir exclude each other");
  if (o->output && !strcmp(o->output, "-") && o->watch)
    return usage_error("%s", "--watch writes files, not standard output");
  size_t nstdin = 0;
  for (size_t i = 0; i < o->ninputs; i++) nstdin += !strcmp(o->inputs[i], "-");
  if (nstdin > 1 || (nstdin && o->watch))
    return usage_error("%s", "standard input can be read once, and not watched");
  if (o->trace != KH_TRACE_NONE && o->output && !strcmp(o->output, "-"))
    return usage_error("%s", "--trace writes to standard output: the PDF cannot go there too");
  if (o->output_dir) {
    struct stat st;
    if (stat(o->output_dir, &st) != 0 || !S_ISDIR(st.st_mode))
      return usage_error("--output-dir '%s' is not a folder", o->output_dir);
  }
  if (read_epoch(&o->source_date_epoch))
    return usage_error("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not '%s'",
                       getenv("SOURCE_DATE_EPOCH"));
  return EXIT_OK;
}

/* An interrupted build leaves no temporary file: remove them, then let the
 * signal end the program as it would have.  (--watch has its own handlers,
 * which end the loop between builds.) */
static void on_signal(int sig) {
  kh_signal_cleanup();
  raise(sig); /* the handler was reset (SA_RESETHAND): the default action */
}

static void catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}

#ifdef KH_HEAP_AHEAD
/* The first 2 MiB of the heap, made resident in one call before the build.
 * A build of the publication grows the heap by about 2 MiB, a page at a
 * time, and each first touch of a page is a page fault: on the
 * benchmark's virtual machine that was 330 of the run's 900 faults and
 * 1.8 ms of its 30 ms (measured side by side, the same PDF), where
 * MADV_POPULATE_WRITE makes the same pages resident in about 0.4 ms.
 * The heap keeps up to 4 MiB free at its top (M_TRIM_THRESHOLD) so the
 * pages stay; blocks of 1 MiB and more still get their own mapping
 * (M_MMAP_THRESHOLD), which also brings libdeflate's compressors (a few
 * hundred kB each) into the heap.  A kernel without MADV_POPULATE_WRITE (before
 * Linux 5.14) leaves the pages to be faulted in as before. */
#define HEAP_AHEAD ((size_t)2 << 20)

static void heap_ahead(void) {
  mallopt(M_MMAP_THRESHOLD, 2 * HEAP_AHEAD); /* this block from the heap */
  mallopt(M_TRIM_THRESHOLD, 2 * HEAP_AHEAD);
  char *p = malloc(HEAP_AHEAD);
  if (p) {
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t mask = (uintptr_t)(page > 0 ? page : 4096) - 1;
    uintptr_t from = ((uintptr_t)p + mask) & ~mask, to = ((uintptr_t)p + HEAP_AHEAD) & ~mask;
    if (to > from) madvise((void *)from, to - from, MADV_POPULATE_WRITE);
  }
  free(p);
  mallopt(M_MMAP_THRESHOLD, HEAP_AHEAD / 2);
}
#endif

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "new")) return cli_new(argv[2]);
  if (argc >= 2 && !strcmp(argv[1], "new"))
    return usage_error("%s", "usage: kumihan new NAME (to build a folder named 'new': kumihan ./new)");
  cli_opts o = {0};
  o.jobs = 1;
  o.source_date_epoch = -1;
  int rc = parse(argc, argv, &o);
  if (rc != EXIT_OK) {
    free(o.inputs);
    free(o.layout_dirs);
    free(o.font_dirs);
    free(o.allowed);
    return rc < 0 ? EXIT_OK : rc;
  }
  g_diag.json = o.json;
  g_diag.quiet = o.quiet;
  cli_job *jobs = calloc(o.ninputs, sizeof *jobs);
  if (!jobs) return EXIT_INTERNAL;
  rc = plan(&o, jobs);
  catch_signals();
#ifdef KH_HEAP_AHEAD
  if (rc == EXIT_OK) heap_ahead();
#endif
  if (rc == EXIT_OK) rc = o.watch ? cli_watch(&o, jobs, o.ninputs) : run_all(&o, jobs, o.ninputs);
  for (size_t i = 0; i < o.ninputs; i++) free(jobs[i].output);
  free(jobs);
  free(o.inputs);
  free(o.layout_dirs);
  free(o.font_dirs);
  free(o.allowed);
  return rc;
}
