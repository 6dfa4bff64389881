/* yamlguard: limits for YAML that someone else may have written.
 *
 * libyaml's document loader shares aliased nodes, so a small file can
 * describe a huge tree ("billion laughs": nine levels of nine aliases make
 * 10^9 nodes of 519 bytes) and anything that walks the tree pays for every
 * expansion.  kj_yaml_check() reads the event stream once, in time and
 * memory linear in the input, and refuses a document before it is loaded:
 * too many bytes, nesting too deep, aliases at all when not allowed, or
 * more nodes than the budget once every alias is expanded.  An alias must
 * name an anchor that is complete before it (no alias inside its own
 * anchor).  Errors are KJ_ERR_INVALID "origin:line:col: what" with a hint.
 * Pure function, thread-safe. */
#ifndef KJ_UTIL_YAMLGUARD_H
#define KJ_UTIL_YAMLGUARD_H

#include <stddef.h>

#include "util/err.h"

struct kj_yaml_limits {
	size_t max_bytes; /* input size */
	int max_depth;    /* nested sequences and mappings */
	size_t max_nodes; /* nodes of every document, aliases expanded */
	int allow_aliases;
	const char *what; /* for messages: "a kubeconfig", "role YAML" */
};

int kj_yaml_check(const char *buf, size_t len, const char *origin, const struct kj_yaml_limits *lim,
                  kj_err *e);

#endif
