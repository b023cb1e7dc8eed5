/* base: reading the files a publication names, and nothing else.
 *
 * kumihan runs in CI on content anyone with commit access can change, so a
 * publication must not read what it does not own (/proc/self/environ, a
 * key beside the checkout) nor hang or exhaust memory on what is not a file
 * (a FIFO, /dev/zero).  Every file a publication names resolves, after its
 * symbolic links (realpath), inside a root: the publication's folder, the
 * layout folder, the font folder, or a folder the user allowed explicitly.
 * Files are opened O_NONBLOCK (a FIFO cannot block the open), checked with
 * fstat to be regular files, and read up to a size limit.
 *
 * A fuzzing build (KH_FUZZING) reaches only the layout and font folders. */
#define _GNU_SOURCE /* realpath, mremap */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

static size_t limit_of(const kh_ctx *ctx, unsigned flags) {
  int k = (flags & KH_FILE_BINARY) ? KH_INPUT_BINARY : KH_INPUT_TEXT;
  size_t l = ctx->files.limit[k];
  return l ? l : k == KH_INPUT_BINARY ? KH_DEFAULT_BINARY_LIMIT : KH_DEFAULT_TEXT_LIMIT;
}

/* An error about a named file: at the line naming it when known ("cannot
 * read part 'x.md': ..."), else about the file itself ("x.md: cannot open:
 * ..."). */
enum { CANNOT_READ, OUTSIDE, TOO_LARGE };
static kh_status fail(kh_ctx *ctx, kh_srcpos at, const char *path, kh_status st, int kind,
                      const char *what, const char *name, const char *why) {
  if (kind == OUTSIDE && !at.src)
    return kh_error_file(ctx, path, st,
                         "outside the publication's folder and the layout and font folders "
                         "(allow its folder with --allow-path DIR)");
  if (kind == OUTSIDE)
    return kh_error(ctx, at, st,
                    "%s '%s' is outside the publication's folder and the layout and font "
                    "folders (allow its folder with --allow-path DIR)",
                    what, name);
  if (at.src) {
    if (kind == TOO_LARGE)
      return kh_error(ctx, at, st, "%s '%s' is larger than the limit of %s", what, name, why);
    return kh_error(ctx, at, st, "cannot read %s '%s': %s", what, name, why);
  }
  if (kind == TOO_LARGE) return kh_error_file(ctx, path, st, "larger than the limit of %s", why);
  return kh_error_file(ctx, path, st, "cannot open: %s", why);
}

static int under(const char *real, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/') return real[0] == '/';
  return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

/* `dir` resolved, from the context's list (resolved when first asked):
 * NULL when it does not resolve (asked again next time: it may appear), or
 * when there is no memory to keep it */
static const char *real_dir(kh_ctx *ctx, const char *dir) {
  kh_files *f = &ctx->files;
  for (size_t i = 0; i < f->ndirs; i++)
    if (!strcmp(f->dirs[i].dir, dir)) return f->dirs[i].real;
  struct kh_real_dir *grown = realloc(f->dirs, (f->ndirs + 1) * sizeof *grown);
  if (!grown) return NULL;
  f->dirs = grown;
  char *real = realpath(dir, NULL), *copy = real ? strdup(dir) : NULL;
  if (!copy) {
    free(real);
    return NULL;
  }
  f->dirs[f->ndirs++] = (struct kh_real_dir){copy, real};
  return real;
}

static int under_dir(kh_ctx *ctx, const char *real, const char *dir) {
  if (!dir || !*dir) return 0;
  const char *r = real_dir(ctx, dir);
  return r && under(real, r);
}

static int inside_roots(kh_ctx *ctx, const char *real) {
  if (under_dir(ctx, real, ctx->font_dir) || under_dir(ctx, real, ctx->layout_dir)) return 1;
#ifndef KH_FUZZING
  /* the folders of the search path the user gave (options, environment) */
  for (int k = 0; k < KH_SEARCH_COUNT; k++)
    for (size_t i = 0; i < ctx->search[k].n; i++)
      if (under_dir(ctx, real, ctx->search[k].v[i])) return 1;
  if (ctx->files.root && under(real, ctx->files.root)) return 1;
  for (size_t i = 0; i < ctx->files.nallowed; i++)
    if (under(real, ctx->files.allowed[i])) return 1;
#endif
  return 0;
}

/* Resolves `path`; with KH_FILE_CONFINE it must lie inside the roots. */
static kh_status resolve(kh_ctx *ctx, kh_srcpos at, const char *what, const char *name,
                         const char *path, unsigned flags, char **real) {
  *real = realpath(path, NULL);
  if (!*real) {
    if (errno == ENOMEM) return KH_NOMEM;
    return fail(ctx, at, path, KH_IO, CANNOT_READ, what, name, strerror(errno));
  }
#ifdef KH_FUZZING
  flags |= KH_FILE_CONFINE; /* the fuzzed input never reaches other files */
#endif
  if ((flags & KH_FILE_CONFINE) && !inside_roots(ctx, *real)) {
    free(*real);
    *real = NULL;
    return fail(ctx, at, path, KH_IO, OUTSIDE, what, name, NULL);
  }
  return KH_OK;
}

static kh_status remember(kh_ctx *ctx, const struct stat *st) {
  kh_files *f = &ctx->files;
  if (kh_files_was_read(ctx, (uint64_t)st->st_dev, (uint64_t)st->st_ino)) return KH_OK;
  kh_file_id *grown = realloc(f->read, (f->nread + 1) * sizeof *grown);
  if (!grown) return KH_NOMEM;
  f->read = grown;
  f->read[f->nread++] = (kh_file_id){(uint64_t)st->st_dev, (uint64_t)st->st_ino};
  return KH_OK;
}

static void limit_text(size_t limit, char *buf, size_t n) {
  if (limit >= (1u << 20)) snprintf(buf, n, "%zu MiB", limit >> 20);
  else snprintf(buf, n, "%zu bytes", limit);
}

/* Opens a regular file no larger than the limit; *size its size. */
static kh_status open_regular(kh_ctx *ctx, kh_srcpos at, const char *what, const char *name,
                              const char *path, unsigned flags, int *fd, size_t *size) {
  char *real = NULL;
  kh_status ret = resolve(ctx, at, what, name, path, flags, &real);
  if (ret != KH_OK) return ret;
  *fd = open(real, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  free(real);
  if (*fd < 0)
    return fail(ctx, at, path, KH_IO, CANNOT_READ, what, name, strerror(errno));
  struct stat st;
  size_t limit = limit_of(ctx, flags);
  char why[64];
  if (fstat(*fd, &st) != 0) {
    ret = fail(ctx, at, path, KH_IO, CANNOT_READ, what, name, strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    const char *kind = S_ISDIR(st.st_mode)    ? "it is a folder"
                       : S_ISFIFO(st.st_mode) ? "it is a FIFO, not a regular file"
                       : S_ISSOCK(st.st_mode) ? "it is a socket, not a regular file"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
                           ? "it is a device, not a regular file"
                           : "not a regular file";
    ret = fail(ctx, at, path, KH_IO, CANNOT_READ, what, name, kind);
  } else if ((uint64_t)st.st_size > limit) {
    limit_text(limit, why, sizeof why);
    ret = fail(ctx, at, path, KH_LIMIT, TOO_LARGE, what, name, why);
  } else {
    ret = remember(ctx, &st);
    if (ret == KH_OK) ret = kh_ctx_note_input(ctx, path); /* for --watch */
    *size = (size_t)st.st_size;
  }
  if (ret != KH_OK) {
    close(*fd);
    *fd = -1;
  }
  return ret;
}

size_t kh_file_mapped_len(size_t len) {
  size_t ps = kh_page_size();
  return (len + 1 + ps - 1) / ps * ps;
}

/* An anonymous mapping for `want` bytes (with the NUL: a mapping of
 * kh_file_mapped_len(want - 1)), the old one of `have` bytes moved or
 * resized into it; NULL (the old one kept) when there is no memory. */
static char *map_grow(char *old, size_t have, size_t want) {
  size_t from = old ? kh_file_mapped_len(have - 1) : 0, to = kh_file_mapped_len(want - 1);
  void *p = !old ? mmap(NULL, to, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            : from == to ? old
                         : mremap(old, from, to, MREMAP_MAYMOVE);
  return p == MAP_FAILED ? NULL : p;
}

kh_status kh_file_read(kh_ctx *ctx, kh_srcpos at, const char *what, const char *name,
                       const char *path, unsigned flags, char **data, size_t *len) {
  int fd = -1;
  size_t size = 0;
  *data = NULL;
  *len = 0;
  kh_status ret = open_regular(ctx, at, what, name, path, flags, &fd, &size);
  if (ret != KH_OK) return ret;
  /* the size fstat gives is a hint (a file in /proc says 0): read until the
   * end, never beyond the limit */
  size_t limit = limit_of(ctx, flags), cap = size + 1, n = 0;
  int mapped = (flags & KH_FILE_MAPPED) != 0;
  char *buf = mapped ? map_grow(NULL, 0, cap + 1) : malloc(cap + 1);
  if (!buf) ret = KH_NOMEM;
  while (ret == KH_OK) {
    if (n == cap) {
      if (n > limit) {
        char why[64];
        limit_text(limit, why, sizeof why);
        ret = fail(ctx, at, path, KH_LIMIT, TOO_LARGE, what, name, why);
        break;
      }
      size_t nc = cap * 2 > limit + 1 ? limit + 1 : cap * 2;
      char *g = mapped ? map_grow(buf, cap + 1, nc + 1) : realloc(buf, nc + 1);
      if (!g) {
        ret = KH_NOMEM;
        break;
      }
      buf = g;
      cap = nc;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      ret = fail(ctx, at, path, errno == ENOMEM ? KH_NOMEM : KH_IO, CANNOT_READ, what, name,
                 strerror(errno));
    } else if (r == 0) {
      break;
    } else {
      n += (size_t)r;
    }
  }
  close(fd);
  if (ret != KH_OK) {
    if (mapped && buf) munmap(buf, kh_file_mapped_len(cap));
    else free(buf);
    return ret;
  }
  if (mapped && kh_file_mapped_len(n) < kh_file_mapped_len(cap)) { /* the hint was high */
    char *g = map_grow(buf, cap + 1, n + 1);
    if (!g) {
      munmap(buf, kh_file_mapped_len(cap));
      return KH_NOMEM;
    }
    buf = g;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return KH_OK;
}

kh_status kh_file_map(kh_ctx *ctx, kh_srcpos at, const char *what, const char *name,
                      const char *path, unsigned flags, const void **data, size_t *len) {
  int fd = -1;
  size_t size = 0;
  *data = NULL;
  *len = 0;
  kh_status ret = open_regular(ctx, at, what, name, path, flags | KH_FILE_BINARY, &fd, &size);
  if (ret != KH_OK) return ret;
  if (size == 0) {
    close(fd);
    return fail(ctx, at, path, KH_FONT, CANNOT_READ, what, name, "the file is empty");
  }
  void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  /* no memory for the mapping is the system's failure, not the input's
   * (exit status 3, not 1) */
  if (p == MAP_FAILED)
    return fail(ctx, at, path, err == ENOMEM ? KH_NOMEM : KH_IO, CANNOT_READ, what, name,
                strerror(err));
  *data = p;
  *len = size;
  return KH_OK;
}

kh_status kh_file_check(kh_ctx *ctx, kh_srcpos at, const char *what, const char *name,
                        const char *path, unsigned flags) {
  int fd = -1;
  size_t size = 0;
  kh_status ret = open_regular(ctx, at, what, name, path, flags, &fd, &size);
  if (fd >= 0) close(fd);
  return ret;
}

void kh_file_unmap(const void *data, size_t len) {
  if (data && len) munmap((void *)data, len);
}

kh_status kh_files_set_root(kh_ctx *ctx, const char *dir) {
  free(ctx->files.root);
  ctx->files.root = NULL;
  if (!dir) return KH_OK;
  ctx->files.root = realpath(dir, NULL);
  if (!ctx->files.root)
    return kh_error_file(ctx, dir, KH_IO, "cannot open: %s", strerror(errno));
  return KH_OK;
}

int kh_files_was_read(const kh_ctx *ctx, uint64_t dev, uint64_t ino) {
  for (size_t i = 0; i < ctx->files.nread; i++)
    if (ctx->files.read[i].dev == dev && ctx->files.read[i].ino == ino) return 1;
  return 0;
}

void kh_files_free(kh_files *f) {
  free(f->root);
  for (size_t i = 0; i < f->nallowed; i++) free(f->allowed[i]);
  free(f->allowed);
  free(f->read);
  for (size_t i = 0; i < f->ndirs; i++) {
    free(f->dirs[i].dir);
    free(f->dirs[i].real);
  }
  free(f->dirs);
  memset(f, 0, sizeof *f);
}

kh_status kh_ctx_allow_path(kh_ctx *ctx, const char *dir) {
  char *real = realpath(dir, NULL);
  if (!real) return kh_error_file(ctx, dir, KH_IO, "cannot allow: %s", strerror(errno));
  struct stat st;
  if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
    free(real);
    return kh_error_file(ctx, dir, KH_IO, "cannot allow: not a folder");
  }
  char **grown = realloc(ctx->files.allowed, (ctx->files.nallowed + 1) * sizeof *grown);
  if (!grown) {
    free(real);
    return KH_NOMEM;
  }
  ctx->files.allowed = grown;
  ctx->files.allowed[ctx->files.nallowed++] = real;
  return KH_OK;
}

void kh_ctx_set_size_limit(kh_ctx *ctx, kh_input_kind kind, size_t bytes) {
  if (kind == KH_INPUT_TEXT || kind == KH_INPUT_BINARY) ctx->files.limit[kind] = bytes;
}
