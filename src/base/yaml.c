/* base: the one wrapper over libyaml.  Builds a small tree of scalars,
 * sequences and mappings with source positions; aliases and tags are not
 * used by kumihan's files and are rejected. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/base.h"

typedef struct parser {
  kh_ctx *ctx;
  kh_arena *arena;
  const kh_source *src;
  uint32_t base;
  yaml_parser_t p;
} parser;

/* libyaml counts lines and characters, not bytes: walk the UTF-8. */
static kh_srcpos pos_of(const parser *ps, yaml_mark_t m) {
  const kh_source *s = ps->src;
  size_t line = kh_source_line_index(s, ps->base) + m.line; /* from the parse's start */
  size_t off = m.line == 0 ? ps->base : (line < s->nlines ? s->lines[line] : s->len);
  for (size_t c = 0; c < m.column && off < s->len && s->data[off] != '\n'; c++)
    kh_utf8_next(s->data, s->len, &off);
  return (kh_srcpos){s, (uint32_t)off};
}

static kh_status next_event(parser *ps, yaml_event_t *ev) {
  if (!yaml_parser_parse(&ps->p, ev)) {
    const char *what = ps->p.problem ? ps->p.problem : "invalid YAML";
    return kh_error(ps->ctx, pos_of(ps, ps->p.problem_mark), KH_SYNTAX,
                    "%s", what);
  }
  return KH_OK;
}

static kh_status parse_node(parser *ps, yaml_event_t *ev, kh_yaml **out,
                            int depth);

/* The keys of one mapping, hashed (FNV-1a, open addressing), so that a
 * mapping of 100,000 keys finds duplicates in linear time. */
typedef struct keyset {
  const char **slot;
  size_t cap, n;
} keyset;

static uint64_t hash_key(const char *s) {
  uint64_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* 1 when key was there already; 0 when added; -1 when out of memory. */
static int keyset_add(keyset *ks, const char *key) {
  if (2 * (ks->n + 1) > ks->cap) {
    size_t cap = ks->cap ? ks->cap * 2 : 16;
    const char **slot = calloc(cap, sizeof *slot);
    if (!slot) return -1;
    for (size_t i = 0; i < ks->cap; i++)
      if (ks->slot[i]) {
        size_t j = hash_key(ks->slot[i]) & (cap - 1);
        while (slot[j]) j = (j + 1) & (cap - 1);
        slot[j] = ks->slot[i];
      }
    free(ks->slot);
    ks->slot = slot;
    ks->cap = cap;
  }
  size_t j = hash_key(key) & (ks->cap - 1);
  for (; ks->slot[j]; j = (j + 1) & (ks->cap - 1))
    if (strcmp(ks->slot[j], key) == 0) return 1;
  ks->slot[j] = key;
  ks->n++;
  return 0;
}

static kh_status parse_children(parser *ps, kh_yaml *node, int is_map,
                                int depth) {
  kh_status ret = KH_OK;
  kh_yaml **tail = &node->child;
  keyset keys = {0};
  for (;;) {
    yaml_event_t ev;
    KH_CHECK(next_event(ps, &ev));
    if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&ev);
      goto cleanup;
    }
    const char *key = NULL;
    kh_srcpos keypos = pos_of(ps, ev.start_mark);
    if (is_map) {
      if (ev.type != YAML_SCALAR_EVENT) {
        ret = kh_error(ps->ctx, keypos, KH_SYNTAX, "mapping keys must be plain scalars");
        yaml_event_delete(&ev);
        goto cleanup;
      }
      key = kh_arena_strndup(ps->arena, (const char *)ev.data.scalar.value,
                             ev.data.scalar.length);
      yaml_event_delete(&ev);
      if (!key) KH_CHECK(KH_NOMEM);
      int dup = keyset_add(&keys, key);
      if (dup < 0) KH_CHECK(KH_NOMEM);
      if (dup) KH_CHECK(kh_error(ps->ctx, keypos, KH_SYNTAX, "duplicate key '%s'", key));
      KH_CHECK(next_event(ps, &ev));
    }
    kh_yaml *child = NULL;
    ret = parse_node(ps, &ev, &child, depth + 1);
    yaml_event_delete(&ev);
    if (ret != KH_OK) goto cleanup;
    child->key = key;
    if (key) child->key_pos = keypos;
    *tail = child;
    tail = &child->next;
  }
cleanup:
  free(keys.slot);
  return ret;
}

static kh_status parse_node(parser *ps, yaml_event_t *ev, kh_yaml **out,
                            int depth) {
  if (depth > 64)
    return kh_error(ps->ctx, pos_of(ps, ev->start_mark), KH_LIMIT,
                    "YAML nested too deeply");
  kh_yaml *n = kh_arena_alloc(ps->arena, sizeof *n);
  if (!n) return KH_NOMEM;
  n->pos = pos_of(ps, ev->start_mark);
  *out = n;
  switch (ev->type) {
  case YAML_SCALAR_EVENT:
    n->kind = KH_YAML_SCALAR;
    n->scalar = kh_arena_strndup(ps->arena, (const char *)ev->data.scalar.value,
                                 ev->data.scalar.length);
    n->scalar_len = ev->data.scalar.length;
    return n->scalar ? KH_OK : KH_NOMEM;
  case YAML_SEQUENCE_START_EVENT:
    n->kind = KH_YAML_SEQUENCE;
    return parse_children(ps, n, 0, depth);
  case YAML_MAPPING_START_EVENT:
    n->kind = KH_YAML_MAPPING;
    return parse_children(ps, n, 1, depth);
  case YAML_ALIAS_EVENT:
    return kh_error(ps->ctx, n->pos, KH_UNSUPPORTED, "YAML aliases are not supported");
  default:
    return kh_error(ps->ctx, n->pos, KH_SYNTAX, "unexpected YAML event");
  }
}

kh_status kh_yaml_parse(kh_ctx *ctx, kh_arena *arena, const kh_source *src,
                        uint32_t off, size_t len, kh_yaml **out) {
  parser ps = {ctx, arena, src, off, {0}};
  kh_status ret = KH_OK;
  *out = NULL;
  if (!yaml_parser_initialize(&ps.p)) return KH_NOMEM;
  yaml_parser_set_input_string(&ps.p, (const unsigned char *)src->data + off, len);
  yaml_event_t ev;
  int have_doc = 0;
  for (;;) {
    KH_CHECK(next_event(&ps, &ev));
    yaml_event_type_t t = ev.type;
    if (t == YAML_STREAM_END_EVENT) {
      yaml_event_delete(&ev);
      break;
    }
    if (t == YAML_DOCUMENT_START_EVENT) {
      if (have_doc) {
        ret = kh_error(ctx, pos_of(&ps, ev.start_mark), KH_SYNTAX,
                       "only one YAML document is allowed");
        yaml_event_delete(&ev);
        goto cleanup;
      }
      have_doc = 1;
      yaml_event_delete(&ev);
      KH_CHECK(next_event(&ps, &ev));
      ret = parse_node(&ps, &ev, out, 0);
      yaml_event_delete(&ev);
      if (ret != KH_OK) goto cleanup;
      continue;
    }
    yaml_event_delete(&ev);
  }
cleanup:
  yaml_parser_delete(&ps.p);
  return ret;
}

const kh_yaml *kh_yaml_get(const kh_yaml *map, const char *key) {
  if (!map || map->kind != KH_YAML_MAPPING) return NULL;
  for (const kh_yaml *c = map->child; c; c = c->next)
    if (strcmp(c->key, key) == 0) return c;
  return NULL;
}

kh_status kh_yaml_expect(kh_ctx *ctx, const kh_yaml *node, kh_yaml_kind kind) {
  static const char *names[] = {"a scalar", "a list", "a mapping"};
  if (node->kind == kind) return KH_OK;
  if (node->key)
    return kh_error(ctx, node->pos, KH_SYNTAX, "'%s' must be %s", node->key,
                    names[kind]);
  return kh_error(ctx, node->pos, KH_SYNTAX, "expected %s", names[kind]);
}

kh_status kh_yaml_number(kh_ctx *ctx, const kh_yaml *node, double *out) {
  kh_status ret = kh_yaml_expect(ctx, node, KH_YAML_SCALAR);
  if (ret != KH_OK) return ret;
  char *end;
  double v = strtod(node->scalar, &end);
  if (end == node->scalar || *end != '\0' || !isfinite(v))
    return kh_error(ctx, node->pos, KH_SYNTAX, "'%s' must be a (finite) number, not '%s'",
                    node->key ? node->key : "value", node->scalar);
  *out = v;
  return KH_OK;
}

const char *kh_yaml_version(void) { return yaml_get_version_string(); }
