/* style: the layout file.
 *
 * layout/<name>.yaml gives the page, its line grid (hanmen), the fonts, the
 * composite faces, the paragraph styles and the page templates.  Lengths are
 * numbers in pt or strings with a unit (mm, cm, in, pt); style indents are
 * in ems of the grid.  Every key is checked: an unknown one is an error at
 * its line. */
#include <dirent.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <math.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "style/style.h"

typedef struct loader {
  kh_ctx *ctx;
  kh_layout *L;
  const char *dir; /* the layout file's folder: font paths are relative to it */
  FcConfig *fc; /* our own fontconfig configuration, made on first use and
                   destroyed when the layout is loaded: no global state */
  kh_status first; /* the first error gone past (go_on) */
} loader;

/* An error the loader can go past: a bad value, an unknown key, a font not
 * found.  It was reported where it was found; it is remembered, the entry
 * keeps its name (so what refers to it finds it), and loading goes on, so
 * one run shows every error of the file, as for Markdown (up to the
 * context's error limit).  Running out of memory or a library failing
 * stops at once. */
static kh_status go_on(loader *ld, kh_status st) {
  if (st == KH_OK || st == KH_NOMEM || st == KH_LIBRARY) return st;
  if (ld->first == KH_OK) ld->first = st;
  return KH_OK;
}

/* A length from `lo` to `hi` pt: a number in pt or a string with a unit.
 * Every length has a documented range (docs in README), so nothing
 * downstream sees NaN, an infinity, zero or a negative size. */
static kh_status length_in(kh_ctx *ctx, const kh_yaml *y, double lo, double hi, kh_fixed *out) {
  kh_status ret = kh_yaml_expect(ctx, y, KH_YAML_SCALAR);
  if (ret != KH_OK) return ret;
  char *end;
  double v = strtod(y->scalar, &end);
  double scale = 1;
  if (end == y->scalar || !isfinite(v)) goto bad;
  if (!strcmp(end, "mm")) scale = 72 / 25.4;
  else if (!strcmp(end, "cm")) scale = 72 / 2.54;
  else if (!strcmp(end, "in")) scale = 72;
  else if (!strcmp(end, "pt") || !*end) scale = 1;
  else goto bad;
  v *= scale;
  if (!(v >= lo && v <= hi))
    return kh_error(ctx, y->pos, KH_SYNTAX, "'%s' must be from %g pt to %g pt, not '%s'",
                    y->key ? y->key : "value", lo, hi, y->scalar);
  *out = KH_PT(v);
  return KH_OK;
bad:
  return kh_error(ctx, y->pos, KH_SYNTAX, "'%s' must be a length (e.g. 12pt, 20mm), not '%s'",
                  y->key ? y->key : "value", y->scalar);
}

/* Ranges of the layout's lengths, in pt.  A page at most 200 in (the
 * largest a PDF page may be); type from 2 to 144 pt. */
#define PAGE_MIN 72.0
#define PAGE_MAX 14400.0
#define TYPE_MIN 2.0
#define TYPE_MAX 144.0
#define PITCH_MAX 300.0
#define RULE_MAX 10.0

static kh_status length(kh_ctx *ctx, const kh_yaml *y, kh_fixed *out) {
  return length_in(ctx, y, 0, PAGE_MAX, out);
}

/* An amount of ems from lo to hi. */
static kh_status ems(kh_ctx *ctx, const kh_yaml *y, double lo, double hi, double *out) {
  double v = 0;
  kh_status ret = kh_yaml_number(ctx, y, &v);
  if (ret == KH_OK && !(v >= lo && v <= hi))
    ret = kh_error(ctx, y->pos, KH_SYNTAX, "'%s' must be from %g to %g em", y->key, lo, hi);
  if (ret == KH_OK) *out = v; /* a value in error is never used: loading goes on */
  return ret;
}

static kh_status integer(kh_ctx *ctx, const kh_yaml *y, int lo, int hi, int *out) {
  double v;
  kh_status ret = kh_yaml_number(ctx, y, &v);
  if (ret != KH_OK) return ret;
  if (v < lo || v > hi || v != (int)v)
    return kh_error(ctx, y->pos, KH_SYNTAX, "'%s' must be a whole number from %d to %d",
                    y->key, lo, hi);
  *out = (int)v;
  return KH_OK;
}

static kh_status boolean(kh_ctx *ctx, const kh_yaml *y, int *out) {
  kh_status ret = kh_yaml_expect(ctx, y, KH_YAML_SCALAR);
  if (ret != KH_OK) return ret;
  if (!strcmp(y->scalar, "true") || !strcmp(y->scalar, "yes")) *out = 1;
  else if (!strcmp(y->scalar, "false") || !strcmp(y->scalar, "no")) *out = 0;
  else return kh_error(ctx, y->pos, KH_SYNTAX, "'%s' must be true or false", y->key);
  return KH_OK;
}

/* The keys of each section, for the nearest-name suggestion of an unknown
 * key (docs/layout.md documents them). */
static const char *const font_keys[] = {"file", "family", NULL};
static const char *const face_keys[] = {"ja", "latin", "emoji", "latin-rise", "latin-scale", NULL};
static const char *const style_keys[] = {
    "face", "strong", "code", "size", "indent", "indent-after-heading", "left", "right",
    "space-before", "space-after", "lines", "outline", "box", "keep-with-next", "marker",
    "bullets", "numbers", "marker-gap", "align", NULL};
static const char *const template_keys[] = {"folio", "label-box",    "page",        "grid",
                                            "head",  "foot", "writing-mode", NULL};
static const char *const page_keys[] = {"width", "height", "top", NULL};
static const char *const grid_keys[] = {"size", "chars", "lines", "pitch", "writing-mode", NULL};

/* An unknown key: an error at its line, with the nearest known one. */
static kh_status unknown_near(kh_ctx *ctx, const kh_yaml *k, const char *where,
                              const char *const *names) {
  const char *near = kh_nearest(k->key, names);
  if (near)
    return kh_error(ctx, k->key_pos, KH_SYNTAX, "unknown %s key '%s'; did you mean '%s'?", where,
                    k->key, near);
  return kh_error(ctx, k->key_pos, KH_SYNTAX, "unknown %s key '%s'", where, k->key);
}

static kh_status unknown(kh_ctx *ctx, const kh_yaml *k, const char *where) {
  static const struct { const char *where; const char *const *names; } sections[] = {
      {"font", font_keys},           {"face", face_keys}, {"style", style_keys},
      {"page template", template_keys}, {"page", page_keys}, {"grid", grid_keys}};
  for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
    if (!strcmp(sections[i].where, where)) return unknown_near(ctx, k, where, sections[i].names);
  return unknown_near(ctx, k, where, NULL);
}

/* `pdf-a: true | false`: PDF/A-2u conformance (the default), or a file
 * without the output intent's ICC profile for those who want the smallest. */
static kh_status read_pdf_a(kh_ctx *ctx, const kh_yaml *s, int *out) {
  kh_status ret = kh_yaml_expect(ctx, s, KH_YAML_SCALAR);
  if (ret != KH_OK) return ret;
  if (!strcmp(s->scalar, "true")) *out = 1;
  else if (!strcmp(s->scalar, "false")) *out = 0;
  else return kh_error(ctx, s->pos, KH_SYNTAX, "pdf-a must be true or false");
  return KH_OK;
}

static int count(const kh_yaml *y) {
  int n = 0;
  for (const kh_yaml *c = y ? y->child : NULL; c; c = c->next) n++;
  return n;
}

/* A section that is a mapping of named entries: a zeroed table for them. */
static kh_status table_for(loader *ld, const kh_yaml *y, size_t elem, void **out) {
  kh_status ret = kh_yaml_expect(ld->ctx, y, KH_YAML_MAPPING);
  if (ret != KH_OK) return ret;
  *out = kh_arena_alloc(ld->L->arena, (size_t)(count(y) + 1) * elem);
  return *out ? KH_OK : KH_NOMEM;
}

static int font_index(const kh_layout *L, const char *name) {
  for (int i = 0; i < L->nfonts; i++)
    if (!strcmp(L->fonts[i].name, name)) return i;
  return -1;
}

static int face_index(const kh_layout *L, const char *name) {
  for (int i = 0; i < L->nfaces; i++)
    if (!strcmp(L->faces[i].name, name)) return i;
  return -1;
}

/* A font file: a path (it holds a '/') relative to the layout's folder;
 * a bare name in the layout's folder, then along the font search path
 * (base/search.c).  Malloc'd; NULL when not found. */
static char *font_file(loader *ld, const char *file) {
  char *p = kh_path_join(ld->dir, file);
  if (!p || strchr(file, '/') || access(p, R_OK) == 0) return p;
  free(p);
  return kh_search_find(ld->ctx, KH_SEARCH_FONT, file);
}

/* Every font folder of the search path, for fontconfig. */
static void add_font_dirs(loader *ld) {
  const char *d;
  for (size_t i = 0; (d = kh_search_dir(ld->ctx, KH_SEARCH_FONT, i)); i++)
    FcConfigAppFontAddDir(ld->fc, (const FcChar8 *)d);
}

/* A font is a file name (see font_file) or {family: name} resolved through
 * fontconfig. */
static kh_status font_entry(loader *ld, const kh_yaml *k, kh_font_ref *f) {
  kh_ctx *ctx = ld->ctx;
  f->name = k->key;
  f->pos = k->pos;
  const char *file = NULL, *family = NULL;
  if (k->kind == KH_YAML_SCALAR) {
    file = k->scalar;
  } else {
    kh_status ret = kh_yaml_expect(ctx, k, KH_YAML_MAPPING);
    if (ret != KH_OK) return ret;
    for (const kh_yaml *c = k->child; c; c = c->next) {
      if ((ret = kh_yaml_expect(ctx, c, KH_YAML_SCALAR)) != KH_OK) return ret;
      if (!strcmp(c->key, "file")) file = c->scalar;
      else if (!strcmp(c->key, "family")) family = c->scalar;
      else return unknown(ctx, c, "font");
    }
  }
  if (file) {
    char *p = font_file(ld, file);
    if (!p) return kh_error(ctx, k->pos, KH_FONT,
                            "cannot read font '%s': no file '%s' in the layout's folder or "
                            "the font search path (see kumihan --help)", k->key, file);
    f->path = kh_arena_strndup(ld->L->arena, p, strlen(p));
    free(p);
    return f->path ? KH_OK : KH_NOMEM;
  }
  if (!family) return kh_error(ctx, k->pos, KH_SYNTAX, "font '%s' needs a file or a family", k->key);
#ifdef KH_FUZZING /* fontconfig reads the system's configuration and fonts */
  return kh_error(ctx, k->pos, KH_UNSUPPORTED, "font families are not looked up when fuzzing");
#endif
  f->system = 1; /* installed on the system, found by fontconfig */
  /* the bundled fonts are found by family too, on every machine */
  if (!ld->fc) {
    if (!(ld->fc = FcInitLoadConfigAndFonts()))
      return kh_error(ctx, k->pos, KH_LIBRARY, "fontconfig cannot be initialised");
    add_font_dirs(ld);
  }
  FcPattern *pat = FcNameParse((const FcChar8 *)family);
  FcResult res;
  FcPattern *match = NULL;
  FcChar8 *path = NULL;
  kh_status ret = KH_OK;
  if (pat && FcConfigSubstitute(ld->fc, pat, FcMatchPattern)) {
    FcDefaultSubstitute(pat);
    match = FcFontMatch(ld->fc, pat, &res);
  }
  FcChar8 *got = NULL;
  if (match && FcPatternGetString(match, FC_FAMILY, 0, &got) == FcResultMatch &&
      !strstr((const char *)family, (const char *)got) &&
      !strstr((const char *)got, (const char *)family))
    ret = kh_error(ctx, k->pos, KH_FONT, "font family '%s' is not installed", family);
  else if (!match || FcPatternGetString(match, FC_FILE, 0, &path) != FcResultMatch)
    ret = kh_error(ctx, k->pos, KH_FONT, "font family '%s' is not installed", family);
  else if (!(f->path = kh_arena_strndup(ld->L->arena, (const char *)path,
                                        strlen((const char *)path))))
    ret = KH_NOMEM;
  if (match) FcPatternDestroy(match);
  if (pat) FcPatternDestroy(pat);
  return ret;
}

static kh_status read_fonts(loader *ld, const kh_yaml *y) {
  kh_layout *L = ld->L;
  kh_status ret = table_for(ld, y, sizeof *L->fonts, (void **)&L->fonts);
  if (ret != KH_OK) return ret;
  for (const kh_yaml *k = y->child; k; k = k->next) {
    ret = go_on(ld, font_entry(ld, k, &L->fonts[L->nfonts]));
    L->nfonts++; /* named even when in error: faces find it */
    if (ret != KH_OK) return ret;
  }
  return KH_OK;
}

/* A reference by name to an entry of 'fonts' or of 'faces'. */
static kh_status ref(loader *ld, const kh_yaml *y, int face, int *out) {
  kh_status ret = kh_yaml_expect(ld->ctx, y, KH_YAML_SCALAR);
  if (ret != KH_OK) return ret;
  *out = face ? face_index(ld->L, y->scalar) : font_index(ld->L, y->scalar);
  if (*out < 0)
    return kh_error(ld->ctx, y->pos, KH_SYNTAX, "no %s named '%s' in '%s'",
                    face ? "face" : "font", y->scalar, face ? "faces" : "fonts");
  return KH_OK;
}

static kh_status font_ref(loader *ld, const kh_yaml *y, int *out) { return ref(ld, y, 0, out); }
static kh_status face_ref(loader *ld, const kh_yaml *y, int *out) { return ref(ld, y, 1, out); }

static kh_status read_faces(loader *ld, const kh_yaml *y) {
  kh_layout *L = ld->L;
  kh_status ret = table_for(ld, y, sizeof *L->faces, (void **)&L->faces);
  if (ret != KH_OK) return ret;
  for (const kh_yaml *k = y->child; k; k = k->next) {
    kh_face *f = &L->faces[L->nfaces];
    f->name = k->key;
    f->latin_scale = 1000;
    for (int s = 0; s < KH_SCRIPT_COUNT; s++) f->font[s] = -1;
    L->nfaces++; /* named even when in error: styles find it */
    if (k->kind == KH_YAML_SCALAR) { /* one font for every script */
      int fi = -1;
      if ((ret = go_on(ld, font_ref(ld, k, &fi))) != KH_OK) return ret;
      f->font[KH_SCRIPT_JA] = f->font[KH_SCRIPT_LATIN] = fi;
    } else {
      if ((ret = go_on(ld, kh_yaml_expect(ld->ctx, k, KH_YAML_MAPPING))) != KH_OK) return ret;
      for (const kh_yaml *c = k->child; k->kind == KH_YAML_MAPPING && c; c = c->next) {
        if (!strcmp(c->key, "ja")) ret = font_ref(ld, c, &f->font[KH_SCRIPT_JA]);
        else if (!strcmp(c->key, "latin")) ret = font_ref(ld, c, &f->font[KH_SCRIPT_LATIN]);
        else if (!strcmp(c->key, "emoji")) ret = font_ref(ld, c, &f->font[KH_SCRIPT_EMOJI]);
        else if (!strcmp(c->key, "latin-rise")) {
          double v;
          ret = kh_yaml_number(ld->ctx, c, &v);
          if (ret == KH_OK && (v < -0.5 || v > 0.5))
            ret = kh_error(ld->ctx, c->pos, KH_SYNTAX, "latin-rise must be from -0.5 to 0.5 em");
          if (ret == KH_OK) f->latin_rise = (int)(v * 1000 + (v < 0 ? -0.5 : 0.5));
        } else if (!strcmp(c->key, "latin-scale")) {
          double v;
          ret = kh_yaml_number(ld->ctx, c, &v);
          if (ret == KH_OK && (v < 0.5 || v > 2))
            ret = kh_error(ld->ctx, c->pos, KH_SYNTAX, "latin-scale must be from 0.5 to 2");
          if (ret == KH_OK) f->latin_scale = (int)(v * 1000 + 0.5);
        } else ret = unknown(ld->ctx, c, "face");
        if ((ret = go_on(ld, ret)) != KH_OK) return ret;
      }
      if (k->kind == KH_YAML_MAPPING && !kh_yaml_get(k, "ja"))
        ret = go_on(ld, kh_error(ld->ctx, k->pos, KH_SYNTAX, "face '%s' needs a 'ja' font", k->key));
      if (ret != KH_OK) return ret;
      if (f->font[KH_SCRIPT_LATIN] < 0) f->font[KH_SCRIPT_LATIN] = f->font[KH_SCRIPT_JA];
    }
  }
  return KH_OK;
}


/* A list of marker forms per nesting level (style/list.c). */
static kh_status marker_list(loader *ld, const kh_yaml *y, const char ***out, int *n) {
  kh_status ret = kh_yaml_expect(ld->ctx, y, KH_YAML_SEQUENCE);
  if (ret != KH_OK) return ret;
  int count = 0;
  for (const kh_yaml *c = y->child; c; c = c->next) count++;
  if (count == 0 || count > 10)
    return kh_error(ld->ctx, y->pos, KH_SYNTAX, "'%s' lists 1 to 10 markers, one per level", y->key);
  const char **v = kh_arena_alloc(ld->L->arena, (size_t)count * sizeof *v);
  if (!v) return KH_NOMEM;
  count = 0;
  for (const kh_yaml *c = y->child; c; c = c->next) {
    if ((ret = kh_yaml_expect(ld->ctx, c, KH_YAML_SCALAR)) != KH_OK) return ret;
    if (!*c->scalar || strlen(c->scalar) > 40)
      return kh_error(ld->ctx, c->pos, KH_SYNTAX, "a list marker is 1 to 40 bytes");
    v[count++] = c->scalar;
  }
  *out = v;
  *n = count;
  return KH_OK;
}

static kh_status read_style(loader *ld, const kh_yaml *k, kh_pstyle *st) {
  kh_ctx *ctx = ld->ctx;
  const kh_layout *L = ld->L;
  kh_status ret = kh_yaml_expect(ctx, k, KH_YAML_MAPPING);
  if (ret != KH_OK) return ret;
  st->name = k->key;
  double em_indent = 1, em_left = 0, em_right = 0, em_after = -1000;
  int have_size = 0;
  for (const kh_yaml *c = k->child; c; c = c->next) {
    const char *key = c->key;
    if (!strcmp(key, "face")) ret = face_ref(ld, c, &st->face);
    else if (!strcmp(key, "strong")) ret = face_ref(ld, c, &st->strong_face);
    else if (!strcmp(key, "code")) ret = face_ref(ld, c, &st->code_face);
    else if (!strcmp(key, "size"))
      ret = length_in(ctx, c, TYPE_MIN, TYPE_MAX, &st->size), have_size = 1;
    else if (!strcmp(key, "indent")) ret = ems(ctx, c, -L->grid_chars, L->grid_chars, &em_indent);
    else if (!strcmp(key, "indent-after-heading"))
      ret = ems(ctx, c, -L->grid_chars, L->grid_chars, &em_after);
    else if (!strcmp(key, "left")) ret = ems(ctx, c, 0, L->grid_chars, &em_left);
    else if (!strcmp(key, "right")) ret = ems(ctx, c, 0, L->grid_chars, &em_right);
    else if (!strcmp(key, "space-before")) ret = integer(ctx, c, 0, 20, &st->space_before);
    else if (!strcmp(key, "space-after")) ret = integer(ctx, c, 0, 20, &st->space_after);
    else if (!strcmp(key, "lines")) ret = integer(ctx, c, 0, 10, &st->lines);
    else if (!strcmp(key, "outline")) ret = integer(ctx, c, 0, 6, &st->outline);
    else if (!strcmp(key, "box")) ret = boolean(ctx, c, &st->box);
    else if (!strcmp(key, "keep-with-next")) ret = boolean(ctx, c, &st->keep_with_next);
    else if (!strcmp(key, "marker")) {
      if ((ret = kh_yaml_expect(ctx, c, KH_YAML_SCALAR)) == KH_OK) st->marker = c->scalar;
    } else if (!strcmp(key, "bullets")) ret = marker_list(ld, c, &st->bullets, &st->nbullets);
    else if (!strcmp(key, "numbers")) ret = marker_list(ld, c, &st->numbers, &st->nnumbers);
    else if (!strcmp(key, "marker-gap")) {
      double v;
      if ((ret = kh_yaml_number(ctx, c, &v)) == KH_OK && !(v >= 0 && v <= 4))
        ret = kh_error(ctx, c->pos, KH_SYNTAX, "marker-gap must be from 0 to 4 em");
      if (ret == KH_OK) st->marker_gap = kh_fixed_muldiv(L->grid_size, (int64_t)(v * 4096), 4096);
    } else if (!strcmp(key, "align")) {
      if ((ret = go_on(ld, kh_yaml_expect(ctx, c, KH_YAML_SCALAR))) != KH_OK) return ret;
      if (c->kind != KH_YAML_SCALAR) continue;
      static const char *names[] = {"default", "left", "center", "right", "justify"};
      st->align = (kh_align)-1;
      for (int i = 0; i < 5; i++)
        if (!strcmp(c->scalar, names[i])) st->align = (kh_align)i;
      if ((int)st->align < 0)
        ret = kh_error(ctx, c->pos, KH_SYNTAX,
                       "align must be left, center, right or justify, not '%s'", c->scalar);
    } else ret = unknown(ctx, c, "style");
    if ((ret = go_on(ld, ret)) != KH_OK) return ret;
  }
  if (!have_size) st->size = L->grid_size;
  /* every line keeps at least two ems of the grid, and no first line starts
   * left of the text block */
  double first = em_left + (em_after > -1000 && em_after > em_indent ? em_after : em_indent);
  if (em_left + em_right + (first > em_left ? first - em_left : 0) > L->grid_chars - 2 ||
      em_left + em_indent < 0 || (em_after > -1000 && em_left + em_after < 0))
    return go_on(ld, kh_error(ctx, k->key_pos, KH_SYNTAX,
                              "style '%s': its indents leave less than 2 characters of the "
                              "%d-character line, or start a line outside it",
                              k->key, L->grid_chars));
  /* body's strong and code faces default to its own face */
  if (!strcmp(k->key, "body")) {
    if (!kh_yaml_get(k, "strong")) st->strong_face = st->face;
    if (!kh_yaml_get(k, "code")) st->code_face = st->face;
  }
  /* indents are in ems of the grid, so lines stay on the character grid */
  st->indent = kh_fixed_muldiv(L->grid_size, (int64_t)(em_indent * 4096), 4096);
  st->left = kh_fixed_muldiv(L->grid_size, (int64_t)(em_left * 4096), 4096);
  st->right = kh_fixed_muldiv(L->grid_size, (int64_t)(em_right * 4096), 4096);
  st->indent_after_heading =
      em_after > -1000 ? kh_fixed_muldiv(L->grid_size, (int64_t)(em_after * 4096), 4096)
                       : st->indent;
  return KH_OK;
}

static kh_status read_styles(loader *ld, const kh_yaml *y) {
  kh_layout *L = ld->L;
  kh_status ret = table_for(ld, y, sizeof *L->styles, (void **)&L->styles);
  if (ret != KH_OK) return ret;
  const kh_yaml *body = kh_yaml_get(y, "body");
  if (!body) return kh_error(ld->ctx, y->pos, KH_SYNTAX, "'styles' needs a 'body' style");
  kh_pstyle defaults = {0};
  /* every style inherits from body what it does not say */
  if ((ret = go_on(ld, read_style(ld, body, &defaults))) != KH_OK) return ret;
  for (const kh_yaml *k = y->child; k; k = k->next) {
    kh_pstyle *st = &L->styles[L->nstyles++];
    *st = defaults;
    if (k == body) { /* read once: its errors are told once */
      if (!kh_yaml_get(k, "marker-gap")) st->marker_gap = L->grid_size / 2;
      continue;
    }
    st->marker = NULL;
    st->bullets = st->numbers = NULL;
    st->nbullets = st->nnumbers = 0;
    st->marker_gap = L->grid_size / 2; /* a number and its text: half an em */
    st->outline = 0;
    if ((ret = go_on(ld, read_style(ld, k, st))) != KH_OK) return ret;
    if (!kh_yaml_get(k, "strong")) st->strong_face = defaults.strong_face;
    if (!kh_yaml_get(k, "code")) st->code_face = defaults.code_face;
  }
  return KH_OK;
}

/* Paper sizes by name, portrait, in mm.  B sizes are JIS B (JIS P 0138),
 * the B5 and B4 of Japanese offices, not ISO B. */
static const struct paper {
  const char *name;
  double w, h;
} papers[] = {
    {"A3", 297, 420}, {"A4", 210, 297}, {"A5", 148, 210}, {"A6", 105, 148},
    {"B4", 257, 364}, {"B5", 182, 257}, {"B6", 128, 182},
    {"Letter", 215.9, 279.4}, {"Legal", 215.9, 355.6},
};

/* `page:` of the layout or of a page template: the paper (size by name, or
 * width and height), its orientation, and the text block's top and left
 * margins (centred when not given). */
static kh_status read_page(loader *ld, const kh_yaml *y, kh_geometry *g) {
  kh_ctx *ctx = ld->ctx;
  kh_status ret = kh_yaml_expect(ctx, y, KH_YAML_MAPPING);
  int orientation = -1;
  for (const kh_yaml *c = y->child; ret == KH_OK && c; c = c->next, ret = go_on(ld, ret)) {
    if (!strcmp(c->key, "width")) ret = length_in(ctx, c, PAGE_MIN, PAGE_MAX, &g->page_w);
    else if (!strcmp(c->key, "height")) ret = length_in(ctx, c, PAGE_MIN, PAGE_MAX, &g->page_h);
    else if (!strcmp(c->key, "top")) ret = length(ctx, c, &g->margin_top);
    else if (!strcmp(c->key, "left")) ret = length(ctx, c, &g->margin_left);
    else if (!strcmp(c->key, "size")) {
      if ((ret = kh_yaml_expect(ctx, c, KH_YAML_SCALAR)) != KH_OK) continue;
      size_t i = 0, n = sizeof papers / sizeof papers[0];
      while (i < n && strcasecmp(papers[i].name, c->scalar)) i++;
      if (i == n)
        ret = kh_error(ctx, c->pos, KH_SYNTAX,
                       "page size must be A3, A4, A5, A6, B4, B5, B6, Letter or Legal "
                       "(or width and height), not '%s'", c->scalar);
      else {
        g->page_w = KH_PT(papers[i].w * 72 / 25.4);
        g->page_h = KH_PT(papers[i].h * 72 / 25.4);
      }
    } else if (!strcmp(c->key, "orientation")) {
      if ((ret = kh_yaml_expect(ctx, c, KH_YAML_SCALAR)) != KH_OK) continue;
      if (!strcmp(c->scalar, "portrait")) orientation = 0;
      else if (!strcmp(c->scalar, "landscape")) orientation = 1;
      else ret = kh_error(ctx, c->pos, KH_SYNTAX,
                          "orientation must be portrait or landscape, not '%s'", c->scalar);
    } else ret = unknown(ctx, c, "page");
  }
  if (ret == KH_OK && orientation >= 0) {
    g->landscape = orientation;
    if ((orientation == 1) != (g->page_w > g->page_h)) {
      kh_fixed t = g->page_w;
      g->page_w = g->page_h;
      g->page_h = t;
    }
  }
  return ret;
}

/* `writing-mode: horizontal | vertical` of the layout, a page template or
 * a grid. */
static kh_status writing_mode(kh_ctx *ctx, const kh_yaml *c, kh_geometry *g) {
  kh_status ret = kh_yaml_expect(ctx, c, KH_YAML_SCALAR);
  if (ret != KH_OK) return ret;
  if (!strcmp(c->scalar, "horizontal")) g->writing_mode = KH_WRITING_HORIZONTAL;
  else if (!strcmp(c->scalar, "vertical")) g->writing_mode = KH_WRITING_VERTICAL;
  else
    ret = kh_error(ctx, c->pos, KH_SYNTAX, "writing-mode must be horizontal or vertical, not '%s'",
                   c->scalar);
  return ret;
}

/* `grid:` of the layout or of a page template. */
static kh_status read_grid(loader *ld, const kh_yaml *y, kh_geometry *g) {
  kh_ctx *ctx = ld->ctx;
  kh_status ret = kh_yaml_expect(ctx, y, KH_YAML_MAPPING);
  for (const kh_yaml *c = y->child; ret == KH_OK && c; c = c->next, ret = go_on(ld, ret)) {
    if (!strcmp(c->key, "size")) ret = length_in(ctx, c, TYPE_MIN, TYPE_MAX, &g->grid_size);
    else if (!strcmp(c->key, "chars")) ret = integer(ctx, c, 5, 200, &g->grid_chars);
    else if (!strcmp(c->key, "lines")) ret = integer(ctx, c, 2, 200, &g->grid_lines);
    else if (!strcmp(c->key, "pitch")) ret = length_in(ctx, c, TYPE_MIN, PITCH_MAX, &g->line_pitch);
    else if (!strcmp(c->key, "writing-mode")) ret = writing_mode(ctx, c, g);
    else ret = unknown(ctx, c, "grid");
  }
  return ret;
}

/* The text block follows from the grid; it is centred where the margins
 * are not given, and must fit the paper. */
static kh_status finish_geometry(kh_ctx *ctx, kh_srcpos pos, kh_geometry *g) {
  if (g->line_pitch < g->grid_size)
    return kh_error(ctx, pos, KH_SYNTAX, "the grid's pitch is smaller than its size");
  g->text_w = g->grid_size * g->grid_chars;
  g->text_h = g->line_pitch * (g->grid_lines - 1) + g->grid_size;
  /* the block on the paper: vertical lines are columns */
  int vertical = g->writing_mode == KH_WRITING_VERTICAL;
  kh_fixed paper_w = vertical ? g->text_h : g->text_w;
  kh_fixed paper_h = vertical ? g->text_w : g->text_h;
  if (g->margin_left < 0) g->margin_left = (g->page_w - paper_w) / 2;
  if (g->margin_top < 0) g->margin_top = (g->page_h - paper_h) / 2;
  if (g->margin_left < 0 || g->margin_top < 0 || g->margin_left + paper_w > g->page_w ||
      g->margin_top + paper_h > g->page_h)
    return kh_error(ctx, pos, KH_SYNTAX, "the grid (%d x %d) does not fit the page",
                    g->grid_chars, g->grid_lines);
  return KH_OK;
}

/* A running head or foot: a text (centred), or {left, center, right}. */
static kh_status read_slots(loader *ld, const kh_yaml *y, const char **slots) {
  kh_ctx *ctx = ld->ctx;
  kh_status ret = KH_OK;
  if (y->kind == KH_YAML_SCALAR) {
    slots[KH_SLOT_CENTER] = y->scalar;
    return KH_OK;
  }
  if ((ret = kh_yaml_expect(ctx, y, KH_YAML_MAPPING)) != KH_OK) return ret;
  static const char *names[] = {"left", "center", "right"};
  for (const kh_yaml *c = y->child; c; c = c->next) {
    int i = 0;
    while (i < KH_SLOT_COUNT && strcmp(names[i], c->key)) i++;
    if (i == KH_SLOT_COUNT) return unknown(ctx, c, y->key);
    if ((ret = kh_yaml_expect(ctx, c, KH_YAML_SCALAR)) != KH_OK) return ret;
    /* fields are checked here, so a misspelt one is an error at its line */
    for (const char *p = strchr(c->scalar, '{'); p; p = strchr(p + 1, '{')) {
      static const char *fields[] = {"page", "pages", "title", "part", "section", "date", "label"};
      const char *e = strchr(p, '}');
      size_t f = 0, nf = sizeof fields / sizeof fields[0];
      while (e && f < nf && (strlen(fields[f]) != (size_t)(e - p - 1) ||
                             strncmp(fields[f], p + 1, (size_t)(e - p - 1))))
        f++;
      if (!e || f == nf)
        return kh_error(ctx, c->pos, KH_SYNTAX,
                        "unknown field in '%s' (known: {page} {pages} {title} {part} {section} "
                        "{date} {label})", c->scalar);
    }
    slots[i] = c->scalar;
  }
  return KH_OK;
}

/* Every style a layout defines is one the engine uses, alone or after a
 * page template's name ("attachment.title"): a misspelt name would never
 * apply, in silence. */
static kh_status check_style_names(loader *ld, const kh_yaml *styles) {
  const kh_layout *L = ld->L;
  const char *names[64];
  size_t n = 0;
  for (const kh_style_name *s = kh_style_names; s->name && n < 63; s++) names[n++] = s->name;
  names[n] = NULL;
  for (const kh_yaml *k = styles->child; k; k = k->next) {
    const char *name = k->key, *dot = strchr(name, '.');
    if (dot) {
      char tpl[128];
      size_t tl = (size_t)(dot - name);
      snprintf(tpl, sizeof tpl, "%.*s", (int)(tl < sizeof tpl ? tl : sizeof tpl - 1), name);
      if (!kh_layout_page(L, tpl)) {
        const char *tnames[65];
        int m = 0;
        for (int i = 0; i < L->npages && m < 64; i++) tnames[m++] = L->pages[i].name;
        tnames[m] = NULL;
        const char *near = kh_nearest(tpl, tnames);
        kh_status ret = go_on(ld, kh_error(ld->ctx, k->key_pos, KH_SYNTAX,
                                           "style '%s' names page template '%s', which 'pages' "
                                           "does not define%s%s%s",
                                           name, tpl, near ? "; did you mean '" : "",
                                           near ? near : "", near ? "'?" : ""));
        if (ret != KH_OK) return ret;
        continue;
      }
      name = dot + 1;
    }
    if (!kh_style_known(name)) {
      const char *near = kh_nearest(name, names);
      kh_status ret = go_on(ld, kh_error(ld->ctx, k->key_pos, KH_SYNTAX,
                                         "unknown style '%s' (docs/layout.md lists the "
                                         "styles)%s%s%s", name, near ? "; did you mean '" : "",
                                         near ? near : "", near ? "'?" : ""));
      if (ret != KH_OK) return ret;
    }
  }
  return KH_OK;
}

static kh_status read_pages(loader *ld, const kh_yaml *y) {
  kh_layout *L = ld->L;
  kh_status ret = table_for(ld, y, sizeof *L->pages, (void **)&L->pages);
  if (ret != KH_OK) return ret;
  for (const kh_yaml *k = y->child; k; k = k->next) {
    kh_page_tpl *p = &L->pages[L->npages++];
    p->name = k->key;
    p->pos = k->key_pos;
    p->geom = L->geom; /* before the layout's own is finished */
    int geom_ok = k->kind == KH_YAML_MAPPING;
    if ((ret = go_on(ld, kh_yaml_expect(ld->ctx, k, KH_YAML_MAPPING))) != KH_OK) return ret;
    for (const kh_yaml *c = k->kind == KH_YAML_MAPPING ? k->child : NULL; c; c = c->next) {
      int geom = 0;
      if (!strcmp(c->key, "folio")) ret = boolean(ld->ctx, c, &p->folio);
      else if (!strcmp(c->key, "label-box")) ret = boolean(ld->ctx, c, &p->label_box);
      else if (!strcmp(c->key, "page")) ret = read_page(ld, c, &p->geom), geom = 1;
      else if (!strcmp(c->key, "grid")) ret = read_grid(ld, c, &p->geom), geom = 1;
      else if (!strcmp(c->key, "writing-mode")) ret = writing_mode(ld->ctx, c, &p->geom), geom = 1;
      else if (!strcmp(c->key, "head")) ret = read_slots(ld, c, p->head);
      else if (!strcmp(c->key, "foot")) ret = read_slots(ld, c, p->foot);
      else ret = unknown(ld->ctx, c, "page template");
      if (ret != KH_OK && geom) geom_ok = 0;
      if ((ret = go_on(ld, ret)) != KH_OK) return ret;
    }
    if (p->folio && !p->foot[KH_SLOT_CENTER]) p->foot[KH_SLOT_CENTER] = "{page}";
    /* a page or grid in error says nothing of whether the rest fits */
    if (geom_ok && (ret = go_on(ld, finish_geometry(ld->ctx, k->key_pos, &p->geom))) != KH_OK)
      return ret;
  }
  return KH_OK;
}

/* The layout's own geometry in the fields the stages read. */
static void layout_geometry(kh_layout *L) {
  const kh_geometry *g = &L->geom;
  L->page_w = g->page_w, L->page_h = g->page_h;
  L->margin_top = g->margin_top, L->margin_left = g->margin_left;
  L->grid_chars = g->grid_chars, L->grid_lines = g->grid_lines;
  L->grid_size = g->grid_size, L->line_pitch = g->line_pitch;
  L->text_w = g->text_w, L->text_h = g->text_h;
}

/* The composition choices: how lines are broken, whether punctuation
 * hangs, how table figures are set. */
static kh_status read_composition(loader *ld, const kh_yaml *y) {
  kh_ctx *ctx = ld->ctx;
  kh_layout *L = ld->L;
  kh_status ret = KH_OK;
  const kh_yaml *s;
  if ((s = kh_yaml_get(y, "line-breaking"))) {
    if ((ret = kh_yaml_expect(ctx, s, KH_YAML_SCALAR)) == KH_OK) {
      if (!strcmp(s->scalar, "first-fit")) L->first_fit = 1;
      else if (strcmp(s->scalar, "total-fit"))
        ret = kh_error(ctx, s->pos, KH_SYNTAX, "line-breaking must be total-fit or first-fit");
    }
    if ((ret = go_on(ld, ret)) != KH_OK) return ret;
  }
  if ((s = kh_yaml_get(y, "hanging-punctuation")))
    if ((ret = go_on(ld, boolean(ctx, s, &L->hanging_punctuation))) != KH_OK) return ret;
  if ((s = kh_yaml_get(y, "hyphenation")))
    if ((ret = go_on(ld, boolean(ctx, s, &L->hyphenation))) != KH_OK) return ret;
  if ((s = kh_yaml_get(y, "table-figures"))) {
    L->table_figures_pos = s->pos;
    if ((ret = kh_yaml_expect(ctx, s, KH_YAML_SCALAR)) == KH_OK) {
      if (!strcmp(s->scalar, "tnum")) L->table_figures = KH_FIGURES_TNUM;
      else if (!strcmp(s->scalar, "fixed")) L->table_figures = KH_FIGURES_FIXED;
      else if (strcmp(s->scalar, "proportional"))
        ret = kh_error(ctx, s->pos, KH_SYNTAX, "table-figures must be proportional, tnum or fixed");
    }
    if ((ret = go_on(ld, ret)) != KH_OK) return ret;
  }
  if ((s = kh_yaml_get(y, "tate-chu-yoko")))
    if ((ret = go_on(ld, integer(ctx, s, 0, 4, &L->tcy_digits))) != KH_OK) return ret;
  if ((s = kh_yaml_get(y, "upright-latin")))
    if ((ret = go_on(ld, integer(ctx, s, 0, 4, &L->upright_latin))) != KH_OK) return ret;
  return KH_OK;
}

/* A name ending in .yaml or holding a '/' is a path, relative to the folder
 * of the file that names it. */
static int is_path(const char *name) {
  size_t n = strlen(name);
  return strchr(name, '/') || (n > 5 && !strcmp(name + n - 5, ".yaml"));
}

/* The layouts in the search path, for the error about a name not found:
 * "press-release, report". */
static void known_layouts(const kh_ctx *ctx, kh_buf *b) {
  const char *d;
  for (size_t i = 0; (d = kh_search_dir(ctx, KH_SEARCH_LAYOUT, i)); i++) {
    DIR *dir = opendir(d);
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
      size_t n = strlen(e->d_name);
      if (n <= 5 || strcmp(e->d_name + n - 5, ".yaml") || e->d_name[0] == '.') continue;
      char name[256];
      snprintf(name, sizeof name, "%.*s", (int)(n - 5), e->d_name);
      int dup = 0; /* an earlier folder's layout of the same name wins */
      for (const char *p = b->data; p && (p = strstr(p, name)); p++)
        if ((p == b->data || p[-1] == ' ') && (p[strlen(name)] == ',' || !p[strlen(name)])) dup = 1;
      if (!dup) kh_buf_printf(b, "%s%s", b->len ? ", " : "", name);
    }
    if (dir) closedir(dir);
  }
}

/* Where layout `name` is: NULL (reported at `at`) when nowhere. */
static kh_status layout_path(kh_ctx *ctx, const char *name, kh_srcpos at, char **out) {
  *out = NULL;
  if (is_path(name)) {
    char *dir = at.src ? kh_path_dirname(at.src->path) : NULL;
    if (at.src && !dir) return KH_NOMEM;
    *out = kh_path_join(dir ? dir : "", name);
    free(dir);
    if (!*out) return KH_NOMEM;
    if (access(*out, R_OK) == 0 || !at.src) return KH_OK;
    kh_status ret = kh_error(ctx, at, KH_IO, "cannot read layout '%s': %s", name, strerror(errno));
    free(*out);
    *out = NULL;
    return ret;
  }
  char file[512];
  snprintf(file, sizeof file, "%s.yaml", name);
  if ((*out = kh_search_find(ctx, KH_SEARCH_LAYOUT, file))) return KH_OK;
  kh_buf known = {0};
  known_layouts(ctx, &known);
  kh_status ret;
  if (at.src)
    ret = kh_error(ctx, at, KH_IO, "no layout named '%s' in the layout search path (known: %s)",
                   name, known.len ? known.data : "none");
  else
    ret = kh_error_file(ctx, file, KH_IO, "cannot open: no layout named '%s' in the layout "
                        "search path (known: %s)", name, known.len ? known.data : "none");
  kh_buf_free(&known);
  return ret;
}

kh_status kh_layout_load(kh_ctx *ctx, const char *name, kh_layout **out) {
  return kh_layout_load_at(ctx, name, (kh_srcpos){0}, out);
}

kh_status kh_layout_load_at(kh_ctx *ctx, const char *name, kh_srcpos at, kh_layout **out) {
  *out = NULL;
  char *path = NULL;
  kh_status ret = layout_path(ctx, name, at, &path);
  if (ret != KH_OK) return ret;
  /* a layout named by path lies in the publication's folder or the layout
   * search path like every other file the publication names */
  kh_source *src = NULL;
  ret = kh_source_load_named(ctx, at, "layout", name, path, &src);
  free(path);
  return ret == KH_OK ? kh_layout_parse(ctx, name, src, out) : ret;
}

/* A setting of two values: *out is 0 for `off`, 1 for `on` (unset when
 * the layout does not name it). */
static kh_status choice(kh_ctx *ctx, const kh_yaml *s, const char *off, const char *on,
                        int *out) {
  if (!s) return KH_OK;
  kh_status ret = kh_yaml_expect(ctx, s, KH_YAML_SCALAR);
  if (ret != KH_OK) return ret;
  if (!strcmp(s->scalar, on)) *out = 1;
  else if (!strcmp(s->scalar, off)) *out = 0;
  else return kh_error(ctx, s->pos, KH_SYNTAX, "%s must be %s or %s", s->key, off, on);
  return KH_OK;
}

/* The layout's top-level keys, sections in dependency order (read in this
 * order, whatever order the file has them in). */
const char *const kh_layout_keys[] = {"page", "grid", "rule-width", "line-start-opening",
                                      "line-end-closing", "line-breaking", "hanging-punctuation",
                                      "hyphenation", "table-figures", "tate-chu-yoko",
                                      "upright-latin", "writing-mode", "pdf-a", "font-hinting",
                                      "emphasis", "fonts", "fallback", "faces", "styles", "pages",
                                      NULL};

kh_status kh_layout_parse(kh_ctx *ctx, const char *name, const kh_source *src,
                          kh_layout **out) {
  kh_status ret = KH_OK;
  *out = NULL;
  kh_layout *L = calloc(1, sizeof *L);
  if (!L || !(L->arena = kh_arena_new())) {
    free(L);
    return KH_NOMEM;
  }
  char *dir = kh_path_dirname(src->path); /* font paths are relative to it */
  loader ld = {ctx, L, dir, NULL, KH_OK};
  kh_yaml *y = NULL;
  if (!dir) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  KH_CHECK(kh_yaml_parse(ctx, L->arena, src, 0, src->len, &y));
  if (!y || y->kind != KH_YAML_MAPPING) {
    ret = kh_error(ctx, (kh_srcpos){src, 0}, KH_SYNTAX, "a layout must be a mapping");
    goto cleanup;
  }
  L->name = kh_arena_strndup(L->arena, name, strlen(name));
  /* defaults: A4, 40 x 40 of 10.5 pt, centred */
  L->geom.page_w = KH_PT(595.2756);
  L->geom.page_h = KH_PT(841.8898);
  L->geom.grid_size = KH_PT(10.5);
  L->geom.grid_chars = 40;
  L->geom.grid_lines = 40;
  L->geom.line_pitch = KH_PT(17.5);
  L->geom.margin_top = -1;
  L->geom.margin_left = -1;
  L->rule_width = KH_PT(0.5);
  L->margin_top = -1;
  L->pdf_a = 1;
  L->tcy_digits = 2;
  L->hyphenation = 1;
  const char *const *known = kh_layout_keys;
  const char *misspelt[8] = {NULL}; /* what unknown keys are nearest to */
  size_t nmisspelt = 0;
  for (const kh_yaml *k = y->child; k; k = k->next) {
    size_t i = 0;
    while (known[i] && strcmp(known[i], k->key)) i++;
    if (known[i]) continue;
    KH_CHECK(go_on(&ld, unknown_near(ctx, k, "layout", known)));
    if (nmisspelt < 8) misspelt[nmisspelt++] = kh_nearest(k->key, known);
  }
  const kh_yaml *s;
  /* the styles' sizes and indents are checked against the layout's grid,
   * which must be right for that (else they would be errors of the grid's) */
  int geom_ok = 1;
  if ((s = kh_yaml_get(y, "page")) && (ret = read_page(&ld, s, &L->geom)) != KH_OK) geom_ok = 0;
  KH_CHECK(go_on(&ld, ret));
  if ((s = kh_yaml_get(y, "grid")) && (ret = read_grid(&ld, s, &L->geom)) != KH_OK) geom_ok = 0;
  KH_CHECK(go_on(&ld, ret));
  if ((s = kh_yaml_get(y, "writing-mode")) && (ret = writing_mode(ctx, s, &L->geom)) != KH_OK)
    geom_ok = 0;
  KH_CHECK(go_on(&ld, ret));
  layout_geometry(L);
  if ((s = kh_yaml_get(y, "rule-width")))
    KH_CHECK(go_on(&ld, length_in(ctx, s, 0, RULE_MAX, &L->rule_width)));
  KH_CHECK(go_on(&ld, choice(ctx, kh_yaml_get(y, "line-start-opening"), "flush", "half",
                             &L->line_start_opening_half)));
  /* TrueType instructions only change glyphs at the small pixel sizes of
   * a screen; a PDF needs none, so they are dropped unless kept here. */
  KH_CHECK(go_on(&ld, choice(ctx, kh_yaml_get(y, "font-hinting"), "drop", "keep",
                             &L->keep_hinting)));
  KH_CHECK(go_on(&ld, choice(ctx, kh_yaml_get(y, "line-end-closing"), "full", "half",
                             &L->line_end_closing_half)));
  int sesame = 0;
  KH_CHECK(go_on(&ld, choice(ctx, kh_yaml_get(y, "emphasis"), "gothic", "sesame", &sesame)));
  if (sesame) L->emphasis = KH_EMPHASIS_SESAME;
  KH_CHECK(read_composition(&ld, y));
  if ((s = kh_yaml_get(y, "pdf-a"))) KH_CHECK(go_on(&ld, read_pdf_a(ctx, s, &L->pdf_a)));
  /* fonts, faces and styles name each other: one missing leaves the rest
   * unread, rather than an error at every name of it */
  const kh_yaml *fonts = kh_yaml_get(y, "fonts"), *faces = kh_yaml_get(y, "faces"),
                *styles = kh_yaml_get(y, "styles");
  static const char *const needed[] = {"fonts", "faces", "styles"};
  for (int i = 0; i < 3; i++) {
    int named = kh_yaml_get(y, needed[i]) != NULL; /* or misspelt, and said so */
    for (size_t m = 0; m < nmisspelt; m++) named |= misspelt[m] && !strcmp(misspelt[m], needed[i]);
    if (!named)
      KH_CHECK(go_on(&ld, kh_error(ctx, (kh_srcpos){src, 0}, KH_SYNTAX, "a layout needs '%s'",
                                   needed[i])));
  }
  if (fonts) KH_CHECK(go_on(&ld, read_fonts(&ld, fonts)));
  if (fonts && (s = kh_yaml_get(y, "fallback"))) {
    KH_CHECK(go_on(&ld, kh_yaml_expect(ctx, s, KH_YAML_SEQUENCE)));
    for (const kh_yaml *c = s->kind == KH_YAML_SEQUENCE ? s->child : NULL; c; c = c->next) {
      if (L->nfallback == 4) {
        KH_CHECK(go_on(&ld, kh_error(ctx, c->pos, KH_LIMIT, "at most 4 fallback fonts")));
        break;
      }
      KH_CHECK(go_on(&ld, font_ref(&ld, c, &L->fallback[L->nfallback++])));
    }
  }
  if (fonts && faces) KH_CHECK(go_on(&ld, read_faces(&ld, faces)));
  if (fonts && faces && styles && geom_ok) KH_CHECK(go_on(&ld, read_styles(&ld, styles)));
  if ((s = kh_yaml_get(y, "pages"))) KH_CHECK(go_on(&ld, read_pages(&ld, s)));
  if (styles && styles->kind == KH_YAML_MAPPING) KH_CHECK(check_style_names(&ld, styles));
  if (geom_ok) KH_CHECK(go_on(&ld, finish_geometry(ctx, (kh_srcpos){src, 0}, &L->geom)));
  if (ld.first != KH_OK) {
    ret = ld.first;
    goto cleanup;
  }
  layout_geometry(L);
  L->default_page.name = "default";
  L->default_page.geom = L->geom;
  L->default_page.folio = 1;
  L->default_page.foot[KH_SLOT_CENTER] = "{page}";
  *out = L;
  L = NULL;
cleanup:
  if (ld.fc) FcConfigDestroy(ld.fc);
  free(dir);
  kh_layout_drop(L);
  return ret;
}

void kh_layout_drop(kh_layout *L) {
  if (!L) return;
  kh_arena_drop(L->arena);
  free(L);
}

static const kh_pstyle *find_style(const kh_layout *L, const char *name) {
  for (int i = 0; i < L->nstyles; i++)
    if (!strcmp(L->styles[i].name, name)) return &L->styles[i];
  return NULL;
}

const kh_pstyle *kh_layout_style(const kh_layout *L, const char *page, const char *name) {
  const kh_pstyle *st = NULL;
  if (page && name) {
    char full[256];
    snprintf(full, sizeof full, "%s.%s", page, name);
    st = find_style(L, full);
  }
  if (!st && name) st = find_style(L, name);
  if (!st) st = find_style(L, "body");
  return st;
}

const kh_page_tpl *kh_layout_page(const kh_layout *L, const char *name) {
  if (!name) return &L->default_page;
  for (int i = 0; i < L->npages; i++)
    if (!strcmp(L->pages[i].name, name)) return &L->pages[i];
  return NULL;
}
