/* pdf: the font embedder.
 *
 * libharu's text API encodes characters through its own encoders and cannot
 * show the glyph IDs HarfBuzz chose, so each used font is built here with
 * libharu's object API (ISO 32000-1, 9.7 Composite Fonts):
 *
 *   Type0  /Encoding CMap  /ToUnicode CMap  /DescendantFonts [
 *     CIDFontType2  /CIDToGIDMap  /DW  /W  /CIDSystemInfo
 *       (Adobe, Identity, 0)  /FontDescriptor ( /FontFile2 subset ) ]
 *
 * The encoding is our own CMap of one- and two-byte codes (short codes,
 * below), or Identity-H for a font too large for it.  CIDs are
 * given in the order glyphs are first drawn (1, 2, 3 ...; .notdef is CID 0),
 * as pages are written before the document's glyph set is known, and the
 * CIDToGIDMap stream maps them to the glyphs of the font file, which
 * hb-subset cuts down and renumbers to the glyphs used (9.7.4.2).  Small
 * CIDs keep the content streams, /W and ToUnicode short, and the subset's
 * loca and hmtx hold only the glyphs used.  The font file has no TrueType
 * hinting unless the layout keeps it, and the tables a PDF consumer never
 * reads (layout, vertical metrics, colour bitmaps, cmap, name) are
 * dropped.  The subset's name carries a
 * six-letter tag derived from the glyph set (9.6.4 Font Subsets), so the same
 * input gives the same bytes.
 *
 * Finishing the fonts (kh_pdf_fonts_finish) is the heavy part of the end
 * of a document: hb-subset cuts each font and its program is compressed.
 * That work reads the shared fonts only, so it is done on worker threads,
 * one font each, and the libharu objects are made afterwards on the
 * document's thread in font order (finish_font), so the file does not
 * depend on the threads.  The descriptors' facts (FreeType) are found
 * earlier still, on a thread of their own while the pages are made
 * (facts_thread). */
/* the CPUs the process may run on, and a thread's (usable_cpus,
 * start_off_cpu): GNU extensions */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H
#include <hb-ot.h>
#include <hb-subset.h>
#include <hb.h>

#include "pdf/embed.h"

/* Entries in one sub-array of W.  libharu refuses arrays beyond
 * HPDF_LIMIT_MAX_ARRAY items; far below it, and a fresh "c [...]" costs
 * only a few bytes. */
#define W_RUN_MAX 4096
/* bfrange entries per block: the CMap format allows at most 100 (Adobe
 * Technical Note #5014, 5.2). */
#define BFCHAR_BLOCK 100
/* The longest destination string of a bfchar entry, in UTF-16 code units
 * (512 bytes, Adobe Technical Note #5411). */
#define BFCHAR_MAX_UNITS 256

/* A glyph drawn with a font, under its CID. */
typedef struct cid_glyph {
  uint32_t gid;
  int32_t width;    /* its /W width */
  int32_t vadv;     /* drawn upright: its vertical advance (1/1000 em), else 0 */
  uint32_t text_len;
  const char *text; /* its ToUnicode text (in the set's arena), or NULL */
} cid_glyph;

#define MAP_BLOCK 256

typedef struct pfont {
  const kh_font *font;
  unsigned nglyphs;
  unsigned upem;
  int embeddable;                      /* has TrueType outlines */
  int facts;                           /* the facts below are known */
  int32_t ascent, descent, cap_height; /* 1/1000 em */
  int32_t bbox[4];
  int32_t italic_angle; /* degrees, rounded */
  int fixed_pitch;
  unsigned weight;   /* OS/2 usWeightClass */
  /* The glyphs drawn, by CID (cids.v[0] is .notdef's, used only once
   * glyph 0 is drawn), and a map from a glyph to its CID in blocks of
   * MAP_BLOCK glyphs made as glyphs in them are drawn (0: not drawn): a
   * document draws a few hundred of a font's 10,000-25,000 glyphs, so
   * nothing is kept per glyph of the font.  Empty until the first glyph is
   * noted. */
  KH_VEC(cid_glyph) cids;
  uint16_t **map;    /* nglyphs / MAP_BLOCK + 1 blocks */
  int notdef_used;   /* glyph 0 was drawn */
  HPDF_Dict type0; /* created on first use */
  char name[16];   /* resource name */
  /* vertical writing: a second Type0 font, Identity-V, over the same
   * CIDFont */
  HPDF_Dict type0v;
  char vname[16];
  HPDF_Dict desc; /* its FontDescriptor, once finished */
  char base[110]; /* and its BaseFont */
} pfont;

/* What a worker makes of one font for finish_font (prepare_font). */
typedef struct font_work {
  kh_status status;  /* KH_FONT: hb-subset failed (finish_font says so) */
  int32_t dw;        /* /DW */
  kh_buf map;        /* the CIDToGIDMap, before the short codes' shift */
  kh_buf cmap;       /* the ToUnicode CMap */
  kh_buf file;       /* the subset's font program, Flate-compressed: written
                        as it is (kh_pdf_stream_new_deflated) */
  unsigned file_len; /* its length before Flate (/Length1) */
} font_work;

static void work_free(font_work *w) {
  kh_buf_free(&w->map);
  kh_buf_free(&w->cmap);
  kh_buf_free(&w->file);
}

/* A text that an image stands for (a colour emoji), as the code of the
 * stand-in font (kh_pdf_fonts_stand_in). */
typedef struct stand_text {
  const char *text; /* in the set's arena */
  uint32_t len;
} stand_text;

struct kh_pdf_fonts {
  kh_pdf_lib *lib;
  pfont *f;
  int n;
  kh_arena *text; /* copies of the ToUnicode texts: pages are freed as they
                     are written */
  int keep_hinting; /* embed the fonts' TrueType instructions */
  /* the stand-in font: font 0's glyph `stand_gid` under one code per text */
  HPDF_Dict stand;
  uint32_t stand_gid;
  uint32_t stand_sub; /* that glyph's number in font 0's subset */
  KH_VEC(stand_text) stand_texts; /* code k + 1 stands for text k */
  FT_Library ft;    /* for the descriptors' facts, one thread at a time
                       (ft_lock); NULL until needed */
  pthread_mutex_t ft_lock;
  pthread_t facts_thread; /* finds the facts while the pages are made */
  int facts_started;
  int threads;      /* the most threads that finish the fonts (0: one per
                       CPU the process may run on) */
  font_work *work;  /* by font, made by kh_pdf_fonts_finish */
  HPDF_Dict short_cmap[2]; /* the short codes' CMaps, horizontal and
                              vertical, shared by every font (short_cmap) */
};

static unsigned out_cid(const kh_pdf_fonts *pf, int font, unsigned c);

/* ---- libharu errors ------------------------------------------------------*/

kh_status kh_pdf_lib_fail(kh_pdf_lib *lib, HPDF_STATUS st, const char *what) {
  /* Some failures are only recorded (HPDF_SetError), not raised through
   * the handler: then the document's error state says what went wrong. */
  HPDF_STATUS code = lib->error, detail = lib->detail;
  if (!code && lib->doc) {
    code = HPDF_GetError(lib->doc);
    detail = HPDF_GetErrorDetail(lib->doc);
  }
  if (!code)
    code = st;
  if (code == HPDF_FAILD_TO_ALLOC_MEM)
    return KH_NOMEM;
  return kh_error_file(lib->ctx, NULL, KH_LIBRARY,
                       "libharu error 0x%04lX (detail %lu) while %s",
                       (unsigned long)code, (unsigned long)detail, what);
}

kh_status kh_pdf_lib_check(kh_pdf_lib *lib, HPDF_STATUS st, const char *what) {
  return st == HPDF_OK ? KH_OK : kh_pdf_lib_fail(lib, st, what);
}

/* ---- numbers and text ----------------------------------------------------*/

kh_status kh_pdf_put_decimal(kh_buf *b, int64_t v, unsigned decimals) {
  /* digits from the last, then reversed: no printf in the content streams */
  char r[48], t[48];
  size_t k = 0, n = 0;
  uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  int frac = 0;
  for (unsigned i = 0; i < decimals && i < 19; i++, a /= 10) {
    unsigned d = (unsigned)(a % 10);
    if (d || frac)
      r[k++] = (char)('0' + d), frac = 1;
  }
  if (frac)
    r[k++] = '.';
  do
    r[k++] = (char)('0' + a % 10);
  while ((a /= 10));
  if (v < 0)
    r[k++] = '-';
  while (k)
    t[n++] = r[--k];
  return kh_buf_append(b, t, n);
}

kh_status kh_pdf_put_hex4(kh_buf *b, unsigned v) {
  static const char digits[] = "0123456789ABCDEF";
  char t[4] = {digits[(v >> 12) & 15], digits[(v >> 8) & 15], digits[(v >> 4) & 15],
               digits[v & 15]};
  return kh_buf_append(b, t, 4);
}

static kh_status put_unit(kh_buf *out, unsigned u, int hex) {
  if (hex)
    return kh_pdf_put_hex4(out, u);
  unsigned char b[2] = {(unsigned char)(u >> 8), (unsigned char)(u & 0xFF)};
  return kh_buf_append(out, b, 2);
}

kh_status kh_pdf_utf16be(kh_buf *out, const char *s, size_t len,
                         size_t max_units, int hex) {
  kh_status ret = KH_OK;
  size_t i = 0, units = 0;
  while (i < len) {
    int32_t cp = kh_utf8_next(s, len, &i);
    if (cp < 0)
      cp = 0xFFFD;
    size_t need = cp >= 0x10000 ? 2 : 1;
    if (units + need > max_units)
      break;
    units += need;
    if (cp >= 0x10000) {
      unsigned v = (unsigned)cp - 0x10000;
      KH_CHECK(put_unit(out, 0xD800 + (v >> 10), hex));
      KH_CHECK(put_unit(out, 0xDC00 + (v & 0x3FF), hex));
    } else {
      KH_CHECK(put_unit(out, (unsigned)cp, hex));
    }
  }
cleanup:
  return ret;
}

/* ---- font facts ----------------------------------------------------------*/

/* Font units to 1/1000 em, rounded half away from zero. */
static int32_t to_milli_em(int64_t v, unsigned upem) {
  if (upem == 0)
    return 0;
  int64_t p = v * 1000;
  int64_t h = upem / 2;
  return (int32_t)(p >= 0 ? (p + h) / upem : -((-p + h) / upem));
}

static void font_facts(FT_Library ft, pfont *p);

/* The descriptor's facts of a font, found when first needed: only the
 * fonts a document draws with are opened with FreeType, through *ft (made
 * when first needed; a FreeType library is used by one thread at a
 * time). */
static const pfont *facts_with(FT_Library *ft, pfont *p) {
  if (!p->facts) {
    /* without FreeType the descriptor keeps its defaults (a zero box,
     * upright, weight 400) */
    if (!*ft && FT_Init_FreeType(ft) != 0)
      *ft = NULL;
    font_facts(*ft, p);
    p->facts = 1;
  }
  return p;
}

static const pfont *facts_of(kh_pdf_fonts *pf, int font) {
  pthread_mutex_lock(&pf->ft_lock);
  const pfont *p = facts_with(&pf->ft, &pf->f[font]);
  pthread_mutex_unlock(&pf->ft_lock);
  return p;
}

/* Starts a thread on the CPUs of `cpus` (ncpus of them) other than the
 * calling thread's: a new thread is otherwise often queued behind its busy
 * parent on the parent's CPU until the scheduler balances the load
 * (measured on the 2-CPU benchmark machine: 0.2 to 5 ms, against about
 * 6 ms of work to share); started off the parent's CPU it runs within
 * 0.2-0.3 ms.  Signals stay with the document's thread. */
static int start_off_cpu(pthread_t *thread, void *(*fn)(void *), void *arg,
                         const cpu_set_t *cpus, int ncpus) {
  pthread_attr_t attr;
  sigset_t all, old;
  if (pthread_attr_init(&attr) != 0)
    return 0;
  int me = sched_getcpu();
  if (ncpus > 1 && me >= 0 && CPU_ISSET(me, cpus)) {
    cpu_set_t others = *cpus;
    CPU_CLR(me, &others);
    pthread_attr_setaffinity_np(&attr, sizeof others, &others);
  }
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  int ok = pthread_create(thread, &attr, fn, arg) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  return ok;
}

/* The threads the fonts' work may use, the calling one included: pf's
 * `threads` when set, else one per CPU the process may run on (*cpus, when
 * known: *ncpus is 0 otherwise). */
static int usable_cpus(int threads, cpu_set_t *cpus, int *ncpus) {
  *ncpus = sched_getaffinity(0, sizeof *cpus, cpus) == 0 ? CPU_COUNT(cpus) : 0;
  long n = threads > 0 ? threads : *ncpus ? *ncpus : sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > INT_MAX ? INT_MAX : (int)n;
}

/* The facts of every font that can be embedded, on a thread of their own
 * started with the fonts (kh_pdf_fonts_new): FreeType validates a font's
 * every cmap subtable as it opens it, 0.1-0.5 ms a BIZ UD font, which
 * otherwise falls to the end of the document, when the fonts are finished,
 * and now runs while the pages are made.  A font no page draws has its
 * facts found for nothing. */
static void *facts_thread(void *arg) {
  kh_pdf_fonts *pf = arg;
  for (int i = 0; i < pf->n; i++) {
    if (!pf->f[i].embeddable) continue;
    pthread_mutex_lock(&pf->ft_lock);
    facts_with(&pf->ft, &pf->f[i]);
    pthread_mutex_unlock(&pf->ft_lock);
  }
  return NULL;
}

static void join_facts(kh_pdf_fonts *pf) {
  if (pf->facts_started) pthread_join(pf->facts_thread, NULL);
  pf->facts_started = 0;
}

static int has_table(hb_face_t *face, hb_tag_t tag) {
  hb_blob_t *b = hb_face_reference_table(face, tag);
  int yes = hb_blob_get_length(b) > 0;
  hb_blob_destroy(b);
  return yes;
}

/* The descriptor's facts (9.8.1): the bounding box, italic angle, fixed
 * pitch and weight from FreeType's parsed head, post and OS/2 tables; the
 * vertical metrics from HarfBuzz (OS/2 typo metrics when USE_TYPO_METRICS
 * says so, else hhea), as the shaper sees them. */
static void font_facts(FT_Library ft, pfont *p) {
  hb_face_t *face = kh_font_hb_face(p->font);
  hb_font_t *font = kh_font_hb_font(p->font);
  p->weight = 400;

  FT_Face f = NULL;
  hb_blob_t *file = hb_face_reference_blob(face);
  unsigned len = 0;
  const char *data = hb_blob_get_data(file, &len);
  if (ft && len &&
      FT_New_Memory_Face(ft, (const FT_Byte *)data, (FT_Long)len,
                         (FT_Long)hb_face_get_index(face), &f) == 0) {
    const TT_Header *head = FT_Get_Sfnt_Table(f, FT_SFNT_HEAD);
    const TT_Postscript *post = FT_Get_Sfnt_Table(f, FT_SFNT_POST);
    const TT_OS2 *os2 = FT_Get_Sfnt_Table(f, FT_SFNT_OS2);
    if (head) {
      p->bbox[0] = to_milli_em(head->xMin, p->upem);
      p->bbox[1] = to_milli_em(head->yMin, p->upem);
      p->bbox[2] = to_milli_em(head->xMax, p->upem);
      p->bbox[3] = to_milli_em(head->yMax, p->upem);
    }
    if (post) {
      int32_t angle = (int32_t)post->italicAngle; /* 16.16 fixed */
      p->italic_angle = (angle + (angle >= 0 ? 0x8000 : -0x8000)) / 65536;
      p->fixed_pitch = post->isFixedPitch != 0;
    }
    if (os2 && os2->version != 0xFFFFu)
      p->weight = os2->usWeightClass;
    FT_Done_Face(f);
  }
  hb_blob_destroy(file);

  hb_position_t v;
  p->ascent = hb_ot_metrics_get_position(
                  font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &v)
                  ? to_milli_em(v, p->upem)
                  : p->bbox[3];
  p->descent = hb_ot_metrics_get_position(
                   font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &v)
                   ? to_milli_em(v, p->upem)
                   : p->bbox[1];
  p->cap_height =
      hb_ot_metrics_get_position(font, HB_OT_METRICS_TAG_CAP_HEIGHT, &v) &&
              v > 0
          ? to_milli_em(v, p->upem)
          : p->ascent;
}

/* The PostScript name (name ID 6), reduced to the characters a PDF name and
 * a subset tag expect; the file name when the font has none. */
static void ps_name(const pfont *p, char *out, size_t n) {
  char raw[128];
  unsigned size = sizeof raw;
  raw[0] = '\0';
  hb_ot_name_get_utf8(kh_font_hb_face(p->font), HB_OT_NAME_ID_POSTSCRIPT_NAME,
                      HB_LANGUAGE_INVALID, &size, raw);
  if (!raw[0]) {
    const char *path = kh_font_path(p->font), *slash = strrchr(path, '/');
    snprintf(raw, sizeof raw, "%s", slash ? slash + 1 : path);
    char *dot = strrchr(raw, '.');
    if (dot && dot != raw)
      *dot = '\0';
  }
  size_t j = 0;
  for (size_t i = 0; raw[i] && j + 1 < n; i++) {
    unsigned char c = (unsigned char)raw[i];
    if (c > 32 && c < 127 && !strchr("()<>[]{}/%#", c))
      out[j++] = (char)c;
  }
  if (j == 0 && n > 1)
    out[j++] = 'F';
  out[j] = '\0';
}

/* ---- the fontset ---------------------------------------------------------*/

kh_status kh_pdf_fonts_new(kh_pdf_lib *lib, const kh_fontset *set,
                           int keep_hinting, int threads, kh_pdf_fonts **out) {
  kh_pdf_fonts *pf = calloc(1, sizeof *pf);
  *out = NULL;
  if (!pf)
    return KH_NOMEM;
  pf->lib = lib;
  pf->keep_hinting = keep_hinting;
  pf->threads = threads;
  pf->n = kh_fontset_count(set);
  if (pf->n > 0) {
    pf->f = calloc((size_t)pf->n, sizeof *pf->f);
    if (!pf->f) {
      free(pf);
      return KH_NOMEM;
    }
  }
  /* FreeType only reads the tables here; without it the descriptor keeps
   * its defaults (a zero box, upright, weight 400). */
  for (int i = 0; i < pf->n; i++) {
    pfont *p = &pf->f[i];
    p->font = kh_fontset_get(set, i);
    snprintf(p->name, sizeof p->name, "KH%d", i);
    snprintf(p->vname, sizeof p->vname, "KH%dV", i);
    hb_face_t *face = kh_font_hb_face(p->font);
    p->upem = kh_font_upem(p->font);
    p->nglyphs = hb_face_get_glyph_count(face);
    /* FontFile2 carries TrueType outlines only; CFF would need FontFile3
     * and a CIDFontType0, which nothing bundled uses. */
    p->embeddable = has_table(face, HB_TAG('g', 'l', 'y', 'f')) &&
                    has_table(face, HB_TAG('l', 'o', 'c', 'a'));
  }
  pthread_mutex_init(&pf->ft_lock, NULL);
  cpu_set_t cpus;
  int ncpus;
  if (pf->n > 0 && usable_cpus(threads, &cpus, &ncpus) > 1)
    pf->facts_started = start_off_cpu(&pf->facts_thread, facts_thread, pf, &cpus, ncpus);
  *out = pf;
  return KH_OK;
}

void kh_pdf_fonts_drop(kh_pdf_fonts *pf) {
  if (!pf)
    return;
  join_facts(pf);
  for (int i = 0; pf->work && i < pf->n; i++)
    work_free(&pf->work[i]);
  free(pf->work);
  for (int i = 0; i < pf->n; i++) {
    kh_vec_free(&pf->f[i].cids);
    for (unsigned b = 0; pf->f[i].map && b <= pf->f[i].nglyphs / MAP_BLOCK; b++)
      free(pf->f[i].map[b]);
    free(pf->f[i].map);
  }
  free(pf->f);
  kh_vec_free(&pf->stand_texts);
  if (pf->ft)
    FT_Done_FreeType(pf->ft);
  pthread_mutex_destroy(&pf->ft_lock);
  kh_arena_drop(pf->text);
  free(pf);
}

int kh_pdf_fonts_embeddable(const kh_pdf_fonts *pf, int font) {
  return font >= 0 && font < pf->n && pf->f[font].embeddable;
}

static int32_t glyph_width(const pfont *p, uint32_t gid) {
  hb_position_t adv = hb_font_get_glyph_h_advance(kh_font_hb_font(p->font), gid);
  return to_milli_em(adv, p->upem);
}

/* ---- the glyphs drawn ----------------------------------------------------*/

/* The CID of glyph `gid` if it was drawn, else -1. */
static int32_t cid_of(const pfont *p, uint32_t gid) {
  if (gid == 0)
    return p->notdef_used ? 0 : -1;
  const uint16_t *block = p->map && gid < p->nglyphs ? p->map[gid / MAP_BLOCK] : NULL;
  uint16_t c = block ? block[gid % MAP_BLOCK] : 0;
  return c ? c : -1;
}

/* Glyph `gid` (not 0, below nglyphs) is drawn as CID `cid` (not 0). */
static kh_status map_put(pfont *p, uint32_t gid, uint32_t cid) {
  if (!p->map && !(p->map = calloc(p->nglyphs / MAP_BLOCK + 1, sizeof *p->map)))
    return KH_NOMEM;
  uint16_t **block = &p->map[gid / MAP_BLOCK];
  if (!*block && !(*block = calloc(MAP_BLOCK, sizeof **block)))
    return KH_NOMEM;
  (*block)[gid % MAP_BLOCK] = (uint16_t)cid;
  return KH_OK;
}

/* The glyph drawn under CID c, or NULL: CID 0 until glyph 0 is drawn. */
static const cid_glyph *drawn(const pfont *p, unsigned c) {
  if (c >= p->cids.n || (c == 0 && !p->notdef_used))
    return NULL;
  return &p->cids.v[c];
}

/* A font's glyph records, made when its first glyph is noted: CID 0 is
 * .notdef's. */
static kh_status glyph_tables(pfont *p) {
  if (p->cids.n)
    return KH_OK;
  cid_glyph notdef = {0, 0, 0, 0, NULL};
  return kh_vec_push(&p->cids, notdef);
}

kh_status kh_pdf_fonts_note(kh_pdf_fonts *pf, int font, uint32_t gid,
                            const char *text, uint32_t len) {
  kh_status ret = KH_OK;
  if (font < 0 || font >= pf->n)
    return kh_error_file(pf->lib->ctx, NULL, KH_LIBRARY,
                         "internal: font %d of %d drawn", font, pf->n);
  pfont *p = &pf->f[font];
  if (gid >= p->nglyphs)
    return kh_error_file(pf->lib->ctx, kh_font_path(p->font), KH_LIBRARY,
                         "internal: glyph %u drawn, the font has %u", gid,
                         p->nglyphs);
  KH_CHECK(glyph_tables(p));
  int32_t c = cid_of(p, gid);
  if (c < 0) {
    if (gid == 0) { /* .notdef stays CID 0 */
      c = 0;
      p->notdef_used = 1;
    } else {
      if (p->cids.n > 0xFFFF)
        return kh_error_file(pf->lib->ctx, kh_font_path(p->font), KH_LIMIT,
                             "more than 65,535 glyphs drawn with one font");
      c = (int32_t)p->cids.n;
      cid_glyph g = {gid, 0, 0, 0, NULL};
      KH_CHECK(kh_vec_push(&p->cids, g));
    }
    p->cids.v[c].width = glyph_width(p, gid);
    if (c)
      KH_CHECK(map_put(p, gid, (uint32_t)c));
  }
  cid_glyph *g = &p->cids.v[c];
  if (len > 0 && !g->text) {
    if (!pf->text && !(pf->text = kh_arena_new())) return KH_NOMEM;
    if (!(g->text = kh_arena_strndup(pf->text, text, len))) return KH_NOMEM;
    g->text_len = len;
  }
cleanup:
  return ret;
}

uint32_t kh_pdf_fonts_cid(const kh_pdf_fonts *pf, int font, uint32_t gid) {
  int32_t c = cid_of(&pf->f[font], gid);
  return c < 0 ? 0 : (uint32_t)c;
}

int kh_pdf_fonts_text_differs(const kh_pdf_fonts *pf, int font, uint32_t gid,
                              const char *text, uint32_t len) {
  const pfont *p = &pf->f[font];
  int32_t c = cid_of(p, gid);
  const cid_glyph *g = c < 0 ? NULL : &p->cids.v[c];
  const char *mapped = g ? g->text : NULL;
  if (len == 0)
    return mapped != NULL; /* would add the mapped text */
  return !mapped || g->text_len != len || memcmp(mapped, text, len) != 0;
}

int32_t kh_pdf_fonts_width(const kh_pdf_fonts *pf, int font, uint32_t gid) {
  const pfont *p = &pf->f[font];
  int32_t c = cid_of(p, gid);
  return c >= 0 ? p->cids.v[c].width : glyph_width(p, gid);
}

int32_t kh_pdf_fonts_descent(kh_pdf_fonts *pf, int font) {
  return facts_of(pf, font)->descent;
}

/* A Type0 font dictionary with `encoding`, completed when the fonts are
 * finished; `what` names it in an error. */
static kh_status new_type0(kh_pdf_lib *lib, const char *encoding, const char *what,
                           HPDF_Dict *out) {
  HPDF_Dict d = HPDF_Dict_New(kh_pdf_mmgr(lib));
  if (!d)
    return kh_pdf_lib_fail(lib, 0, what);
  /* Indirect before any page refers to it: a direct object may have only
   * one owner. */
  HPDF_STATUS st = HPDF_Xref_Add(kh_pdf_xref(lib), d);
  if (st != HPDF_OK)
    return kh_pdf_lib_fail(lib, st, what);
  st |= HPDF_Dict_AddName(d, "Type", "Font");
  st |= HPDF_Dict_AddName(d, "Subtype", "Type0");
  st |= HPDF_Dict_AddName(d, "Encoding", encoding);
  if (st != HPDF_OK)
    return kh_pdf_lib_fail(lib, st, what);
  *out = d;
  return KH_OK;
}

kh_status kh_pdf_fonts_use(kh_pdf_fonts *pf, int font, HPDF_Dict *dict,
                           const char **name) {
  pfont *p = &pf->f[font];
  if (!p->type0) {
    kh_status ret = new_type0(pf->lib, "Identity-H", "creating a font", &p->type0);
    if (ret != KH_OK)
      return ret;
  }
  *dict = p->type0;
  *name = p->name;
  return KH_OK;
}

/* ---- vertical writing ------------------------------------------------------
 * An upright glyph of vertical text is drawn through the font's Identity-V
 * Type0 (9.7.4.3): its vertical origin is /DW2's, the v origin shape/ uses
 * (kh_font_v_origin) at half the glyph's /W width, and it advances one em
 * down unless /W2 says otherwise (the proportional and half-width vertical
 * forms). */

static int32_t v_origin(const pfont *p) {
  return to_milli_em(kh_font_v_origin(p->font), p->upem);
}

kh_status kh_pdf_fonts_note_vertical(kh_pdf_fonts *pf, int font, uint32_t gid) {
  pfont *p = &pf->f[font];
  int32_t c = cid_of(p, gid); /* kh_pdf_fonts_note came first */
  if (c < 0) return KH_OK;
  cid_glyph *g = &p->cids.v[c];
  if (!g->vadv)
    g->vadv = -to_milli_em(hb_font_get_glyph_v_advance(kh_font_hb_font(p->font), gid),
                           p->upem);
  if (!g->vadv) g->vadv = 1000;
  return KH_OK;
}

int32_t kh_pdf_fonts_vadvance(const kh_pdf_fonts *pf, int font, uint32_t gid) {
  const pfont *p = &pf->f[font];
  int32_t c = cid_of(p, gid);
  return c >= 0 && p->cids.v[c].vadv ? p->cids.v[c].vadv : 1000;
}

kh_status kh_pdf_fonts_use_vertical(kh_pdf_fonts *pf, int font, HPDF_Dict *dict,
                                    const char **name) {
  pfont *p = &pf->f[font];
  if (!p->type0v) {
    HPDF_Dict h;
    const char *hn;
    kh_status ret = kh_pdf_fonts_use(pf, font, &h, &hn); /* the CIDFont's owner */
    if (ret == KH_OK)
      ret = new_type0(pf->lib, "Identity-V", "creating a vertical font", &p->type0v);
    if (ret != KH_OK) return ret;
  }
  *dict = p->type0v;
  *name = p->vname;
  return KH_OK;
}

/* /DW2 and /W2 ("first last w1y vx vy") for the glyphs drawn upright whose
 * advance is not one em. */
static HPDF_STATUS add_vertical_metrics(const kh_pdf_fonts *pf, int font, HPDF_Dict cid) {
  const pfont *p = &pf->f[font];
  HPDF_MMgr mmgr = kh_pdf_mmgr(pf->lib);
  int32_t vy = v_origin(p);
  HPDF_Array dw2 = HPDF_Array_New(mmgr);
  HPDF_STATUS st = HPDF_Dict_Add(cid, "DW2", dw2);
  if (st != HPDF_OK) return st;
  st |= HPDF_Array_AddNumber(dw2, vy);
  st |= HPDF_Array_AddNumber(dw2, -1000);
  HPDF_Array w2 = NULL;
  for (unsigned c = 0; c < p->cids.n && st == HPDF_OK; c++) {
    const cid_glyph *g = drawn(p, c);
    if (!g || !g->vadv || g->vadv == 1000) continue;
    if (!w2) {
      w2 = HPDF_Array_New(mmgr);
      if ((st |= HPDF_Dict_Add(cid, "W2", w2)) != HPDF_OK) break;
    }
    st |= HPDF_Array_AddNumber(w2, (HPDF_INT32)out_cid(pf, font, c));
    st |= HPDF_Array_AddNumber(w2, (HPDF_INT32)out_cid(pf, font, c));
    st |= HPDF_Array_AddNumber(w2, -g->vadv);
    st |= HPDF_Array_AddNumber(w2, g->width / 2);
    st |= HPDF_Array_AddNumber(w2, vy);
  }
  return st;
}

/* ---- finishing a font ----------------------------------------------------*/

static int cmp_i32(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* /DW is the commonest width among the glyphs used (ties: the smaller), so
 * /W lists only the others: for Japanese text nearly everything is one em. */
static kh_status default_width(const kh_pdf_fonts *pf, int font, int32_t *dw) {
  const pfont *p = &pf->f[font];
  size_t n = 0;
  int32_t *w = malloc((p->cids.n + 1) * sizeof *w);
  if (!w)
    return KH_NOMEM;
  for (unsigned c = 0; c < p->cids.n; c++)
    if (drawn(p, c))
      w[n++] = p->cids.v[c].width;
  qsort(w, n, sizeof *w, cmp_i32);
  *dw = 1000;
  size_t best = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && w[j] == w[i])
      j++;
    if (j - i > best)
      best = j - i, *dw = w[i];
    i = j;
  }
  free(w);
  return KH_OK;
}

/* /W as runs "first [w1 w2 ...]" of consecutive CIDs whose width is not
 * /DW.  Widths are whole glyph units: MuPDF keeps them as integers,
 * so a fraction would be read differently by different viewers; the TJ
 * adjustments make up the difference to the true advances. */
static HPDF_STATUS add_widths(const kh_pdf_fonts *pf, int font, HPDF_Dict cid,
                              int32_t dw) {
  const pfont *p = &pf->f[font];
  HPDF_MMgr mmgr = kh_pdf_mmgr(pf->lib);
  HPDF_STATUS st = HPDF_Dict_AddNumber(cid, "DW", dw);
  HPDF_Array w = NULL, run = NULL;
  unsigned run_len = 0;
  for (unsigned c = 0; c < p->cids.n && st == HPDF_OK; c++) {
    const cid_glyph *g = drawn(p, c);
    int32_t gw = g ? g->width : dw;
    if (gw == dw) {
      run = NULL;
      continue;
    }
    if (!w) {
      w = HPDF_Array_New(mmgr);
      st |= HPDF_Dict_Add(cid, "W", w);
      if (st != HPDF_OK)
        break;
    }
    if (!run || run_len >= W_RUN_MAX) {
      run = HPDF_Array_New(mmgr);
      st |= HPDF_Array_AddNumber(w, (HPDF_INT32)out_cid(pf, font, c));
      st |= HPDF_Array_Add(w, run);
      run_len = 0;
      if (st != HPDF_OK)
        break;
    }
    st |= HPDF_Array_AddNumber(run, gw);
    run_len++;
  }
  return st;
}

/* The text of code `code` of a font or of the stand-in font, or 0 when the
 * code has none. */
typedef int (*code_text)(const void *src, unsigned code, const char **text, uint32_t *len);

/* ---- short codes -----------------------------------------------------------
 * A font's glyphs are shown with codes of one or two bytes rather than
 * Identity-H's two.  Glyphs are numbered in first-use order, so the first
 * 201 (nearly every glyph drawn in a Japanese text) take one byte, <37> to
 * <FF>, and the rest two, <0100> to <36FF>.  A glyph's CID is its code as
 * a number (glyph k is CID k + 55, so CIDs 0 to 54 are unused and map to
 * .notdef), and the Type0 font's /Encoding is an embedded CMap (9.7.5.3)
 * that maps each code to itself, one with /WMode 0 and, for the
 * Identity-V font, one with /WMode 1; /W, /W2, the CIDToGIDMap and the
 * ToUnicode CMap follow.  Both the numbers being codes and no two codes of
 * different lengths being the same number matter: poppler and MuPDF key a
 * code's text by its number, and MuPDF keys a CID's text by the encoding's
 * codespace as if the CID were a code.  A font of more than 14,025 glyphs
 * keeps Identity-H (kh_pdf_fonts_short). */
#define SHORT_ONE 0x37u                          /* the first one-byte code */
#define SHORT_MAX (SHORT_ONE * 256u - SHORT_ONE) /* the most glyphs: to <36FF> */

unsigned kh_pdf_code_bytes(uint32_t cid, unsigned char out[2]) {
  uint32_t v = cid + SHORT_ONE;
  if (v < 256) {
    out[0] = (unsigned char)v;
    return 1;
  }
  out[0] = (unsigned char)(v >> 8);
  out[1] = (unsigned char)v;
  return 2;
}

int kh_pdf_fonts_short(const kh_pdf_fonts *pf, int font) {
  return pf->f[font].nglyphs <= SHORT_MAX;
}

/* The CID written for glyph number `c` of font `font`. */
static unsigned out_cid(const kh_pdf_fonts *pf, int font, unsigned c) {
  return c + (kh_pdf_fonts_short(pf, font) ? SHORT_ONE : 0);
}

/* The end of every CMap this file writes (Adobe Technical Note #5014). */
static const char cmap_trailer[] = "endcmap\n"
                                   "CMapName currentdict /CMap defineresource pop\n"
                                   "end\n"
                                   "end\n";

/* The group of codes whose bytes differ in the last only (a CMap range may
 * differ in its last byte only, Adobe Technical Note #5014, 5.2): with
 * `shortc` as above, else Identity's two bytes. */
static unsigned code_group(unsigned cid, int shortc) {
  return (cid + (shortc ? SHORT_ONE : 0)) >> 8;
}

/* <hex> of CID `cid`'s code. */
static kh_status put_code_hex(kh_buf *b, unsigned cid, int shortc) {
  static const char digits[] = "0123456789ABCDEF";
  unsigned char c[2];
  char t[8];
  unsigned n = 0, k = 0;
  if (!shortc)
    c[0] = (unsigned char)(cid >> 8), c[1] = (unsigned char)cid, n = 2;
  else
    n = kh_pdf_code_bytes(cid, c);
  t[k++] = '<';
  for (unsigned i = 0; i < n; i++)
    t[k++] = digits[c[i] >> 4], t[k++] = digits[c[i] & 15];
  t[k++] = '>';
  return kh_buf_append(b, t, k);
}

static const char short_codespace[] =
    "2 begincodespacerange\n<37> <FF>\n<0100> <36FF>\nendcodespacerange\n";

/* The encoding CMap of short codes for `ncid` glyphs, written left to right
 * (wmode 0) or top to bottom (1): each code to itself, one cidrange per
 * group of codes. */
static kh_status short_cmap(unsigned ncid, int wmode, kh_buf *b) {
  kh_status ret = KH_OK;
  unsigned groups = ncid ? code_group(ncid - 1, 1) + 1 : 1;
  KH_CHECK(kh_buf_printf(
      b, "/CIDInit /ProcSet findresource begin\n"
         "12 dict begin\n"
         "begincmap\n"
         "/CIDSystemInfo 3 dict dup begin /Registry (Adobe) def /Ordering (Identity) def "
         "/Supplement 0 def end def\n"
         "/CMapName /KH-Short-%c def\n"
         "/CMapType 1 def\n"
         "/WMode %d def\n",
         wmode ? 'V' : 'H', wmode));
  KH_CHECK(kh_buf_append(b, short_codespace, sizeof short_codespace - 1));
  for (unsigned g = 0; g < groups; g++) {
    if (g % BFCHAR_BLOCK == 0)
      KH_CHECK(kh_buf_printf(b, "%u begincidrange\n",
                             groups - g < BFCHAR_BLOCK ? groups - g : BFCHAR_BLOCK));
    unsigned first = g == 0 ? 0 : g * 256 - SHORT_ONE; /* glyph numbers */
    unsigned last = g * 256 + 255 - SHORT_ONE;
    KH_CHECK(put_code_hex(b, first, 1));
    KH_CHECK(kh_buf_append(b, " ", 1));
    KH_CHECK(put_code_hex(b, last, 1));
    KH_CHECK(kh_buf_printf(b, " %u\n", first + SHORT_ONE));
    if ((g + 1) % BFCHAR_BLOCK == 0 || g + 1 == groups)
      KH_CHECK(kh_buf_printf(b, "endcidrange\n"));
  }
  KH_CHECK(kh_buf_append(b, cmap_trailer, sizeof cmap_trailer - 1));
cleanup:
  return ret;
}

/* /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>
 * in `d`. */
static HPDF_STATUS add_identity_info(HPDF_MMgr mmgr, HPDF_Dict d) {
  HPDF_Dict info = HPDF_Dict_New(mmgr);
  if (!info)
    return HPDF_FAILD_TO_ALLOC_MEM;
  HPDF_STATUS st = HPDF_Dict_Add(d, "CIDSystemInfo", info);
  if (st == HPDF_OK) {
    st |= HPDF_Dict_Add(info, "Registry", HPDF_String_New(mmgr, "Adobe", NULL));
    st |= HPDF_Dict_Add(info, "Ordering", HPDF_String_New(mmgr, "Identity", NULL));
    st |= HPDF_Dict_AddNumber(info, "Supplement", 0);
  }
  return st;
}

/* The CMap stream of short_cmap (9.7.5.3, Table 120), its /WMode as the
 * stream's (PDF/A-2, ISO 19005-2, 6.2.11.3.3). */
static kh_status short_cmap_stream(kh_pdf_lib *lib, unsigned ncid, int wmode, HPDF_Dict *out) {
  kh_status ret = KH_OK;
  kh_buf b = {0};
  HPDF_MMgr mmgr = kh_pdf_mmgr(lib);
  KH_CHECK(short_cmap(ncid, wmode, &b));
  HPDF_Dict s = kh_pdf_stream_new(lib, 1);
  if (!s)
    KH_CHECK(kh_pdf_lib_fail(lib, 0, "writing an encoding CMap"));
  HPDF_STATUS st = HPDF_Dict_AddName(s, "Type", "CMap");
  st |= HPDF_Dict_AddName(s, "CMapName", wmode ? "KH-Short-V" : "KH-Short-H");
  st |= add_identity_info(mmgr, s);
  st |= HPDF_Dict_AddNumber(s, "WMode", wmode);
  st |= kh_pdf_stream_write(s, b.data, b.len);
  KH_CHECK(kh_pdf_lib_check(lib, st, "writing an encoding CMap"));
  *out = s;
cleanup:
  kh_buf_free(&b);
  return ret;
}

/* A ToUnicode CMap (Adobe Technical Note #5411) over codes 0 .. n - 1: a
 * bfchar entry for each code that has a text.  (bfrange entries with an
 * array of texts would write each code once, about 1 kB less on the
 * publication, but Ghostscript's text extraction (10.0, txtwrite) reads
 * them wrongly.) */
static kh_status tounicode(code_text text_of, const void *src, unsigned n, int shortc,
                           kh_buf *b) {
  kh_status ret = KH_OK;
  KH_CHECK(kh_buf_printf(
      b, "/CIDInit /ProcSet findresource begin\n"
         "12 dict begin\n"
         "begincmap\n"
         "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> "
         "def\n"
         "/CMapName /Adobe-Identity-UCS def\n"
         "/CMapType 2 def\n"));
  if (shortc)
    KH_CHECK(kh_buf_append(b, short_codespace, sizeof short_codespace - 1));
  else
    KH_CHECK(kh_buf_printf(b, "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"));
  const char *t = NULL;
  uint32_t len = 0;
  unsigned total = 0, done = 0;
  for (unsigned c = 0; c < n; c++)
    total += text_of(src, c, &t, &len) != 0;
  for (unsigned c = 0; c < n; c++) {
    if (!text_of(src, c, &t, &len))
      continue;
    if (done % BFCHAR_BLOCK == 0) {
      unsigned left = total - done;
      KH_CHECK(kh_buf_printf(b, "%u beginbfchar\n",
                             left < BFCHAR_BLOCK ? left : BFCHAR_BLOCK));
    }
    KH_CHECK(put_code_hex(b, c, shortc));
    KH_CHECK(kh_buf_append(b, " <", 2));
    KH_CHECK(kh_pdf_utf16be(b, t, len, BFCHAR_MAX_UNITS, 1));
    KH_CHECK(kh_buf_append(b, ">\n", 2));
    if (++done % BFCHAR_BLOCK == 0 || done == total)
      KH_CHECK(kh_buf_printf(b, "endbfchar\n"));
  }
  KH_CHECK(kh_buf_append(b, cmap_trailer, sizeof cmap_trailer - 1));
cleanup:
  return ret;
}

/* code_text for a font: CID c -> the text of the first cluster that drew
 * its glyph. */
static int font_text(const void *src, unsigned c, const char **text, uint32_t *len) {
  const cid_glyph *g = drawn(src, c);
  if (!g || !g->text)
    return 0;
  *text = g->text;
  *len = g->text_len;
  return 1;
}

/* Tables no PDF consumer reads from an embedded TrueType font.  A CIDFont's
 * glyphs are reached through CIDToGIDMap and its metrics come from /W, /DW
 * and the font descriptor, so only the outlines (glyf, loca), what a
 * rasteriser needs to read them (head, hhea, hmtx, maxp) and the hinting
 * tables are kept; PDF Reference 1.7, 5.8: with a CIDFont "the cmap table is
 * not needed", and vhea/vmtx "are never used by a PDF consumer".  name, OS/2
 * and post describe the font to an operating system that installs it. */
static const hb_tag_t drop_tables[] = {
    HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'),
    HB_TAG('G', 'D', 'E', 'F'), HB_TAG('B', 'A', 'S', 'E'),
    HB_TAG('J', 'S', 'T', 'F'), HB_TAG('M', 'A', 'T', 'H'),
    HB_TAG('v', 'h', 'e', 'a'), HB_TAG('v', 'm', 't', 'x'),
    HB_TAG('V', 'O', 'R', 'G'), HB_TAG('D', 'S', 'I', 'G'),
    HB_TAG('C', 'B', 'D', 'T'), HB_TAG('C', 'B', 'L', 'C'),
    HB_TAG('s', 'b', 'i', 'x'), HB_TAG('C', 'O', 'L', 'R'),
    HB_TAG('C', 'P', 'A', 'L'), HB_TAG('S', 'V', 'G', ' '),
    HB_TAG('c', 'm', 'a', 'p'), HB_TAG('n', 'a', 'm', 'e'),
    HB_TAG('O', 'S', '/', '2'), HB_TAG('p', 'o', 's', 't'),
    HB_TAG('k', 'e', 'r', 'n'), HB_TAG('m', 'o', 'r', 'x'),
    HB_TAG('m', 'o', 'r', 't'), HB_TAG('f', 'e', 'a', 't'),
    HB_TAG('t', 'r', 'a', 'k'), HB_TAG('h', 'd', 'm', 'x'),
    HB_TAG('L', 'T', 'S', 'H'), HB_TAG('V', 'D', 'M', 'X'),
    HB_TAG('E', 'B', 'D', 'T'), HB_TAG('E', 'B', 'L', 'C'),
    HB_TAG('E', 'B', 'S', 'C'), HB_TAG('m', 'e', 't', 'a'),
};

/* The TrueType tables that hold hinting programs. */
static const hb_tag_t hint_tables[] = {
    HB_TAG('c', 'v', 't', ' '), HB_TAG('f', 'p', 'g', 'm'),
    HB_TAG('p', 'r', 'e', 'p'),
};

/* Without hinting, hb-subset strips every glyph's instructions and drops
 * cvt, fpgm and prep.  PDF Reference 1.7, 5.8 lists those three as "always
 * required" in a FontFile2, while ISO 32000-1, Table 126 asks for them only
 * "if they are required by the font instructions"; no instruction is left
 * to require them, and empty tables satisfy the older wording too, so they
 * are added to the subset, empty (48 bytes of table directory). */
static void add_empty_hint_tables(hb_face_t *sub) {
  /* hb-subset's result is a face builder, which sorts its tables by tag as
   * it serialises them: the tables are added to it, and the font file is
   * made once (a face that is not a builder takes none: left as it is) */
  for (size_t i = 0; i < sizeof hint_tables / sizeof *hint_tables; i++)
    hb_face_builder_add_table(sub, hint_tables[i], hb_blob_get_empty());
}

static int dropped(hb_tag_t tag) {
  for (size_t i = 0; i < sizeof drop_tables / sizeof *drop_tables; i++)
    if (drop_tables[i] == tag)
      return 1;
  return 0;
}

static hb_blob_t *table_unless_dropped(hb_face_t *face, hb_tag_t tag, void *user) {
  hb_face_t *full = user;
  (void)face;
  return dropped(tag) ? hb_blob_get_empty() : hb_face_reference_table(full, tag);
}

/* The font as hb-subset is to see it: without the tables the subset drops.
 * Given glyphs rather than characters, hb-subset would otherwise read the
 * whole cmap (about 20,000 entries in each BIZ UD font) and close the glyph
 * set over GSUB, for tables it then leaves out: that was three quarters of
 * the subsetting's instructions. */
static hb_face_t *face_to_subset(const pfont *p) {
  hb_face_t *full = kh_font_hb_face(p->font);
  hb_face_t *f = hb_face_create_for_tables(table_unless_dropped, hb_face_reference(full),
                                           (hb_destroy_func_t)hb_face_destroy);
  hb_face_set_upem(f, hb_face_get_upem(full));
  hb_face_set_glyph_count(f, hb_face_get_glyph_count(full));
  return f;
}

/* Whether memory is short for subsetting `p`: the room it may need (twice
 * its font file, and 1 MiB for hb-subset's plan) cannot be had now. */
static int memory_short(const pfont *p) {
  hb_blob_t *b = hb_face_reference_blob(kh_font_hb_face(p->font));
  size_t n = hb_blob_get_length(b);
  hb_blob_destroy(b);
  void *room = malloc(2 * n + (1u << 20));
  int short_of_room = room == NULL;
  free(room);
  return short_of_room;
}

/* The glyphs used, as a font file whose glyphs are renumbered 0, 1, 2 ...
 * (hb-subset keeps their order and adds the components of composite
 * glyphs), and the CIDToGIDMap (9.7.4.2) from the CIDs the pages drew to
 * those numbers: two bytes, big-endian, per CID.  *out is owned by the
 * caller (hb_blob_destroy); the map is appended to `map`.  KH_FONT when
 * hb-subset fails, unreported: this runs on a worker thread (finish_font
 * reports it). */
static kh_status subset(int keep_hinting, const pfont *p, hb_blob_t **out, kh_buf *map) {
  kh_status ret = KH_OK;
  hb_subset_input_t *in = hb_subset_input_create_or_fail();
  hb_subset_plan_t *plan = NULL;
  hb_face_t *sub = NULL;
  *out = NULL;
  if (!in)
    return KH_NOMEM;
  hb_set_t *glyphs = hb_subset_input_glyph_set(in);
  hb_set_add(glyphs, 0); /* .notdef must stay glyph 0 */
  for (unsigned c = 1; c < p->cids.n; c++)
    hb_set_add(glyphs, p->cids.v[c].gid);
  hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
  for (size_t i = 0; i < sizeof drop_tables / sizeof *drop_tables; i++)
    hb_set_add(drop, drop_tables[i]);
  if (!keep_hinting)
    hb_set_add(drop, HB_TAG('g', 'a', 's', 'p')); /* grid-fitting only */
  hb_subset_input_set_flags(in, keep_hinting ? 0 : HB_SUBSET_FLAGS_NO_HINTING);
  /* hb-subset fails without saying why, and out of memory must be KH_NOMEM
   * (exit 3), not a font error.  So after a failure the room it may need
   * is asked for (memory_short): if it cannot be had, memory ran out; if
   * it can, hb-subset is tried once more (what another thread held may
   * have been handed back), and a second failure is the font's.  Asked for
   * before every subset, that room cost a mapping made and unmade per
   * font: 0.1-0.5 ms each on the benchmark machine, with the other font
   * thread running. */
  for (int attempt = 0; !sub && attempt < 2; attempt++) {
    if (attempt) {
      if (memory_short(p)) {
        ret = KH_NOMEM;
        goto cleanup;
      }
      hb_subset_plan_destroy(plan);
      plan = NULL;
    }
    hb_face_t *src = face_to_subset(p);
    plan = hb_subset_plan_create_or_fail(src, in);
    hb_face_destroy(src);
    if (plan)
      sub = hb_subset_plan_execute_or_fail(plan);
  }
  if (sub) {
    const hb_map_t *to_new = hb_subset_plan_old_to_new_glyph_mapping(plan);
    for (unsigned c = 0; c < p->cids.n; c++) {
      hb_codepoint_t g = hb_map_get(to_new, p->cids.v[c].gid);
      if (g == HB_MAP_VALUE_INVALID || g > 0xFFFF) {
        ret = KH_FONT;
        goto cleanup;
      }
      unsigned char be[2] = {(unsigned char)(g >> 8), (unsigned char)g};
      KH_CHECK(kh_buf_append(map, be, 2));
    }
  }
  if (sub && !keep_hinting)
    add_empty_hint_tables(sub);
  if (!sub) {
    ret = KH_FONT;
    goto cleanup;
  }
  *out = hb_face_reference_blob(sub); /* the font file is made here */
  if (hb_blob_get_length(*out) == 0) {
    hb_blob_destroy(*out);
    *out = NULL;
    ret = memory_short(p) ? KH_NOMEM : KH_FONT;
  }
cleanup:
  hb_face_destroy(sub);
  hb_subset_plan_destroy(plan);
  hb_subset_input_destroy(in);
  return ret;
}

/* The tag is six capitals from a digest of the name and the glyph set, so it
 * changes with the subset and with nothing else. */
static kh_status subset_tag(const pfont *p, const char *psname, char tag[7]) {
  HPDF_MD5_CTX md5;
  HPDF_BYTE d[16];
  /* the glyphs drawn in the order of their IDs, two bytes each */
  uint32_t *gids = malloc((p->cids.n + 1) * sizeof *gids);
  if (!gids)
    return KH_NOMEM;
  size_t n = 0;
  for (unsigned c = 0; c < p->cids.n; c++)
    if (drawn(p, c))
      gids[n++] = p->cids.v[c].gid;
  qsort(gids, n, sizeof *gids, cmp_u32);
  HPDF_MD5Init(&md5);
  HPDF_MD5Update(&md5, (const HPDF_BYTE *)psname, (HPDF_UINT32)strlen(psname));
  for (size_t i = 0; i < n; i++) {
    HPDF_BYTE b[2] = {(HPDF_BYTE)(gids[i] >> 8), (HPDF_BYTE)gids[i]};
    HPDF_MD5Update(&md5, b, 2);
  }
  free(gids);
  HPDF_MD5Final(d, &md5);
  for (int i = 0; i < 6; i++)
    tag[i] = (char)('A' + d[i] % 26);
  tag[6] = '\0';
  return KH_OK;
}

/* StemV is required but no table records stem widths: estimated from the
 * weight class as many producers do (88 for 400, 166 for 700). */
static int32_t stem_v(unsigned weight) {
  return (int32_t)(50 + (weight / 65.0) * (weight / 65.0) + 0.5);
}

/* A CIDFontType2 dictionary, indirect, of font `base` and its descriptor
 * (Adobe-Identity-0), for the rest to be added; `what` names it in an
 * error. */
static kh_status new_cid_font(kh_pdf_lib *lib, const char *base, HPDF_Dict desc,
                              const char *what, HPDF_Dict *out) {
  HPDF_MMgr mmgr = kh_pdf_mmgr(lib);
  HPDF_Dict cid = HPDF_Dict_New(mmgr);
  HPDF_STATUS st = HPDF_Xref_Add(kh_pdf_xref(lib), cid);
  if (st != HPDF_OK)
    return kh_pdf_lib_fail(lib, st, what);
  st |= HPDF_Dict_AddName(cid, "Type", "Font");
  st |= HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
  st |= HPDF_Dict_AddName(cid, "BaseFont", base);
  st |= add_identity_info(mmgr, cid);
  st |= HPDF_Dict_Add(cid, "FontDescriptor", desc);
  *out = cid;
  return kh_pdf_lib_check(lib, st, what);
}

/* A Type0 font's entries over its CIDFont and ToUnicode CMap.  For a Type 2
 * CIDFont the Type0 BaseFont is the CIDFont's name (9.7.6). */
static HPDF_STATUS type0_of(HPDF_MMgr mmgr, HPDF_Dict type0, const char *base, HPDF_Dict cid,
                            HPDF_Dict tu) {
  HPDF_Array desc_fonts = HPDF_Array_New(mmgr);
  HPDF_STATUS st = HPDF_Dict_AddName(type0, "BaseFont", base);
  st |= HPDF_Dict_Add(type0, "DescendantFonts", desc_fonts);
  if (st == HPDF_OK)
    st |= HPDF_Array_Add(desc_fonts, cid);
  return st | HPDF_Dict_Add(type0, "ToUnicode", tu);
}

/* /CIDToGIDMap: the name Identity when every CID is its glyph's number in
 * the subset, else the map as a stream. */
static kh_status cid_to_gid(kh_pdf_lib *lib, HPDF_Dict cid, const kh_buf *map) {
  int identity = 1;
  const unsigned char *m = (const unsigned char *)map->data;
  for (size_t c = 0; identity && c < map->len / 2; c++)
    identity = ((size_t)m[2 * c] << 8 | m[2 * c + 1]) == c;
  HPDF_STATUS st;
  if (identity) {
    st = HPDF_Dict_AddName(cid, "CIDToGIDMap", "Identity");
  } else {
    HPDF_Dict s = kh_pdf_stream_new(lib, 1);
    if (!s)
      return kh_pdf_lib_fail(lib, 0, "writing a CIDToGIDMap");
    st = kh_pdf_stream_write(s, map->data, map->len);
    st |= HPDF_Dict_Add(cid, "CIDToGIDMap", s);
  }
  return kh_pdf_lib_check(lib, st, "writing a CIDToGIDMap");
}

/* A font's /Encoding: the short codes' CMap (short_cmap) for `wmode`, one
 * stream for every font, over as many CIDs as the font with most. */
static kh_status short_encoding(kh_pdf_fonts *pf, HPDF_Dict type0, int wmode) {
  if (!pf->short_cmap[wmode]) {
    unsigned ncid = 1;
    for (int i = 0; i < pf->n; i++)
      if ((wmode ? pf->f[i].type0v : pf->f[i].type0) && kh_pdf_fonts_short(pf, i) &&
          pf->f[i].cids.n > ncid)
        ncid = (unsigned)pf->f[i].cids.n;
    kh_status ret = short_cmap_stream(pf->lib, ncid, wmode, &pf->short_cmap[wmode]);
    if (ret != KH_OK)
      return ret;
  }
  return kh_pdf_lib_check(pf->lib, HPDF_Dict_Add(type0, "Encoding", pf->short_cmap[wmode]),
                          "writing a font's encoding");
}

/* ---- a font's work on a worker thread ------------------------------------*/

/* The fonts to finish, shared by the threads that finish them. */
typedef struct finish_run {
  kh_pdf_fonts *pf;
  int *order;      /* the fonts, most glyphs first */
  int n;
  atomic_int next; /* the next place in `order` to take */
  kh_pdf_out *out; /* its compressors: number k for thread k (0: the
                      calling thread) */
  atomic_int nthreads; /* threads that took a number */
  int ncpus; /* the CPUs the process may run on (0: unknown) */
  cpu_set_t cpus;
} finish_run;

/* The work of font `font`, on any thread, with compressor z: it reads the
 * shared font and writes this font's facts and work only. */
static kh_status prepare_font(finish_run *r, int font, kh_pdf_deflater *z) {
  kh_status ret = KH_OK;
  kh_pdf_fonts *pf = r->pf;
  pfont *p = &pf->f[font];
  font_work *w = &pf->work[font];
  hb_blob_t *file = NULL;
  facts_of(pf, font); /* found already, unless facts_thread did not run */
  KH_CHECK(subset(pf->keep_hinting, p, &file, &w->map));
  KH_CHECK(default_width(pf, font, &w->dw));
  KH_CHECK(tounicode(font_text, p, (unsigned)p->cids.n, kh_pdf_fonts_short(pf, font), &w->cmap));
  unsigned len = 0;
  const char *data = hb_blob_get_data(file, &len);
  if (!z)
    KH_CHECK(KH_NOMEM);
  KH_CHECK(kh_pdf_deflate_binary(z, data, len, &w->file));
  w->file_len = len;
cleanup:
  hb_blob_destroy(file);
  return ret;
}

/* Takes fonts until none is left, with the writer's compressor number k
 * (kh_pdf_out_deflater: one per thread, made when this thread first needs
 * it, so a thread that takes no font makes none; number 0, the calling
 * thread's, is the one the writer uses for the images after). */
static void take_fonts(finish_run *r, int k) {
  kh_pdf_deflater *z = NULL;
  for (int i; (i = atomic_fetch_add(&r->next, 1)) < r->n;) {
    if (!z)
      z = kh_pdf_out_deflater(r->out, k);
    r->pf->work[r->order[i]].status = prepare_font(r, r->order[i], z);
  }
}

static void *run_font_thread(void *arg) {
  finish_run *r = arg;
  if (r->ncpus) /* started off its parent's CPU: now free to move */
    pthread_setaffinity_np(pthread_self(), sizeof r->cpus, &r->cpus);
  take_fonts(r, atomic_fetch_add(&r->nthreads, 1));
  return NULL;
}

#define MAX_THREADS KH_PDF_DEFLATERS

/* Starts a worker thread (then free to run on any CPU: run_font_thread). */
static int start_font_thread(finish_run *r, pthread_t *thread) {
  return start_off_cpu(thread, run_font_thread, r, &r->cpus, r->ncpus);
}

/* Every used font's work, on up to usable_cpus threads, the largest
 * fonts (most glyphs) handed out first: the one with most glyphs (the
 * body's Mincho) takes longest, and starting it first keeps the others
 * from waiting on it at the end.  A thread that cannot be started leaves
 * its share to the others (the calling thread takes fonts too). */
static kh_status prepare_fonts(kh_pdf_fonts *pf, kh_pdf_out *out) {
  kh_status ret = KH_OK;
  finish_run r = {.pf = pf, .out = out, .nthreads = 1};
  pthread_t threads[MAX_THREADS];
  int started = 0;
  join_facts(pf); /* its work is done by now, unless the document is short */
  if (pf->n == 0)
    return KH_OK;
  if (!(pf->work = calloc((size_t)pf->n, sizeof *pf->work)) ||
      !(r.order = malloc((size_t)pf->n * sizeof *r.order)))
    KH_CHECK(KH_NOMEM);
  for (int i = 0; i < pf->n; i++) {
    if (!pf->f[i].type0)
      continue;
    /* used on a page but no glyph drawn: still valid */
    KH_CHECK(glyph_tables(&pf->f[i]));
    int k = r.n++;
    for (; k > 0 && pf->f[r.order[k - 1]].cids.n < pf->f[i].cids.n; k--)
      r.order[k] = r.order[k - 1];
    r.order[k] = i;
  }
  /* usable_cpus, no more than fonts */
  int nthreads = usable_cpus(pf->threads, &r.cpus, &r.ncpus);
  if (nthreads > r.n) nthreads = r.n > 0 ? r.n : 1;
  if (nthreads > MAX_THREADS) nthreads = MAX_THREADS;
  while (started + 1 < nthreads && start_font_thread(&r, &threads[started]))
    started++;
  take_fonts(&r, 0);
  for (int k = 0; k < started; k++)
    pthread_join(threads[k], NULL);
cleanup:
  free(r.order);
  return ret;
}

/* ---- a font's objects ------------------------------------------------------*/

/* Font `font`'s objects from its work (prepare_font), on the document's
 * thread; a failure of its work is reported here, in font order. */
static kh_status finish_font(kh_pdf_fonts *pf, int font) {
  kh_status ret = KH_OK;
  kh_pdf_lib *lib = pf->lib;
  pfont *p = &pf->f[font];
  font_work *w = &pf->work[font];
  HPDF_MMgr mmgr = kh_pdf_mmgr(lib);
  kh_buf map = w->map; /* taken: shifted below */
  HPDF_STATUS st = HPDF_OK;
  char psname[100], tag[7], base[110];

  w->map = (kh_buf){0};
  ps_name(p, psname, sizeof psname);
  KH_CHECK(subset_tag(p, psname, tag));
  snprintf(base, sizeof base, "%s+%s", tag, psname);
  memcpy(p->base, base, sizeof p->base);
  if (w->status == KH_FONT)
    KH_CHECK(kh_error_file(lib->ctx, kh_font_path(p->font), KH_FONT,
                           "cannot subset the font for embedding"));
  KH_CHECK(w->status);
  if (font == 0 && pf->stand) { /* the stand-in draws one of font 0's glyphs */
    const unsigned char *m = (const unsigned char *)map.data;
    size_t c = kh_pdf_fonts_cid(pf, 0, pf->stand_gid);
    pf->stand_sub = 2 * c + 1 < map.len ? (uint32_t)m[2 * c] << 8 | m[2 * c + 1] : 0;
  }

  /* FontFile2: our own stream, compressed already, so libharu's
   * compression mode does not reach it.  Length1 is the length before
   * Flate. */
  HPDF_Dict ff = kh_pdf_stream_new_deflated(lib, &w->file);
  if (!ff)
    KH_CHECK(kh_pdf_lib_fail(lib, 0, "embedding a font file"));
  st |= HPDF_Dict_AddNumber(ff, "Length1", (HPDF_INT32)w->file_len);
  KH_CHECK(kh_pdf_lib_check(lib, st, "embedding a font file"));

  HPDF_Dict desc = HPDF_Dict_New(mmgr);
  st = HPDF_Xref_Add(kh_pdf_xref(lib), desc);
  KH_CHECK(kh_pdf_lib_check(lib, st, "writing a font descriptor"));
  HPDF_Array bbox = HPDF_Array_New(mmgr);
  st |= HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
  st |= HPDF_Dict_AddName(desc, "FontName", base);
  /* 4 = Symbolic: the glyphs are reached through CIDs, not a standard
   * Latin encoding; 1 = FixedPitch; 64 = Italic (9.8.2, Table 123). */
  st |= HPDF_Dict_AddNumber(
      desc, "Flags", 4 | (p->fixed_pitch ? 1 : 0) | (p->italic_angle ? 64 : 0));
  st |= HPDF_Dict_Add(desc, "FontBBox", bbox);
  for (int i = 0; i < 4 && st == HPDF_OK; i++)
    st |= HPDF_Array_AddNumber(bbox, p->bbox[i]);
  st |= HPDF_Dict_AddNumber(desc, "ItalicAngle", p->italic_angle);
  st |= HPDF_Dict_AddNumber(desc, "Ascent", p->ascent);
  st |= HPDF_Dict_AddNumber(desc, "Descent", p->descent);
  st |= HPDF_Dict_AddNumber(desc, "CapHeight", p->cap_height);
  st |= HPDF_Dict_AddNumber(desc, "StemV", stem_v(p->weight));
  st |= HPDF_Dict_Add(desc, "FontFile2", ff);
  KH_CHECK(kh_pdf_lib_check(lib, st, "writing a font descriptor"));
  p->desc = desc;

  HPDF_Dict cid;
  KH_CHECK(new_cid_font(lib, base, desc, "writing a CID font", &cid));
  if (kh_pdf_fonts_short(pf, font)) { /* CIDs 0 .. 54 unused: .notdef */
    static const unsigned char none[2 * SHORT_ONE];
    kh_buf shifted = {0};
    ret = kh_buf_append(&shifted, none, sizeof none);
    if (ret == KH_OK)
      ret = kh_buf_append(&shifted, map.data, map.len);
    kh_buf_free(&map);
    map = shifted;
    KH_CHECK(ret);
  }
  KH_CHECK(cid_to_gid(lib, cid, &map));
  if (st == HPDF_OK)
    st |= add_widths(pf, font, cid, w->dw);
  if (st == HPDF_OK && p->type0v)
    st |= add_vertical_metrics(pf, font, cid);
  KH_CHECK(kh_pdf_lib_check(lib, st, "writing a CID font"));

  HPDF_Dict tu = kh_pdf_stream_new(lib, 1);
  if (!tu)
    KH_CHECK(kh_pdf_lib_fail(lib, 0, "writing a ToUnicode CMap"));
  st = kh_pdf_stream_write(tu, w->cmap.data, w->cmap.len);
  KH_CHECK(kh_pdf_lib_check(lib, st, "writing a ToUnicode CMap"));

  KH_CHECK(kh_pdf_lib_check(lib, type0_of(mmgr, p->type0, base, cid, tu),
                            "writing a Type0 font"));
  if (kh_pdf_fonts_short(pf, font))
    KH_CHECK(short_encoding(pf, p->type0, 0));
  if (p->type0v) { /* the same CIDFont and ToUnicode, set top to bottom */
    KH_CHECK(kh_pdf_lib_check(lib, type0_of(mmgr, p->type0v, base, cid, tu),
                              "writing a vertical Type0 font"));
    if (kh_pdf_fonts_short(pf, font))
      KH_CHECK(short_encoding(pf, p->type0v, 1));
  }

cleanup:
  kh_buf_free(&map);
  kh_buf_free(&w->cmap); /* the font program stays until it is written */
  return ret;
}

/* ---- the stand-in font ------------------------------------------------------
 * A colour emoji is drawn as an image (its font's PNG, pdf.c), with an
 * invisible glyph over it so that text readers have a glyph to read.  That
 * glyph must extract as the emoji: poppler's structure text (pdfinfo
 * -struct-text) and MuPDF read a glyph's ToUnicode entry and pass over
 * ActualText.  Font 0's ideographic space already extracts as U+3000 in
 * the text, so the stand-in is a Type0 font of its own over a second
 * CIDFont that shares font 0's font program and descriptor: CID k + 1 is
 * drawn as font 0's glyph (a CIDToGIDMap stream of two bytes a code) and
 * maps in its ToUnicode to the k-th emoji text.  Every code is as wide as
 * the glyph (/DW), as in font 0's /W. */

kh_status kh_pdf_fonts_stand_in(kh_pdf_fonts *pf, uint32_t gid, const char *text, uint32_t len,
                                unsigned *code) {
  *code = 0;
  if (len == 0 || pf->n == 0 || gid >= pf->f[0].nglyphs)
    return kh_error_file(pf->lib->ctx, NULL, KH_LIBRARY,
                         "internal: a stand-in glyph without its text or font");
  if (pf->stand_texts.n && gid != pf->stand_gid)
    return kh_error_file(pf->lib->ctx, NULL, KH_LIBRARY,
                         "internal: two stand-in glyphs");
  pf->stand_gid = gid;
  for (size_t k = 0; k < pf->stand_texts.n; k++)
    if (pf->stand_texts.v[k].len == len && !memcmp(pf->stand_texts.v[k].text, text, len)) {
      *code = (unsigned)k + 1;
      return KH_OK;
    }
  if (pf->stand_texts.n + 1 >= 0xFFFF)
    return kh_error_file(pf->lib->ctx, NULL, KH_LIMIT,
                         "more than 65,534 different emoji texts");
  if (!pf->text && !(pf->text = kh_arena_new())) return KH_NOMEM;
  stand_text t = {kh_arena_strndup(pf->text, text, len), len};
  if (!t.text || kh_vec_push(&pf->stand_texts, t) != KH_OK) return KH_NOMEM;
  *code = (unsigned)pf->stand_texts.n;
  return KH_OK;
}

kh_status kh_pdf_fonts_use_stand_in(kh_pdf_fonts *pf, HPDF_Dict *dict, const char **name) {
  if (!pf->stand) {
    HPDF_Dict f0;
    const char *n0;
    kh_status ret = kh_pdf_fonts_use(pf, 0, &f0, &n0); /* its program's owner */
    if (ret == KH_OK)
      ret = new_type0(pf->lib, "Identity-H", "creating the stand-in font", &pf->stand);
    if (ret != KH_OK) return ret;
  }
  *dict = pf->stand;
  *name = "KHS";
  return KH_OK;
}

int32_t kh_pdf_fonts_stand_in_width(const kh_pdf_fonts *pf) {
  return kh_pdf_fonts_width(pf, 0, pf->stand_gid);
}

int kh_pdf_fonts_stand_in_blank(const kh_pdf_fonts *pf) {
  hb_glyph_extents_t e;
  return pf->n > 0 &&
         hb_font_get_glyph_extents(kh_font_hb_font(pf->f[0].font), pf->stand_gid, &e) &&
         e.width == 0 && e.height == 0;
}

/* code_text for the stand-in font: code k + 1 -> the k-th emoji text. */
static int stand_in_text(const void *src, unsigned code, const char **text, uint32_t *len) {
  const kh_pdf_fonts *pf = src;
  if (code == 0 || code > pf->stand_texts.n)
    return 0;
  *text = pf->stand_texts.v[code - 1].text;
  *len = pf->stand_texts.v[code - 1].len;
  return 1;
}

/* After font 0 is finished: the stand-in's CIDFont over font 0's
 * descriptor, its CIDToGIDMap and its ToUnicode. */
static kh_status finish_stand_in(kh_pdf_fonts *pf) {
  kh_status ret = KH_OK;
  kh_pdf_lib *lib = pf->lib;
  HPDF_MMgr mmgr = kh_pdf_mmgr(lib);
  const pfont *p = &pf->f[0];
  kh_buf map = {0}, cmap = {0};
  HPDF_STATUS st = HPDF_OK;
  if (!p->desc)
    return kh_error_file(lib->ctx, NULL, KH_LIBRARY,
                         "internal: the stand-in font without font 0");
  for (size_t c = 0; c <= pf->stand_texts.n; c++) { /* CID 0 stays .notdef */
    unsigned char g[2] = {0, 0};
    if (c) g[0] = (unsigned char)(pf->stand_sub >> 8), g[1] = (unsigned char)pf->stand_sub;
    KH_CHECK(kh_buf_append(&map, g, 2));
  }
  KH_CHECK(tounicode(stand_in_text, pf, (unsigned)pf->stand_texts.n + 1, 0, &cmap));

  HPDF_Dict gidmap = kh_pdf_stream_new(lib, 1);
  if (!gidmap) KH_CHECK(kh_pdf_lib_fail(lib, 0, "writing the stand-in font"));
  KH_CHECK(kh_pdf_lib_check(lib, kh_pdf_stream_write(gidmap, map.data, map.len),
                            "writing the stand-in font"));
  HPDF_Dict cid;
  KH_CHECK(new_cid_font(lib, p->base, p->desc, "writing the stand-in font", &cid));
  st = HPDF_Dict_Add(cid, "CIDToGIDMap", gidmap);
  st |= HPDF_Dict_AddNumber(cid, "DW", kh_pdf_fonts_stand_in_width(pf));
  KH_CHECK(kh_pdf_lib_check(lib, st, "writing the stand-in font"));

  HPDF_Dict tu = kh_pdf_stream_new(lib, 1);
  if (!tu) KH_CHECK(kh_pdf_lib_fail(lib, 0, "writing the stand-in font's ToUnicode"));
  KH_CHECK(kh_pdf_lib_check(lib, kh_pdf_stream_write(tu, cmap.data, cmap.len),
                            "writing the stand-in font's ToUnicode"));
  KH_CHECK(kh_pdf_lib_check(lib, type0_of(mmgr, pf->stand, p->base, cid, tu),
                            "writing the stand-in font"));
cleanup:
  kh_buf_free(&map);
  kh_buf_free(&cmap);
  return ret;
}

kh_status kh_pdf_fonts_finish(kh_pdf_fonts *pf, kh_pdf_out *out) {
  kh_status ret = KH_OK;
  KH_CHECK(prepare_fonts(pf, out));
  for (int i = 0; i < pf->n; i++)
    if (pf->f[i].type0)
      KH_CHECK(finish_font(pf, i));
  if (pf->stand)
    KH_CHECK(finish_stand_in(pf));
cleanup:
  return ret;
}
