/* impersonate: kube-apiserver's impersonation filter for the demo cluster
 * (`kubectl --as`, `--as-group`, `--as-uid`).
 *
 * Runs right after authentication, before authorisation.  Each requested
 * identity (Impersonate-User as a user or ServiceAccount, Impersonate-Group,
 * Impersonate-Uid, Impersonate-Extra-<key>) needs the `impersonate` verb on
 * users / serviceaccounts / groups / uids / userextras; the request then
 * runs as the impersonated user.  Thread-safe. */
#ifndef KJ_DEMO_IMPERSONATE_H
#define KJ_DEMO_IMPERSONATE_H

#include "demo/internal.h"

/* 0: no impersonation headers, r->user unchanged; 1: r->user replaced;
 * -1: refused, already answered (403, or 500 for groups without a user). */
int impersonate_apply(struct demo_req *r);

#endif
