/* pdf: private interface between the document writer (pdf.c) and the
 * structure tree (tag.c) and metadata (xmp.c).  Nothing outside src/pdf
 * includes this file.
 *
 * Tagged PDF (ISO 32000-1, 14.7-14.8) as PDF/UA-1 (ISO 14289-1) asks: every
 * piece of content drawn is either inside a marked-content sequence with an
 * MCID that a structure element owns, or an Artifact.  The structure tree is
 * made from the document tree before the first page (an element per node),
 * filled with marked content as pages are drawn, and written with its
 * ParentTree when the document is finished; elements that nothing was drawn
 * for are left out. */
#ifndef KH_PDF_TAG_H
#define KH_PDF_TAG_H

#include "pdf/embed.h"

typedef struct kh_pdf_tags kh_pdf_tags;

/* The tree for `doc`: the Document and a Sect per part; the elements of the
 * blocks are made as the pages reach them (kh_pdf_tags_upto), so `doc`
 * must live until the walk is done: a page whose blocks are all collected
 * (kh_page.part NULL), or kh_pdf_tags_finish.  A figure without alt text
 * is a warning, here.  *out is owned by the caller. */
kh_status kh_pdf_tags_new(kh_pdf_lib *lib, const kh_doc *doc, kh_pdf_tags **out);
/* Makes the elements of every block before `next` in `part` (NULL: the
 * rest of the part) and of the parts before it, and of the footnotes of
 * those parts; part NULL: of every block.  The blocks must still be
 * readable (the page builder gives back only blocks behind those it has
 * collected). */
kh_status kh_pdf_tags_upto(kh_pdf_tags *t, const kh_part *part, const kh_node *next);
void kh_pdf_tags_drop(kh_pdf_tags *t); /* NULL-safe */

/* A page was added: gives it /StructParents and /Tabs /S. */
kh_status kh_pdf_tags_page(kh_pdf_tags *t, HPDF_Page page);
/* Where an item's drawing begins (a glyph run: inside its BT, so that
 * sequences stay within the text object): appends the beginning of its
 * marked-content sequence to `ops`: BDC with a fresh MCID of its element, or
 * /Artifact BMC.  Link annotations draw nothing and change nothing. */
kh_status kh_pdf_tags_begin(kh_pdf_tags *t, const kh_item *it, kh_buf *ops);
/* An ActualText span (14.9.4) of UTF-8 `text` begins inside the item. */
kh_status kh_pdf_tags_actual_text(kh_pdf_tags *t, kh_buf *ops, const char *text, size_t len);
/* The span ends; `more`: the item draws more after it. */
kh_status kh_pdf_tags_actual_text_end(kh_pdf_tags *t, kh_buf *ops, int more);
/* Where the item's drawing ends (a glyph run: before its ET).  Nothing is
 * written while the sequence is held. */
kh_status kh_pdf_tags_end(kh_pdf_tags *t, kh_buf *ops);
/* A glyph run ends inside its text object: its sequence stays open, so that
 * the element's next run (its next line) continues it under the same MCID
 * rather than open one of its own; any other item, or kh_pdf_tags_close,
 * ends it.  Fewer MCIDs make smaller content streams, /K arrays and
 * ParentTree entries. */
void kh_pdf_tags_hold(kh_pdf_tags *t);
/* Ends the open sequence, held or not: before ET and at the page's end. */
kh_status kh_pdf_tags_close(kh_pdf_tags *t, kh_buf *ops);
/* A link annotation was made for `it`: /F 4 (print), /Contents, and its
 * /StructParent, an OBJR in the Link element of the link's text. */
kh_status kh_pdf_tags_annot(kh_pdf_tags *t, const kh_item *it, HPDF_Annotation a);
/* After the last page: completes the tree and gives the catalog its
 * /StructTreeRoot (an object ID reserved in `o`) and /MarkInfo. */
kh_status kh_pdf_tags_finish(kh_pdf_tags *t, kh_pdf_out *o);
/* After kh_pdf_out_seal: writes the elements, the ParentTree, the IDTree
 * and the StructTreeRoot as bytes into `o`. */
kh_status kh_pdf_tags_write(kh_pdf_tags *t, kh_pdf_out *o);

/* ---- metadata (xmp.c) ------------------------------------------------------*/

/* Writes the catalog's /Metadata: an XMP packet (UTF-8, unfiltered) with
 * Dublin Core title, creator, description and language, the dates and the
 * tool as in the Info dictionary, a document ID from `digest` (the trailer
 * /ID), PDF/UA-1 identification, and with `pdfa` PDF/A-2u identification.
 * `producer` is the Info dictionary's /Producer. */
kh_status kh_pdf_xmp(kh_pdf_lib *lib, const kh_pdf_meta *meta, const char *producer,
                     const unsigned char digest[16], int pdfa);
/* Adds the catalog's /OutputIntents: PDF/A's, with the sRGB IEC 61966-2.1
 * profile built into the program as its destination profile. */
kh_status kh_pdf_output_intent(kh_pdf_lib *lib);

#endif
