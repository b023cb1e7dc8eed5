/* doc: what the modules of src/doc share and nothing outside it sees. */
#ifndef KH_DOC_INTERNAL_H
#define KH_DOC_INTERNAL_H

#include "doc/doc.h"

/* Byte `boff` of a buffer handed to the Markdown parser came from byte
 * `soff` of the source, and so on up to the next piece. */
typedef struct kh_srcmap {
  uint32_t boff, soff;
} kh_srcmap;

/* One footnote definition `[^label]: text` found by the pre-pass. */
typedef struct kh_fnote {
  const char *label;
  uint32_t label_len;
  kh_srcpos pos;       /* the definition's `[` */
  char *text;          /* its body, continuation indents removed */
  uint32_t len;
  kh_srcmap *map;      /* text -> source */
  uint32_t nmap;
  kh_node *node;       /* the KH_NODE_FOOTNOTE, made at its first reference */
} kh_fnote;

/* The footnotes of one part and the part's body with their definitions
 * blanked out (same length and offsets as the source). */
typedef struct kh_fnotes {
  kh_fnote *v;
  uint32_t n;
  char *body;          /* NULL when the part has no definition */
  KH_VEC(kh_fnote *) order; /* referenced ones, by number */
} kh_fnotes;

/* The footnote pre-pass (doc/notes.c): finds the definitions of the part
 * starting at `off`, outside fenced code. */
kh_status kh_doc_notes_scan(kh_ctx *ctx, kh_arena *arena, const kh_source *src,
                            uint32_t off, kh_fnotes *out);
/* The definition named label, or NULL. */
kh_fnote *kh_doc_notes_find(kh_fnotes *fn, const char *label, size_t len);

/* ---- storage given back behind the page builder (doc/store.c) ----------
 * A part's top-level blocks are stored in groups of about KH_GROUP_BYTES,
 * each a mapped arena of its own (kh_arena_new_mapped); everything that
 * lives to the end (footnotes, front matter blocks, parts, metadata) is in
 * the document's arena. */
#define KH_GROUP_BYTES (256 * 1024)

typedef struct kh_group {
  kh_arena *arena;
  const kh_source *src;  /* the part's source */
  const kh_node *last;   /* its last top-level block in the part's order */
  uint32_t src_lo;       /* the first source byte its text and positions
                            come from; UINT32_MAX: none */
} kh_group;

/* Source bytes [lo, hi) something that lives to the end comes from. */
typedef struct kh_pin {
  const kh_source *src;
  uint32_t lo, hi;
} kh_pin;

/* How far a source is given back: pages [0, upto) but the pinned ones. */
typedef struct kh_src_done {
  const kh_source *src;
  size_t upto;
} kh_src_done;

struct kh_doc_store {
  KH_VEC(kh_group) groups;
  KH_VEC(kh_pin) pins;
  KH_VEC(kh_src_done) srcs;
  size_t done;            /* groups [0, done) are released */
  int allowed;
  int started;            /* kh_doc_release's walk: the part and block it */
  const kh_part *at_part; /* stands at */
  const kh_node *at;
};

kh_doc_store *kh_doc_store_new(void);
void kh_doc_store_drop(kh_doc_store *s);
/* Starts a group for the next top-level blocks of `src`. */
kh_status kh_doc_store_group(kh_doc_store *s, const kh_source *src, kh_arena **arena);
/* Source bytes [lo, hi) are kept to the end. */
kh_status kh_doc_store_pin(kh_doc_store *s, const kh_source *src, uint32_t lo, uint32_t hi);

#endif
