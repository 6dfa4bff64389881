#include "engine/audit.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/secret.h"
#include "store/audit.h"
#include "util/timeutil.h"

int audit_record(struct engine *eng, const char *action, const char *secret, const char *lease,
                 const char *target, int ok, const char *detail, kj_err *e)
{
	struct audit_entry a;

	memset(&a, 0, sizeof(a));
	a.time = kj_now();
	a.actor = (char *)engine_actor(eng);
	a.action = (char *)action;
	a.secret = (char *)secret;
	a.lease = (char *)lease;
	a.target = (char *)target;
	a.ok = ok;
	a.detail = (char *)detail;
	return store_audit_insert(engine_db(eng), &a, e);
}

int audit_list(struct engine *eng, const struct audit_filter *f, struct audit_entry **out, size_t *n,
               kj_err *e)
{
	struct audit_filter nf;
	char *path = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (f)
		nf = *f;
	else
		memset(&nf, 0, sizeof(nf));
	/* the secret path as typed ("prod/x/") matches the stored "/prod/x" */
	if (nf.secret && secret_path_normalize(nf.secret, &path, e) < 0)
		return -1;
	if (path)
		nf.secret = path;
	rc = store_audit_list(engine_db(eng), &nf, out, n, e);
	free(path);
	return rc;
}
