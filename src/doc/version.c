/* doc: the version of md4c, for kumihan --version.  md4c's API exposes no
 * version (only MD_PARSER.abi_version), so this is what pkg-config said when
 * kumihan was built. */
#include "doc/doc.h"

#ifndef KH_MD4C_VERSION
#define KH_MD4C_VERSION "unknown"
#endif

void kh_doc_versions(kh_buf *out) {
  kh_buf_printf(out, "md4c %s (from pkg-config at build time: md4c's API has no version)\n",
                KH_MD4C_VERSION);
}
