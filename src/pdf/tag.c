/* pdf: the structure tree of a tagged PDF (ISO 32000-1, 14.7 and 14.8) as
 * PDF/UA-1 (ISO 14289-1) requires it.
 *
 * The elements come from the document tree, by node kind:
 *
 *   Document
 *     Sect                      a part (with /Lang when its language differs)
 *       H1                      the part's title (front matter)
 *       H2..H6                  headings, one level below the title at most:
 *                               a level never skips (PDF/UA-1 7.4.2)
 *       P                       paragraphs, front-matter lines
 *         Link                  a link's text + OBJR of its annotation
 *         Reference > Link      a footnote reference: its number + OBJR
 *         Note                  the footnote, after its first reference; its
 *                               number is a Link back (text + OBJR)
 *       L > LI > Lbl + LBody    lists (the marker is its own item in page/)
 *       Table > THead/TBody > TR > TH/TD
 *                               header-row cells are TH /Scope /Column; a
 *                               table without a header row (GFM's blank head
 *                               row) gets its first column as TH /Scope /Row
 *       Caption                 a table's caption (first child of the Table)
 *       Figure /Alt, Caption    a figure and its caption
 *       BlockQuote              a box (Markdown block quote)
 *       Code                    a code block
 *
 * Page furniture (folios, running heads, the label box, rules, frames,
 * emphasis dots) is marked /Artifact.  Each element is made before the first
 * page, so its place among its siblings is the document's order whatever
 * order the pages draw things in; inline elements (Link, Reference, Ruby) are
 * made when their first item is drawn, in reading order inside their block.
 * Elements that nothing was drawn for are left out when the tree is written.
 *
 * libharu has no structure API; the tree is written with its object API.  Its
 * arrays hold at most 32,767 items (HPDF_LIMIT_MAX_ARRAY, libharu 2.3.0), so
 * the ParentTree is a number tree with /Kids beyond NUMS_MAX entries, and an
 * element with more than K_MAX kids gets them grouped in Div elements. */
#include <stdlib.h>
#include <string.h>

#include "pdf/tag.h"

#define NONE UINT32_MAX
#define ARTIFACT (UINT32_MAX - 1) /* the open sequence is an Artifact */
/* Kids in one /K array, ParentTree entries and IDTree names in one node:
 * well under libharu's array limit (two array items per entry). */
#define K_MAX 8192
#define NUMS_MAX 4096
/* The longest /Alt or /Contents, in UTF-16 code units (libharu's binary
 * string limit is HPDF_LIMIT_MAX_STRING_LEN bytes). */
#define TEXT_MAX_UNITS 16384

typedef enum kid_kind { KID_ELEM, KID_MCR, KID_OBJR } kid_kind;

typedef struct kid {
  kid_kind kind;
  uint32_t v;    /* ELEM: element; MCR: MCID; OBJR: annotation */
  uint32_t page; /* MCR, OBJR */
  uint32_t next; /* the element's next kid, or NONE */
} kid;

typedef struct elem {
  const char *type;      /* standard structure type (14.8.4) */
  uint32_t parent;       /* NONE: not placed yet (a footnote) */
  uint32_t home;         /* a footnote's Sect, if no reference places it */
  uint32_t first, last;  /* kids */
  uint32_t nkids;
  uint32_t page;         /* page of the first marked content, or NONE */
  const char *alt;       /* Figure: alternate description */
  const char *lang;      /* a language other than its parent's */
  const char *scope;     /* TH: Column or Row */
  const char *numbering; /* L: ListNumbering */
  uint32_t id;           /* Note: its /ID is note<id>, 0 for none */
  int keep;              /* something was drawn in it */
  HPDF_Dict dict;
} elem;

/* What the tree knows of a node or a mark, found by its address. */
typedef struct slot {
  const void *key;
  uint32_t elem; /* the element its content goes to */
  uint32_t lbl;  /* a list item's first block: the item's Lbl */
  uint32_t fig;  /* a figure: the Figure (elem is its Caption); a ruby
                    mark: the RB (elem is the Ruby); a footnote reference:
                    the Link of its annotation */
} slot;

typedef struct tree_key {
  int annot;      /* 0: a page's entry (an array by MCID) */
  uint32_t index; /* page or annotation */
} tree_key;

struct kh_pdf_tags {
  kh_pdf_lib *lib;
  const kh_doc *doc;
  KH_VEC(elem) elems;
  KH_VEC(kid) kids;
  slot *map;
  size_t map_cap, map_n;
  KH_VEC(HPDF_Page) pages;
  KH_VEC(uint32_t) page_first; /* per page: its first entry in `parents` */
  KH_VEC(uint32_t) parents;    /* per MCID of every page: the element */
  KH_VEC(HPDF_Annotation) annots;
  KH_VEC(uint32_t) annot_elem;
  KH_VEC(tree_key) keys;            /* ParentTree keys in order */
  uint32_t open;               /* the open sequence's element, ARTIFACT or NONE */
  uint32_t mcid;               /* its MCID */
  size_t bdc_at, bdc_end;      /* where its BDC is in the operators buffer */
  char bdc_text[64];           /* and what it says (bdc_len bytes, 0: none) */
  size_t bdc_len;
  uint32_t root;
  uint32_t nnotes;
  int level;                   /* the last heading's level in this part */
  uint32_t pending_table;      /* a Table made by its caption */
};
typedef struct kh_pdf_tags tags;

/* ---- the element tree in memory --------------------------------------------*/

static kh_status add_kid(tags *t, uint32_t e, kid k) {
  k.next = NONE;
  uint32_t at = (uint32_t)t->kids.n;
  if (kh_vec_push(&t->kids, k) != KH_OK) return KH_NOMEM;
  elem *el = &t->elems.v[e];
  if (el->last == NONE) el->first = at;
  else t->kids.v[el->last].next = at;
  el->last = at;
  el->nkids++;
  return KH_OK;
}

/* A new element under `parent` (NONE: placed later). */
static kh_status new_elem(tags *t, uint32_t parent, const char *type, uint32_t *out) {
  elem e = {0};
  e.type = type;
  e.parent = parent;
  e.home = NONE;
  e.first = e.last = NONE;
  e.page = NONE;
  *out = (uint32_t)t->elems.n;
  if (kh_vec_push(&t->elems, e) != KH_OK) return KH_NOMEM;
  if (parent != NONE) return add_kid(t, parent, (kid){KID_ELEM, *out, 0, NONE});
  return KH_OK;
}

static size_t hash_ptr(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return (size_t)x;
}

static slot *map_get(const tags *t, const void *key) {
  if (!t->map_cap || !key) return NULL;
  for (size_t i = hash_ptr(key) & (t->map_cap - 1);; i = (i + 1) & (t->map_cap - 1)) {
    if (t->map[i].key == key) return &t->map[i];
    if (!t->map[i].key) return NULL;
  }
}

/* The slot of `key`, made empty (elem, lbl, fig NONE) if it is new. */
static kh_status map_put(tags *t, const void *key, slot **out) {
  if ((*out = map_get(t, key))) return KH_OK;
  if (2 * (t->map_n + 1) > t->map_cap) { /* keep it at most half full */
    size_t cap = t->map_cap ? t->map_cap * 2 : 256;
    slot *m = calloc(cap, sizeof *m);
    if (!m) return KH_NOMEM;
    for (size_t i = 0; i < t->map_cap; i++) {
      if (!t->map[i].key) continue;
      size_t j = hash_ptr(t->map[i].key) & (cap - 1);
      while (m[j].key) j = (j + 1) & (cap - 1);
      m[j] = t->map[i];
    }
    free(t->map);
    t->map = m;
    t->map_cap = cap;
  }
  size_t i = hash_ptr(key) & (t->map_cap - 1);
  while (t->map[i].key) i = (i + 1) & (t->map_cap - 1);
  t->map[i] = (slot){key, NONE, NONE, NONE};
  t->map_n++;
  *out = &t->map[i];
  return KH_OK;
}

/* ---- from the document tree --------------------------------------------------*/

static const char *const heading_types[] = {"H1", "H2", "H3", "H4", "H5", "H6"};

/* A leaf block: its element, and the list item's Lbl if it is the item's
 * first block (page/ draws the marker with it). */
static kh_status leaf(tags *t, const kh_node *n, uint32_t parent, const char *type,
                      uint32_t *lbl, uint32_t *out) {
  kh_status ret = KH_OK;
  uint32_t e;
  slot *s;
  KH_CHECK(new_elem(t, parent, type, &e));
  KH_CHECK(map_put(t, n, &s));
  s->elem = e;
  if (lbl && *lbl != NONE) {
    s->lbl = *lbl;
    *lbl = NONE;
  }
  if (out) *out = e;
cleanup:
  return ret;
}

/* Headings start at H1 (the title) and go down one level at a time at most;
 * a Markdown heading deeper than that is set one below the last. */
static const char *heading_type(tags *t, int md_level) {
  int lv = md_level < 1 ? 1 : md_level;
  if (lv > t->level + 1) lv = t->level + 1;
  if (lv > 6) lv = 6;
  t->level = lv;
  return heading_types[lv - 1];
}

static int is_title(const kh_node *n) {
  return n->style && !strcmp(n->style, "title");
}

/* A code block's lines (paragraphs of style "code" until doc/ makes
 * KH_NODE_CODE blocks) are Code. */
static const char *para_type(const kh_node *n) {
  if (is_title(n)) return "H1";
  return n->style && !strcmp(n->style, "code") ? "Code" : "P";
}

static kh_status walk(tags *t, const kh_node *n, uint32_t parent, uint32_t *lbl);

static kh_status table(tags *t, const kh_node *n, uint32_t parent) {
  kh_status ret = KH_OK;
  uint32_t tbl = t->pending_table, head = NONE, body = NONE;
  t->pending_table = NONE;
  if (tbl == NONE) KH_CHECK(new_elem(t, parent, "Table", &tbl));
  int has_head = 0;
  for (const kh_node *r = n->child; r; r = r->next)
    if (r->kind == KH_NODE_ROW && r->header && !r->empty) has_head = 1;
  for (const kh_node *r = n->child; r; r = r->next) {
    if (r->kind != KH_NODE_ROW || (r->header && r->empty)) continue; /* not drawn */
    uint32_t *group = r->header ? &head : &body;
    if (*group == NONE) KH_CHECK(new_elem(t, tbl, r->header ? "THead" : "TBody", group));
    uint32_t tr;
    KH_CHECK(new_elem(t, *group, "TR", &tr));
    int col = 0;
    for (const kh_node *c = r->child; c; c = c->next, col++) {
      const char *scope = r->header ? "Column" : (!has_head && col == 0) ? "Row" : NULL;
      uint32_t e;
      KH_CHECK(leaf(t, c, tr, scope ? "TH" : "TD", NULL, &e));
      t->elems.v[e].scope = scope;
    }
  }
cleanup:
  return ret;
}

static kh_status list(tags *t, const kh_node *n, uint32_t parent) {
  kh_status ret = KH_OK;
  uint32_t l;
  KH_CHECK(new_elem(t, parent, "L", &l));
  t->elems.v[l].numbering = n->ordered ? "Decimal" : "Disc";
  for (const kh_node *it = n->child; it; it = it->next) {
    uint32_t li, lbl, body;
    KH_CHECK(new_elem(t, l, "LI", &li));
    KH_CHECK(new_elem(t, li, "Lbl", &lbl));
    KH_CHECK(new_elem(t, li, "LBody", &body));
    if (it->kind == KH_NODE_LIST_ITEM && it->child && it->child->kind == KH_NODE_LIST) {
      /* an item that opens with a list: page/ draws its marker on the
       * list's first line, as an item of this node */
      slot *s;
      KH_CHECK(map_put(t, it, &s));
      s->elem = s->lbl = lbl;
    }
    KH_CHECK(walk(t, it->kind == KH_NODE_LIST_ITEM ? it->child : it, body, &lbl));
  }
cleanup:
  return ret;
}

static kh_status figure(tags *t, const kh_node *n, uint32_t parent) {
  kh_status ret = KH_OK;
  uint32_t fig;
  slot *s;
  KH_CHECK(new_elem(t, parent, "Figure", &fig));
  if (n->alt && n->alt[0]) t->elems.v[fig].alt = n->alt;
  else
    kh_warning(t->lib->ctx, n->pos,
               "the image has no alt text: screen readers cannot say what it shows");
  KH_CHECK(map_put(t, n, &s));
  s->fig = fig;
  s->elem = fig;
  if (n->text.len) { /* its caption's text is drawn as glyphs of this node */
    uint32_t cap;
    KH_CHECK(new_elem(t, parent, "Caption", &cap));
    if ((s = map_get(t, n))) s->elem = cap;
  }
cleanup:
  return ret;
}

static kh_status walk(tags *t, const kh_node *n, uint32_t parent, uint32_t *lbl) {
  kh_status ret = KH_OK;
  for (; n; n = n->next) {
    uint32_t e;
    switch (n->kind) {
    case KH_NODE_PARA:
      if (is_title(n)) t->level = 1;
      KH_CHECK(leaf(t, n, parent, para_type(n), lbl, NULL));
      break;
    case KH_NODE_HEADING:
      KH_CHECK(leaf(t, n, parent, heading_type(t, n->level), lbl, NULL));
      break;
    case KH_NODE_CELL: /* outside a table: a paragraph */
      KH_CHECK(leaf(t, n, parent, "P", lbl, NULL));
      break;
    case KH_NODE_CODE:
      KH_CHECK(leaf(t, n, parent, "Code", lbl, NULL));
      break;
    case KH_NODE_CAPTION:
      if (n->next && n->next->kind == KH_NODE_TABLE && t->pending_table == NONE) {
        KH_CHECK(new_elem(t, parent, "Table", &t->pending_table));
        KH_CHECK(leaf(t, n, t->pending_table, "Caption", lbl, NULL));
      } else {
        KH_CHECK(leaf(t, n, parent, "Caption", lbl, NULL));
      }
      break;
    case KH_NODE_FIGURE:
      KH_CHECK(figure(t, n, parent));
      break;
    case KH_NODE_LIST:
      if (lbl) *lbl = NONE; /* an item that opens with a list has its marker
                               drawn for the item node (see list()) */
      KH_CHECK(list(t, n, parent));
      break;
    case KH_NODE_LIST_ITEM:
      KH_CHECK(walk(t, n->child, parent, lbl));
      break;
    case KH_NODE_BOX:
      KH_CHECK(new_elem(t, parent, "BlockQuote", &e));
      KH_CHECK(walk(t, n->child, e, NULL));
      break;
    case KH_NODE_TABLE:
      KH_CHECK(table(t, n, parent));
      break;
    case KH_NODE_FOOTNOTE: /* in kh_part.notes, see part() */
    case KH_NODE_ROW:      /* inside tables */
    case KH_NODE_RULE:     /* drawn as a rule: an artifact */
      break;
    }
  }
cleanup:
  return ret;
}

static kh_status part(tags *t, const kh_part *p) {
  kh_status ret = KH_OK;
  uint32_t sect;
  KH_CHECK(new_elem(t, t->root, "Sect", &sect));
  const char *doc_lang = t->doc->lang ? t->doc->lang : "";
  if (p->lang && p->lang[0] && strcmp(p->lang, doc_lang)) t->elems.v[sect].lang = p->lang;
  t->level = 0;
  t->pending_table = NONE;
  KH_CHECK(walk(t, p->body, sect, NULL));
  for (const kh_node *n = p->notes; n; n = n->next) {
    uint32_t note;
    slot *s;
    KH_CHECK(new_elem(t, NONE, "Note", &note));
    t->elems.v[note].home = sect;
    t->elems.v[note].id = ++t->nnotes;
    KH_CHECK(map_put(t, n, &s));
    s->elem = note;
    int level = t->level;
    KH_CHECK(walk(t, n->child, note, NULL));
    t->level = level;
  }
cleanup:
  return ret;
}

kh_status kh_pdf_tags_new(kh_pdf_lib *lib, const kh_doc *doc, kh_pdf_tags **out) {
  kh_status ret = KH_OK;
  *out = NULL;
  tags *t = calloc(1, sizeof *t);
  if (!t) return KH_NOMEM;
  t->lib = lib;
  t->doc = doc;
  t->open = NONE;
  t->pending_table = NONE;
  KH_CHECK(new_elem(t, NONE, "Document", &t->root));
  for (const kh_part *p = doc ? doc->parts : NULL; p; p = p->next) KH_CHECK(part(t, p));
  *out = t;
  return KH_OK;
cleanup:
  kh_pdf_tags_drop(t);
  return ret;
}

void kh_pdf_tags_drop(kh_pdf_tags *t) {
  if (!t) return;
  kh_vec_free(&t->elems);
  kh_vec_free(&t->kids);
  free(t->map);
  kh_vec_free(&t->pages);
  kh_vec_free(&t->page_first);
  kh_vec_free(&t->parents);
  kh_vec_free(&t->annots);
  kh_vec_free(&t->annot_elem);
  kh_vec_free(&t->keys);
  free(t);
}

/* ---- pages and marked content -------------------------------------------------*/

kh_status kh_pdf_tags_page(kh_pdf_tags *t, HPDF_Page page) {
  kh_status ret = KH_OK;
  uint32_t index = (uint32_t)t->pages.n;
  uint32_t k = (uint32_t)t->keys.n;
  KH_CHECK(kh_vec_push(&t->pages, page));
  KH_CHECK(kh_vec_push(&t->page_first, (uint32_t)t->parents.n));
  KH_CHECK(kh_vec_push(&t->keys, ((tree_key){0, index})));
  t->open = NONE;
  HPDF_STATUS st = HPDF_Dict_AddNumber(page, "StructParents", (HPDF_INT32)k);
  /* annotations in the order of the structure (PDF/UA-1 7.18.3) */
  st |= HPDF_Dict_AddName(page, "Tabs", "S");
  KH_CHECK(kh_pdf_lib_check(t->lib, st, "tagging a page"));
cleanup:
  return ret;
}

/* The inline element of a link, footnote reference or ruby inside `e`,
 * made when its first item is drawn. */
static kh_status inline_elem(tags *t, const kh_mark *m, uint32_t e, uint32_t *out) {
  kh_status ret = KH_OK;
  slot *s;
  KH_CHECK(map_put(t, m, &s));
  if (s->elem != NONE) { /* ruby: its RB; a footnote reference: its Link */
    *out = s->fig != NONE && (m->flags & (KH_MARK_RUBY | KH_MARK_FOOTREF)) ? s->fig : s->elem;
    return KH_OK;
  }
  uint32_t in;
  if (m->flags & KH_MARK_FOOTREF) {
    /* Reference > Link: the number is the link's text, as a URI link's */
    uint32_t ref;
    KH_CHECK(new_elem(t, e, "Reference", &ref));
    KH_CHECK(new_elem(t, ref, "Link", &in));
    if ((s = map_get(t, m))) s->elem = ref, s->fig = in;
    /* the footnote follows its first reference in reading order */
    const slot *ns = m->note ? map_get(t, m->note) : NULL;
    if (ns && ns->elem != NONE && t->elems.v[ns->elem].parent == NONE) {
      t->elems.v[ns->elem].parent = e;
      KH_CHECK(add_kid(t, e, (kid){KID_ELEM, ns->elem, 0, NONE}));
    }
  } else if (m->flags & KH_MARK_LINK) {
    KH_CHECK(new_elem(t, e, "Link", &in));
    if ((s = map_get(t, m))) s->elem = in;
  } else { /* ruby: the base text is the RB; the reading is its RT */
    uint32_t ruby;
    KH_CHECK(new_elem(t, e, "Ruby", &ruby));
    KH_CHECK(new_elem(t, ruby, "RB", &in));
    if ((s = map_get(t, m))) s->elem = ruby, s->fig = in;
  }
  *out = in;
cleanup:
  return ret;
}

/* The element an item's content belongs to, or ARTIFACT. */
static kh_status target(tags *t, const kh_item *it, uint32_t *out) {
  *out = ARTIFACT;
  if ((it->flags & KH_ITEM_ARTIFACT) || !it->node) return KH_OK;
  const slot *s = map_get(t, it->node);
  if (!s || s->elem == NONE) return KH_OK; /* not from the document: furniture */
  if ((it->flags & KH_ITEM_MARKER) && s->lbl != NONE) {
    *out = s->lbl;
    return KH_OK;
  }
  if (it->node->kind == KH_NODE_FIGURE && s->fig != NONE) {
    *out = it->kind == KH_ITEM_GLYPHS ? s->elem : s->fig;
    return KH_OK;
  }
  uint32_t e = s->elem;
  if (it->mark && (it->mark->flags & (KH_MARK_LINK | KH_MARK_FOOTREF | KH_MARK_RUBY)))
    return inline_elem(t, it->mark, e, out);
  *out = e;
  return KH_OK;
}

/* Opens a marked-content sequence with a fresh MCID of element e, tagged
 * `tag` (the element's type, or Span with `actual` text). */
static kh_status open_mcid(tags *t, uint32_t e, kh_buf *ops, const char *actual, size_t len) {
  kh_status ret = KH_OK;
  uint32_t page = (uint32_t)t->pages.n - 1;
  uint32_t mcid = (uint32_t)t->parents.n - t->page_first.v[page];
  KH_CHECK(kh_vec_push(&t->parents, e));
  KH_CHECK(add_kid(t, e, (kid){KID_MCR, mcid, page, NONE}));
  elem *el = &t->elems.v[e];
  el->keep = 1;
  if (el->page == NONE) el->page = page;
  t->bdc_at = ops->len;
  if (actual) {
    KH_CHECK(kh_buf_printf(ops, "/Span <</MCID %u /ActualText <FEFF", (unsigned)mcid));
    KH_CHECK(kh_pdf_utf16be(ops, actual, len, TEXT_MAX_UNITS, 1));
    KH_CHECK(kh_buf_printf(ops, ">>> BDC\n"));
  } else {
    KH_CHECK(kh_buf_printf(ops, "/%s <</MCID %u>> BDC\n", el->type, (unsigned)mcid));
  }
  t->bdc_end = ops->len;
  /* kept to be sure, before rewriting it, that the buffer still holds it */
  size_t n = t->bdc_end - t->bdc_at;
  t->bdc_len = n < sizeof t->bdc_text ? n : 0;
  if (t->bdc_len) memcpy(t->bdc_text, ops->data + t->bdc_at, n);
  t->mcid = mcid;
cleanup:
  return ret;
}

kh_status kh_pdf_tags_begin(kh_pdf_tags *t, const kh_item *it, kh_buf *ops) {
  kh_status ret = KH_OK;
  uint32_t e;
  if (it->kind == KH_ITEM_LINK || !t->pages.n) return KH_OK;
  KH_CHECK(kh_pdf_tags_end(t, ops));
  KH_CHECK(target(t, it, &e));
  if (e == ARTIFACT) KH_CHECK(kh_buf_printf(ops, "/Artifact BMC\n"));
  else KH_CHECK(open_mcid(t, e, ops, NULL, 0));
  t->open = e;
cleanup:
  return ret;
}

/* Poppler (22.12) ends a structure element's text at the first EMC inside
 * it, so an ActualText span is not nested in an element's sequence: the
 * element's sequence ends, the span is a sequence of the same element with
 * an MCID of its own (14.9.4 allows ActualText on any marked content), and
 * the element's resumes after it.  A span that starts where the sequence
 * starts takes the sequence's MCID. */
kh_status kh_pdf_tags_actual_text(kh_pdf_tags *t, kh_buf *ops, const char *text, size_t len) {
  kh_status ret = KH_OK;
  if (t->open == NONE || t->open == ARTIFACT) { /* nested in an Artifact */
    KH_CHECK(kh_buf_printf(ops, "/Span <</ActualText <FEFF"));
    KH_CHECK(kh_pdf_utf16be(ops, text, len, TEXT_MAX_UNITS, 1));
    KH_CHECK(kh_buf_printf(ops, ">>> BDC\n"));
    return KH_OK;
  }
  uint32_t e = t->open;
  if (ops->len == t->bdc_end && t->bdc_len && t->bdc_end - t->bdc_at == t->bdc_len &&
      !memcmp(ops->data + t->bdc_at, t->bdc_text, t->bdc_len)) { /* nothing drawn yet */
    ops->len = t->bdc_at;
    KH_CHECK(kh_buf_printf(ops, "/Span <</MCID %u /ActualText <FEFF", (unsigned)t->mcid));
    KH_CHECK(kh_pdf_utf16be(ops, text, len, TEXT_MAX_UNITS, 1));
    KH_CHECK(kh_buf_printf(ops, ">>> BDC\n"));
  } else {
    KH_CHECK(kh_buf_append(ops, "EMC\n", 4));
    KH_CHECK(open_mcid(t, e, ops, text, len));
  }
  t->bdc_len = 0; /* the span is not to be rewritten */
cleanup:
  return ret;
}

kh_status kh_pdf_tags_actual_text_end(kh_pdf_tags *t, kh_buf *ops, int more) {
  kh_status ret = KH_OK;
  KH_CHECK(kh_buf_append(ops, "EMC\n", 4));
  if (t->open == NONE || t->open == ARTIFACT) return KH_OK;
  if (more) KH_CHECK(open_mcid(t, t->open, ops, NULL, 0));
  else t->open = NONE;
cleanup:
  return ret;
}

kh_status kh_pdf_tags_end(kh_pdf_tags *t, kh_buf *ops) {
  if (t->open == NONE) return KH_OK;
  t->open = NONE;
  return kh_buf_append(ops, "EMC\n", 4);
}

/* A text string as UTF-16BE with its byte order mark (7.9.2.2). */
static HPDF_Binary text_string(tags *t, const char *s, size_t len) {
  kh_buf b = {0};
  HPDF_Binary out = NULL;
  if (kh_buf_append(&b, "\xFE\xFF", 2) == KH_OK &&
      kh_pdf_utf16be(&b, s, len, TEXT_MAX_UNITS, 0) == KH_OK)
    out = HPDF_Binary_New(t->lib->doc->mmgr, (HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
  kh_buf_free(&b);
  return out;
}

kh_status kh_pdf_tags_annot(kh_pdf_tags *t, const kh_item *it, HPDF_Annotation a) {
  kh_status ret = KH_OK;
  uint32_t e = NONE;
  const slot *s = it->node ? map_get(t, it->node) : NULL;
  const uint32_t node_elem = s ? s->elem : NONE; /* slots move as the map grows */
  if (it->mark && node_elem != NONE) KH_CHECK(inline_elem(t, it->mark, node_elem, &e));
  if (e != NONE && (it->mark->flags & KH_MARK_FOOTREF)) {
    /* a footnote reference's link to its note: a Link in the Reference */
    slot *ms = map_get(t, it->mark);
    if (ms->fig == NONE) {
      uint32_t link;
      KH_CHECK(new_elem(t, e, "Link", &link));
      if ((ms = map_get(t, it->mark))) ms->fig = link;
    }
    e = ms ? ms->fig : e;
  } else if (e != NONE && !(it->mark->flags & KH_MARK_LINK)) {
    e = NONE; /* ruby is no link: the annotation gets a Link of its own */
  }
  if (e == NONE) { /* a link page/ did not attribute: a Link of its own */
    uint32_t parent = node_elem != NONE ? node_elem : t->root;
    KH_CHECK(new_elem(t, parent, "Link", &e));
  }
  uint32_t index = (uint32_t)t->annots.n, k = (uint32_t)t->keys.n;
  uint32_t page = (uint32_t)t->pages.n - 1;
  KH_CHECK(kh_vec_push(&t->annots, a));
  KH_CHECK(kh_vec_push(&t->annot_elem, e));
  KH_CHECK(kh_vec_push(&t->keys, ((tree_key){1, index})));
  KH_CHECK(add_kid(t, e, (kid){KID_OBJR, index, page, NONE}));
  t->elems.v[e].keep = 1;
  if (t->elems.v[e].page == NONE) t->elems.v[e].page = page;

  /* /Contents: the link's text (PDF/UA-1 7.18.5), else its target */
  const char *text = it->href ? it->href : "";
  size_t len = strlen(text);
  if (it->mark && it->node && it->mark->end <= it->node->text.len &&
      it->mark->start < it->mark->end) {
    text = it->node->text.text + it->mark->start;
    len = it->mark->end - it->mark->start;
  }
  HPDF_Binary contents = text_string(t, text, len);
  if (!contents) KH_CHECK(kh_pdf_lib_fail(t->lib, 0, "tagging a link"));
  HPDF_STATUS st = HPDF_Dict_Add(a, "Contents", contents);
  st |= HPDF_Dict_AddNumber(a, "F", 4); /* Print (PDF/A-2 6.3.2) */
  st |= HPDF_Dict_AddNumber(a, "StructParent", (HPDF_INT32)k);
  KH_CHECK(kh_pdf_lib_check(t->lib, st, "tagging a link"));
cleanup:
  return ret;
}

/* ---- writing the tree ----------------------------------------------------------*/

/* An element with more than K_MAX kids gets them in Div elements of K_MAX
 * (libharu's arrays are bounded); repeated until every element fits. */
static kh_status group_kids(tags *t, uint32_t e) {
  kh_status ret = KH_OK;
  while (t->elems.v[e].nkids > K_MAX) {
    uint32_t k = t->elems.v[e].first;
    t->elems.v[e].first = t->elems.v[e].last = NONE;
    t->elems.v[e].nkids = 0;
    while (k != NONE) {
      uint32_t div;
      KH_CHECK(new_elem(t, e, "Div", &div));
      t->elems.v[div].keep = 1;
      for (uint32_t n = 0; n < K_MAX && k != NONE; n++) {
        uint32_t next = t->kids.v[k].next;
        kid moved = t->kids.v[k];
        if (moved.kind == KID_ELEM) t->elems.v[moved.v].parent = div;
        else if (t->elems.v[div].page == NONE) t->elems.v[div].page = t->elems.v[e].page;
        KH_CHECK(add_kid(t, div, moved));
        k = next;
      }
    }
  }
cleanup:
  return ret;
}

static HPDF_STATUS add_elem_ref(tags *t, HPDF_Array a, uint32_t e) {
  return HPDF_Array_Add(a, t->elems.v[e].dict);
}

static kh_status write_elem(tags *t, uint32_t e, HPDF_Dict tree_root) {
  kh_status ret = KH_OK;
  HPDF_MMgr mm = t->lib->doc->mmgr;
  elem *el = &t->elems.v[e];
  HPDF_Dict d = el->dict;
  HPDF_STATUS st = HPDF_Dict_AddName(d, "Type", "StructElem");
  st |= HPDF_Dict_AddName(d, "S", el->type);
  st |= HPDF_Dict_Add(d, "P", el->parent == NONE ? tree_root : t->elems.v[el->parent].dict);
  if (el->page != NONE) st |= HPDF_Dict_Add(d, "Pg", t->pages.v[el->page]);
  if (el->lang) st |= HPDF_Dict_Add(d, "Lang", HPDF_String_New(mm, el->lang, NULL));
  if (el->alt) {
    HPDF_Binary alt = text_string(t, el->alt, strlen(el->alt));
    st |= alt ? HPDF_Dict_Add(d, "Alt", alt) : HPDF_FAILD_TO_ALLOC_MEM;
  }
  if (el->id) {
    char id[32];
    snprintf(id, sizeof id, "note%08u", (unsigned)el->id);
    st |= HPDF_Dict_Add(d, "ID", HPDF_String_New(mm, id, NULL));
  }
  if (el->scope || el->numbering) {
    HPDF_Dict a = HPDF_Dict_New(mm);
    if (!a) return kh_pdf_lib_fail(t->lib, 0, "writing the structure tree");
    st |= HPDF_Dict_Add(d, "A", a);
    st |= HPDF_Dict_AddName(a, "O", el->scope ? "Table" : "List");
    if (el->scope) st |= HPDF_Dict_AddName(a, "Scope", el->scope);
    else st |= HPDF_Dict_AddName(a, "ListNumbering", el->numbering);
  }
  HPDF_Array k = HPDF_Array_New(mm);
  if (!k) return kh_pdf_lib_fail(t->lib, 0, "writing the structure tree");
  st |= HPDF_Dict_Add(d, "K", k);
  for (uint32_t i = el->first; i != NONE && st == HPDF_OK; i = t->kids.v[i].next) {
    const kid *kd = &t->kids.v[i];
    if (kd->kind == KID_ELEM) {
      if (t->elems.v[kd->v].keep) st |= add_elem_ref(t, k, kd->v);
    } else if (kd->kind == KID_MCR && kd->page == el->page) {
      st |= HPDF_Array_AddNumber(k, (HPDF_INT32)kd->v);
    } else {
      HPDF_Dict r = HPDF_Dict_New(mm);
      if (!r) return kh_pdf_lib_fail(t->lib, 0, "writing the structure tree");
      st |= HPDF_Array_Add(k, r);
      st |= HPDF_Dict_AddName(r, "Type", kd->kind == KID_MCR ? "MCR" : "OBJR");
      st |= HPDF_Dict_Add(r, "Pg", t->pages.v[kd->page]);
      if (kd->kind == KID_MCR) st |= HPDF_Dict_AddNumber(r, "MCID", (HPDF_INT32)kd->v);
      else st |= HPDF_Dict_Add(r, "Obj", t->annots.v[kd->v]);
    }
  }
  KH_CHECK(kh_pdf_lib_check(t->lib, st, "writing the structure tree"));
cleanup:
  return ret;
}

/* The ParentTree (14.7.4.4), a number tree: key -> the array of elements by
 * MCID (a page) or the element (an annotation). */
static kh_status parent_tree(tags *t, HPDF_Dict *out) {
  kh_status ret = KH_OK;
  HPDF_Doc doc = t->lib->doc;
  HPDF_MMgr mm = doc->mmgr;
  HPDF_STATUS st = HPDF_OK;
  size_t n = t->keys.n;
  HPDF_Dict root = HPDF_Dict_New(mm);
  if (!root || HPDF_Xref_Add(doc->xref, root) != HPDF_OK)
    return kh_pdf_lib_fail(t->lib, 0, "writing the structure tree");
  HPDF_Array kids = NULL;
  if (n > NUMS_MAX) {
    kids = HPDF_Array_New(mm);
    st |= HPDF_Dict_Add(root, "Kids", kids);
  }
  for (size_t lo = 0; lo < n || (lo == 0 && n == 0); lo += NUMS_MAX) {
    size_t hi = lo + NUMS_MAX < n ? lo + NUMS_MAX : n;
    HPDF_Dict node = root;
    if (kids) {
      node = HPDF_Dict_New(mm);
      if (!node || HPDF_Xref_Add(doc->xref, node) != HPDF_OK)
        return kh_pdf_lib_fail(t->lib, 0, "writing the structure tree");
      st |= HPDF_Array_Add(kids, node);
      HPDF_Array limits = HPDF_Array_New(mm);
      st |= HPDF_Dict_Add(node, "Limits", limits);
      st |= HPDF_Array_AddNumber(limits, (HPDF_INT32)lo);
      st |= HPDF_Array_AddNumber(limits, (HPDF_INT32)(hi - 1));
    }
    HPDF_Array nums = HPDF_Array_New(mm);
    st |= HPDF_Dict_Add(node, "Nums", nums);
    for (size_t i = lo; i < hi && st == HPDF_OK; i++) {
      const tree_key *k = &t->keys.v[i];
      st |= HPDF_Array_AddNumber(nums, (HPDF_INT32)i);
      if (k->annot) {
        st |= add_elem_ref(t, nums, t->annot_elem.v[k->index]);
        continue;
      }
      uint32_t from = t->page_first.v[k->index];
      uint32_t to = k->index + 1 < t->page_first.n ? t->page_first.v[k->index + 1]
                                                   : (uint32_t)t->parents.n;
      if (to - from > K_MAX * 3)
        return kh_error_file(t->lib->ctx, NULL, KH_LIMIT,
                             "page %u has more than %u tagged pieces of content",
                             (unsigned)k->index + 1, (unsigned)K_MAX * 3);
      HPDF_Array a = HPDF_Array_New(mm);
      st |= HPDF_Array_Add(nums, a);
      for (uint32_t m = from; m < to && st == HPDF_OK; m++) st |= add_elem_ref(t, a, t->parents.v[m]);
    }
    if (n == 0) break;
  }
  KH_CHECK(kh_pdf_lib_check(t->lib, st, "writing the structure tree"));
  *out = root;
cleanup:
  return ret;
}

/* The IDTree (a name tree) of the footnotes' /ID; names sort as written. */
static kh_status id_tree(tags *t, HPDF_Dict *out) {
  kh_status ret = KH_OK;
  HPDF_MMgr mm = t->lib->doc->mmgr;
  HPDF_STATUS st = HPDF_OK;
  *out = NULL;
  size_t n = 0;
  for (size_t e = 0; e < t->elems.n; e++) n += t->elems.v[e].id && t->elems.v[e].keep;
  if (!n) return KH_OK;
  HPDF_Dict root = HPDF_Dict_New(mm);
  if (!root) return kh_pdf_lib_fail(t->lib, 0, "writing the structure tree");
  HPDF_Array kids = NULL, names = NULL;
  if (n > NUMS_MAX) {
    kids = HPDF_Array_New(mm);
    st |= HPDF_Dict_Add(root, "Kids", kids);
  }
  size_t in_node = 0;
  char id[32], first[32] = "", last[32] = "";
  HPDF_Array limits = NULL;
  for (size_t e = 0; e < t->elems.n && st == HPDF_OK; e++) {
    const elem *el = &t->elems.v[e];
    if (!el->id || !el->keep) continue;
    snprintf(id, sizeof id, "note%08u", (unsigned)el->id);
    if (!names || in_node == NUMS_MAX) {
      if (limits) {
        st |= HPDF_Array_Add(limits, HPDF_String_New(mm, first, NULL));
        st |= HPDF_Array_Add(limits, HPDF_String_New(mm, last, NULL));
      }
      HPDF_Dict node = root;
      if (kids) {
        node = HPDF_Dict_New(mm);
        st |= HPDF_Array_Add(kids, node);
        limits = HPDF_Array_New(mm);
        st |= HPDF_Dict_Add(node, "Limits", limits);
      }
      names = HPDF_Array_New(mm);
      st |= HPDF_Dict_Add(node, "Names", names);
      in_node = 0;
      memcpy(first, id, sizeof id);
    }
    st |= HPDF_Array_Add(names, HPDF_String_New(mm, id, NULL));
    st |= add_elem_ref(t, names, (uint32_t)e);
    memcpy(last, id, sizeof id);
    in_node++;
  }
  if (limits) {
    st |= HPDF_Array_Add(limits, HPDF_String_New(mm, first, NULL));
    st |= HPDF_Array_Add(limits, HPDF_String_New(mm, last, NULL));
  }
  KH_CHECK(kh_pdf_lib_check(t->lib, st, "writing the structure tree"));
  *out = root;
cleanup:
  return ret;
}

kh_status kh_pdf_tags_finish(kh_pdf_tags *t) {
  kh_status ret = KH_OK;
  HPDF_Doc doc = t->lib->doc;
  HPDF_MMgr mm = doc->mmgr;
  size_t n = t->elems.n;
  /* What to keep: an element that holds something drawn, and its
   * ancestors (children always come after their parents); a footnote no
   * reference placed goes to the end of its part. */
  for (size_t i = n; i-- > 1;) {
    elem *el = &t->elems.v[i];
    if (!el->keep) continue;
    if (el->parent == NONE && el->home != NONE) {
      el->parent = el->home;
      KH_CHECK(add_kid(t, el->home, (kid){KID_ELEM, (uint32_t)i, 0, NONE}));
      el = &t->elems.v[i];
    }
    if (el->parent != NONE) t->elems.v[el->parent].keep = 1;
  }
  t->elems.v[t->root].keep = 1;
  for (size_t i = 0; i < n; i++)
    if (t->elems.v[i].keep) KH_CHECK(group_kids(t, (uint32_t)i));

  HPDF_Dict tree_root = HPDF_Dict_New(mm);
  if (!tree_root || HPDF_Xref_Add(doc->xref, tree_root) != HPDF_OK)
    KH_CHECK(kh_pdf_lib_fail(t->lib, 0, "writing the structure tree"));
  for (size_t i = 0; i < t->elems.n; i++) {
    elem *el = &t->elems.v[i];
    if (!el->keep) continue;
    if (!(el->dict = HPDF_Dict_New(mm)) || HPDF_Xref_Add(doc->xref, el->dict) != HPDF_OK)
      KH_CHECK(kh_pdf_lib_fail(t->lib, 0, "writing the structure tree"));
  }
  for (size_t i = 0; i < t->elems.n; i++)
    if (t->elems.v[i].keep) KH_CHECK(write_elem(t, (uint32_t)i, tree_root));

  HPDF_Dict ptree = NULL, ids = NULL;
  KH_CHECK(parent_tree(t, &ptree));
  KH_CHECK(id_tree(t, &ids));
  HPDF_STATUS st = HPDF_Dict_AddName(tree_root, "Type", "StructTreeRoot");
  st |= HPDF_Dict_Add(tree_root, "K", t->elems.v[t->root].dict);
  st |= HPDF_Dict_Add(tree_root, "ParentTree", ptree);
  st |= HPDF_Dict_AddNumber(tree_root, "ParentTreeNextKey", (HPDF_INT32)t->keys.n);
  if (ids) st |= HPDF_Dict_Add(tree_root, "IDTree", ids);
  st |= HPDF_Dict_Add(doc->catalog, "StructTreeRoot", tree_root);
  HPDF_Dict mark_info = HPDF_Dict_New(mm);
  if (!mark_info) KH_CHECK(kh_pdf_lib_fail(t->lib, 0, "writing the structure tree"));
  st |= HPDF_Dict_Add(doc->catalog, "MarkInfo", mark_info);
  st |= HPDF_Dict_AddBoolean(mark_info, "Marked", HPDF_TRUE);
  KH_CHECK(kh_pdf_lib_check(t->lib, st, "writing the structure tree"));
cleanup:
  return ret;
}
