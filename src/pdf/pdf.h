/* pdf: blocks on pages -> PDF (libharu).
 *
 * libharu writes the document: pages, content streams, compression, outlines,
 * link annotations, images and the Info dictionary.  Text is drawn as the
 * shaped glyph IDs through fonts built with libharu's object API: per font a
 * Type0 font, Identity-H, a CIDFontType2 with CIDToGIDMap Identity and a W
 * array of the glyphs used, the font subset with hb-subset (glyph IDs
 * retained) embedded as FontFile2, and a ToUnicode CMap made from the shaping
 * clusters.  The output is reproducible: no clock, a content-derived ID. */
#ifndef KH_PDF_H
#define KH_PDF_H

#include "page/page.h"

typedef struct kh_pdf_meta {
  const char *title;
  const char *author;   /* the issuer */
  const char *subject;
  const char *creator;  /* "kumihan <version>" */
  int64_t date_epoch;   /* CreationDate, seconds since 1970 (UTC) */
} kh_pdf_meta;

/* Writes the pages into a PDF held in memory; *out is malloc'd, owned by the
 * caller. */
kh_status kh_pdf_write(kh_ctx *ctx, const kh_pages *pages,
                       const kh_fontset *fonts, const kh_pdf_meta *meta,
                       unsigned char **out, size_t *out_len);

#endif
