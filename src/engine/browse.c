#include "engine/browse.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/engine.h"
#include "kube/api.h"
#include "kube/kinds.h"
#include "util/i18n.h"
#include "util/strbuf.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int browse_names(struct engine *en, const char *target, enum browse_kind kind, const char *ns, char ***out,
                 size_t *n, kj_err *e)
{
	static const enum kube_kind_id kinds[] = {KUBE_NAMESPACE, KUBE_SERVICEACCOUNT, KUBE_ROLE,
	                                          KUBE_CLUSTERROLE};
	struct kube_client *kc;
	cJSON *list = NULL, *items, *it;
	char **v;
	size_t cnt = 0;
	const char *field = "name";

	*out = NULL;
	*n = 0;
	if ((kind == BROWSE_SERVICEACCOUNTS || kind == BROWSE_ROLES) && (!ns || !*ns))
		return kj_err_set(e, KJ_ERR_USAGE, "%s",
		                  _("listing service accounts or roles needs a namespace"));
	if (engine_client(en, target, &kc, e) != 0)
		return -1;
	if (kube_list(kc, kinds[kind], ns, NULL, &list, e) != 0) {
		/* A minting account often may not list namespaces but may list
		 * service accounts everywhere: every namespace has one ("default"). */
		if (kind != BROWSE_NAMESPACES || e->cls != KJ_ERR_DENIED)
			return kj_err_prefix(e, _("listing from target \"%s\": "), target);
		kj_err_clear(e);
		if (kube_list(kc, KUBE_SERVICEACCOUNT, NULL, NULL, &list, e) != 0)
			return kj_err_prefix(e, _("listing from target \"%s\": "), target);
		field = "namespace";
	}
	items = cJSON_GetObjectItemCaseSensitive(list, "items");
	v = kj_xcalloc((size_t)cJSON_GetArraySize(items) + 1, sizeof(char *));
	cJSON_ArrayForEach(it, items)
	{
		cJSON *md = cJSON_GetObjectItemCaseSensitive(it, "metadata");
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, field));
		if (name)
			v[cnt++] = kj_xstrdup(name);
	}
	cJSON_Delete(list);
	qsort(v, cnt, sizeof(char *), cmp_str);
	{
		/* drop duplicates (namespaces derived from service accounts) */
		size_t i, k = 0;
		for (i = 0; i < cnt; i++) {
			if (k && !strcmp(v[k - 1], v[i])) {
				free(v[i]);
				continue;
			}
			v[k++] = v[i];
		}
		cnt = k;
	}
	*out = v;
	*n = cnt;
	return 0;
}

void browse_names_free(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
