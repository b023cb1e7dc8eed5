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
 *         Ruby > RB + RT        ruby: the base text and its reading
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
/* A text string written as bytes: the BOM and 16,382 UTF-16 code units keep
 * it within PDF's 32,767-byte string limit (ISO 32000-1, Annex C). */
#define RAW_TEXT_MAX 16383

typedef enum kid_kind { KID_ELEM, KID_MCR, KID_OBJR } kid_kind;

typedef struct kid { /* 12 bytes: a long document has one per MCID */
  uint32_t kind : 2;  /* kid_kind */
  uint32_t page : 30; /* MCR, OBJR (a page index: far below 2^30) */
  uint32_t v;         /* ELEM: element; MCR: MCID; OBJR: annotation */
  uint32_t next;      /* the element's next kid, or NONE */
} kid;

/* The standard structure types (14.8.4) the tree uses; elem.type indexes
 * them. */
static const char *const types[] = {
    "Document", "Sect", "H1",    "H2",      "H3",  "H4",    "H5",    "H6",
    "P",        "Code", "Link",  "Reference", "Note", "L",   "LI",    "Lbl",
    "LBody",    "Table", "THead", "TBody",   "TR",  "TH",    "TD",    "Caption",
    "Figure",   "BlockQuote", "Ruby", "RB",  "RT",  "Div"};
enum { TYPES = sizeof types / sizeof types[0] };

/* An element's attribute object (/A), one of a few (elem.attr). */
enum { ATTR_NONE, ATTR_COLUMN, ATTR_ROW, ATTR_DECIMAL, ATTR_DISC };
static const char *const attr_values[] = {NULL, "Column", "Row", "Decimal", "Disc"};

/* A long document has an element for every block and link: each is 32
 * bytes, and the fields few elements have are in elem_more. */
typedef struct elem {
  uint32_t parent;       /* NONE: not placed yet (a footnote) */
  uint32_t first, last;  /* kids */
  uint32_t nkids;
  uint32_t page;         /* page of the first marked content, or NONE */
  uint32_t id_obj;       /* its object ID, when written */
  uint32_t more;         /* its entry in tags.more, or NONE */
  uint8_t type;          /* in types[] */
  uint8_t attr;          /* ATTR_*: TH's /Scope, L's /ListNumbering */
  uint8_t keep;          /* something was drawn in it */
} elem;

typedef struct elem_more {
  uint32_t home;         /* a footnote's Sect, if no reference places it */
  uint32_t id;           /* Note: its /ID is note<id>, 0 for none */
  uint32_t text_at;      /* RT: its /ActualText, the reading drawn, at */
  uint32_t text_len;     /* tags.readings[text_at..], 0: none */
  char *alt;             /* Figure: alternate description (owned) */
  char *lang;            /* a language other than its parent's (owned) */
} elem_more;

/* What the tree knows of a node or a mark, found by its address. */
typedef struct slot {
  const void *key;
  uint32_t elem; /* the element its content goes to */
  uint32_t aux;  /* its entry in tags.aux, or NONE (16 bytes a slot: a
                    long document has one for every block and link) */
} slot;

/* What few slots know beyond their element. */
typedef struct slot_aux {
  uint32_t lbl;  /* a list item's first block: the item's Lbl */
  uint32_t fig;  /* a figure: the Figure (elem is its Caption); a ruby
                    mark: the RB (elem is the Ruby); a footnote reference:
                    the Link of its annotation */
  uint32_t rt;   /* a ruby mark: the RT, once a reading is drawn */
  uint32_t page, line; /* a ruby mark: where its Ruby's base stands */
} slot_aux;

typedef struct tree_key {
  int annot;      /* 0: a page's entry (an array by MCID) */
  uint32_t index; /* page or annotation */
} tree_key;

typedef KH_VEC(uint32_t) index_vec;

struct kh_pdf_tags {
  kh_pdf_lib *lib;
  const kh_doc *doc;
  KH_VEC(elem) elems;
  KH_VEC(elem_more) more;      /* elem.more */
  KH_VEC(kid) kids;
  slot *map;
  size_t map_cap, map_n;
  KH_VEC(slot_aux) aux;        /* slot.aux */
  KH_VEC(uint32_t) pages;      /* object ID per page */
  KH_VEC(uint32_t) page_first; /* per page: its first entry in `parents` */
  KH_VEC(uint32_t) parents;    /* per MCID of every page: the element */
  KH_VEC(uint32_t) annots;     /* object ID per annotation */
  KH_VEC(uint32_t) annot_elem;
  KH_VEC(tree_key) keys;            /* ParentTree keys in order */
  uint32_t open;               /* the open sequence's element, ARTIFACT or NONE */
  uint32_t mcid;               /* its MCID */
  int held;                    /* the open sequence may go on with the next
                                  glyph run of its element (same text object) */
  size_t bdc_at, bdc_end;      /* where its BDC is in the operators buffer */
  char bdc_text[64];           /* and what it says (bdc_len bytes, 0: none) */
  size_t bdc_len;
  uint32_t root;
  uint32_t tree_root;          /* the StructTreeRoot's object ID */
  uint32_t nnotes;
  int level;                   /* the last heading's level in this part */
  uint32_t pending_table;      /* a Table made by its caption */
  kh_buf readings;             /* the RT elements' texts (elem.text_at) */
  /* The elements of the blocks are made as the page builder reaches them
   * (kh_pdf_tags_upto), not all before the first page, so that a long
   * document's whole element tree is not held beside its whole document
   * tree.  Their order (and so their object numbers) is as if every
   * block's elements had been made first: each part's Sect, its blocks'
   * elements and its footnotes', part by part, then those made while
   * drawing (links, ruby, Div), in the order they were made. */
  const kh_part *at_part;      /* the walk: the part it is in (NULL: not */
  const kh_node *at;           /* started or done) and its next block */
  int walked;                  /* every part is walked */
  uint32_t nparts;
  index_vec *part_elems;       /* per part: its Sect and blocks' elements */
  index_vec *note_elems;       /* per part: its footnotes' */
  index_vec later;             /* the elements made while drawing */
  index_vec *into;             /* where new_elem records an element */
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
  while (e.type < TYPES && strcmp(types[e.type], type)) e.type++;
  if (e.type == TYPES)
    return kh_error_file(t->lib->ctx, NULL, KH_LIBRARY, "internal: structure type %s", type);
  e.parent = parent;
  e.first = e.last = NONE;
  e.page = NONE;
  e.more = NONE;
  *out = (uint32_t)t->elems.n;
  if (kh_vec_push(&t->elems, e) != KH_OK) return KH_NOMEM;
  if (kh_vec_push(t->into ? t->into : &t->later, *out) != KH_OK) return KH_NOMEM;
  if (parent != NONE)
    return add_kid(t, parent,
                   (kid){.kind = KID_ELEM, .page = 0, .v = *out, .next = NONE});
  return KH_OK;
}

/* The rare fields of element e, made (home NONE, the rest 0) if it has none
 * yet; NULL when out of memory. */
static elem_more *more_of(tags *t, uint32_t e) {
  if (t->elems.v[e].more == NONE) {
    elem_more m = {NONE, 0, 0, 0, NULL, NULL};
    if (kh_vec_push(&t->more, m) != KH_OK) return NULL;
    t->elems.v[e].more = (uint32_t)t->more.n - 1;
  }
  return &t->more.v[t->elems.v[e].more];
}

/* The rare fields of an element, or NULL when it has none. */
static const elem_more *more_get(const tags *t, const elem *el) {
  return el->more == NONE ? NULL : &t->more.v[el->more];
}

/* A copy of s, owned by the tree: the document may be freed before the
 * tree is written. */
static kh_status set_copy(char **to, const char *s) {
  size_t n = strlen(s);
  if (!(*to = malloc(n + 1))) return KH_NOMEM;
  memcpy(*to, s, n + 1);
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

/* The slot of `key`, made empty (elem, lbl, fig, rt NONE) if it is new. */
static kh_status map_put(tags *t, const void *key, slot **out) {
  if ((*out = map_get(t, key))) return KH_OK;
  /* keep it at most three quarters full: linear probing stays short, and
   * a long document's map (an entry per block and per link) takes half the
   * memory it did at half full */
  if (4 * (t->map_n + 1) > 3 * t->map_cap) {
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
  t->map[i] = (slot){key, NONE, NONE};
  t->map_n++;
  *out = &t->map[i];
  return KH_OK;
}

static const slot_aux no_aux = {NONE, NONE, NONE, NONE, 0};

/* What slot s knows beyond its element (every field NONE if nothing). */
static const slot_aux *aux_get(const tags *t, const slot *s) {
  return s->aux == NONE ? &no_aux : &t->aux.v[s->aux];
}

/* The same, to be written: made if the slot has none; NULL when out of
 * memory. */
static slot_aux *aux_of(tags *t, slot *s) {
  if (s->aux == NONE) {
    if (kh_vec_push(&t->aux, no_aux) != KH_OK) return NULL;
    s->aux = (uint32_t)t->aux.n - 1;
  }
  return &t->aux.v[s->aux];
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
    slot_aux *a = aux_of(t, s);
    if (!a) return KH_NOMEM;
    a->lbl = *lbl;
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
static kh_status walk_node(tags *t, const kh_node *n, uint32_t parent, uint32_t *lbl);

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
      t->elems.v[e].attr = !scope ? ATTR_NONE : r->header ? ATTR_COLUMN : ATTR_ROW;
    }
  }
cleanup:
  return ret;
}

static kh_status list(tags *t, const kh_node *n, uint32_t parent) {
  kh_status ret = KH_OK;
  uint32_t l;
  KH_CHECK(new_elem(t, parent, "L", &l));
  t->elems.v[l].attr = n->ordered ? ATTR_DECIMAL : ATTR_DISC;
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
      slot_aux *a = aux_of(t, s);
      if (!a) return KH_NOMEM;
      s->elem = a->lbl = lbl;
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
  if (n->alt && n->alt[0]) {
    elem_more *m = more_of(t, fig);
    if (!m) return KH_NOMEM;
    KH_CHECK(set_copy(&m->alt, n->alt));
  }
  KH_CHECK(map_put(t, n, &s));
  slot_aux *a = aux_of(t, s);
  if (!a) return KH_NOMEM;
  a->fig = fig;
  s->elem = fig;
  if (n->text.len) { /* its caption's text is drawn as glyphs of this node */
    uint32_t cap;
    KH_CHECK(new_elem(t, parent, "Caption", &cap));
    if ((s = map_get(t, n))) s->elem = cap;
  }
cleanup:
  return ret;
}

/* The elements of node n (not of those after it). */
static kh_status walk_node(tags *t, const kh_node *n, uint32_t parent, uint32_t *lbl) {
  kh_status ret = KH_OK;
  {
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
    case KH_NODE_FOOTNOTE: /* in kh_part.notes, see part_notes() */
    case KH_NODE_ROW:      /* inside tables */
    case KH_NODE_RULE:     /* drawn as a rule: an artifact */
      break;
    }
  }
cleanup:
  return ret;
}

static kh_status walk(tags *t, const kh_node *n, uint32_t parent, uint32_t *lbl) {
  kh_status ret = KH_OK;
  for (; n && ret == KH_OK; n = n->next) ret = walk_node(t, n, parent, lbl);
  return ret;
}

/* Does a footnote of the part hold a heading or a title, whose type
 * depends on the headings before it (heading_type)? */
static int notes_level(const kh_node *n) {
  for (; n; n = n->next)
    if (n->kind == KH_NODE_HEADING || is_title(n) || notes_level(n->child)) return 1;
  return 0;
}

/* The part's footnotes, after its blocks in the elements' order: made
 * when the part is begun (a note is drawn with its first reference), but
 * for a part whose notes hold headings, made after its blocks, as the
 * level of the last heading counts. */
static kh_status part_notes(tags *t, const kh_part *p, uint32_t sect) {
  kh_status ret = KH_OK;
  uint32_t pending = t->pending_table;
  t->pending_table = NONE;
  for (const kh_node *n = p->notes; n; n = n->next) {
    uint32_t note;
    slot *s;
    KH_CHECK(new_elem(t, NONE, "Note", &note));
    elem_more *m = more_of(t, note);
    if (!m) return KH_NOMEM;
    m->home = sect;
    m->id = ++t->nnotes;
    KH_CHECK(map_put(t, n, &s));
    s->elem = note;
    int level = t->level;
    KH_CHECK(walk(t, n->child, note, NULL));
    t->level = level;
  }
  t->pending_table = pending;
cleanup:
  return ret;
}

/* The Sect of part number i (made for every part before the first page:
 * the Document's kids are the parts, in order, before any Link drawn
 * outside them). */
static uint32_t sect_of(const tags *t, uint32_t i) { return t->part_elems[i].v[0]; }

static uint32_t part_index(const tags *t, const kh_part *p) {
  uint32_t i = 0;
  for (const kh_part *q = t->doc->parts; q && q != p; q = q->next) i++;
  return i;
}

/* The walk goes on into part p: its footnotes (or, when they hold
 * headings, its every block and then its footnotes). */
static kh_status part_begin(tags *t, const kh_part *p) {
  kh_status ret = KH_OK;
  uint32_t i = part_index(t, p), sect = sect_of(t, i);
  t->level = 0;
  t->pending_table = NONE;
  t->at_part = p;
  t->at = p->body;
  if (notes_level(p->notes)) {
    t->into = &t->part_elems[i];
    KH_CHECK(walk(t, p->body, sect, NULL));
    t->at = NULL;
  }
  t->into = &t->note_elems[i];
  KH_CHECK(part_notes(t, p, sect));
cleanup:
  t->into = NULL;
  return ret;
}

/* One top-level block of the part being walked. */
static kh_status walk_block(tags *t) {
  uint32_t i = part_index(t, t->at_part);
  const kh_node *n = t->at;
  t->into = &t->part_elems[i];
  kh_status ret = walk_node(t, n, sect_of(t, i), NULL);
  t->into = NULL;
  t->at = n->next;
  return ret;
}

/* A figure without alt text is a warning, given before the first page in
 * the order of the document (blocks, then footnotes, part by part). */
static void alt_warnings(tags *t, const kh_node *n) {
  for (; n; n = n->next) {
    if (n->kind == KH_NODE_FIGURE && !(n->alt && n->alt[0]))
      kh_warning(t->lib->ctx, n->pos,
                 "the image has no alt text: screen readers cannot say what it shows");
    if (n->kind != KH_NODE_TABLE) alt_warnings(t, n->child);
  }
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
  for (const kh_part *p = doc ? doc->parts : NULL; p; p = p->next) t->nparts++;
  t->part_elems = calloc(t->nparts + 1, sizeof *t->part_elems);
  t->note_elems = calloc(t->nparts + 1, sizeof *t->note_elems);
  if (!t->part_elems || !t->note_elems) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  uint32_t i = 0;
  for (const kh_part *p = doc ? doc->parts : NULL; p; p = p->next, i++) {
    uint32_t sect;
    t->into = &t->part_elems[i];
    KH_CHECK(new_elem(t, t->root, "Sect", &sect));
    t->into = NULL;
    const char *doc_lang = doc->lang ? doc->lang : "";
    if (p->lang && p->lang[0] && strcmp(p->lang, doc_lang)) {
      elem_more *m = more_of(t, sect);
      if (!m) {
        ret = KH_NOMEM;
        goto cleanup;
      }
      KH_CHECK(set_copy(&m->lang, p->lang));
    }
    alt_warnings(t, p->body);
    alt_warnings(t, p->notes);
  }
  if (!doc) t->walked = 1;
  *out = t;
  return KH_OK;
cleanup:
  kh_pdf_tags_drop(t);
  return ret;
}

kh_status kh_pdf_tags_upto(kh_pdf_tags *t, const kh_part *part, const kh_node *next) {
  kh_status ret = KH_OK;
  if (t->walked) return KH_OK;
  if (!t->at_part) {
    if (!t->doc->parts) {
      t->walked = 1;
      return KH_OK;
    }
    KH_CHECK(part_begin(t, t->doc->parts));
  }
  /* up to `next` of `part`, or past it when its part is walked whole */
  while (!(part && t->at_part == part && (t->at == next || !t->at))) {
    if (t->at) {
      KH_CHECK(walk_block(t));
    } else if (t->at_part->next) {
      KH_CHECK(part_begin(t, t->at_part->next));
    } else {
      t->walked = 1;
      break;
    }
  }
cleanup:
  return ret;
}

/* The elements in the order they are numbered and written (see
 * tags.at_part); malloc'd, t->elems.n of them, or NULL. */
static uint32_t *elem_order(const tags *t) {
  uint32_t *ord = malloc((t->elems.n + 1) * sizeof *ord);
  if (!ord) return NULL;
  size_t k = 0;
  ord[k++] = t->root;
  for (uint32_t i = 0; i < t->nparts; i++) {
    for (size_t j = 0; j < t->part_elems[i].n; j++) ord[k++] = t->part_elems[i].v[j];
    for (size_t j = 0; j < t->note_elems[i].n; j++) ord[k++] = t->note_elems[i].v[j];
  }
  for (size_t j = 0; j < t->later.n; j++)
    if (t->later.v[j] != t->root) ord[k++] = t->later.v[j];
  if (k != t->elems.n) { /* cannot happen: every element is in one list */
    free(ord);
    return NULL;
  }
  return ord;
}

void kh_pdf_tags_drop(kh_pdf_tags *t) {
  if (!t) return;
  for (uint32_t i = 0; i < t->nparts && t->part_elems; i++) kh_vec_free(&t->part_elems[i]);
  for (uint32_t i = 0; i < t->nparts && t->note_elems; i++) kh_vec_free(&t->note_elems[i]);
  free(t->part_elems);
  free(t->note_elems);
  kh_vec_free(&t->later);
  kh_vec_free(&t->elems);
  for (size_t i = 0; i < t->more.n; i++) {
    free(t->more.v[i].alt);
    free(t->more.v[i].lang);
  }
  kh_vec_free(&t->more);
  kh_vec_free(&t->kids);
  free(t->map);
  kh_vec_free(&t->aux);
  kh_vec_free(&t->pages);
  kh_vec_free(&t->page_first);
  kh_vec_free(&t->parents);
  kh_vec_free(&t->annots);
  kh_vec_free(&t->annot_elem);
  kh_vec_free(&t->keys);
  kh_buf_free(&t->readings);
  free(t);
}

/* ---- pages and marked content -------------------------------------------------*/

kh_status kh_pdf_tags_page(kh_pdf_tags *t, HPDF_Page page) {
  kh_status ret = KH_OK;
  uint32_t index = (uint32_t)t->pages.n;
  uint32_t k = (uint32_t)t->keys.n;
  KH_CHECK(kh_vec_push(&t->pages, kh_pdf_out_id(page)));
  KH_CHECK(kh_vec_push(&t->page_first, (uint32_t)t->parents.n));
  KH_CHECK(kh_vec_push(&t->keys, ((tree_key){0, index})));
  t->open = NONE;
  t->held = 0;
  HPDF_STATUS st = HPDF_Dict_AddNumber(page, "StructParents", (HPDF_INT32)k);
  /* annotations in the order of the structure (PDF/UA-1 7.18.3) */
  st |= HPDF_Dict_AddName(page, "Tabs", "S");
  KH_CHECK(kh_pdf_lib_check(t->lib, st, "tagging a page"));
cleanup:
  return ret;
}

/* Whether base item `it` of ruby slot `s` stands on another line than the
 * slot's Ruby: a mono-ruby broken across lines is a Ruby per line, as a
 * Ruby and its content elements are not to break across lines (PDF
 * Reference 1.7, Table 10.26). */
static int ruby_moves_on(const tags *t, const slot *s, const kh_item *it) {
  return it && !(it->flags & KH_ITEM_RUBY) && it->line &&
         (aux_get(t, s)->page != (uint32_t)t->pages.n - 1 || aux_get(t, s)->line != it->line);
}

/* The inline element of a link, footnote reference or ruby inside `e`,
 * made when its first item `it` (NULL: an annotation) is drawn. */
static kh_status inline_elem(tags *t, const kh_mark *m, uint32_t e, const kh_item *it,
                             uint32_t *out) {
  kh_status ret = KH_OK;
  slot *s;
  KH_CHECK(map_put(t, m, &s));
  if (s->elem != NONE && !((m->flags & KH_MARK_RUBY) && ruby_moves_on(t, s, it))) {
    /* ruby: its RB; a footnote reference: its Link */
    uint32_t fig = aux_get(t, s)->fig;
    *out = fig != NONE && (m->flags & (KH_MARK_RUBY | KH_MARK_FOOTREF)) ? fig : s->elem;
    return KH_OK;
  }
  uint32_t in;
  if (m->flags & KH_MARK_FOOTREF) {
    /* Reference > Link: the number is the link's text, as a URI link's */
    uint32_t ref;
    KH_CHECK(new_elem(t, e, "Reference", &ref));
    KH_CHECK(new_elem(t, ref, "Link", &in));
    if ((s = map_get(t, m))) {
      slot_aux *a = aux_of(t, s);
      if (!a) return KH_NOMEM;
      s->elem = ref, a->fig = in;
    }
    /* the footnote follows its first reference in reading order */
    const slot *ns = m->note ? map_get(t, m->note) : NULL;
    if (ns && ns->elem != NONE && t->elems.v[ns->elem].parent == NONE) {
      t->elems.v[ns->elem].parent = e;
      KH_CHECK(add_kid(t, e, (kid){.kind = KID_ELEM, .page = 0, .v = ns->elem, .next = NONE}));
    }
  } else if (m->flags & KH_MARK_LINK) {
    KH_CHECK(new_elem(t, e, "Link", &in));
    if ((s = map_get(t, m))) s->elem = in;
  } else { /* ruby: the base text is the RB (the reading, ruby_text) */
    uint32_t ruby;
    KH_CHECK(new_elem(t, e, "Ruby", &ruby));
    KH_CHECK(new_elem(t, ruby, "RB", &in));
    if ((s = map_get(t, m))) {
      slot_aux *a = aux_of(t, s);
      if (!a) return KH_NOMEM;
      s->elem = ruby, a->fig = in, a->rt = NONE;
      a->page = (uint32_t)t->pages.n - 1;
      a->line = it ? it->line : 0;
    }
  }
  *out = in;
cleanup:
  return ret;
}

/* Ruby (PDF Reference 1.7, Table 10.26) is Ruby > RB + RT: the base's
 * runs on a line are the RB, the reading's runs over them (drawn after
 * their line) the RT, made when the first of them is drawn, after the RB.
 * The reading is drawn inside an empty ActualText span (pdf.c,
 * draw_annotation_glyphs), so that copy, search and text extraction give
 * the base text alone and unbroken; by 14.9.4 that span's empty text
 * stands for everything inside it, the RT's marked content included, so
 * the RT element carries the reading again as its own /ActualText
 * (allowed on structure elements, Table 323), which is what a reader that
 * walks the structure tree gets (pdf.js reports it as the element's alt
 * text).  The RT's marked content still holds the reading's glyphs, each
 * mapped in ToUnicode, so a reader that takes an element's text from its
 * glyphs (poppler's pdfinfo -struct-text) reads the reading there too. */
static kh_status ruby_text(tags *t, const kh_item *it, uint32_t e, uint32_t *out) {
  kh_status ret = KH_OK;
  const kh_mark *m = it->mark;
  uint32_t rb, rt;
  KH_CHECK(inline_elem(t, m, e, it, &rb)); /* the Ruby and its RB first */
  slot *s = map_get(t, m);
  if (aux_get(t, s)->rt == NONE) {
    KH_CHECK(new_elem(t, s->elem, "RT", &rt));
    slot_aux *a = aux_of(t, s);
    if (!a) return KH_NOMEM;
    a->rt = rt;
  }
  rt = aux_get(t, s)->rt;
  /* its /ActualText: the text of the reading's runs, in order; an RT's text
   * is kept at the end of `readings` while it grows */
  elem_more *el = more_of(t, rt);
  if (!el) return KH_NOMEM;
  if (el->text_len && el->text_at + el->text_len != t->readings.len) {
    char *copy = malloc(el->text_len);
    if (!copy) return KH_NOMEM;
    memcpy(copy, t->readings.data + el->text_at, el->text_len);
    el->text_at = (uint32_t)t->readings.len;
    ret = kh_buf_append(&t->readings, copy, el->text_len);
    free(copy);
    KH_CHECK(ret);
  } else if (!el->text_len) {
    el->text_at = (uint32_t)t->readings.len;
  }
  for (uint32_t g = 0; g < it->n; g++)
    if (it->glyphs[g].text_len) {
      KH_CHECK(kh_buf_append(&t->readings, it->glyphs[g].text, it->glyphs[g].text_len));
      t->more.v[t->elems.v[rt].more].text_len += it->glyphs[g].text_len;
    }
  *out = rt;
cleanup:
  return ret;
}

/* The element an item's content belongs to, or ARTIFACT. */
static kh_status target(tags *t, const kh_item *it, uint32_t *out) {
  *out = ARTIFACT;
  if ((it->flags & KH_ITEM_ARTIFACT) || !it->node) return KH_OK;
  const slot *s = map_get(t, it->node);
  if (!s || s->elem == NONE) return KH_OK; /* not from the document: furniture */
  const slot_aux *a = aux_get(t, s);
  if ((it->flags & KH_ITEM_MARKER) && a->lbl != NONE) {
    *out = a->lbl;
    return KH_OK;
  }
  if (it->node->kind == KH_NODE_FIGURE && a->fig != NONE) {
    *out = it->kind == KH_ITEM_GLYPHS ? s->elem : a->fig;
    return KH_OK;
  }
  uint32_t e = s->elem;
  if (it->mark && (it->flags & KH_ITEM_RUBY) && (it->mark->flags & KH_MARK_RUBY))
    return ruby_text(t, it, e, out);
  if (it->mark && (it->mark->flags & (KH_MARK_LINK | KH_MARK_FOOTREF | KH_MARK_RUBY)))
    return inline_elem(t, it->mark, e, it, out);
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
  KH_CHECK(add_kid(t, e, (kid){.kind = KID_MCR, .page = page, .v = mcid, .next = NONE}));
  elem *el = &t->elems.v[e];
  el->keep = 1;
  if (el->page == NONE) el->page = page;
  t->bdc_at = ops->len;
  if (actual) {
    KH_CHECK(kh_buf_printf(ops, "/Span <</MCID %u /ActualText <FEFF", (unsigned)mcid));
    KH_CHECK(kh_pdf_utf16be(ops, actual, len, TEXT_MAX_UNITS, 1));
    KH_CHECK(kh_buf_printf(ops, ">>> BDC\n"));
  } else {
    KH_CHECK(kh_buf_printf(ops, "/%s <</MCID %u>> BDC\n", types[el->type], (unsigned)mcid));
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
  KH_CHECK(target(t, it, &e));
  if (t->held && t->open == e && it->kind == KH_ITEM_GLYPHS) {
    /* the next run of the same element in the same text object (a
     * paragraph's next line): one sequence, one MCID for both */
    t->held = 0;
    t->bdc_len = 0; /* its BDC is out: never rewritten */
    return KH_OK;
  }
  KH_CHECK(kh_pdf_tags_close(t, ops));
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
  if (t->held) return KH_OK;
  return kh_pdf_tags_close(t, ops);
}

void kh_pdf_tags_hold(kh_pdf_tags *t) {
  if (t->open != NONE) t->held = 1;
}

kh_status kh_pdf_tags_close(kh_pdf_tags *t, kh_buf *ops) {
  t->held = 0;
  if (t->open == NONE) return KH_OK;
  t->open = NONE;
  return kh_buf_append(ops, "EMC\n", 4);
}

/* A text string as UTF-16BE with its byte order mark (7.9.2.2). */
static void *text_string(tags *t, const char *s, size_t len) {
  /* printable ASCII as a literal string (PDFDocEncoding): half the bytes of
   * UTF-16, and a URL repeats its /URI, which compresses away */
  int ascii = len <= 32767;
  for (size_t i = 0; i < len && ascii; i++)
    ascii = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F;
  if (ascii) {
    char *z = malloc(len + 1);
    if (!z) return NULL;
    memcpy(z, s, len);
    z[len] = '\0';
    HPDF_String str = HPDF_String_New(kh_pdf_mmgr(t->lib), z, NULL);
    free(z);
    return str;
  }
  kh_buf b = {0};
  HPDF_Binary out = NULL;
  if (kh_buf_append(&b, "\xFE\xFF", 2) == KH_OK &&
      kh_pdf_utf16be(&b, s, len, TEXT_MAX_UNITS, 0) == KH_OK)
    out = HPDF_Binary_New(kh_pdf_mmgr(t->lib), (HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
  kh_buf_free(&b);
  return out;
}

kh_status kh_pdf_tags_annot(kh_pdf_tags *t, const kh_item *it, HPDF_Annotation a) {
  kh_status ret = KH_OK;
  uint32_t e = NONE;
  const slot *s = it->node ? map_get(t, it->node) : NULL;
  const uint32_t node_elem = s ? s->elem : NONE; /* slots move as the map grows */
  if (it->mark && node_elem != NONE) KH_CHECK(inline_elem(t, it->mark, node_elem, NULL, &e));
  if (e != NONE && (it->mark->flags & KH_MARK_FOOTREF)) {
    /* a footnote reference's link to its note: a Link in the Reference */
    slot *ms = map_get(t, it->mark);
    if (aux_get(t, ms)->fig == NONE) {
      uint32_t link;
      KH_CHECK(new_elem(t, e, "Link", &link));
      slot_aux *sa = (ms = map_get(t, it->mark)) ? aux_of(t, ms) : NULL;
      if (ms && !sa) return KH_NOMEM;
      if (sa) sa->fig = link;
    }
    e = ms ? aux_get(t, ms)->fig : e;
  } else if (e != NONE && !(it->mark->flags & KH_MARK_LINK)) {
    e = NONE; /* ruby is no link: the annotation gets a Link of its own */
  }
  if (e == NONE) { /* a link page/ did not attribute: a Link of its own */
    uint32_t parent = node_elem != NONE ? node_elem : t->root;
    KH_CHECK(new_elem(t, parent, "Link", &e));
  }
  uint32_t index = (uint32_t)t->annots.n, k = (uint32_t)t->keys.n;
  uint32_t page = (uint32_t)t->pages.n - 1;
  KH_CHECK(kh_vec_push(&t->annots, kh_pdf_out_id(a)));
  KH_CHECK(kh_vec_push(&t->annot_elem, e));
  KH_CHECK(kh_vec_push(&t->keys, ((tree_key){1, index})));
  KH_CHECK(add_kid(t, e, (kid){.kind = KID_OBJR, .page = page, .v = index, .next = NONE}));
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
  void *contents = text_string(t, text, len);
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

/* ---- writing the tree as bytes (write.c's object streams) -------------------
 * The elements, the ParentTree and the IDTree are written as bytes once the
 * document's last page is done, not made as libharu objects: libharu spends
 * a few hundred bytes on each dictionary entry, and a long document has
 * tens of thousands of elements.  The values are written compactly: no
 * /Type on elements (optional, 14.7.2), /K as one integer, one reference or
 * an array, a text string as a literal. */

static kh_status put_u(kh_buf *b, uint32_t v) {
  char t[12];
  size_t n = 0;
  do t[n++] = (char)('0' + v % 10);
  while ((v /= 10));
  char r[12];
  for (size_t i = 0; i < n; i++) r[i] = t[n - 1 - i];
  return kh_buf_append(b, r, n);
}

static kh_status put_ref(kh_buf *b, uint32_t id) {
  kh_status ret = put_u(b, id);
  return ret == KH_OK ? kh_buf_append(b, " 0 R", 4) : ret;
}

static kh_status put_s(kh_buf *b, const char *s) { return kh_buf_append(b, s, strlen(s)); }

/* One kid of an element's /K. */
static kh_status put_kid(tags *t, kh_buf *b, const elem *el, const kid *kd) {
  kh_status ret = KH_OK;
  if (kd->kind == KID_ELEM) {
    KH_CHECK(put_ref(b, t->elems.v[kd->v].id_obj));
  } else if (kd->kind == KID_MCR && (uint32_t)kd->page == el->page) {
    KH_CHECK(put_u(b, kd->v));
  } else {
    KH_CHECK(put_s(b, kd->kind == KID_MCR ? "<</Type/MCR/Pg " : "<</Type/OBJR/Pg "));
    KH_CHECK(put_ref(b, t->pages.v[kd->page]));
    KH_CHECK(put_s(b, kd->kind == KID_MCR ? "/MCID " : "/Obj "));
    if (kd->kind == KID_MCR) KH_CHECK(put_u(b, kd->v));
    else KH_CHECK(put_ref(b, t->annots.v[kd->v]));
    KH_CHECK(put_s(b, ">>"));
  }
cleanup:
  return ret;
}

static int kid_kept(const tags *t, const kid *kd) {
  return kd->kind != KID_ELEM || t->elems.v[kd->v].keep;
}

static kh_status write_elem(tags *t, kh_pdf_out *o, uint32_t e, kh_buf *b) {
  kh_status ret = KH_OK;
  const elem *el = &t->elems.v[e];
  b->len = 0;
  KH_CHECK(put_s(b, "<</S/"));
  KH_CHECK(put_s(b, types[el->type]));
  const elem_more *m = more_get(t, el);
  KH_CHECK(put_s(b, "/P "));
  KH_CHECK(put_ref(b, el->parent == NONE ? t->tree_root : t->elems.v[el->parent].id_obj));
  if (el->page != NONE) {
    KH_CHECK(put_s(b, "/Pg "));
    KH_CHECK(put_ref(b, t->pages.v[el->page]));
  }
  if (m && m->lang) {
    KH_CHECK(put_s(b, "/Lang"));
    KH_CHECK(kh_pdf_out_text(b, m->lang, strlen(m->lang), 64));
  }
  if (m && m->alt) {
    KH_CHECK(put_s(b, "/Alt"));
    KH_CHECK(kh_pdf_out_text(b, m->alt, strlen(m->alt), RAW_TEXT_MAX));
  }
  if (m && m->text_len) {
    KH_CHECK(put_s(b, "/ActualText"));
    KH_CHECK(kh_pdf_out_text(b, t->readings.data + m->text_at, m->text_len, RAW_TEXT_MAX));
  }
  if (m && m->id) {
    char id[32];
    snprintf(id, sizeof id, "(note%08u)", (unsigned)m->id);
    KH_CHECK(put_s(b, "/ID"));
    KH_CHECK(put_s(b, id));
  }
  if (el->attr != ATTR_NONE) {
    int scope = el->attr == ATTR_COLUMN || el->attr == ATTR_ROW;
    KH_CHECK(put_s(b, scope ? "/A<</O/Table/Scope/" : "/A<</O/List/ListNumbering/"));
    KH_CHECK(put_s(b, attr_values[el->attr]));
    KH_CHECK(put_s(b, ">>"));
  }
  uint32_t nk = 0, only = NONE;
  for (uint32_t i = el->first; i != NONE; i = t->kids.v[i].next)
    if (kid_kept(t, &t->kids.v[i])) nk++, only = i;
  KH_CHECK(put_s(b, "/K"));
  if (nk == 1) {
    KH_CHECK(put_s(b, " "));
    KH_CHECK(put_kid(t, b, el, &t->kids.v[only]));
  } else {
    KH_CHECK(put_s(b, "["));
    int first = 1;
    for (uint32_t i = el->first; i != NONE; i = t->kids.v[i].next) {
      if (!kid_kept(t, &t->kids.v[i])) continue;
      if (!first) KH_CHECK(put_s(b, " "));
      first = 0;
      KH_CHECK(put_kid(t, b, el, &t->kids.v[i]));
    }
    KH_CHECK(put_s(b, "]"));
  }
  KH_CHECK(put_s(b, ">>"));
  KH_CHECK(kh_pdf_out_raw(o, el->id_obj, b->data, b->len));
cleanup:
  return ret;
}

/* A number or name tree of `nodes` leaves (0: the root is the one leaf):
 * the root's /Kids, the leaves given consecutive IDs from *first_node. */
static kh_status tree_kids(kh_pdf_out *o, uint32_t root, size_t nodes, kh_buf *b,
                           uint32_t *first_node) {
  kh_status ret = KH_OK;
  if (!nodes) return KH_OK;
  b->len = 0;
  KH_CHECK(put_s(b, "<</Kids["));
  for (size_t i = 0; i < nodes; i++) {
    uint32_t id = kh_pdf_out_new_id(o);
    if (i == 0) *first_node = id;
    if (i) KH_CHECK(put_s(b, " "));
    KH_CHECK(put_ref(b, id));
  }
  KH_CHECK(put_s(b, "]>>"));
  KH_CHECK(kh_pdf_out_raw(o, root, b->data, b->len));
cleanup:
  return ret;
}

/* The ParentTree (14.7.4.4), a number tree: key -> the array of elements by
 * MCID (a page) or the element (an annotation); with /Kids of NUMS_MAX keys
 * each beyond NUMS_MAX. */
static kh_status parent_tree(tags *t, kh_pdf_out *o, uint32_t root, kh_buf *b) {
  kh_status ret = KH_OK;
  size_t n = t->keys.n;
  size_t nodes = n > NUMS_MAX ? (n + NUMS_MAX - 1) / NUMS_MAX : 0;
  uint32_t first_node = 0;
  KH_CHECK(tree_kids(o, root, nodes, b, &first_node));
  for (size_t lo = 0, node = 0; lo < n || (lo == 0 && n == 0); lo += NUMS_MAX, node++) {
    size_t hi = lo + NUMS_MAX < n ? lo + NUMS_MAX : n;
    b->len = 0;
    KH_CHECK(put_s(b, "<<"));
    if (nodes) {
      KH_CHECK(put_s(b, "/Limits["));
      KH_CHECK(put_u(b, (uint32_t)lo));
      KH_CHECK(put_s(b, " "));
      KH_CHECK(put_u(b, (uint32_t)(hi - 1)));
      KH_CHECK(put_s(b, "]"));
    }
    KH_CHECK(put_s(b, "/Nums["));
    for (size_t i = lo; i < hi; i++) {
      const tree_key *k = &t->keys.v[i];
      if (i > lo) KH_CHECK(put_s(b, " "));
      KH_CHECK(put_u(b, (uint32_t)i));
      KH_CHECK(put_s(b, " "));
      if (k->annot) {
        KH_CHECK(put_ref(b, t->elems.v[t->annot_elem.v[k->index]].id_obj));
        continue;
      }
      uint32_t from = t->page_first.v[k->index];
      uint32_t to = k->index + 1 < t->page_first.n ? t->page_first.v[k->index + 1]
                                                   : (uint32_t)t->parents.n;
      KH_CHECK(put_s(b, "["));
      for (uint32_t m = from; m < to; m++) {
        if (m > from) KH_CHECK(put_s(b, " "));
        KH_CHECK(put_ref(b, t->elems.v[t->parents.v[m]].id_obj));
      }
      KH_CHECK(put_s(b, "]"));
    }
    KH_CHECK(put_s(b, "]>>"));
    KH_CHECK(kh_pdf_out_raw(o, nodes ? first_node + (uint32_t)node : root, b->data, b->len));
    if (n == 0) break;
  }
cleanup:
  return ret;
}

/* A footnote's number in its /ID, 0 for any other element. */
static uint32_t note_id(const tags *t, const elem *el) {
  const elem_more *m = more_get(t, el);
  return m ? m->id : 0;
}

/* The IDTree (a name tree) of the footnotes' /ID; names sort as written.
 * *out: its ID, 0 when there are no footnotes. */
static kh_status id_tree(tags *t, kh_pdf_out *o, uint32_t *out, kh_buf *b) {
  kh_status ret = KH_OK;
  *out = 0;
  size_t n = 0;
  for (size_t e = 0; e < t->elems.n; e++) n += note_id(t, &t->elems.v[e]) && t->elems.v[e].keep;
  if (!n) return KH_OK;
  size_t nodes = n > NUMS_MAX ? (n + NUMS_MAX - 1) / NUMS_MAX : 0;
  uint32_t root = kh_pdf_out_new_id(o), first_node = 0;
  KH_CHECK(tree_kids(o, root, nodes, b, &first_node));
  kh_buf names = {0};
  size_t in_node = 0, node = 0, e = 0;
  char id[32], first[32] = "", last[32] = "";
  while (in_node || e < t->elems.n) {
    const elem *el = e < t->elems.n ? &t->elems.v[e] : NULL;
    if (el && (!note_id(t, el) || !el->keep)) {
      e++;
      continue;
    }
    if (in_node && (!el || in_node == NUMS_MAX)) { /* a node is complete */
      b->len = 0;
      KH_CHECK(put_s(b, "<<"));
      if (nodes) {
        KH_CHECK(put_s(b, "/Limits[("));
        KH_CHECK(put_s(b, first));
        KH_CHECK(put_s(b, ")("));
        KH_CHECK(put_s(b, last));
        KH_CHECK(put_s(b, ")]"));
      }
      KH_CHECK(put_s(b, "/Names["));
      KH_CHECK(kh_buf_append(b, names.data, names.len));
      KH_CHECK(put_s(b, "]>>"));
      KH_CHECK(kh_pdf_out_raw(o, nodes ? first_node + (uint32_t)node : root, b->data, b->len));
      node++;
      in_node = 0;
      names.len = 0;
      if (!el) break;
    }
    snprintf(id, sizeof id, "note%08u", (unsigned)note_id(t, el));
    if (!in_node) memcpy(first, id, sizeof id);
    memcpy(last, id, sizeof id);
    if (in_node) KH_CHECK(put_s(&names, " "));
    KH_CHECK(put_s(&names, "("));
    KH_CHECK(put_s(&names, id));
    KH_CHECK(put_s(&names, ") "));
    KH_CHECK(put_ref(&names, el->id_obj));
    in_node++;
    e++;
  }
  *out = root;
cleanup:
  kh_buf_free(&names);
  return ret;
}

kh_status kh_pdf_tags_finish(kh_pdf_tags *t, kh_pdf_out *o) {
  kh_status ret = KH_OK;
  uint32_t *ord = NULL;
  KH_CHECK(kh_pdf_tags_upto(t, NULL, NULL)); /* no page: nothing walked */
  /* no page follows: the map from the document's nodes and marks to their
   * elements is done with (2 MB at 3,000 pages), before the end of the file
   * is made */
  free(t->map);
  t->map = NULL;
  t->map_cap = t->map_n = 0;
  kh_vec_free(&t->aux);
  size_t n = t->elems.n;
  if (!(ord = elem_order(t))) {
    ret = KH_NOMEM;
    goto cleanup;
  }
  /* What to keep: an element that holds something drawn, and its
   * ancestors (children always come after their parents); a footnote no
   * reference placed goes to the end of its part. */
  for (size_t k = n; k-- > 1;) {
    size_t i = ord[k];
    elem *el = &t->elems.v[i];
    if (!el->keep) continue;
    const elem_more *m = more_get(t, el);
    if (el->parent == NONE && m && m->home != NONE) {
      uint32_t home = m->home;
      el->parent = home;
      KH_CHECK(add_kid(
          t, home,
          (kid){.kind = KID_ELEM, .page = 0, .v = (uint32_t)i, .next = NONE}));
      el = &t->elems.v[i];
    }
    if (el->parent != NONE) t->elems.v[el->parent].keep = 1;
  }
  t->elems.v[t->root].keep = 1;
  for (size_t k = 0; k < n; k++)
    if (t->elems.v[ord[k]].keep) KH_CHECK(group_kids(t, ord[k]));

  void *ref;
  KH_CHECK(kh_pdf_out_reserve(o, &ref, &t->tree_root));
  HPDF_STATUS st = HPDF_Dict_Add(kh_pdf_catalog(t->lib), "StructTreeRoot", ref);
  HPDF_Dict mark_info = HPDF_Dict_New(kh_pdf_mmgr(t->lib));
  if (!mark_info) KH_CHECK(kh_pdf_lib_fail(t->lib, 0, "writing the structure tree"));
  st |= HPDF_Dict_Add(kh_pdf_catalog(t->lib), "MarkInfo", mark_info);
  st |= HPDF_Dict_AddBoolean(mark_info, "Marked", HPDF_TRUE);
  KH_CHECK(kh_pdf_lib_check(t->lib, st, "writing the structure tree"));
cleanup:
  free(ord);
  return ret;
}

kh_status kh_pdf_tags_write(kh_pdf_tags *t, kh_pdf_out *o) {
  kh_status ret = KH_OK;
  kh_buf b = {0};
  uint32_t *ord = elem_order(t);
  if (!ord) return KH_NOMEM;
  for (size_t k = 0; k < t->elems.n; k++)
    if (t->elems.v[ord[k]].keep) t->elems.v[ord[k]].id_obj = kh_pdf_out_new_id(o);
  for (size_t k = 0; k < t->elems.n; k++)
    if (t->elems.v[ord[k]].keep) KH_CHECK(write_elem(t, o, ord[k], &b));
  uint32_t ptree = kh_pdf_out_new_id(o), ids;
  KH_CHECK(parent_tree(t, o, ptree, &b));
  KH_CHECK(id_tree(t, o, &ids, &b));
  b.len = 0;
  KH_CHECK(put_s(&b, "<</Type/StructTreeRoot/K "));
  KH_CHECK(put_ref(&b, t->elems.v[t->root].id_obj));
  KH_CHECK(put_s(&b, "/ParentTree "));
  KH_CHECK(put_ref(&b, ptree));
  KH_CHECK(put_s(&b, "/ParentTreeNextKey "));
  KH_CHECK(put_u(&b, (uint32_t)t->keys.n));
  if (ids) {
    KH_CHECK(put_s(&b, "/IDTree "));
    KH_CHECK(put_ref(&b, ids));
  }
  KH_CHECK(put_s(&b, ">>"));
  KH_CHECK(kh_pdf_out_raw(o, t->tree_root, b.data, b.len));
cleanup:
  free(ord);
  kh_buf_free(&b);
  return ret;
}
