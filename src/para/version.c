/* para: the version of ICU, for kumihan --version. */
#include <unicode/uchar.h>
#include <unicode/uversion.h>

#include "para/para.h"

void kh_para_versions(kh_buf *out) {
  UVersionInfo v;
  char s[U_MAX_VERSION_STRING_LENGTH];
  u_getVersion(v);
  u_versionToString(v, s);
  kh_buf_printf(out, "ICU %s (built with %s), Unicode %s\n", s, U_ICU_VERSION, U_UNICODE_VERSION);
}
