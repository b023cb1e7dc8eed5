/* shape: the versions of HarfBuzz and of a font, for kumihan --version. */
#include <stdio.h>

#include <hb-ot.h>
#include <hb.h>

#include "shape/shape.h"

void kh_shape_versions(kh_buf *out) {
  kh_buf_printf(out, "HarfBuzz %s (built with %s)\n", hb_version_string(), HB_VERSION_STRING);
}

void kh_font_version(const kh_font *font, char *buf, size_t n) {
  unsigned len = (unsigned)n;
  buf[0] = '\0';
  hb_face_t *face = kh_font_hb_face(font);
  if (face) hb_ot_name_get_utf8(face, HB_OT_NAME_ID_VERSION_STRING, hb_language_from_string("en", -1),
                                &len, buf);
  if (!buf[0]) snprintf(buf, n, "no version string");
}
