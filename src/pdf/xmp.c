/* pdf: document metadata (XMP) and the output intent, for PDF/A-2u
 * (ISO 19005-2) and PDF/UA-1 (ISO 14289-1).
 *
 * The XMP packet repeats the Info dictionary (PDF/A-2 6.6.2.3: each Info
 * entry has its XMP equivalent with the same value: Title = dc:title,
 * Author = dc:creator, Subject = dc:description, Creator = xmp:CreatorTool,
 * Producer = pdf:Producer, CreationDate/ModDate = xmp:CreateDate/ModifyDate)
 * and identifies the file as PDF/UA-1 (pdfuaid:part) and, unless the layout
 * turns PDF/A off, PDF/A-2u (pdfaid:part, pdfaid:conformance), declaring the
 * pdfuaid schema in a pdfaExtension as PDF/A requires of any schema outside
 * its predefined list.  Nothing in it comes from the clock: the dates are
 * the document's (kh_pdf_meta.date_epoch) and the document ID is the
 * trailer's /ID, a digest of the content, so builds stay byte-identical.
 *
 * The output intent's profile is sRGB IEC 61966-2.1 (sRGB.icc, ICC v2,
 * 6,922 bytes, from Debian's icc-profiles-free, zlib licence; see
 * src/pdf/icc/README), compiled into the program so no file is looked up at
 * run time.  It makes DeviceRGB (the colour emoji, the images) and
 * DeviceGray (text, rules) device-independent as PDF/A 6.2.4.3 requires. */
#include <string.h>

#include "pdf/tag.h"

/* The profile's bytes (generated from src/pdf/icc/sRGB.icc by CMake). */
extern const unsigned char kh_srgb_icc[];
extern const size_t kh_srgb_icc_len;

/* Text as XML character data: markup characters escaped, and the control
 * characters XML 1.0 cannot hold (2.2) as spaces. */
static kh_status put_xml(kh_buf *b, const char *s) {
  kh_status ret = KH_OK;
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '&') KH_CHECK(kh_buf_append(b, "&amp;", 5));
    else if (c == '<') KH_CHECK(kh_buf_append(b, "&lt;", 4));
    else if (c == '>') KH_CHECK(kh_buf_append(b, "&gt;", 4));
    else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') KH_CHECK(kh_buf_append(b, " ", 1));
    else KH_CHECK(kh_buf_append(b, s, 1));
  }
cleanup:
  return ret;
}

/* <name>value</name>; with `kind` (Alt, Bag or Seq) the value is the one
 * item of that RDF container, an Alt's item the x-default language's
 * (dc:title, dc:description). */
static kh_status put_prop(kh_buf *b, const char *name, const char *kind, const char *value) {
  kh_status ret = KH_OK;
  KH_CHECK(kh_buf_printf(b, "   <%s>", name));
  if (kind)
    KH_CHECK(kh_buf_printf(b, "<rdf:%s><rdf:li%s>", kind,
                           strcmp(kind, "Alt") ? "" : " xml:lang=\"x-default\""));
  KH_CHECK(put_xml(b, value));
  if (kind) KH_CHECK(kh_buf_printf(b, "</rdf:li></rdf:%s>", kind));
  KH_CHECK(kh_buf_printf(b, "</%s>\n", name));
cleanup:
  return ret;
}

/* Seconds since 1970 -> "YYYY-MM-DDThh:mm:ssZ" (proleptic Gregorian), the
 * instant the Info dictionary's D:YYYYMMDDhhmmssZ names. */
static void xmp_date(int64_t t, char out[64]) {
  kh_civil c = kh_civil_of(t);
  snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", c.year, c.month, c.day, c.hour,
           c.minute, c.second);
}

/* The declaration of the pdfuaid schema (PDF/A-2 6.6.2.3.3), in an
 * rdf:Description of its own before the properties that use it: PDFBox's
 * XMP parser only knows a schema once it has read its declaration. */
static const char pdfua_extension[] =
    "  <rdf:Description rdf:about=\"\"\n"
    "    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n"
    "    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n"
    "    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n"
    "   <pdfaExtension:schemas>\n"
    "    <rdf:Bag>\n"
    "     <rdf:li rdf:parseType=\"Resource\">\n"
    "      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n"
    "      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n"
    "      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n"
    "      <pdfaSchema:property>\n"
    "       <rdf:Seq>\n"
    "        <rdf:li rdf:parseType=\"Resource\">\n"
    "         <pdfaProperty:name>part</pdfaProperty:name>\n"
    "         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n"
    "         <pdfaProperty:category>internal</pdfaProperty:category>\n"
    "         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is "
    "followed</pdfaProperty:description>\n"
    "        </rdf:li>\n"
    "       </rdf:Seq>\n"
    "      </pdfaSchema:property>\n"
    "     </rdf:li>\n"
    "    </rdf:Bag>\n"
    "   </pdfaExtension:schemas>\n"
    "  </rdf:Description>\n";

static kh_status packet(kh_buf *b, const kh_pdf_meta *meta, const char *producer,
                        const unsigned char digest[16], int pdfa) {
  kh_status ret = KH_OK;
  char uuid[64];
  snprintf(uuid, sizeof uuid,
           "uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6],
           digest[7], digest[8], digest[9], digest[10], digest[11], digest[12], digest[13],
           digest[14], digest[15]);
  KH_CHECK(kh_buf_printf(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                            " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"));
  if (pdfa) KH_CHECK(kh_buf_append(b, pdfua_extension, sizeof pdfua_extension - 1));
  KH_CHECK(kh_buf_printf(b, "  <rdf:Description rdf:about=\"\"\n"
                            "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
                            "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
                            "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
                            "    xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"\n"
                            "    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"%s>\n",
                         pdfa ? "\n    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"" : ""));
  KH_CHECK(put_prop(b, "dc:format", NULL, "application/pdf"));
  if (meta->title && meta->title[0]) KH_CHECK(put_prop(b, "dc:title", "Alt", meta->title));
  if (meta->author && meta->author[0]) KH_CHECK(put_prop(b, "dc:creator", "Seq", meta->author));
  if (meta->subject && meta->subject[0])
    KH_CHECK(put_prop(b, "dc:description", "Alt", meta->subject));
  if (meta->lang && meta->lang[0]) KH_CHECK(put_prop(b, "dc:language", "Bag", meta->lang));
  if (meta->creator && meta->creator[0])
    KH_CHECK(put_prop(b, "xmp:CreatorTool", NULL, meta->creator));
  /* as set_info() in pdf.c: no dates beyond 9999 */
  if (meta->date_epoch >= 0 && meta->date_epoch < 253402300800) {
    char date[64];
    xmp_date(meta->date_epoch, date);
    KH_CHECK(put_prop(b, "xmp:CreateDate", NULL, date));
    KH_CHECK(put_prop(b, "xmp:ModifyDate", NULL, date));
    KH_CHECK(put_prop(b, "xmp:MetadataDate", NULL, date));
  }
  if (producer && producer[0]) KH_CHECK(put_prop(b, "pdf:Producer", NULL, producer));
  KH_CHECK(put_prop(b, "xmpMM:DocumentID", NULL, uuid));
  KH_CHECK(put_prop(b, "xmpMM:InstanceID", NULL, uuid));
  KH_CHECK(put_prop(b, "pdfuaid:part", NULL, "1"));
  if (pdfa) {
    KH_CHECK(put_prop(b, "pdfaid:part", NULL, "2"));
    KH_CHECK(put_prop(b, "pdfaid:conformance", NULL, "U"));
  }
  KH_CHECK(kh_buf_printf(b, "  </rdf:Description>\n"
                            " </rdf:RDF>\n"
                            "</x:xmpmeta>\n"
                            "<?xpacket end=\"w\"?>"));
cleanup:
  return ret;
}

kh_status kh_pdf_xmp(kh_pdf_lib *lib, const kh_pdf_meta *meta, const char *producer,
                     const unsigned char digest[16], int pdfa) {
  kh_status ret = KH_OK;
  kh_buf b = {0};
  KH_CHECK(packet(&b, meta, producer, digest, pdfa));
  /* unfiltered, so that tools that do not parse PDF can find it (14.3.2) */
  HPDF_Dict s = kh_pdf_stream_new(lib, 0);
  if (!s) KH_CHECK(kh_pdf_lib_fail(lib, 0, "writing the XMP metadata"));
  HPDF_STATUS st = HPDF_Dict_AddName(s, "Type", "Metadata");
  st |= HPDF_Dict_AddName(s, "Subtype", "XML");
  st |= kh_pdf_stream_write(s, b.data, b.len);
  st |= HPDF_Dict_Add(kh_pdf_catalog(lib), "Metadata", s);
  KH_CHECK(kh_pdf_lib_check(lib, st, "writing the XMP metadata"));
cleanup:
  kh_buf_free(&b);
  return ret;
}

kh_status kh_pdf_output_intent(kh_pdf_lib *lib) {
  kh_status ret = KH_OK;
  HPDF_MMgr mm = kh_pdf_mmgr(lib);
  HPDF_Dict icc = kh_pdf_stream_new(lib, 1);
  HPDF_Dict oi = HPDF_Dict_New(mm);
  HPDF_Array list = HPDF_Array_New(mm);
  if (!icc || !oi || !list) KH_CHECK(kh_pdf_lib_fail(lib, 0, "writing the output intent"));
  HPDF_STATUS st = HPDF_Dict_AddNumber(icc, "N", 3);
  st |= kh_pdf_stream_write(icc, kh_srgb_icc, kh_srgb_icc_len);
  /* the PDF/A output intent (6.2.3), written directly: libharu's
   * HPDF_PDFA_AppendOutputIntents misspells /DestOutputProfile */
  st |= HPDF_Dict_AddName(oi, "Type", "OutputIntent");
  st |= HPDF_Dict_AddName(oi, "S", "GTS_PDFA1");
  st |= HPDF_Dict_Add(oi, "OutputConditionIdentifier",
                      HPDF_String_New(mm, "sRGB IEC61966-2.1", NULL));
  st |= HPDF_Dict_Add(oi, "Info", HPDF_String_New(mm, "sRGB IEC61966-2.1", NULL));
  st |= HPDF_Dict_Add(oi, "RegistryName", HPDF_String_New(mm, "http://www.color.org", NULL));
  st |= HPDF_Dict_Add(oi, "DestOutputProfile", icc);
  st |= HPDF_Array_Add(list, oi);
  st |= HPDF_Dict_Add(kh_pdf_catalog(lib), "OutputIntents", list);
  KH_CHECK(kh_pdf_lib_check(lib, st, "writing the output intent"));
cleanup:
  return ret;
}
