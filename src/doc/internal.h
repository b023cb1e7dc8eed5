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

#endif
