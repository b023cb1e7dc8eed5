/* style: the versions of fontconfig and libyaml, for kumihan --version. */
#include <fontconfig/fontconfig.h>

#include "style/style.h"

void kh_style_versions(kh_buf *out) {
  int v = FcGetVersion();
  kh_buf_printf(out, "fontconfig %d.%d.%d\n", v / 10000, v / 100 % 100, v % 100);
  kh_buf_printf(out, "libyaml %s\n", kh_yaml_version());
}
