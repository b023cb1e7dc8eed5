/* doc: publications, parts and front matter.
 *
 * A publication is a folder with publication.yaml listing its parts in
 * order, or a single Markdown file.  A part is a Markdown file that may
 * start with YAML front matter between "---" lines.  Front matter that a
 * press release prints (date, issuer, title, subtitle, contact) becomes
 * blocks around the body, in the order the genre prints them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/internal.h"

kh_srcpos kh_inline_pos(const kh_inline *in, uint32_t off) {
  if (!in->src || in->nsegs == 0) return (kh_srcpos){in->src, 0};
  uint32_t lo = 0, hi = in->nsegs;
  while (hi - lo > 1) {
    uint32_t mid = (lo + hi) / 2;
    if (in->segs[mid].tstart <= off) lo = mid;
    else hi = mid;
  }
  const kh_segment *s = &in->segs[lo];
  uint32_t soff = s->soff + (off >= s->tstart ? off - s->tstart : 0);
  if (soff > in->src->len) soff = (uint32_t)in->src->len;
  return (kh_srcpos){in->src, soff};
}

/* A real day of the proleptic Gregorian calendar, written YYYY-MM-DD. */
static int valid_date(const char *s) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, m, d;
  char extra;
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
      sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || y < 1 || m < 1 || m > 12 || d < 1)
    return 0;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap);
}

/* Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan,
 * Mandaic and their presentation forms, and the RTL planes of the SMP). */
static int rtl(int32_t cp) {
  return (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
         (cp >= 0xFE70 && cp <= 0xFEFF && cp != 0xFEFF) || (cp >= 0x10800 && cp <= 0x10FFF) ||
         (cp >= 0x1E800 && cp <= 0x1EFFF);
}

/* kumihan sets text left to right only: each run of right-to-left text is
 * a warning at its start, rather than reversed words in silence. */
static void warn_rtl(kh_ctx *ctx, const kh_source *src) {
  int in_run = 0;
  for (size_t i = 0; i < src->len;) {
    size_t at = i;
    int32_t cp = kh_utf8_next(src->data, src->len, &i);
    if (rtl(cp)) {
      if (!in_run)
        kh_warning(ctx, (kh_srcpos){src, (uint32_t)at},
                   "right-to-left text (U+%04X) is set left to right: bidirectional text is "
                   "not supported",
                   (unsigned)cp);
      in_run = 1;
    } else if (cp != ' ' && !(cp >= 0x300 && cp < 0x370) && !(cp >= '0' && cp <= '9')) {
      in_run = 0; /* spaces, digits and marks continue a run */
    }
  }
}

/* A leaf block holding a front-matter string. */
static kh_node *meta_block(kh_arena *arena, const kh_yaml *y, const char *style,
                           kh_node_kind kind) {
  kh_node *n = kh_arena_alloc(arena, sizeof *n);
  kh_segment *seg = kh_arena_alloc(arena, sizeof *seg);
  if (!n || !seg) return NULL;
  n->kind = kind;
  n->style = style;
  n->level = kind == KH_NODE_HEADING ? 1 : 0;
  n->pos = y->pos;
  seg->tstart = 0;
  seg->soff = y->pos.off;
  n->text = (kh_inline){.text = y->scalar, .len = (uint32_t)y->scalar_len, .segs = seg,
                        .nsegs = 1, .src = y->pos.src};
  return n;
}

typedef struct chain {
  kh_node *head, *tail;
} chain;

static void chain_add(chain *c, kh_node *n) {
  if (c->tail) c->tail->next = n;
  else c->head = n;
  c->tail = n;
  while (c->tail->next) c->tail = c->tail->next;
}

static kh_status scalar_or_list(kh_ctx *ctx, kh_arena *arena, const kh_yaml *y,
                                const char *style, chain *c) {
  if (y->kind == KH_YAML_SCALAR) {
    kh_node *n = meta_block(arena, y, style, KH_NODE_PARA);
    if (!n) return KH_NOMEM;
    chain_add(c, n);
    return KH_OK;
  }
  kh_status ret = kh_yaml_expect(ctx, y, KH_YAML_SEQUENCE);
  if (ret != KH_OK) return ret;
  for (const kh_yaml *it = y->child; it; it = it->next) {
    if ((ret = kh_yaml_expect(ctx, it, KH_YAML_SCALAR)) != KH_OK) return ret;
    kh_node *n = meta_block(arena, it, style, KH_NODE_PARA);
    if (!n) return KH_NOMEM;
    chain_add(c, n);
  }
  return KH_OK;
}

/* The keys of front matter and publication.yaml (README documents them). */
static const char *const front_matter_keys[] = {
    "title", "subtitle", "date", "date-iso", "issuer", "contact", "layout", "page", "label",
    "lang", NULL};
static const char *const contact_keys[] = {"heading", "lines", NULL};
static const char *const publication_keys[] = {"title",  "author", "subject", "date-iso",
                                               "layout", "lang",   "parts",   NULL};

/* An unknown key: an error at its line, with the nearest known one. */
static kh_status unknown_key(kh_ctx *ctx, const kh_yaml *k, const char *where,
                             const char *const *names) {
  const char *near = kh_nearest(k->key, names);
  return kh_error(ctx, k->key_pos, KH_SYNTAX, "unknown %s key '%s'%s%s%s", where, k->key,
                  near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

/* Reads the front matter keys of one part. */
static kh_status front_matter(kh_ctx *ctx, kh_arena *arena, kh_part *part,
                              const kh_yaml *fm, chain *head, chain *tail) {
  kh_status ret = KH_OK;
  if (fm->kind != KH_YAML_MAPPING)
    return kh_error(ctx, fm->pos, KH_SYNTAX, "front matter must be a mapping");
  const kh_yaml *title = NULL, *subtitle = NULL, *date = NULL, *issuer = NULL;
  kh_status bad = KH_OK;
  for (const kh_yaml *k = fm->child; k; k = k->next) {
    const char *key = k->key;
    if (!strcmp(key, "contact")) {
      KH_CHECK(kh_yaml_expect(ctx, k, KH_YAML_MAPPING));
      for (const kh_yaml *c = k->child; c; c = c->next) {
        if (!strcmp(c->key, "heading")) {
          KH_CHECK(kh_yaml_expect(ctx, c, KH_YAML_SCALAR));
          kh_node *n = meta_block(arena, c, "contact-heading", KH_NODE_PARA);
          if (!n) return KH_NOMEM;
          chain_add(tail, n);
        } else if (!strcmp(c->key, "lines")) {
          KH_CHECK(scalar_or_list(ctx, arena, c, "contact", tail));
        } else {
          return unknown_key(ctx, c, "contact", contact_keys);
        }
      }
      continue;
    }
    if (!strcmp(key, "issuer")) {
      issuer = k;
      continue;
    }
    KH_CHECK(kh_yaml_expect(ctx, k, KH_YAML_SCALAR));
    if (!strcmp(key, "title")) title = k, part->title = k->scalar;
    else if (!strcmp(key, "subtitle")) subtitle = k, part->subtitle = k->scalar;
    else if (!strcmp(key, "date")) date = k;
    else if (!strcmp(key, "date-iso")) part->date_iso = k->scalar;
    else if (!strcmp(key, "layout")) part->layout = k->scalar, part->layout_pos = k->pos;
    else if (!strcmp(key, "page")) part->page = k->scalar, part->page_pos = k->pos;
    else if (!strcmp(key, "label")) part->label = k->scalar;
    else if (!strcmp(key, "lang")) part->lang = k->scalar;
    else bad = unknown_key(ctx, k, "front matter", front_matter_keys);
  }
  if (bad != KH_OK) return bad; /* every unknown key is reported, not only the first */
  if (part->date_iso && !valid_date(part->date_iso))
    return kh_error(ctx, kh_yaml_get(fm, "date-iso")->pos, KH_SYNTAX,
                    "date-iso must be YYYY-MM-DD, a real date, not '%s'", part->date_iso);
  /* the order a press release prints them: date, issuer, title, subtitle */
  if (date) {
    kh_node *n = meta_block(arena, date, "date", KH_NODE_PARA);
    if (!n) return KH_NOMEM;
    chain_add(head, n);
  }
  if (issuer) {
    KH_CHECK(scalar_or_list(ctx, arena, issuer, "issuer", head));
    part->issuer = issuer->kind == KH_YAML_SCALAR ? issuer->scalar
                   : issuer->child                ? issuer->child->scalar
                                                  : NULL;
  }
  if (title) {
    kh_node *n = meta_block(arena, title, "title", KH_NODE_HEADING);
    if (!n) return KH_NOMEM;
    chain_add(head, n);
  }
  if (subtitle) {
    kh_node *n = meta_block(arena, subtitle, "subtitle", KH_NODE_PARA);
    if (!n) return KH_NOMEM;
    chain_add(head, n);
  }
cleanup:
  return ret;
}

/* Parses one part from a loaded source. */
static kh_status part_parse(kh_ctx *ctx, kh_arena *arena, kh_doc_store *store,
                            const kh_source *src, kh_part **out) {
  kh_status ret = KH_OK;
  kh_part *part = kh_arena_alloc(arena, sizeof *part);
  if (!part) return KH_NOMEM;
  part->src = src;
  uint32_t body = 0;
  chain head = {0}, tail = {0};
  const char *d = src->data;
  size_t skip = (src->len >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) ? 3 : 0; /* BOM */
  if (src->len >= skip + 4 && !memcmp(d + skip, "---", 3) &&
      (d[skip + 3] == '\n' || d[skip + 3] == '\r')) {
    uint32_t start = (uint32_t)(skip + 4);
    const char *end = NULL;
    for (size_t l = 1; l < src->nlines; l++) {
      const char *line = d + src->lines[l];
      if (src->lines[l] >= start && !strncmp(line, "---", 3) &&
          (line[3] == '\n' || line[3] == '\r' || line[3] == '\0')) {
        end = line;
        break;
      }
    }
    if (!end)
      return kh_error(ctx, (kh_srcpos){src, (uint32_t)skip}, KH_SYNTAX,
                      "front matter is not closed by a '---' line");
    kh_yaml *fm = NULL;
    KH_CHECK(kh_yaml_parse(ctx, arena, src, start, (size_t)(end - d) - start, &fm));
    if (fm) KH_CHECK(front_matter(ctx, arena, part, fm, &head, &tail));
    body = (uint32_t)(end - d) + 3;
    while (body < src->len && d[body] != '\n') body++;
  }
  kh_node *blocks = NULL;
  warn_rtl(ctx, src);
  /* the front matter's blocks are set at the part's start and end: its
   * lines live to the end; so does the first line, where a position not
   * known (offset 0: a figure without alt text) points */
  KH_CHECK(kh_doc_store_pin(store, src, 0, body ? body : 1));
  KH_CHECK(kh_doc_parse_markdown(ctx, arena, store, src, body, &blocks, &part->notes));
  if (blocks) chain_add(&head, blocks);
  if (tail.head) chain_add(&head, tail.head);
  if (!head.head) /* not even a title: the PDF would be blank pages */
    return kh_error(ctx, (kh_srcpos){src, 0}, KH_SYNTAX, "nothing to typeset: the part is empty");
  part->body = head.head;
  *out = part;
cleanup:
  return ret;
}

static kh_doc *doc_new(void) {
  kh_doc *doc = calloc(1, sizeof *doc);
  if (!doc) return NULL;
  doc->arena = kh_arena_new();
  doc->store = kh_doc_store_new();
  if (!doc->arena || !doc->store) {
    kh_arena_drop(doc->arena);
    kh_doc_store_drop(doc->store);
    free(doc);
    return NULL;
  }
  return doc;
}

/* Metadata not given by publication.yaml comes from the first part. */
static void doc_finish(kh_doc *doc) {
  kh_part *p = doc->parts;
  if (!p) return;
  if (!doc->title) doc->title = p->title;
  if (!doc->author) doc->author = p->issuer;
  if (!doc->subject) doc->subject = p->subtitle;
  if (!doc->date_iso) doc->date_iso = p->date_iso;
  if (!doc->layout) doc->layout = p->layout, doc->layout_pos = p->layout_pos;
  if (!doc->lang) doc->lang = p->lang ? p->lang : "ja";
  for (kh_part *q = p; q; q = q->next)
    if (!q->layout) q->layout = doc->layout;
}

static kh_status load_publication(kh_ctx *ctx, kh_doc *doc, const char *dir) {
  kh_status ret = KH_OK;
  char *ypath = kh_path_join(dir, "publication.yaml");
  if (!ypath) return KH_NOMEM;
  kh_source *ysrc = NULL;
  kh_yaml *y = NULL;
  kh_part **tail = &doc->parts;
  KH_CHECK(kh_source_load(ctx, ypath, &ysrc));
  KH_CHECK(kh_yaml_parse(ctx, doc->arena, ysrc, 0, ysrc->len, &y));
  if (!y || y->kind != KH_YAML_MAPPING) {
    ret = kh_error(ctx, (kh_srcpos){ysrc, 0}, KH_SYNTAX, "publication.yaml must be a mapping");
    goto cleanup;
  }
  const kh_yaml *parts = NULL;
  for (const kh_yaml *k = y->child; k; k = k->next) {
    if (!strcmp(k->key, "parts")) {
      KH_CHECK(kh_yaml_expect(ctx, k, KH_YAML_SEQUENCE));
      parts = k;
      continue;
    }
    KH_CHECK(kh_yaml_expect(ctx, k, KH_YAML_SCALAR));
    if (!strcmp(k->key, "title")) doc->title = k->scalar;
    else if (!strcmp(k->key, "author")) doc->author = k->scalar;
    else if (!strcmp(k->key, "subject")) doc->subject = k->scalar;
    else if (!strcmp(k->key, "date-iso") && valid_date(k->scalar)) doc->date_iso = k->scalar;
    else if (!strcmp(k->key, "date-iso")) {
      ret = kh_error(ctx, k->pos, KH_SYNTAX,
                     "date-iso must be YYYY-MM-DD, a real date, not '%s'", k->scalar);
      goto cleanup;
    }
    else if (!strcmp(k->key, "layout")) doc->layout = k->scalar, doc->layout_pos = k->pos;
    else if (!strcmp(k->key, "lang")) doc->lang = k->scalar;
    else {
      ret = unknown_key(ctx, k, "publication", publication_keys);
      goto cleanup;
    }
  }
  if (!parts || !parts->child) {
    ret = kh_error(ctx, (kh_srcpos){ysrc, 0}, KH_SYNTAX,
                   "publication.yaml must list its parts under 'parts'");
    goto cleanup;
  }
  for (const kh_yaml *it = parts->child; it; it = it->next) {
    KH_CHECK(kh_yaml_expect(ctx, it, KH_YAML_SCALAR));
    char *ppath = kh_path_join(dir, it->scalar);
    if (!ppath) {
      ret = KH_NOMEM;
      goto cleanup;
    }
    kh_source *psrc = NULL;
    /* inside the publication's folder, reported at the line naming it */
    kh_status pret = kh_source_load_named(ctx, it->pos, "part", it->scalar, ppath, &psrc);
    free(ppath);
    if (pret == KH_OK) pret = part_parse(ctx, doc->arena, doc->store, psrc, tail);
    if (pret == KH_OK) tail = &(*tail)->next;
    /* a part in error does not stop the others: all their errors in one run */
    if (pret == KH_NOMEM) {
      ret = pret;
      goto cleanup;
    }
    if (ret == KH_OK) ret = pret;
  }
cleanup:
  free(ypath);
  return ret;
}

/* A document of one part, from a source already read. */
static kh_status doc_single(kh_ctx *ctx, const kh_source *src, kh_doc **out) {
  kh_doc *doc = doc_new();
  if (!doc) return KH_NOMEM;
  kh_status ret = part_parse(ctx, doc->arena, doc->store, src, &doc->parts);
  if (ret != KH_OK) {
    kh_doc_drop(doc);
    return ret;
  }
  doc_finish(doc);
  *out = doc;
  return KH_OK;
}

kh_status kh_doc_load(kh_ctx *ctx, const char *path, kh_doc **out) {
  *out = NULL;
  struct stat st;
  if (stat(path, &st) != 0)
    return kh_error_file(ctx, path, KH_IO, "cannot open: %s", strerror(errno));
  if (!S_ISDIR(st.st_mode)) {
    kh_source *src = NULL;
    char *dir = kh_path_dirname(path);
    if (!dir) return KH_NOMEM;
    kh_status ret = kh_files_set_root(ctx, dir); /* what it may name */
    free(dir);
    if (ret == KH_OK) ret = kh_source_load(ctx, path, &src);
    return ret == KH_OK ? doc_single(ctx, src, out) : ret;
  }
  kh_doc *doc = doc_new();
  if (!doc) return KH_NOMEM;
  kh_status ret = kh_files_set_root(ctx, path);
  if (ret == KH_OK) ret = load_publication(ctx, doc, path);
  if (ret != KH_OK) {
    kh_doc_drop(doc);
    return ret;
  }
  doc_finish(doc);
  *out = doc;
  return KH_OK;
}

kh_status kh_doc_load_memory(kh_ctx *ctx, const char *name, const char *data,
                             size_t len, kh_doc **out) {
  *out = NULL;
  kh_source *src = NULL;
  /* a document in memory has no folder: it may name no file but a layout
   * in the layout folder */
  kh_status ret = kh_files_set_root(ctx, NULL);
  if (ret == KH_OK) ret = kh_source_from_memory(ctx, name, data, len, &src);
  return ret == KH_OK ? doc_single(ctx, src, out) : ret;
}

void kh_doc_drop(kh_doc *doc) {
  if (!doc) return;
  kh_arena_drop(doc->arena);
  kh_doc_store_drop(doc->store);
  free(doc);
}

/* ---- trace ---------------------------------------------------------------*/
static void trace_text(const char *s, uint32_t n, FILE *out) {
  fputc('"', out);
  for (uint32_t i = 0; i < n; i++) {
    if (s[i] == '\n') fputs("\\n", out);
    else if (s[i] == '"' || s[i] == '\\') fprintf(out, "\\%c", s[i]);
    else fputc(s[i], out);
  }
  fputc('"', out);
}

static void trace_node(const kh_node *n, int depth, FILE *out) {
  static const char *kinds[] = {"para", "heading", "list", "item", "box",
                                "table", "row", "cell", "rule", "figure",
                                "code", "footnote", "caption"};
  static const struct { unsigned flag; const char *name; } marks[] = {
      {KH_MARK_STRONG, "strong"}, {KH_MARK_EM, "em"}, {KH_MARK_CODE, "code"},
      {KH_MARK_LINK, "link"}, {KH_MARK_STRIKE, "strike"}, {KH_MARK_UNDERLINE, "underline"},
      {KH_MARK_FOOTREF, "footref"}, {KH_MARK_RUBY, "ruby"}, {KH_MARK_SESAME, "sesame"}};
  for (; n; n = n->next) {
    unsigned line, col;
    kh_srcpos_linecol(n->pos, &line, &col);
    fprintf(out, "%*s%s", depth * 2, "", kinds[n->kind]);
    if (n->style) fprintf(out, "[%s]", n->style);
    if (n->kind == KH_NODE_HEADING || n->kind == KH_NODE_LIST) fprintf(out, " level=%d", n->level);
    if (n->ordered) fprintf(out, " ordered start=%d", n->start);
    if (n->header) fprintf(out, " header");
    if (n->empty) fprintf(out, " empty");
    if (n->task) fprintf(out, " task=%s", n->task == KH_TASK_DONE ? "done" : "open");
    if (n->kind == KH_NODE_CELL && n->align) fprintf(out, " align=%d", n->align);
    if (n->number) fprintf(out, " number=%d", n->number);
    if (n->label) fprintf(out, " label=%s", n->label);
    if (n->info) fprintf(out, " info=%s", n->info);
    if (n->image) {
      const char *slash = strrchr(n->image, '/');
      fprintf(out, " image=%s", slash ? slash + 1 : n->image);
    }
    if (n->width) fprintf(out, " width=%.2fpt", (double)n->width / 65536);
    if (n->width_permille) fprintf(out, " width=%d.%d%%", n->width_permille / 10,
                                   n->width_permille % 10);
    fprintf(out, " @%u:%u", line, col);
    if (n->text.text) {
      fputc(' ', out);
      trace_text(n->text.text, n->text.len, out);
      for (uint32_t i = 0; i < n->text.nmarks; i++) {
        const kh_mark *m = &n->text.marks[i];
        fputc(' ', out);
        for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
          if (m->flags & marks[k].flag) fputs(marks[k].name, out);
        fprintf(out, "[%u,%u)", m->start, m->end);
        if (m->href) fprintf(out, "=<%s>", m->href);
        if (m->note) fprintf(out, "=note%d", m->note->number);
      }
    }
    fputc('\n', out);
    trace_node(n->child, depth + 1, out);
  }
}

void kh_doc_trace(const kh_doc *doc, FILE *out) {
  for (const kh_part *p = doc->parts; p; p = p->next) {
    fprintf(out, "part %s layout=%s page=%s\n", p->src->path,
            p->layout ? p->layout : "-", p->page ? p->page : "-");
    trace_node(p->body, 1, out);
    if (p->notes) fprintf(out, "notes\n");
    trace_node(p->notes, 1, out);
  }
}
