/* kumihan: the command-line client of libkumihan. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kumihan.h"

static void usage(FILE *out) {
  fputs("usage: kumihan [options] INPUT [-o OUTPUT.pdf]\n"
        "Typesets a Japanese publication into PDF.\n"
        "INPUT is a Markdown file or a folder holding publication.yaml.\n"
        "\n"
        "  -o, --output FILE     write the PDF to FILE (default: INPUT's name + .pdf)\n"
        "      --trace=STAGE     print a stage's result to standard output:\n"
        "                        doc, runs, shape, lines or pages\n"
        "      --font-dir DIR    where the layout's font files are\n"
        "      --layout-dir DIR  where layout files are\n"
        "      --allow-path DIR  let the publication read files in DIR too (by\n"
        "                        default only its own folder and the layout and\n"
        "                        font folders)\n"
        "  -h, --help            show this help\n"
        "      --version         show the version\n",
        out);
}

/* An interrupted build leaves no temporary file: remove them, then let the
 * signal end the program as it would have. */
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

static char *default_output(const char *input) {
  size_t n = strlen(input);
  while (n > 1 && input[n - 1] == '/') n--;
  const char *base = input;
  for (size_t i = 0; i < n; i++)
    if (input[i] == '/') base = input + i + 1;
  size_t bl = (size_t)(input + n - base);
  if (bl > 3 && !strncmp(base + bl - 3, ".md", 3)) bl -= 3;
  char *out = malloc(bl + 5);
  if (out) snprintf(out, bl + 5, "%.*s.pdf", (int)bl, base);
  return out;
}

int main(int argc, char **argv) {
  const char *input = NULL, *output = NULL, *font_dir = NULL, *layout_dir = NULL;
  const char *allowed[64];
  int nallowed = 0;
  kh_trace_stage trace = KH_TRACE_NONE;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--version")) {
      printf("kumihan %s\n", kh_version());
      return 0;
    } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
      output = argv[++i];
    } else if (!strcmp(a, "--font-dir") && i + 1 < argc) {
      font_dir = argv[++i];
    } else if (!strcmp(a, "--layout-dir") && i + 1 < argc) {
      layout_dir = argv[++i];
    } else if (!strcmp(a, "--allow-path") && i + 1 < argc) {
      if (nallowed == 64) {
        fputs("kumihan: error: at most 64 --allow-path options\n", stderr);
        return 2;
      }
      allowed[nallowed++] = argv[++i];
    } else if (!strncmp(a, "--trace=", 8)) {
      static const char *names[] = {"", "doc", "runs", "shape", "lines", "pages"};
      for (int s = 1; s < 6; s++)
        if (!strcmp(a + 8, names[s])) trace = (kh_trace_stage)s;
      if (trace == KH_TRACE_NONE) {
        fprintf(stderr, "kumihan: error: unknown trace stage '%s'\n", a + 8);
        return 2;
      }
    } else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--font-dir") ||
               !strcmp(a, "--layout-dir") || !strcmp(a, "--allow-path")) {
      fprintf(stderr, "kumihan: error: option '%s' needs a value\n", a);
      return 2;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "kumihan: error: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    } else if (!input) {
      input = a;
    } else {
      fprintf(stderr, "kumihan: error: more than one input ('%s')\n", a);
      return 2;
    }
  }
  if (!input) {
    usage(stderr);
    return 2;
  }
  catch_signals();
  kh_ctx *ctx = kh_ctx_new();
  if (!ctx) {
    fputs("kumihan: error: out of memory\n", stderr);
    return 1;
  }
  char *owned = NULL;
  if (!output && trace == KH_TRACE_NONE) output = owned = default_output(input);
  if (trace != KH_TRACE_NONE) kh_ctx_set_trace(ctx, trace, stdout);
  kh_status st = KH_OK;
  if (font_dir) st = kh_ctx_set_font_dir(ctx, font_dir);
  if (st == KH_OK && layout_dir) st = kh_ctx_set_layout_dir(ctx, layout_dir);
  for (int i = 0; st == KH_OK && i < nallowed; i++) st = kh_ctx_allow_path(ctx, allowed[i]);
  if (st == KH_OK) st = kh_build_file(ctx, input, output);
  if (st != KH_OK && kh_ctx_error_count(ctx) == 0)
    fprintf(stderr, "%s: error: %s\n", input, kh_status_string(st));
  kh_ctx_drop(ctx);
  free(owned);
  return st == KH_OK ? 0 : 1;
}
