/* pdf: blocks on pages -> PDF (libharu).
 *
 * libharu writes the document: pages, content streams, compression, outlines,
 * link annotations, images and the Info dictionary.  Text is drawn as the
 * shaped glyph IDs through fonts built with libharu's object API: per font a
 * Type0 font, Identity-H, a CIDFontType2 with CIDToGIDMap Identity and a W
 * array of the glyphs used, the font subset with hb-subset (glyph IDs
 * retained) embedded as FontFile2, and a ToUnicode CMap made from the shaping
 * clusters.  The output is tagged (PDF/UA-1: a structure tree from the
 * document, every drawn item marked) and, by default, PDF/A-2u (XMP
 * metadata, an sRGB output intent).  The output is reproducible: no clock, a
 * content-derived ID.  The file is written by write.c (object streams, a
 * cross-reference stream), each page's content as soon as the page is done. */
#ifndef KH_PDF_H
#define KH_PDF_H

#include "page/page.h"

typedef struct kh_pdf_meta {
  const char *title;
  const char *author;   /* the issuer */
  const char *subject;
  const char *creator;  /* "kumihan <version>" */
  int64_t date_epoch;   /* CreationDate, seconds since 1970 (UTC) */
  const char *lang;     /* the text's language (BCP 47), for the catalog's
                           /Lang: screen readers voice Japanese as Japanese */
  const kh_doc *doc;    /* the document the pages' items come from: the
                           structure tree of the tagged PDF is made from it
                           (may be NULL: then only artifacts) */
  int pdfa;             /* PDF/A-2u: an sRGB output intent, PDF/A
                           identification in the XMP, no .notdef */
  int keep_hinting;     /* embed the fonts' TrueType hinting */
  int threads;          /* at most this many threads finish the fonts
                           (0: one per CPU the process may run on) */
} kh_pdf_meta;

/* A PDF being written, page by page: kh_pdf_new (meta's strings must live
 * until kh_pdf_finish), kh_pdf_add_page for each
 * page in order (the page may be freed as soon as the call returns; fonts,
 * ToUnicode entries and images are kept), then kh_pdf_finish.  The output is
 * reproducible: no clock, and an ID derived from everything drawn. */
typedef struct kh_pdf kh_pdf;

/* Receives the file's bytes in order; a non-OK status stops the writing. */
typedef kh_status (*kh_pdf_write_fn)(void *user, const void *data, size_t len);

/* The file goes out through `write` as it is made: the header at once,
 * each page's content when the page is added, the rest at kh_pdf_finish. */
kh_status kh_pdf_new(kh_ctx *ctx, const kh_fontset *fonts, const kh_pdf_meta *meta,
                     kh_fixed page_w, kh_fixed page_h, kh_pdf_write_fn write,
                     void *user, kh_pdf **out);
kh_status kh_pdf_add_page(kh_pdf *pdf, const kh_page *page);
/* Adds the outline (entries refer to pages by index) and writes the rest of
 * the file. */
kh_status kh_pdf_finish(kh_pdf *pdf, const kh_outline_entry *outline, uint32_t noutline);
void kh_pdf_drop(kh_pdf *pdf); /* NULL-safe */

/* The libharu version for kumihan --version (pdf/version.c). */
void kh_pdf_versions(kh_buf *out);

#endif
