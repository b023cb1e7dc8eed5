/* pdf: private interface between the document writer (pdf.c) and the font
 * embedder (embed.c).  Nothing outside src/pdf includes this file.
 *
 * The embedder turns each font of the fontset that the pages use into a
 * Type0 font (Identity-H) over a CIDFontType2 whose CIDs are given in the
 * order glyphs are first noted (a CIDToGIDMap stream maps them to the
 * subset's glyphs), built
 * with libharu's object API because libharu's own font code cannot draw
 * shaped glyph IDs.  Use it in three steps: note every glyph to be drawn and
 * the text it stands for (kh_pdf_fonts_note), draw (kh_pdf_fonts_use gives
 * the font dictionary to put in a page's resources), then kh_pdf_fonts_finish
 * writes the widths, the hb-subset font file and the ToUnicode CMap. */
#ifndef KH_PDF_EMBED_H
#define KH_PDF_EMBED_H

#include <hpdf.h>

#include "pdf/pdf.h"
#include "shape/shape.h"

/* One libharu document and the first error libharu reported for it. */
typedef struct kh_pdf_lib {
  kh_ctx *ctx;
  HPDF_Doc doc;
  HPDF_STATUS error;  /* first error_no raised, 0 if none */
  HPDF_STATUS detail; /* its detail_no */
} kh_pdf_lib;

/* Reports a libharu failure once (with the code libharu raised, else `st`)
 * and returns KH_LIBRARY; running out of memory is KH_NOMEM, unreported like
 * every other allocation failure.  `what` says what was being done. */
kh_status kh_pdf_lib_fail(kh_pdf_lib *lib, HPDF_STATUS st, const char *what);
/* KH_OK when st is HPDF_OK, else kh_pdf_lib_fail. */
kh_status kh_pdf_lib_check(kh_pdf_lib *lib, HPDF_STATUS st, const char *what);

/* libharu's document internals that its public API does not reach, all in
 * write.c (checked on libharu 2.3.0): its memory manager, xref, catalog
 * and Info dictionary; raising the PDF version; a stream object of ours
 * (Flate-compressed when the writer writes it, or left unfiltered) and
 * writing into it; turning an unfiltered stream libharu made (a PNG's soft
 * mask) to Flate; appending operators to a page's content stream. */
HPDF_MMgr kh_pdf_mmgr(const kh_pdf_lib *lib);
HPDF_Xref kh_pdf_xref(const kh_pdf_lib *lib);
HPDF_Dict kh_pdf_catalog(const kh_pdf_lib *lib);
HPDF_Dict kh_pdf_info(const kh_pdf_lib *lib);
/* The Info dictionary's string `key` as written, NUL-terminated ("" when
 * absent or longer than size - 1 bytes). */
void kh_pdf_info_string(const kh_pdf_lib *lib, const char *key, char *out, size_t size);
void kh_pdf_need_version(kh_pdf_lib *lib, HPDF_PDFVer v);
HPDF_Dict kh_pdf_stream_new(kh_pdf_lib *lib, int flate);
/* A stream of ours whose data is Flate-compressed already
 * (kh_pdf_deflate_binary): the writer writes `z`'s bytes as they are, with
 * /Filter /FlateDecode.  `z` is the caller's and must stay unchanged until
 * kh_pdf_out_finish; nothing is written into the stream itself. */
HPDF_Dict kh_pdf_stream_new_deflated(kh_pdf_lib *lib, const kh_buf *z);
HPDF_STATUS kh_pdf_stream_write(HPDF_Dict s, const void *data, size_t len);

/* Flate on other threads than the document's (write.c): compressors of
 * binary data (a font program) at the level the writer uses for it, so the
 * bytes are those the writer would make.  kh_pdf_out_deflater gives the
 * writer's compressor number k (0 .. KH_PDF_DEFLATERS - 1), made on first
 * use (NULL: out of memory), kept by the writer (transfer none), for one
 * thread at a time; number 0 is the one the writer itself uses, so it is
 * the document thread's.  Ask for it on the thread that will use it, or
 * before that thread starts.  kh_pdf_deflate_binary replaces out's bytes
 * with the zlib stream of `data`. */
#define KH_PDF_DEFLATERS 64
typedef struct kh_pdf_deflater kh_pdf_deflater;
typedef struct kh_pdf_out kh_pdf_out;
kh_pdf_deflater *kh_pdf_out_deflater(kh_pdf_out *o, int k);
kh_status kh_pdf_deflate_binary(kh_pdf_deflater *d, const void *data, size_t len, kh_buf *out);
void kh_pdf_stream_flate(HPDF_Dict s);
HPDF_STATUS kh_pdf_page_write(HPDF_Page page, const void *data, size_t len);

/* Appends the UTF-16BE form of UTF-8 text (characters beyond the BMP as
 * surrogate pairs; invalid bytes as U+FFFD), at most `max_units` code units
 * (whole characters only), as raw bytes or, with hex set, as uppercase hex
 * digits. */
kh_status kh_pdf_utf16be(kh_buf *out, const char *s, size_t len,
                         size_t max_units, int hex);

/* Prints v / 10^decimals with at most `decimals` decimals, trailing zeros
 * trimmed: "12", "-0.25", "498.046875".  Integers only, so no locale and the
 * same digits on every machine. */
kh_status kh_pdf_put_decimal(kh_buf *b, int64_t v, unsigned decimals);
/* Four uppercase hex digits of v & 0xFFFF: a glyph ID in a content stream. */
kh_status kh_pdf_put_hex4(kh_buf *b, unsigned v);

typedef struct kh_pdf_fonts kh_pdf_fonts;

/* Prepares embedding for every font of `set`; nothing is written to the
 * document until a font is used.  The fonts' TrueType hinting is embedded
 * only with keep_hinting.  kh_pdf_fonts_finish uses at most `threads`
 * threads, the calling one included (0: one per CPU the process may run
 * on); with more than one, a thread started here finds the fonts'
 * descriptor facts while the pages are made (kh_pdf_fonts_drop or
 * kh_pdf_fonts_finish joins it).  *out is owned by the caller. */
kh_status kh_pdf_fonts_new(kh_pdf_lib *lib, const kh_fontset *set,
                           int keep_hinting, int threads, kh_pdf_fonts **out);
void kh_pdf_fonts_drop(kh_pdf_fonts *pf);

/* Whether the font has TrueType outlines that can be embedded. */
int kh_pdf_fonts_embeddable(const kh_pdf_fonts *pf, int font);

/* First pass, before drawing: `gid` of `font` will be drawn for `text`
 * (empty for the second and later glyphs of a cluster).  The first non-empty
 * text noted for a glyph becomes its ToUnicode entry.  A glyph ID beyond the
 * font is an internal error. */
kh_status kh_pdf_fonts_note(kh_pdf_fonts *pf, int font, uint32_t gid,
                            const char *text, uint32_t len);

/* The CID that draws a noted glyph: the 2-byte code a content stream shows
 * for it (0, .notdef, for a glyph never noted). */
uint32_t kh_pdf_fonts_cid(const kh_pdf_fonts *pf, int font, uint32_t gid);
/* Whether font `font` shows its glyphs in short codes (embed.c), and the
 * bytes (1 or 2) of the short code of glyph number `cid`
 * (kh_pdf_fonts_cid); the other fonts and the stand-in font show it as its
 * two bytes (Identity-H). */
int kh_pdf_fonts_short(const kh_pdf_fonts *pf, int font);
unsigned kh_pdf_code_bytes(uint32_t cid, unsigned char out[2]);

/* Whether drawing `gid` for `text` would extract wrongly through the
 * ToUnicode entry, so the glyph needs an ActualText span. */
int kh_pdf_fonts_text_differs(const kh_pdf_fonts *pf, int font, uint32_t gid,
                              const char *text, uint32_t len);

/* Advance of a glyph in glyph space units (1/1000 em, rounded), exactly as
 * written in /W or /DW. */
int32_t kh_pdf_fonts_width(const kh_pdf_fonts *pf, int font, uint32_t gid);
/* The font's descender (negative) in 1/1000 em, as written in Descent. */
int32_t kh_pdf_fonts_descent(kh_pdf_fonts *pf, int font);

/* The indirect Type0 font dictionary of `font` (created on first use) and
 * its resource name, e.g. "KH0" (transfer none). */
kh_status kh_pdf_fonts_use(kh_pdf_fonts *pf, int font, HPDF_Dict *dict,
                           const char **name);

/* Vertical writing: `gid` of `font` is drawn upright (Identity-V). */
kh_status kh_pdf_fonts_note_vertical(kh_pdf_fonts *pf, int font, uint32_t gid);
/* Its vertical advance in 1/1000 em (positive, down), as in /W2 or /DW2. */
int32_t kh_pdf_fonts_vadvance(const kh_pdf_fonts *pf, int font, uint32_t gid);
/* The font's Identity-V Type0 dictionary (over the same CIDFont) and its
 * resource name, e.g. "KH0V". */
kh_status kh_pdf_fonts_use_vertical(kh_pdf_fonts *pf, int font, HPDF_Dict *dict,
                                    const char **name);

/* The stand-in font (embed.c): an image that stands for text (a colour
 * emoji) has font 0's invisible glyph `gid` drawn over it under the code
 * this gives for `text`, which that code extracts as (ToUnicode).  `gid`
 * must be noted for font 0 (kh_pdf_fonts_note), and is the same for every
 * text. */
kh_status kh_pdf_fonts_stand_in(kh_pdf_fonts *pf, uint32_t gid, const char *text, uint32_t len,
                                unsigned *code);
/* The stand-in font's Type0 dictionary (created on first use; it needs
 * font 0 to be used too) and its resource name, "KHS". */
kh_status kh_pdf_fonts_use_stand_in(kh_pdf_fonts *pf, HPDF_Dict *dict, const char **name);
/* The width of every stand-in code in 1/1000 em (its glyph's in font 0). */
int32_t kh_pdf_fonts_stand_in_width(const kh_pdf_fonts *pf);
/* Whether its glyph has no ink (an outline-less space). */
int kh_pdf_fonts_stand_in_blank(const kh_pdf_fonts *pf);

/* After all pages are drawn: completes every used font (widths, font file
 * subset, ToUnicode, descriptor).  The fonts' subsets, ToUnicode texts
 * and compressed font programs are made on worker threads (they read
 * the shared fonts only); the document's objects are made on the calling
 * thread, in font order, so the file is the same whatever the threads. */
kh_status kh_pdf_fonts_finish(kh_pdf_fonts *pf, kh_pdf_out *out);

/* The file writer (write.c): writes libharu's objects as a PDF 1.5 file
 * with object streams and a cross-reference stream, through `write`.
 * kh_pdf_out_new writes the header; kh_pdf_out_page writes a finished
 * page's content stream and frees it; kh_pdf_out_finish writes every other
 * object, the cross-reference stream and the trailer, with an /ID that is
 * the MD5 of the bytes before it. */
kh_status kh_pdf_out_new(kh_pdf_lib *lib, kh_pdf_write_fn write, void *user,
                         kh_pdf_out **out);
kh_status kh_pdf_out_page(kh_pdf_out *o, HPDF_Page page);
kh_status kh_pdf_out_finish(kh_pdf_out *o);
/* Objects written as bytes by the caller, not made with libharu (the
 * structure tree, the outline): their value goes into an object stream.
 *   kh_pdf_out_id: the object ID libharu gave one of its objects;
 *   kh_pdf_out_reserve: an ID taken now, for an object written later, with
 *     the libharu object (a null) that stands for it in libharu's
 *     dictionaries (HPDF_Dict_Add makes a reference to it);
 *   kh_pdf_out_seal: libharu will make no more objects; after it,
 *     kh_pdf_out_new_id gives IDs beyond libharu's (0 before);
 *   kh_pdf_out_raw: the value of object `id` (a reserved or a new ID),
 *     e.g. "<</S/P/P 12 0 R/K 3>>", written once. */
uint32_t kh_pdf_out_id(const void *obj);
kh_status kh_pdf_out_reserve(kh_pdf_out *o, void **ref, uint32_t *id);
kh_status kh_pdf_out_seal(kh_pdf_out *o);
uint32_t kh_pdf_out_new_id(kh_pdf_out *o);
kh_status kh_pdf_out_raw(kh_pdf_out *o, uint32_t id, const void *value, size_t len);
/* Appends a PDF text string (7.9.2.2) of UTF-8 `s`: a literal string of
 * its bytes when it is printable ASCII, else of UTF-16BE with a byte order
 * mark; at most max_units bytes or code units. */
kh_status kh_pdf_out_text(kh_buf *b, const char *s, size_t len, size_t max_units);
/* The MD5 of the bytes written so far. */
void kh_pdf_out_digest(const kh_pdf_out *o, unsigned char digest[16]);
void kh_pdf_out_drop(kh_pdf_out *o); /* NULL-safe; before HPDF_Free */

#endif
