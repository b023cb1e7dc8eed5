/* cli: kumihan new NAME -- a publication folder from the template: a
 * publication.yaml and a release whose front matter shows every key, with
 * what each does, and an attachment.  It builds as it is, with no warning,
 * so a new release starts from something that works. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

static const char publication_yaml[] =
    "# A publication: its metadata (for the PDF's properties) and its parts,\n"
    "# each a Markdown file starting on a new page.  Build it with\n"
    "#   kumihan .      (in this folder; writes <folder name>.pdf)\n"
    "title: 〇〇〇〇について               # the PDF's title (default: the first part's)\n"
    "author: 〇〇省 〇〇局                 # the PDF's author (default: the first issuer line)\n"
    "subject: 〇〇〇〇の公表               # the PDF's subject (default: the first subtitle)\n"
    "date-iso: 2025-04-01                  # the PDF's date when SOURCE_DATE_EPOCH is unset\n"
    "layout: press-release                 # a layout name, or a path such as ./my-layout.yaml\n"
    "lang: ja                              # the text's language, for screen readers\n"
    "parts:\n"
    "  - release.md\n"
    "  - attachment.md\n";

static const char release_md[] =
    "---\n"
    "# Every front-matter key a part can have; delete what you do not need.\n"
    "date: 令和7年4月1日                   # printed top right, as written\n"
    "date-iso: 2025-04-01                  # the same date as YYYY-MM-DD (the PDF's date)\n"
    "issuer:                               # printed right-aligned under the date, one per line\n"
    "  - 〇〇省\n"
    "  - 〇〇局〇〇課\n"
    "title: 〇〇〇〇について               # the heading of the release\n"
    "subtitle: ～〇〇〇〇の取りまとめ～    # under the title\n"
    "layout: press-release                 # the layout (every part uses the publication's)\n"
    "page: release                         # the layout's page template for this part\n"
    "label: \"\"                             # printed top right (e.g. 別添); empty: none\n"
    "lang: ja                              # the text's language\n"
    "contact:                              # the contact block at the end\n"
    "  heading: 【問い合わせ先】\n"
    "  lines:\n"
    "    - 〇〇省〇〇局〇〇課 担当 〇〇、〇〇\n"
    "    - 電話 03-0000-0000（内線 00000）\n"
    "---\n"
    "\n"
    "本文の段落です。一行目は一字下げで組まれます。見出しは「##」で始めます。\n"
    "\n"
    "## 1. 概要\n"
    "\n"
    "〇〇〇〇について、〇〇〇〇を取りまとめましたので、お知らせします。\n"
    "\n"
    "## 2. 公表資料\n"
    "\n"
    "- 別添　〇〇〇〇の概要\n"
    "- 参考　〇〇〇〇\n";

static const char attachment_md[] =
    "---\n"
    "title: 〇〇〇〇の概要\n"
    "page: attachment                      # the attachment's page template (boxed label)\n"
    "label: 別添\n"
    "---\n"
    "\n"
    "## 第1部 〇〇〇〇\n"
    "\n"
    "〇〇〇〇は、**強調したい語句**を太字で示します。\n"
    "\n"
    "| 項目 | 内容 |\n"
    "|---|---|\n"
    "| 〇〇 | 〇〇〇〇 |\n";

static int write_file(const char *dir, const char *name, const char *text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wx"); /* never over an existing file */
  if (!f) {
    fprintf(stderr, "kumihan: error: %s: cannot create: %s\n", path, strerror(errno));
    return -1;
  }
  int ok = fputs(text, f) >= 0;
  ok = fclose(f) == 0 && ok;
  if (!ok) fprintf(stderr, "kumihan: error: %s: cannot write: %s\n", path, strerror(errno));
  return ok ? 0 : -1;
}

int cli_new(const char *name) {
  if (!*name || name[0] == '-') {
    fprintf(stderr, "kumihan: error: 'kumihan new' needs a folder name, not '%s'\n", name);
    return EXIT_USAGE;
  }
  if (mkdir(name, 0777) != 0) {
    fprintf(stderr, "kumihan: error: %s: cannot create the folder: %s\n", name, strerror(errno));
    return EXIT_INPUT;
  }
  if (write_file(name, "publication.yaml", publication_yaml) ||
      write_file(name, "release.md", release_md) ||
      write_file(name, "attachment.md", attachment_md))
    return EXIT_INPUT;
  printf("created %s/ (publication.yaml, release.md, attachment.md)\n"
         "build it with: kumihan %s   (or watch it: kumihan --watch %s)\n",
         name, name, name);
  return EXIT_OK;
}
