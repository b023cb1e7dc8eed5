/* style: the layout file.
 *
 * layout/<name>.yaml gives the page, its line grid (hanmen), the fonts, the
 * composite faces, the paragraph styles and the page templates.  Lengths are
 * numbers in pt or strings with a unit (mm, cm, in, pt); style indents are
 * in ems of the grid.  Every key is checked: an unknown one is an error at
 * its line. */
#include <fontconfig/fontconfig.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "style/style.h"

typedef struct loader {
  kh_ctx *ctx;
  kh_layout *L;
  FcConfig *fc; /* our own fontconfig configuration, made on first use and
                   destroyed when the layout is loaded: no global state */
} loader;

static kh_status length(kh_ctx *ctx, const kh_yaml *y, kh_fixed *out) {
  kh_status ret = kh_yaml_expect(ctx, y, KH_YAML_SCALAR);
  if (ret != KH_OK) return ret;
  char *end;
  double v = strtod(y->scalar, &end);
  double scale = 1;
  if (end == y->scalar) goto bad;
  if (!strcmp(end, "mm")) scale = 72 / 25.4;
  else if (!strcmp(end, "cm")) scale = 72 / 2.54;
  else if (!strcmp(end, "in")) scale = 72;
  else if (!strcmp(end, "pt") || !*end) scale = 1;
  else goto bad;
  v *= scale;
  if (v < -10000 || v > 10000) goto bad;
  *out = KH_PT(v);
  return KH_OK;
bad:
  return kh_error(ctx, y->pos, KH_SYNTAX, "'%s' must be a length (e.g. 12pt, 20mm), not '%s'",
                  y->key ? y->key : "value", y->scalar);
}

static kh_status integer(kh_ctx *ctx, const kh_yaml *y, int lo, int hi, int *out) {
  double v;
  kh_status ret = kh_yaml_number(ctx, y, &v);
  if (ret != KH_OK) return ret;
  if (v != (int)v || v < lo || v > hi)
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

static kh_status unknown(kh_ctx *ctx, const kh_yaml *k, const char *where) {
  return kh_error(ctx, k->key_pos, KH_SYNTAX, "unknown %s key '%s'", where, k->key);
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

/* A font is a file name (looked up in the font directory, then as given) or
 * {family: name} resolved through fontconfig. */
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
    char *p = kh_path_join(ctx->font_dir, file);
    if (!p) return KH_NOMEM;
    if (access(p, R_OK) != 0 && access(file, R_OK) == 0) {
      free(p);
      p = kh_path_join("", file);
      if (!p) return KH_NOMEM;
    }
    f->path = kh_arena_strndup(ld->L->arena, p, strlen(p));
    free(p);
    return f->path ? KH_OK : KH_NOMEM;
  }
  if (!family) return kh_error(ctx, k->pos, KH_SYNTAX, "font '%s' needs a file or a family", k->key);
  /* the bundled fonts are found by family too, on every machine */
  if (!ld->fc) {
    if (!(ld->fc = FcInitLoadConfigAndFonts()))
      return kh_error(ctx, k->pos, KH_LIBRARY, "fontconfig cannot be initialised");
    FcConfigAppFontAddDir(ld->fc, (const FcChar8 *)ctx->font_dir);
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
    if ((ret = font_entry(ld, k, &L->fonts[L->nfonts])) != KH_OK) return ret;
    L->nfonts++;
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
    if (k->kind == KH_YAML_SCALAR) { /* one font for every script */
      int fi;
      if ((ret = font_ref(ld, k, &fi)) != KH_OK) return ret;
      f->font[KH_SCRIPT_JA] = f->font[KH_SCRIPT_LATIN] = fi;
    } else {
      if ((ret = kh_yaml_expect(ld->ctx, k, KH_YAML_MAPPING)) != KH_OK) return ret;
      for (const kh_yaml *c = k->child; c; c = c->next) {
        if (!strcmp(c->key, "ja")) ret = font_ref(ld, c, &f->font[KH_SCRIPT_JA]);
        else if (!strcmp(c->key, "latin")) ret = font_ref(ld, c, &f->font[KH_SCRIPT_LATIN]);
        else if (!strcmp(c->key, "emoji")) ret = font_ref(ld, c, &f->font[KH_SCRIPT_EMOJI]);
        else if (!strcmp(c->key, "latin-rise")) {
          double v;
          ret = kh_yaml_number(ld->ctx, c, &v);
          if (ret == KH_OK && (v < -0.5 || v > 0.5))
            ret = kh_error(ld->ctx, c->pos, KH_SYNTAX, "latin-rise must be from -0.5 to 0.5 em");
          f->latin_rise = (int)(v * 1000 + (v < 0 ? -0.5 : 0.5));
        } else if (!strcmp(c->key, "latin-scale")) {
          double v;
          ret = kh_yaml_number(ld->ctx, c, &v);
          if (ret == KH_OK && (v < 0.5 || v > 2))
            ret = kh_error(ld->ctx, c->pos, KH_SYNTAX, "latin-scale must be from 0.5 to 2");
          f->latin_scale = (int)(v * 1000 + 0.5);
        } else ret = unknown(ld->ctx, c, "face");
        if (ret != KH_OK) return ret;
      }
      if (f->font[KH_SCRIPT_JA] < 0)
        return kh_error(ld->ctx, k->pos, KH_SYNTAX, "face '%s' needs a 'ja' font", k->key);
      if (f->font[KH_SCRIPT_LATIN] < 0) f->font[KH_SCRIPT_LATIN] = f->font[KH_SCRIPT_JA];
    }
    L->nfaces++;
  }
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
    else if (!strcmp(key, "size")) ret = length(ctx, c, &st->size), have_size = 1;
    else if (!strcmp(key, "indent")) ret = kh_yaml_number(ctx, c, &em_indent);
    else if (!strcmp(key, "indent-after-heading")) ret = kh_yaml_number(ctx, c, &em_after);
    else if (!strcmp(key, "left")) ret = kh_yaml_number(ctx, c, &em_left);
    else if (!strcmp(key, "right")) ret = kh_yaml_number(ctx, c, &em_right);
    else if (!strcmp(key, "space-before")) ret = integer(ctx, c, 0, 20, &st->space_before);
    else if (!strcmp(key, "space-after")) ret = integer(ctx, c, 0, 20, &st->space_after);
    else if (!strcmp(key, "lines")) ret = integer(ctx, c, 0, 10, &st->lines);
    else if (!strcmp(key, "outline")) ret = integer(ctx, c, 0, 6, &st->outline);
    else if (!strcmp(key, "box")) ret = boolean(ctx, c, &st->box);
    else if (!strcmp(key, "keep-with-next")) ret = boolean(ctx, c, &st->keep_with_next);
    else if (!strcmp(key, "marker")) {
      if ((ret = kh_yaml_expect(ctx, c, KH_YAML_SCALAR)) == KH_OK) st->marker = c->scalar;
    } else if (!strcmp(key, "align")) {
      if ((ret = kh_yaml_expect(ctx, c, KH_YAML_SCALAR)) != KH_OK) return ret;
      static const char *names[] = {"default", "left", "center", "right", "justify"};
      st->align = (kh_align)-1;
      for (int i = 0; i < 5; i++)
        if (!strcmp(c->scalar, names[i])) st->align = (kh_align)i;
      if ((int)st->align < 0)
        ret = kh_error(ctx, c->pos, KH_SYNTAX,
                       "align must be left, center, right or justify, not '%s'", c->scalar);
    } else ret = unknown(ctx, c, "style");
    if (ret != KH_OK) return ret;
  }
  if (!have_size) st->size = L->grid_size;
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
  if ((ret = read_style(ld, body, &defaults)) != KH_OK) return ret;
  for (const kh_yaml *k = y->child; k; k = k->next) {
    kh_pstyle *st = &L->styles[L->nstyles++];
    *st = defaults;
    st->marker = NULL;
    st->outline = 0;
    if ((ret = read_style(ld, k, st)) != KH_OK) return ret;
    if (!kh_yaml_get(k, "strong")) st->strong_face = defaults.strong_face;
    if (!kh_yaml_get(k, "code")) st->code_face = defaults.code_face;
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
    if ((ret = kh_yaml_expect(ld->ctx, k, KH_YAML_MAPPING)) != KH_OK) return ret;
    for (const kh_yaml *c = k->child; c; c = c->next) {
      if (!strcmp(c->key, "folio")) ret = boolean(ld->ctx, c, &p->folio);
      else if (!strcmp(c->key, "label-box")) ret = boolean(ld->ctx, c, &p->label_box);
      else ret = unknown(ld->ctx, c, "page template");
      if (ret != KH_OK) return ret;
    }
  }
  return KH_OK;
}

static kh_status read_page(loader *ld, const kh_yaml *y) {
  kh_layout *L = ld->L;
  kh_status ret = kh_yaml_expect(ld->ctx, y, KH_YAML_MAPPING);
  for (const kh_yaml *c = y->child; ret == KH_OK && c; c = c->next) {
    if (!strcmp(c->key, "width")) ret = length(ld->ctx, c, &L->page_w);
    else if (!strcmp(c->key, "height")) ret = length(ld->ctx, c, &L->page_h);
    else if (!strcmp(c->key, "top")) ret = length(ld->ctx, c, &L->margin_top);
    else ret = unknown(ld->ctx, c, "page");
  }
  return ret;
}

static kh_status read_grid(loader *ld, const kh_yaml *y) {
  kh_layout *L = ld->L;
  kh_status ret = kh_yaml_expect(ld->ctx, y, KH_YAML_MAPPING);
  for (const kh_yaml *c = y->child; ret == KH_OK && c; c = c->next) {
    if (!strcmp(c->key, "size")) ret = length(ld->ctx, c, &L->grid_size);
    else if (!strcmp(c->key, "chars")) ret = integer(ld->ctx, c, 5, 200, &L->grid_chars);
    else if (!strcmp(c->key, "lines")) ret = integer(ld->ctx, c, 2, 200, &L->grid_lines);
    else if (!strcmp(c->key, "pitch")) ret = length(ld->ctx, c, &L->line_pitch);
    else ret = unknown(ld->ctx, c, "grid");
  }
  return ret;
}

kh_status kh_layout_load(kh_ctx *ctx, const char *name, kh_layout **out) {
  kh_status ret = KH_OK;
  *out = NULL;
  kh_layout *L = calloc(1, sizeof *L);
  if (!L || !(L->arena = kh_arena_new())) {
    free(L);
    return KH_NOMEM;
  }
  loader ld = {ctx, L, NULL};
  char file[512];
  snprintf(file, sizeof file, "%s.yaml", name);
  char *path = strchr(name, '/') ? kh_path_join("", name) : kh_path_join(ctx->layout_dir, file);
  kh_source *src = NULL;
  kh_yaml *y = NULL;
  if (!path) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  KH_CHECK(kh_source_load(ctx, path, &src));
  KH_CHECK(kh_yaml_parse(ctx, L->arena, src, 0, src->len, &y));
  if (!y || y->kind != KH_YAML_MAPPING) {
    ret = kh_error(ctx, (kh_srcpos){src, 0}, KH_SYNTAX, "a layout must be a mapping");
    goto cleanup;
  }
  L->name = kh_arena_strndup(L->arena, name, strlen(name));
  /* defaults: A4, 40 x 40 of 10.5 pt */
  L->page_w = KH_PT(595.2756);
  L->page_h = KH_PT(841.8898);
  L->grid_size = KH_PT(10.5);
  L->grid_chars = 40;
  L->grid_lines = 40;
  L->line_pitch = KH_PT(17.5);
  L->rule_width = KH_PT(0.5);
  L->margin_top = -1;
  /* sections in dependency order, whatever order the file has them in */
  static const char *known[] = {"page", "grid", "rule-width", "line-start-opening",
                                "line-end-closing", "emphasis",
                                "fonts", "fallback", "faces", "styles", "pages"};
  for (const kh_yaml *k = y->child; k; k = k->next) {
    size_t i = 0;
    while (i < sizeof known / sizeof known[0] && strcmp(known[i], k->key)) i++;
    if (i == sizeof known / sizeof known[0]) {
      ret = unknown(ctx, k, "layout");
      goto cleanup;
    }
  }
  const kh_yaml *s;
  if ((s = kh_yaml_get(y, "page"))) KH_CHECK(read_page(&ld, s));
  if ((s = kh_yaml_get(y, "grid"))) KH_CHECK(read_grid(&ld, s));
  if ((s = kh_yaml_get(y, "rule-width"))) KH_CHECK(length(ctx, s, &L->rule_width));
  if ((s = kh_yaml_get(y, "line-start-opening"))) {
    KH_CHECK(kh_yaml_expect(ctx, s, KH_YAML_SCALAR));
    if (!strcmp(s->scalar, "half")) L->line_start_opening_half = 1;
    else if (strcmp(s->scalar, "flush")) {
      ret = kh_error(ctx, s->pos, KH_SYNTAX, "line-start-opening must be flush or half");
      goto cleanup;
    }
  }
  if ((s = kh_yaml_get(y, "line-end-closing"))) {
    KH_CHECK(kh_yaml_expect(ctx, s, KH_YAML_SCALAR));
    if (!strcmp(s->scalar, "half")) L->line_end_closing_half = 1;
    else if (strcmp(s->scalar, "full")) {
      ret = kh_error(ctx, s->pos, KH_SYNTAX, "line-end-closing must be full or half");
      goto cleanup;
    }
  }
  if ((s = kh_yaml_get(y, "emphasis"))) {
    KH_CHECK(kh_yaml_expect(ctx, s, KH_YAML_SCALAR));
    if (!strcmp(s->scalar, "sesame")) L->emphasis = KH_EMPHASIS_SESAME;
    else if (strcmp(s->scalar, "gothic")) {
      ret = kh_error(ctx, s->pos, KH_SYNTAX, "emphasis must be sesame or gothic");
      goto cleanup;
    }
  }
  if (!(s = kh_yaml_get(y, "fonts"))) {
    ret = kh_error(ctx, (kh_srcpos){src, 0}, KH_SYNTAX, "a layout needs 'fonts'");
    goto cleanup;
  }
  KH_CHECK(read_fonts(&ld, s));
  if ((s = kh_yaml_get(y, "fallback"))) {
    KH_CHECK(kh_yaml_expect(ctx, s, KH_YAML_SEQUENCE));
    for (const kh_yaml *c = s->child; c; c = c->next) {
      if (L->nfallback == 4) {
        ret = kh_error(ctx, c->pos, KH_LIMIT, "at most 4 fallback fonts");
        goto cleanup;
      }
      KH_CHECK(font_ref(&ld, c, &L->fallback[L->nfallback++]));
    }
  }
  if (!(s = kh_yaml_get(y, "faces"))) {
    ret = kh_error(ctx, (kh_srcpos){src, 0}, KH_SYNTAX, "a layout needs 'faces'");
    goto cleanup;
  }
  KH_CHECK(read_faces(&ld, s));
  if (!(s = kh_yaml_get(y, "styles"))) {
    ret = kh_error(ctx, (kh_srcpos){src, 0}, KH_SYNTAX, "a layout needs 'styles'");
    goto cleanup;
  }
  KH_CHECK(read_styles(&ld, s));
  if ((s = kh_yaml_get(y, "pages"))) KH_CHECK(read_pages(&ld, s));
  /* the text block is centred; its size follows from the grid */
  L->text_w = L->grid_size * L->grid_chars;
  L->text_h = L->line_pitch * (L->grid_lines - 1) + L->grid_size;
  L->margin_left = (L->page_w - L->text_w) / 2;
  if (L->margin_top < 0) L->margin_top = (L->page_h - L->text_h) / 2;
  if (L->text_w > L->page_w || L->margin_top + L->text_h > L->page_h) {
    ret = kh_error(ctx, (kh_srcpos){src, 0}, KH_SYNTAX,
                   "the grid (%d x %d) does not fit the page", L->grid_chars, L->grid_lines);
    goto cleanup;
  }
  *out = L;
  L = NULL;
cleanup:
  if (ld.fc) FcConfigDestroy(ld.fc);
  free(path);
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
  for (int i = 0; name && i < L->npages; i++)
    if (!strcmp(L->pages[i].name, name)) return &L->pages[i];
  return NULL;
}
