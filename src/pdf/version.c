/* pdf: the version of libharu, for kumihan --version. */
#include <hpdf.h>

#include "pdf/pdf.h"

void kh_pdf_versions(kh_buf *out) {
  kh_buf_printf(out, "libharu %s (built with %s)\n", HPDF_GetVersion(), HPDF_VERSION_TEXT);
}
