/* cli: --watch.  Builds every input, then waits (inotify) for a change to
 * any file a build read -- its parts, publication.yaml, the layout, images,
 * fonts -- and builds the inputs that read it again, printing one line per
 * build with its time and page count.  The PDF is replaced by rename, so a
 * viewer that reloads (evince, mupdf) never sees half a file.
 *
 * The folders holding those files are watched rather than the files: an
 * editor that saves by writing a new file and renaming it over the old one
 * (vim, most IDEs) replaces the inode a file watch would follow. */
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cli/cli.h"

#define QUIET_MS 150 /* wait this long after the last event: a save is often several */

static volatile sig_atomic_t stop;

static void on_stop(int sig) {
  (void)sig;
  stop = 1;
}

typedef struct strs {
  char **v;
  size_t n;
} strs;

static int strs_has(const strs *s, const char *x) {
  for (size_t i = 0; i < s->n; i++)
    if (!strcmp(s->v[i], x)) return 1;
  return 0;
}

static void strs_add(strs *s, const char *x) {
  if (strs_has(s, x)) return;
  char **g = realloc(s->v, (s->n + 1) * sizeof *g);
  char *d = strdup(x);
  if (!g || !d) {
    free(d);
    if (g) s->v = g;
    return;
  }
  s->v = g;
  s->v[s->n++] = d;
}

static void strs_free(strs *s) {
  for (size_t i = 0; i < s->n; i++) free(s->v[i]);
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

/* "realdir/name" for a path whose folder exists; NULL otherwise. */
static char *canonical(const char *path) {
  char *copy = strdup(path);
  if (!copy) return NULL;
  size_t n = strlen(copy);
  while (n > 1 && copy[n - 1] == '/') copy[--n] = '\0';
  char *slash = strrchr(copy, '/');
  const char *name = slash ? slash + 1 : copy;
  const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
  if (slash && slash != copy) *slash = '\0';
  char *real = realpath(dir, NULL);
  char *out = NULL;
  if (real) {
    size_t len = strlen(real) + strlen(name) + 2;
    out = malloc(len);
    if (out) snprintf(out, len, "%s/%s", strcmp(real, "/") ? real : "", name);
  }
  free(real);
  free(copy);
  return out;
}

typedef struct watched {
  strs deps; /* canonical paths the job's last build read */
  int dirty;
} watched;

/* Builds job i and records what it read. */
static int build_one(const cli_opts *o, const cli_job *job, watched *w) {
  kh_ctx *ctx = cli_ctx(o);
  if (!ctx) return EXIT_INTERNAL;
  int rc = cli_build(ctx, o, job, 1);
  strs_free(&w->deps);
  const char *f;
  for (size_t i = 0; (f = kh_ctx_input(ctx, i)); i++) {
    char *c = canonical(f);
    if (c) strs_add(&w->deps, c);
    free(c);
  }
  /* the input itself, and in a folder its publication.yaml, even when the
   * build failed before reading them */
  char *c = canonical(job->input);
  if (c) strs_add(&w->deps, c);
  free(c);
  size_t n = strlen(job->input) + 20;
  char *py = malloc(n);
  if (py) {
    snprintf(py, n, "%s/publication.yaml", job->input);
    if (access(py, F_OK) == 0 && (c = canonical(py))) {
      strs_add(&w->deps, c);
      free(c);
    }
    free(py);
  }
  kh_ctx_drop(ctx);
  w->dirty = 0;
  return rc;
}

typedef struct dirwatch {
  int wd;
  char *dir;
} dirwatch;

/* Watches the folder of every dependency, replacing the previous watches. */
static void rewatch(int fd, watched *ws, size_t n, dirwatch **dw, size_t *ndw) {
  for (size_t i = 0; i < *ndw; i++) {
    inotify_rm_watch(fd, (*dw)[i].wd);
    free((*dw)[i].dir);
  }
  *ndw = 0;
  strs dirs = {0};
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < ws[j].deps.n; i++) {
      char *d = strdup(ws[j].deps.v[i]);
      if (!d) continue;
      char *slash = strrchr(d, '/');
      if (slash) *slash = '\0';
      strs_add(&dirs, *d ? d : "/");
      free(d);
    }
  dirwatch *g = realloc(*dw, (dirs.n ? dirs.n : 1) * sizeof *g);
  if (g) {
    *dw = g;
    for (size_t i = 0; i < dirs.n; i++) {
      int wd = inotify_add_watch(fd, dirs.v[i], IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
                                                    IN_DELETE | IN_ATTRIB | IN_MOVED_FROM);
      if (wd < 0) continue;
      g[*ndw].wd = wd;
      g[*ndw].dir = strdup(dirs.v[i]);
      if (g[*ndw].dir) (*ndw)++;
    }
  }
  strs_free(&dirs);
}

/* Marks the jobs that read what the events name; returns how many. */
static int mark(const char *buf, ssize_t len, dirwatch *dw, size_t ndw, watched *ws, size_t n) {
  int hits = 0;
  for (const char *p = buf; p < buf + len;) {
    const struct inotify_event *ev = (const struct inotify_event *)p;
    p += sizeof *ev + ev->len;
    if (!ev->len) continue;
    const char *dir = NULL;
    for (size_t i = 0; i < ndw; i++)
      if (dw[i].wd == ev->wd) dir = dw[i].dir;
    if (!dir) continue;
    char full[PATH_MAX];
    snprintf(full, sizeof full, "%s/%s", strcmp(dir, "/") ? dir : "", ev->name);
    for (size_t j = 0; j < n; j++)
      if (!ws[j].dirty && strs_has(&ws[j].deps, full)) ws[j].dirty = 1, hits++;
  }
  return hits;
}

int cli_watch(const cli_opts *o, cli_job *jobs, size_t njobs) {
  int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) {
    fprintf(stderr, "kumihan: error: cannot watch files: %s\n", strerror(errno));
    return EXIT_INTERNAL;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop; /* no SA_RESTART: poll() returns at once */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  watched *ws = calloc(njobs, sizeof *ws);
  dirwatch *dw = NULL;
  size_t ndw = 0;
  int rc = EXIT_OK;
  if (!ws) {
    close(fd);
    return EXIT_INTERNAL;
  }
  for (size_t j = 0; j < njobs; j++) ws[j].dirty = 1;
  char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
  fprintf(stderr, "kumihan: watching %zu input%s; stop with Ctrl-C\n", njobs, njobs == 1 ? "" : "s");
  while (!stop) {
    int built = 0;
    for (size_t j = 0; j < njobs && !stop; j++)
      if (ws[j].dirty) {
        rc = build_one(o, &jobs[j], &ws[j]);
        built = 1;
      }
    if (built) rewatch(fd, ws, njobs, &dw, &ndw);
    /* wait for a change to something a build read, then for quiet */
    int hits = 0;
    while (!stop && !hits) {
      struct pollfd pfd = {fd, POLLIN, 0};
      if (poll(&pfd, 1, -1) < 0 && errno != EINTR) break;
      ssize_t len;
      while ((len = read(fd, buf, sizeof buf)) > 0) hits += mark(buf, len, dw, ndw, ws, njobs);
    }
    while (!stop && hits) {
      struct pollfd pfd = {fd, POLLIN, 0};
      int r = poll(&pfd, 1, QUIET_MS);
      if (r <= 0) break;
      ssize_t len;
      while ((len = read(fd, buf, sizeof buf)) > 0) mark(buf, len, dw, ndw, ws, njobs);
    }
  }
  for (size_t i = 0; i < ndw; i++) free(dw[i].dir);
  free(dw);
  for (size_t j = 0; j < njobs; j++) strs_free(&ws[j].deps);
  free(ws);
  close(fd);
  return rc == EXIT_INTERNAL ? rc : EXIT_OK;
}
