/* base: where layouts and fonts are found.
 *
 * A layout or font named by a path (it holds a '/', or a layout name ends in
 * .yaml) is resolved against the folder of the file that names it, so
 * `layout: ./my.yaml` in a publication finds the layout beside it.  A bare
 * name is looked for, in order, in:
 *   1. folders given by the program (--layout-dir, --font-dir), first given
 *      first;
 *   2. KUMIHAN_LAYOUT_PATH / KUMIHAN_FONT_PATH, colon-separated, and the
 *      older one-folder KUMIHAN_LAYOUT_DIR / KUMIHAN_FONT_DIR (kept as the
 *      last entry of the same list);
 *   3. the installed data: <prefix>/share/kumihan/{layout,fonts}, found from
 *      the location of the program or library itself (so a moved prefix
 *      still works), else from the prefix compiled in.  A program run from
 *      its build tree uses the source tree's layout/ and fonts/ instead.
 * Font families go to fontconfig last, with every font folder above added. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

/* Set by CMake: the build and source trees (for a program run from its
 * build tree), the installed data folder, and the data folder relative to
 * the installed program and library folders. */
#ifndef KH_BUILD_DIR
#define KH_BUILD_DIR ""
#endif
#ifndef KH_SOURCE_DIR
#define KH_SOURCE_DIR ""
#endif
#ifndef KH_INSTALL_DATADIR
#define KH_INSTALL_DATADIR "/usr/local/share/kumihan"
#endif
#ifndef KH_BIN_TO_DATA
#define KH_BIN_TO_DATA "../share/kumihan"
#endif
#ifndef KH_LIB_TO_DATA
#define KH_LIB_TO_DATA "../share/kumihan"
#endif

static const char *const sub[KH_SEARCH_COUNT] = {"layout", "fonts"};

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *str_dup(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

/* The file this code was loaded from: libkumihan.so, or the program that
 * linked libkumihan.a. */
static char *own_path(void) {
  Dl_info info;
  if (dladdr((void *)kh_search_find, &info) && info.dli_fname && strchr(info.dli_fname, '/')) {
    char *r = realpath(info.dli_fname, NULL);
    if (r) return r;
  }
  return realpath("/proc/self/exe", NULL);
}

/* The folder holding layout/ and fonts/, malloc'd; NULL when none. */
static char *find_data_dir(void) {
  char *self = own_path();
  char *found = NULL;
  if (self) {
    size_t bl = strlen(KH_BUILD_DIR);
    if (bl && !strncmp(self, KH_BUILD_DIR, bl) && self[bl] == '/') {
      found = str_dup(KH_SOURCE_DIR, strlen(KH_SOURCE_DIR));
    } else {
      char *slash = strrchr(self, '/');
      if (slash) *slash = '\0';
      const char *rel[] = {KH_BIN_TO_DATA, KH_LIB_TO_DATA};
      for (int i = 0; i < 2 && !found; i++) {
        char *d = kh_path_join(self, rel[i]);
        char *l = d ? kh_path_join(d, "layout") : NULL;
        if (l && is_dir(l)) found = realpath(d, NULL);
        free(l);
        free(d);
      }
    }
    free(self);
  }
  if (!found && is_dir(KH_INSTALL_DATADIR))
    found = str_dup(KH_INSTALL_DATADIR, strlen(KH_INSTALL_DATADIR));
  return found;
}

static kh_status list_add(kh_dirlist *l, const char *dir, size_t n, int front) {
  if (n == 0) return KH_OK; /* an empty entry of a colon-separated list */
  char **grown = realloc(l->v, (l->n + 1) * sizeof *grown);
  if (!grown) return KH_NOMEM;
  l->v = grown;
  char *d = str_dup(dir, n);
  if (!d) return KH_NOMEM;
  if (front) {
    memmove(l->v + l->nfront + 1, l->v + l->nfront, (l->n - l->nfront) * sizeof *l->v);
    l->v[l->nfront++] = d;
  } else {
    l->v[l->n] = d;
  }
  l->n++;
  return KH_OK;
}

static kh_status add_env_path(kh_dirlist *l, const char *value) {
  if (!value) return KH_OK;
  for (const char *p = value;;) {
    const char *c = strchr(p, ':');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    kh_status ret = list_add(l, p, n, 0);
    if (ret != KH_OK || !c) return ret;
    p = c + 1;
  }
}

kh_status kh_search_init(kh_ctx *ctx) {
  static const char *const path_env[KH_SEARCH_COUNT] = {"KUMIHAN_LAYOUT_PATH",
                                                        "KUMIHAN_FONT_PATH"};
  static const char *const dir_env[KH_SEARCH_COUNT] = {"KUMIHAN_LAYOUT_DIR",
                                                       "KUMIHAN_FONT_DIR"};
  kh_status ret = KH_OK;
  for (int k = 0; k < KH_SEARCH_COUNT && ret == KH_OK; k++) {
    ret = add_env_path(&ctx->search[k], getenv(path_env[k]));
    if (ret == KH_OK) ret = add_env_path(&ctx->search[k], getenv(dir_env[k]));
  }
  if (ret != KH_OK) return ret;
  char *data = find_data_dir();
  if (data) {
    ctx->layout_dir = kh_path_join(data, sub[KH_SEARCH_LAYOUT]);
    ctx->font_dir = kh_path_join(data, sub[KH_SEARCH_FONT]);
    free(data);
    if (!ctx->layout_dir || !ctx->font_dir) return KH_NOMEM;
  }
  return KH_OK;
}

kh_status kh_search_prepend(kh_ctx *ctx, kh_search_kind kind, const char *dir) {
  return list_add(&ctx->search[kind], dir, strlen(dir), 1);
}

const char *kh_search_dir(const kh_ctx *ctx, kh_search_kind kind, size_t i) {
  const kh_dirlist *l = &ctx->search[kind];
  if (i < l->n) return l->v[i];
  const char *data = kind == KH_SEARCH_LAYOUT ? ctx->layout_dir : ctx->font_dir;
  return i == l->n ? data : NULL;
}

char *kh_search_find(const kh_ctx *ctx, kh_search_kind kind, const char *file) {
  const char *dir;
  for (size_t i = 0; (dir = kh_search_dir(ctx, kind, i)); i++) {
    char *p = kh_path_join(dir, file);
    if (!p || is_file(p)) return p;
    free(p);
  }
  return NULL;
}

void kh_dirlist_free(kh_dirlist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->nfront = 0;
}

const char *kh_ctx_search_dir(const kh_ctx *ctx, int fonts, size_t i) {
  return kh_search_dir(ctx, fonts ? KH_SEARCH_FONT : KH_SEARCH_LAYOUT, i);
}

kh_status kh_ctx_note_input(kh_ctx *ctx, const char *path) {
  for (size_t i = 0; i < ctx->inputs.n; i++)
    if (!strcmp(ctx->inputs.v[i], path)) return KH_OK;
  return list_add(&ctx->inputs, path, strlen(path), 0);
}

const char *kh_ctx_input(const kh_ctx *ctx, size_t i) {
  return i < ctx->inputs.n ? ctx->inputs.v[i] : NULL;
}
