/* pdf: the file writer — object streams, a cross-reference stream, pages
 * written as they are finished (ISO 32000-1, 7.5.7 and 7.5.8).
 *
 * libharu builds the document's objects and keeps them in its xref, but its
 * own writer (HPDF_SaveToStream) writes everything at the end, one object at
 * a time with a classic cross-reference table, so every page's content stays
 * in memory until then and a long document's small objects (pages, links,
 * outline entries) take a few hundred bytes each.  This writer serialises the
 * same objects, with libharu's own value writers (HPDF_Obj_Write and
 * HPDF_Obj_WriteValue), in another order and another container:
 *
 *   - a page's content stream is compressed and written out as soon as the
 *     page is finished, and its bytes are freed;
 *   - at the end, every other stream is written (compressed here with libdeflate,
 *     its /Length direct), and every object that is not a stream goes into
 *     object streams of OBJSTM_MAX objects;
 *   - a cross-reference stream (PNG Up predictor) ends the file, with /ID
 *     both halves the MD5 of every byte before it, so the same input gives
 *     the same file.
 *
 * This is the only file that reads libharu's private structures: the xref's
 * entries, an object's header (its ID and class), a dictionary's element
 * list, stream and filter, and a page's content dictionary, as laid out in
 * libharu 2.3.0's hpdf_objects.h, hpdf_list.h and hpdf_pages.h (checked on
 * Debian's libhpdf 2.3.0). */
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "pdf/embed.h"

/* Objects per object stream.  Small objects (structure elements, pages,
 * links) compress better the more of them share a stream: on 300 pages,
 * 100 a stream gave 890.2 kB, 300 gave 860.3 kB, 1000 gave 851.9 kB.  A
 * reader inflates the whole stream (here about 100 kB) to reach one. */
#define OBJSTM_MAX 1000
/* Bytes held before they are handed to the output. */
#define OUT_BUF 65536

/* ENTRY_RESERVED: an ID taken in libharu's xref (a null object there) for
 * an object written here as bytes (kh_pdf_out_raw), not yet written. */
enum { ENTRY_NONE, ENTRY_FILE, ENTRY_OBJSTM, ENTRY_UNUSED, ENTRY_RESERVED };

typedef struct entry {
  uint8_t kind;   /* ENTRY_* */
  uint32_t index; /* OBJSTM: index in its object stream */
  uint64_t where; /* FILE: byte offset; OBJSTM: the object stream's ID */
} entry;

struct kh_pdf_out {
  kh_pdf_lib *lib;
  kh_pdf_write_fn write;
  void *user;
  unsigned char buf[OUT_BUF];
  size_t nbuf;
  uint64_t pos; /* bytes written so far, buffered ones included */
  HPDF_MD5_CTX md5;
  KH_VEC(entry) entries; /* by object ID */
  HPDF_Stream sink;      /* libharu stream appending to `scratch` */
  struct libdeflate_compressor *deflater;
  /* compressors at FAST_LEVEL, made when needed: [0] the writer's own,
   * also the document thread's while the fonts are finished; the others
   * the font embedder's worker threads' (kh_pdf_out_deflater) */
  kh_pdf_deflater *bin[KH_PDF_DEFLATERS];
  kh_buf *target;        /* where `sink` appends */
  kh_buf scratch, raw, z;
  /* the object stream being filled */
  kh_buf os_head, os_body;
  uint32_t os_ids[OBJSTM_MAX];
  uint32_t os_n;
  uint32_t next_id; /* IDs beyond libharu's, for object and xref streams */
  int sealed;       /* libharu makes no more objects: next_id is set */
  int version;      /* the header's minor version */
};

/* ---- bytes out -----------------------------------------------------------*/

static kh_status flush_out(kh_pdf_out *o) {
  kh_status ret = KH_OK;
  if (o->nbuf)
    ret = o->write(o->user, o->buf, o->nbuf);
  o->nbuf = 0;
  return ret;
}

static kh_status put(kh_pdf_out *o, const void *data, size_t len) {
  const unsigned char *p = data;
  HPDF_MD5Update(&o->md5, p, (HPDF_UINT32)len);
  o->pos += len;
  while (len) {
    if (o->nbuf == OUT_BUF) {
      kh_status ret = flush_out(o);
      if (ret != KH_OK)
        return ret;
    }
    size_t n = OUT_BUF - o->nbuf < len ? OUT_BUF - o->nbuf : len;
    memcpy(o->buf + o->nbuf, p, n);
    o->nbuf += n, p += n, len -= n;
  }
  return KH_OK;
}

static kh_status puts_(kh_pdf_out *o, const char *s) { return put(o, s, strlen(s)); }

/* Unsigned decimal, no printf. */
static size_t utoa(char *out, uint64_t v) {
  char t[24];
  size_t n = 0, i = 0;
  do
    t[n++] = (char)('0' + v % 10);
  while ((v /= 10));
  while (n)
    out[i++] = t[--n];
  out[i] = '\0';
  return i;
}

static kh_status put_uint(kh_pdf_out *o, uint64_t v) {
  char t[24];
  return put(o, t, utoa(t, v));
}

/* ---- libharu's serialisers, into a kh_buf --------------------------------*/

static HPDF_STATUS HPDF_STDCALL sink_write(HPDF_Stream s, const HPDF_BYTE *ptr,
                                           HPDF_UINT size) {
  kh_pdf_out *o = s->attr;
  return kh_buf_append(o->target, ptr, size) == KH_OK ? HPDF_OK
                                                      : HPDF_FAILD_TO_ALLOC_MEM;
}

static uint32_t obj_id(const void *obj) {
  return ((const HPDF_Obj_Header *)obj)->obj_id & 0x00FFFFFFu;
}

static int is_stream(const void *obj) {
  const HPDF_Obj_Header *h = obj;
  return (h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT &&
         ((const HPDF_Dict_Rec *)obj)->stream != NULL;
}

static entry *entry_of(kh_pdf_out *o, uint32_t id) {
  if (kh_vec_reserve(&o->entries, (size_t)id + 1) != KH_OK)
    return NULL;
  while (o->entries.n <= id)
    o->entries.v[o->entries.n++] = (entry){ENTRY_NONE, 0, 0};
  return &o->entries.v[id];
}

/* Flate (zlib format) with libdeflate, deterministic, so builds stay
 * byte-identical.  Its level 9 made the 300-page benchmark's streams 6.6 %
 * smaller than zlib's default level 6 (746.2 to 696.8 kB); level 10 gave
 * 3.6 % more for three times the time.  Measured again on 300 pages (each
 * kind's streams compressed alone, CPU time, libdeflate 1.14): the content
 * streams are 461,287 bytes at level 8 and 9 alike (10-11 ms), the object
 * streams 140,911 bytes at 8 in 48 ms against 140,446 at 9 in 69 ms, so
 * the text-like streams (content, object streams, CMaps, XMP) are
 * compressed at 8, which gives every one of them but the object streams
 * the same bytes as 9.  Whole runs on the 300-page benchmark at `2fbd396`
 * (perf stat, 5 runs): level 8 259 ms and 628,755 bytes, level 7 219 ms
 * and 634,668 (+0.9 %), level 6 210 ms and 642,200; the publication
 * 107,040, 107,075 and 107,101 bytes.  Level 7 takes a sixth of the
 * time off for under 1 % of the bytes: the text-like streams are
 * compressed at 7.
 *
 * Font programs and images are binary data on which the levels above 6
 * gain little: on the publication the five font files are 83,720 bytes at
 * level 6 in 1.19 ms and 83,519 at level 9 in 2.32 ms; the emoji's image
 * and soft mask 2,691 bytes in 0.12 ms against 2,535 in 1.00 ms.  They are
 * compressed at FAST_LEVEL. */
#define DEFLATE_LEVEL 7
#define FAST_LEVEL 6

static kh_status deflate_bytes(struct libdeflate_compressor *c, const void *data, size_t len,
                               kh_buf *out) {
  out->len = 0;
  size_t cap = libdeflate_zlib_compress_bound(c, len);
  if (kh_vec_grow_((void **)&out->data, &out->cap, cap, 1) != KH_OK)
    return KH_NOMEM;
  size_t n = libdeflate_zlib_compress(c, data ? data : "", len, out->data, cap);
  if (n == 0)
    return KH_LIBRARY; /* cannot happen with the bound's room */
  out->len = n;
  return KH_OK;
}

static kh_status deflate_at(struct libdeflate_compressor *c, const kh_buf *in, kh_buf *out) {
  return deflate_bytes(c, in->data, in->len, out);
}

/* ---- Flate on other threads (the font embedder's workers) ----------------
 * A compressor of binary data at FAST_LEVEL, one per thread: the same level
 * and the same input give the same bytes as write_stream would.  A
 * compressor's tables are a few hundred kilobytes, and every page of them
 * is a page fault when first touched: the writer keeps them
 * (kh_pdf_out_deflater), so the one the document's thread used for its
 * fonts is the writer's own for the images after. */
struct kh_pdf_deflater {
  struct libdeflate_compressor *c;
};

static kh_pdf_deflater *kh_pdf_deflater_new(void) {
  kh_pdf_deflater *d = malloc(sizeof *d);
  if (d && !(d->c = libdeflate_alloc_compressor(FAST_LEVEL))) {
    free(d);
    d = NULL;
  }
  return d;
}

kh_status kh_pdf_deflate_binary(kh_pdf_deflater *d, const void *data, size_t len, kh_buf *out) {
  return deflate_bytes(d->c, data, len, out);
}

static void kh_pdf_deflater_drop(kh_pdf_deflater *d) {
  if (!d)
    return;
  libdeflate_free_compressor(d->c);
  free(d);
}

kh_pdf_deflater *kh_pdf_out_deflater(kh_pdf_out *o, int k) {
  if (k < 0 || k >= KH_PDF_DEFLATERS)
    return NULL;
  if (!o->bin[k])
    o->bin[k] = kh_pdf_deflater_new();
  return o->bin[k];
}

static kh_status deflate_buf(kh_pdf_out *o, const kh_buf *in, kh_buf *out) {
  return deflate_at(o->deflater, in, out);
}

/* A stream whose data is binary: a font program (it has /Length1) or an
 * image or soft mask. */
static int binary_stream(HPDF_Dict d) {
  if (HPDF_Dict_GetItem(d, "Length1", HPDF_OCLASS_NUMBER))
    return 1;
  HPDF_Name sub = HPDF_Dict_GetItem(d, "Subtype", HPDF_OCLASS_NAME);
  return sub && !strcmp(HPDF_Name_GetValue(sub), "Image");
}

/* deflate_buf at the level for stream `d`'s kind. */
static kh_status deflate_stream(kh_pdf_out *o, HPDF_Dict d, const kh_buf *in, kh_buf *out) {
  if (!binary_stream(d))
    return deflate_buf(o, in, out);
  kh_pdf_deflater *bin = kh_pdf_out_deflater(o, 0);
  if (!bin)
    return KH_NOMEM;
  return deflate_at(bin->c, in, out);
}

static kh_status add_to_objstm(kh_pdf_out *o, void *obj);

/* A filter bit of ours, beside libharu's (0x0100 to 0x1000): the stream's
 * data is Flate-compressed already, in the kh_buf its dictionary's `attr`
 * points to (kh_pdf_stream_new_deflated), and its libharu stream is
 * empty. */
#define FILTER_DEFLATED 0x8000u

/* ---- streams -------------------------------------------------------------*/

/* A stream object, written now: its dictionary without /Length, /Filter and
 * /DecodeParms (set here), its data compressed when libharu's filter asks
 * for Flate (a JPEG's DCT data, and data compressed already, are written as
 * they are).  The Length object libharu made for it is left unused. */
static kh_status write_stream(kh_pdf_out *o, HPDF_Dict d) {
  kh_status ret = KH_OK;
  kh_pdf_lib *lib = o->lib;
  uint32_t id = obj_id(d);
  entry *e = entry_of(o, id);
  if (!e)
    return KH_NOMEM;
  const HPDF_UINT known = HPDF_STREAM_FILTER_FLATE_DECODE | HPDF_STREAM_FILTER_DCT_DECODE;
  if ((d->filter & ~(known | FILTER_DEFLATED)) || d->filterParams ||
      ((d->filter & FILTER_DEFLATED) && (d->filter & known) != HPDF_STREAM_FILTER_FLATE_DECODE))
    return kh_error_file(lib->ctx, NULL, KH_LIBRARY,
                         "internal: a stream with a filter the writer does not know");
  if (d->before_write_fn && d->before_write_fn(d) != HPDF_OK)
    return kh_pdf_lib_fail(lib, 0, "writing a stream");
  HPDF_Number len_obj = HPDF_Dict_GetItem(d, "Length", HPDF_OCLASS_NUMBER);
  if (len_obj && (len_obj->header.obj_id & HPDF_OTYPE_INDIRECT)) {
    entry *le = entry_of(o, obj_id(len_obj));
    if (!le)
      return KH_NOMEM;
    le->kind = ENTRY_UNUSED;
    e = &o->entries.v[id]; /* entry_of may have moved the table */
  }
  e->kind = ENTRY_FILE;
  e->where = o->pos;

  o->scratch.len = 0;
  o->target = &o->scratch;
  HPDF_STATUS st = HPDF_OK;
  for (HPDF_UINT i = 0; i < d->list->count && st == HPDF_OK; i++) {
    HPDF_DictElement el = HPDF_List_ItemAt(d->list, i);
    if (!el->value || (((HPDF_Obj_Header *)el->value)->obj_id & HPDF_OTYPE_HIDDEN) ||
        !strcmp(el->key, "Length") || !strcmp(el->key, "Filter") ||
        !strcmp(el->key, "DecodeParms"))
      continue;
    st |= HPDF_Stream_WriteEscapeName(o->sink, el->key);
    st |= HPDF_Stream_WriteChar(o->sink, ' ');
    st |= HPDF_Obj_Write(el->value, o->sink, NULL);
    st |= HPDF_Stream_WriteChar(o->sink, '\n');
  }
  o->raw.len = 0;
  o->target = &o->raw;
  if (st == HPDF_OK && !(d->filter & FILTER_DEFLATED))
    st = HPDF_Stream_WriteToStream(d->stream, o->sink, HPDF_STREAM_FILTER_NONE, NULL);
  if (st != HPDF_OK)
    return kh_pdf_lib_fail(lib, st, "writing a stream");
  const kh_buf *data = &o->raw;
  if (d->filter & FILTER_DEFLATED) {
    data = d->attr;
  } else if (d->filter & HPDF_STREAM_FILTER_FLATE_DECODE) {
    KH_CHECK(deflate_stream(o, d, &o->raw, &o->z));
    data = &o->z;
  }
  KH_CHECK(put_uint(o, id));
  KH_CHECK(puts_(o, " 0 obj\n<<"));
  KH_CHECK(put(o, o->scratch.data, o->scratch.len));
  /* libharu's order: Flate (applied last) first, then the JPEG's DCT */
  if ((d->filter & known) == known)
    KH_CHECK(puts_(o, "/Filter [/FlateDecode /DCTDecode]\n"));
  else if (d->filter & HPDF_STREAM_FILTER_FLATE_DECODE)
    KH_CHECK(puts_(o, "/Filter /FlateDecode\n"));
  else if (d->filter & HPDF_STREAM_FILTER_DCT_DECODE)
    KH_CHECK(puts_(o, "/Filter /DCTDecode\n"));
  KH_CHECK(puts_(o, "/Length "));
  KH_CHECK(put_uint(o, data->len));
  KH_CHECK(puts_(o, ">>\nstream\n"));
  KH_CHECK(put(o, data->data, data->len));
  KH_CHECK(puts_(o, "\nendstream\nendobj\n"));
cleanup:
  return ret;
}

/* An object libharu will not be asked for again, written: freed, its xref
 * slot kept (empty) so that the ID stays taken. */
static void drop_obj(kh_pdf_out *o, void *obj) {
  HPDF_Xref xref = o->lib->doc->xref;
  uint32_t id = obj_id(obj);
  if (id >= xref->entries->count)
    return;
  HPDF_XrefEntry x = HPDF_Xref_GetEntry(xref, id);
  if (x && x->obj == obj) {
    x->obj = NULL;
    HPDF_Obj_ForceFree(o->lib->doc->mmgr, obj);
  }
}

/* A written dictionary that must stay (references to it are written from
 * its header's ID, and libharu lists a page in its page tree) loses its
 * entries; the objects they refer to are not freed. */
static void empty_dict(HPDF_Dict d) {
  for (HPDF_UINT i = 0; i < d->list->count; i++) {
    HPDF_DictElement el = HPDF_List_ItemAt(d->list, i);
    HPDF_Obj_Free(d->mmgr, el->value);
    HPDF_FreeMem(d->mmgr, el);
  }
  HPDF_List_Clear(d->list);
}

/* Whether an annotation is complete when its page is: a link with a /Dest
 * may be given its destination later (a place further on). */
static int annot_complete(HPDF_Dict a) {
  return (a->header.obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT &&
         HPDF_Dict_GetItem(a, "Dest", HPDF_OCLASS_ARRAY) == NULL;
}

kh_status kh_pdf_out_page(kh_pdf_out *o, HPDF_Page page) {
  kh_status ret = KH_OK;
  /* what libharu would do before writing the page (close an open path or
   * text object, restore saved states) goes into the content first */
  if (page->before_write_fn && page->before_write_fn(page) != HPDF_OK)
    return kh_pdf_lib_fail(o->lib, 0, "finishing a page");
  HPDF_PageAttr attr = page->attr;
  HPDF_Dict contents = attr->contents;
  KH_CHECK(write_stream(o, contents));
  /* the bytes are out: keep only the (now empty) stream object */
  HPDF_MemStream_FreeData(contents->stream);
  KH_CHECK(flush_out(o));

  /* The page dictionary and its finished annotations go into the object
   * stream now and leave memory: a long document would otherwise keep a
   * few kilobytes of libharu objects for every page until the end.  The
   * page object itself stays, empty, for the references made to it later
   * (the outline, the structure tree, libharu's page tree). */
  HPDF_Array annots = HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY);
  KH_VEC(void *) done = {0};
  if (annots)
    for (HPDF_UINT i = 0; i < annots->list->count; i++) {
      HPDF_Obj_Header *item = HPDF_List_ItemAt(annots->list, i);
      if ((item->obj_class & HPDF_OCLASS_ANY) != HPDF_OCLASS_PROXY)
        continue;
      HPDF_Dict a = ((HPDF_Proxy)item)->obj;
      entry *e = entry_of(o, obj_id(a));
      if (!e) {
        ret = KH_NOMEM;
        goto cleanup;
      }
      if (e->kind != ENTRY_NONE || !annot_complete(a))
        continue;
      KH_CHECK(add_to_objstm(o, a));
      KH_CHECK(kh_vec_push(&done, (void *)a));
    }
  KH_CHECK(add_to_objstm(o, page));
  empty_dict(page); /* frees /Annots and its references too */
  for (size_t i = 0; i < done.n; i++)
    drop_obj(o, done.v[i]);
  HPDF_Number len = HPDF_Dict_GetItem(contents, "Length", HPDF_OCLASS_NUMBER);
  if (len && (len->header.obj_id & HPDF_OTYPE_INDIRECT))
    drop_obj(o, len);
  drop_obj(o, contents);
cleanup:
  kh_vec_free(&done);
  return ret;
}

/* ---- object streams ------------------------------------------------------*/

kh_status kh_pdf_out_reserve(kh_pdf_out *o, void **ref, uint32_t *id);

static kh_status flush_objstm(kh_pdf_out *o) {
  kh_status ret = KH_OK;
  if (o->os_n == 0)
    return KH_OK;
  /* before libharu is sealed, the stream's ID is taken in libharu's xref */
  uint32_t id;
  if (o->sealed) {
    id = o->next_id++;
  } else {
    void *ref;
    KH_CHECK(kh_pdf_out_reserve(o, &ref, &id));
  }
  entry *e = entry_of(o, id);
  if (!e)
    return KH_NOMEM;
  e->kind = ENTRY_FILE;
  e->where = o->pos;
  for (uint32_t i = 0; i < o->os_n; i++) {
    entry *oe = &o->entries.v[o->os_ids[i]];
    oe->kind = ENTRY_OBJSTM;
    oe->where = id;
    oe->index = i;
  }
  size_t first = o->os_head.len;
  KH_CHECK(kh_buf_append(&o->os_head, o->os_body.data, o->os_body.len));
  KH_CHECK(deflate_buf(o, &o->os_head, &o->z));
  KH_CHECK(put_uint(o, id));
  KH_CHECK(puts_(o, " 0 obj\n<</Type /ObjStm /N "));
  KH_CHECK(put_uint(o, o->os_n));
  KH_CHECK(puts_(o, " /First "));
  KH_CHECK(put_uint(o, first));
  KH_CHECK(puts_(o, " /Filter /FlateDecode /Length "));
  KH_CHECK(put_uint(o, o->z.len));
  KH_CHECK(puts_(o, ">>\nstream\n"));
  KH_CHECK(put(o, o->z.data, o->z.len));
  KH_CHECK(puts_(o, "\nendstream\nendobj\n"));
  o->os_head.len = o->os_body.len = 0;
  o->os_n = 0;
cleanup:
  return ret;
}

static kh_status objstm_added(kh_pdf_out *o, uint32_t id);

static kh_status add_to_objstm(kh_pdf_out *o, void *obj) {
  kh_status ret = KH_OK;
  char t[48];
  uint32_t id = obj_id(obj);
  size_t n = utoa(t, id);
  t[n++] = ' ';
  n += utoa(t + n, o->os_body.len);
  t[n++] = ' ';
  KH_CHECK(kh_buf_append(&o->os_head, t, n));
  o->target = &o->os_body;
  HPDF_STATUS st = HPDF_Obj_WriteValue(obj, o->sink, NULL);
  st |= HPDF_Stream_WriteChar(o->sink, '\n');
  if (st != HPDF_OK)
    return kh_pdf_lib_fail(o->lib, st, "writing an object");
  KH_CHECK(objstm_added(o, id));
cleanup:
  return ret;
}

/* Object `id` is now in the object stream being filled. */
static kh_status objstm_added(kh_pdf_out *o, uint32_t id) {
  entry *e = entry_of(o, id);
  if (!e)
    return KH_NOMEM;
  e->kind = ENTRY_OBJSTM; /* its place is set when the stream is written */
  o->os_ids[o->os_n++] = id;
  return o->os_n == OBJSTM_MAX ? flush_objstm(o) : KH_OK;
}

/* ---- objects written as bytes ----------------------------------------------*/

uint32_t kh_pdf_out_id(const void *obj) { return obj_id(obj); }

kh_status kh_pdf_out_reserve(kh_pdf_out *o, void **ref, uint32_t *id) {
  HPDF_Doc doc = o->lib->doc;
  HPDF_Null n = HPDF_Null_New(doc->mmgr);
  if (!n || HPDF_Xref_Add(doc->xref, n) != HPDF_OK) /* frees n on failure */
    return kh_pdf_lib_fail(o->lib, 0, "reserving an object number");
  entry *e = entry_of(o, obj_id(n));
  if (!e)
    return KH_NOMEM;
  e->kind = ENTRY_RESERVED;
  *ref = n;
  *id = obj_id(n);
  return KH_OK;
}

kh_status kh_pdf_out_seal(kh_pdf_out *o) {
  if (o->sealed)
    return KH_OK;
  uint32_t count = (uint32_t)o->lib->doc->xref->entries->count;
  if (!entry_of(o, count - 1))
    return KH_NOMEM;
  o->next_id = count;
  o->sealed = 1;
  return KH_OK;
}

uint32_t kh_pdf_out_new_id(kh_pdf_out *o) { return o->sealed ? o->next_id++ : 0; }

kh_status kh_pdf_out_raw(kh_pdf_out *o, uint32_t id, const void *value, size_t len) {
  kh_status ret = KH_OK;
  entry *e = entry_of(o, id);
  if (!e)
    return KH_NOMEM;
  if (id == 0 || (e->kind != ENTRY_NONE && e->kind != ENTRY_RESERVED))
    return kh_error_file(o->lib->ctx, NULL, KH_LIBRARY,
                         "internal: object %u written twice", (unsigned)id);
  char t[48];
  size_t n = utoa(t, id);
  t[n++] = ' ';
  n += utoa(t + n, o->os_body.len);
  t[n++] = ' ';
  KH_CHECK(kh_buf_append(&o->os_head, t, n));
  KH_CHECK(kh_buf_append(&o->os_body, value, len));
  KH_CHECK(kh_buf_append(&o->os_body, "\n", 1));
  KH_CHECK(objstm_added(o, id));
cleanup:
  return ret;
}

kh_status kh_pdf_out_text(kh_buf *b, const char *s, size_t len, size_t max_units) {
  kh_status ret = KH_OK;
  int ascii = 1;
  for (size_t i = 0; i < len && ascii; i++)
    ascii = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F;
  kh_buf u = {0};
  const char *p = s;
  size_t n = len < max_units ? len : max_units;
  if (!ascii) { /* UTF-16BE with its byte order mark (7.9.2.2) */
    KH_CHECK(kh_buf_append(&u, "\xFE\xFF", 2));
    KH_CHECK(kh_pdf_utf16be(&u, s, len, max_units - 1, 0));
    p = u.data, n = u.len;
  }
  KH_CHECK(kh_buf_append(b, "(", 1));
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c == '(' || c == ')' || c == '\\')
      KH_CHECK(kh_buf_append(b, "\\", 1));
    if (c == '\r') /* an end of line inside a string reads as LF (7.3.4.2) */
      KH_CHECK(kh_buf_append(b, "\\r", 2));
    else
      KH_CHECK(kh_buf_append(b, &c, 1));
  }
  KH_CHECK(kh_buf_append(b, ")", 1));
cleanup:
  kh_buf_free(&u);
  return ret;
}

/* ---- the cross-reference stream ------------------------------------------*/

static void put_be(unsigned char *p, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; i--, v >>= 8)
    p[i] = (unsigned char)v;
}

static kh_status write_xref(kh_pdf_out *o, uint32_t root, uint32_t info) {
  kh_status ret = KH_OK;
  uint32_t id = o->next_id++;
  entry *e = entry_of(o, id);
  if (!e)
    return KH_NOMEM;
  e->kind = ENTRY_FILE;
  e->where = o->pos;
  /* /W [1 w 2]: type, offset or object stream (w bytes), generation or
   * index; rows filtered with the PNG Up predictor (7.4.4.4), which turns
   * the slowly growing offsets into runs of zeros */
  int w = 1;
  while (w < 8 && (o->pos >> (8 * w)) != 0)
    w++;
  const int row = 1 + w + 2;
  o->raw.len = 0;
  unsigned char cur[16], prev[16] = {0};
  for (size_t i = 0; i < o->entries.n; i++) {
    const entry *x = &o->entries.v[i];
    memset(cur, 0, sizeof cur);
    if (x->kind == ENTRY_FILE) {
      cur[0] = 1;
      put_be(cur + 1, x->where, w);
    } else if (x->kind == ENTRY_OBJSTM) {
      cur[0] = 2;
      put_be(cur + 1, x->where, w);
      put_be(cur + 1 + w, x->index, 2);
    } else { /* free: object 0 heads the list with generation 65535 */
      put_be(cur + 1 + w, i == 0 ? 65535 : 0, 2);
    }
    unsigned char out[17];
    out[0] = 2; /* Up */
    for (int k = 0; k < row; k++)
      out[1 + k] = (unsigned char)(cur[k] - prev[k]);
    KH_CHECK(kh_buf_append(&o->raw, out, (size_t)row + 1));
    memcpy(prev, cur, sizeof prev);
  }
  KH_CHECK(deflate_buf(o, &o->raw, &o->z));

  /* the ID: every byte written before this object */
  HPDF_BYTE d[16];
  HPDF_MD5_CTX copy = o->md5;
  HPDF_MD5Final(d, &copy);
  char hex[33];
  static const char digits[] = "0123456789ABCDEF";
  for (int i = 0; i < 16; i++)
    hex[2 * i] = digits[d[i] >> 4], hex[2 * i + 1] = digits[d[i] & 15];
  hex[32] = '\0';

  KH_CHECK(put_uint(o, id));
  KH_CHECK(puts_(o, " 0 obj\n<</Type /XRef /Size "));
  KH_CHECK(put_uint(o, o->entries.n));
  KH_CHECK(puts_(o, " /W [1 "));
  KH_CHECK(put_uint(o, (uint64_t)w));
  KH_CHECK(puts_(o, " 2] /Root "));
  KH_CHECK(put_uint(o, root));
  KH_CHECK(puts_(o, " 0 R"));
  if (info) {
    KH_CHECK(puts_(o, " /Info "));
    KH_CHECK(put_uint(o, info));
    KH_CHECK(puts_(o, " 0 R"));
  }
  KH_CHECK(puts_(o, " /ID [<"));
  KH_CHECK(puts_(o, hex));
  KH_CHECK(puts_(o, "> <"));
  KH_CHECK(puts_(o, hex));
  KH_CHECK(puts_(o, ">] /Filter /FlateDecode /DecodeParms <</Predictor 12 /Columns "));
  KH_CHECK(put_uint(o, (uint64_t)row));
  KH_CHECK(puts_(o, ">> /Length "));
  KH_CHECK(put_uint(o, o->z.len));
  KH_CHECK(puts_(o, ">>\nstream\n"));
  KH_CHECK(put(o, o->z.data, o->z.len));
  KH_CHECK(puts_(o, "\nendstream\nendobj\nstartxref\n"));
  KH_CHECK(put_uint(o, e->where));
  KH_CHECK(puts_(o, "\n%%EOF\n"));
cleanup:
  return ret;
}

void kh_pdf_out_digest(const kh_pdf_out *o, unsigned char digest[16]) {
  HPDF_MD5_CTX copy = o->md5;
  HPDF_MD5Final(digest, &copy);
}

/* ---- libharu's document, for the other files of src/pdf ----------------*/

HPDF_MMgr kh_pdf_mmgr(const kh_pdf_lib *lib) { return lib->doc->mmgr; }
HPDF_Xref kh_pdf_xref(const kh_pdf_lib *lib) { return lib->doc->xref; }
HPDF_Dict kh_pdf_catalog(const kh_pdf_lib *lib) { return lib->doc->catalog; }
HPDF_Dict kh_pdf_info(const kh_pdf_lib *lib) { return lib->doc->info; }

void kh_pdf_info_string(const kh_pdf_lib *lib, const char *key, char *out, size_t size) {
  out[0] = '\0';
  HPDF_String v = lib->doc->info ? HPDF_Dict_GetItem(lib->doc->info, key, HPDF_OCLASS_STRING)
                                 : NULL;
  if (v && v->value && v->len < size) {
    memcpy(out, v->value, v->len);
    out[v->len] = '\0';
  }
}

void kh_pdf_need_version(kh_pdf_lib *lib, HPDF_PDFVer v) {
  if (lib->doc->pdf_version < v)
    lib->doc->pdf_version = v;
}

HPDF_Dict kh_pdf_stream_new(kh_pdf_lib *lib, int flate) {
  HPDF_Dict s = HPDF_DictStream_New(lib->doc->mmgr, lib->doc->xref);
  if (s)
    s->filter = flate ? HPDF_STREAM_FILTER_FLATE_DECODE : HPDF_STREAM_FILTER_NONE;
  return s;
}

HPDF_Dict kh_pdf_stream_new_deflated(kh_pdf_lib *lib, const kh_buf *z) {
  HPDF_Dict s = HPDF_DictStream_New(lib->doc->mmgr, lib->doc->xref);
  if (s) {
    s->filter = HPDF_STREAM_FILTER_FLATE_DECODE | FILTER_DEFLATED;
    s->attr = (void *)z; /* read only; libharu frees no stream's attr */
  }
  return s;
}

HPDF_STATUS kh_pdf_stream_write(HPDF_Dict s, const void *data, size_t len) {
  return HPDF_Stream_Write(s->stream, (const HPDF_BYTE *)data, (HPDF_UINT)len);
}

void kh_pdf_stream_flate(HPDF_Dict s) {
  if (s && s->filter == HPDF_STREAM_FILTER_NONE)
    s->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
}

HPDF_STATUS kh_pdf_page_write(HPDF_Page page, const void *data, size_t len) {
  HPDF_PageAttr attr = page->attr;
  return HPDF_Stream_Write(attr->stream, (const HPDF_BYTE *)data, (HPDF_UINT)len);
}

/* ---- the document --------------------------------------------------------*/

kh_status kh_pdf_out_new(kh_pdf_lib *lib, kh_pdf_write_fn write, void *user,
                         kh_pdf_out **out) {
  kh_status ret = KH_OK;
  *out = NULL;
  kh_pdf_out *o = calloc(1, sizeof *o);
  if (!o)
    return KH_NOMEM;
  o->lib = lib;
  o->write = write;
  o->user = user;
  HPDF_MD5Init(&o->md5);
  o->deflater = libdeflate_alloc_compressor(DEFLATE_LEVEL);
  if (!o->deflater) {
    free(o);
    return KH_NOMEM;
  }
  o->sink = HPDF_CallbackWriter_New(lib->doc->mmgr, sink_write, o);
  if (!o->sink) {
    libdeflate_free_compressor(o->deflater);
    free(o);
    return kh_pdf_lib_fail(lib, 0, "creating the writer");
  }
  /* Object and cross-reference streams are PDF 1.5; a later version the
   * document needs is raised in the catalog (/Version, 7.7.2). */
  o->version = 5;
  if ((int)lib->doc->pdf_version > (int)HPDF_VER_15)
    o->version = 5 + (int)lib->doc->pdf_version - (int)HPDF_VER_15;
  char head[32] = "%PDF-1.5\n%\xE2\xE3\xCF\xD3\n";
  head[7] = (char)('0' + o->version);
  KH_CHECK(put(o, head, strlen(head)));
  *out = o;
  return KH_OK;
cleanup:
  kh_pdf_out_drop(o);
  return ret;
}

static kh_status set_version(kh_pdf_out *o) {
  HPDF_Doc doc = o->lib->doc;
  int v = (int)doc->pdf_version - (int)HPDF_VER_15 + 5;
  if (v <= o->version)
    return KH_OK;
  char name[4] = {'1', '.', (char)('0' + v), '\0'};
  return kh_pdf_lib_check(o->lib, HPDF_Dict_AddName(doc->catalog, "Version", name),
                          "writing the version");
}

kh_status kh_pdf_out_finish(kh_pdf_out *o) {
  kh_status ret = KH_OK;
  HPDF_Doc doc = o->lib->doc;
  HPDF_Xref xref = doc->xref;
  KH_CHECK(set_version(o));
  KH_CHECK(kh_pdf_out_seal(o));
  uint32_t count = (uint32_t)xref->entries->count;
  if (count > o->entries.n)
    return kh_error_file(o->lib->ctx, NULL, KH_LIBRARY,
                         "internal: libharu made an object after the writer was sealed");
  for (uint32_t i = 1; i < o->entries.n; i++)
    if (o->entries.v[i].kind == ENTRY_RESERVED || (i >= count && o->entries.v[i].kind == ENTRY_NONE))
      return kh_error_file(o->lib->ctx, NULL, KH_LIBRARY,
                           "internal: object %u was reserved and never written", (unsigned)i);
  /* every stream first, so the Length objects libharu made are known to
   * be unused before the object streams are filled */
  for (uint32_t i = 1; i < count; i++) {
    HPDF_XrefEntry x = HPDF_Xref_GetEntry(xref, i);
    if (x->obj && o->entries.v[i].kind == ENTRY_NONE && is_stream(x->obj))
      KH_CHECK(write_stream(o, x->obj));
  }
  for (uint32_t i = 1; i < count; i++) {
    HPDF_XrefEntry x = HPDF_Xref_GetEntry(xref, i);
    if (x->obj && o->entries.v[i].kind == ENTRY_NONE)
      KH_CHECK(add_to_objstm(o, x->obj));
  }
  KH_CHECK(flush_objstm(o));
  KH_CHECK(write_xref(o, obj_id(doc->catalog), doc->info ? obj_id(doc->info) : 0));
  KH_CHECK(flush_out(o));
cleanup:
  return ret;
}

void kh_pdf_out_drop(kh_pdf_out *o) {
  if (!o)
    return;
  HPDF_Stream_Free(o->sink);
  libdeflate_free_compressor(o->deflater);
  for (int k = 0; k < KH_PDF_DEFLATERS; k++)
    kh_pdf_deflater_drop(o->bin[k]);
  kh_vec_free(&o->entries);
  kh_buf_free(&o->scratch);
  kh_buf_free(&o->raw);
  kh_buf_free(&o->z);
  kh_buf_free(&o->os_head);
  kh_buf_free(&o->os_body);
  free(o);
}
