/* style: the paragraph style names the engine uses, and what makes a block
 * take each.  A layout may define only these (and "<template>.<name>" for
 * a page template of its own); docs/layout.md lists the same table, and a
 * unit test keeps the two equal. */
#include <string.h>

#include "style/style.h"

const kh_style_name kh_style_names[] = {
    {"body", "a paragraph of body text; every style inherits what it does not say from it"},
    {"date", "front matter `date`, printed first, right-aligned"},
    {"issuer", "front matter `issuer` (each line)"},
    {"title", "front matter `title` (with `<template>.title`, a part's title)"},
    {"subtitle", "front matter `subtitle`"},
    {"h1", "`#` heading"},
    {"h2", "`##` heading"},
    {"h3", "`###` heading"},
    {"h4", "`####` heading"},
    {"h5", "`#####` heading"},
    {"h6", "`######` heading"},
    {"note", "a paragraph that starts with ※"},
    {"box", "a paragraph inside a block quote (`>`), drawn in a ruled box"},
    {"item", "a paragraph of a list item; also the list markers (`marker`, `bullets`, "
             "`numbers`, `marker-gap`)"},
    {"code", "a code block (fenced or indented), set verbatim"},
    {"table", "a table (GFM pipe table)"},
    {"cell", "a table cell"},
    {"cell-head", "a cell of a table's head row"},
    {"caption", "a table caption: a paragraph `: 表1 …` directly above or below a table"},
    {"figure", "a figure: a paragraph that is one image `![図1 …](file.png)` (its space "
               "before and after)"},
    {"figure-caption", "a figure's caption, its alt text (else `caption`)"},
    {"footnote", "the text of a footnote `[^id]: …`"},
    {"contact-heading", "front matter `contact: heading`"},
    {"contact", "front matter `contact: lines`"},
    {"folio", "the page number at the foot of a page whose template has `folio: true`"},
    {"running-head", "a running head or foot (`head`, `foot` of a page template)"},
    {"label", "front matter `label` (別添), top right of a part's first page"},
    {NULL, NULL}};

int kh_style_known(const char *name) {
  for (const kh_style_name *s = kh_style_names; s->name; s++)
    if (!strcmp(s->name, name)) return 1;
  return 0;
}
