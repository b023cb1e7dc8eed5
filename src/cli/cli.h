/* cli: the kumihan program, a client of libkumihan (include/kumihan.h).
 * main.c reads the options and builds; watch.c rebuilds on change; new.c
 * starts a publication from the template. */
#ifndef KH_CLI_H
#define KH_CLI_H

#include <stddef.h>

#include "kumihan.h"

/* Exit statuses (documented in --help and kumihan(1)). */
enum {
  EXIT_OK = 0,       /* every input built (or checked) */
  EXIT_INPUT = 1,    /* an input has an error (or a warning with --werror) */
  EXIT_USAGE = 2,    /* the command line or the environment is wrong */
  EXIT_INTERNAL = 3  /* out of memory, a library or the system failed */
};

typedef struct cli_opts {
  const char **inputs;
  size_t ninputs;
  const char *output;     /* -o: one input's output ("-": stdout) */
  const char *output_dir; /* -d */
  const char **layout_dirs, **font_dirs;
  size_t nlayout_dirs, nfont_dirs;
  const char **allowed; /* --allow-path */
  size_t nallowed;
  int jobs;
  int check, werror, json, quiet, watch;
  kh_trace_stage trace;
  long long source_date_epoch; /* -1: unset */
} cli_opts;

/* One input's job: where it goes. */
typedef struct cli_job {
  const char *input;
  char *output; /* malloc'd; NULL with --check or a trace; "-" for stdout */
} cli_job;

/* A context set up from the options (diagnostics, search path, epoch);
 * NULL when out of memory. */
kh_ctx *cli_ctx(const cli_opts *o);
/* Builds one job with ctx; returns an exit status and prints nothing on
 * success unless `report` (one line: time, pages, output). */
int cli_build(kh_ctx *ctx, const cli_opts *o, const cli_job *job, int report);

/* --watch: builds each job, then again whenever a file it read changes,
 * until interrupted.  Returns an exit status. */
int cli_watch(const cli_opts *o, cli_job *jobs, size_t njobs);

/* kumihan new NAME: a publication folder from the template. */
int cli_new(const char *name);

#endif
