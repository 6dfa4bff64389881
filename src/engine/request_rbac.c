/* request_rbac: the RBAC that access requests need (engine/request.h),
 * as YAML for kubectl apply. */
#include "engine/request.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"

static int rbac_name_ok(const char *s)
{
	return s && *s && strcmp(s, ".") && strcmp(s, "..") && !strpbrk(s, "/%") && strlen(s) <= 253;
}

/* A YAML scalar: JSON string syntax is valid YAML and quotes everything. */
static char *yq(const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *out = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return out;
}

char *request_rbac_yaml(const struct request_rbac_opts *o, kj_err *e)
{
	const char *name = o->name ? o->name : o->approver ? "kubejit-approver" : "kubejit-requester";
	int subjects = !!o->user + !!o->group + !!o->service_account;
	kj_buf b;
	char *qn, *qs = NULL, *sa_ns = NULL, *sa_name = NULL;

	if (!rbac_name_ok(name)) {
		kj_err_set(e, KJ_ERR_USAGE, _("\"%s\" cannot name a ClusterRole"), name);
		kj_err_hint(e, _("a role name may not be empty, '.', '..', or contain '/' or '%%'"));
		return NULL;
	}
	if (subjects > 1) {
		kj_err_set(e, KJ_ERR_USAGE, _("give one of --user, --group and --serviceaccount"));
		kj_err_hint(e, _("bind more subjects by editing the ClusterRoleBinding"));
		return NULL;
	}
	if (o->service_account) {
		const char *colon = strchr(o->service_account, ':');

		sa_ns = colon ? kj_xstrndup(o->service_account, (size_t)(colon - o->service_account)) : NULL;
		sa_name = colon ? kj_xstrdup(colon + 1) : NULL;
		if (!sa_ns || !kj_is_dns1123_label(sa_ns) || !kj_is_dns1123_subdomain(sa_name)) {
			free(sa_ns);
			free(sa_name);
			kj_err_set(e, KJ_ERR_USAGE, _("--serviceaccount \"%s\" is not NAMESPACE:NAME"),
			           o->service_account);
			kj_err_hint(e, _("e.g. --serviceaccount team-a:alice"));
			return NULL;
		}
	}
	kj_buf_init(&b);
	qn = yq(name);
	if (o->approver)
		kj_buf_printf(&b,
		              "# Approvers of kubejit access requests (kubejit approve / deny / requests).\n"
		              "# Approving also mints: the approver's own target needs 'kubejit rbac fixed'\n"
		              "# or 'kubejit rbac dynamic' as well.\n");
	else
		kj_buf_printf(&b, "# Requesters of kubejit access requests (kubejit request).  Nothing here\n"
		                  "# grants access to anything else: approvers decide.\n");
	kj_buf_printf(&b,
	              "apiVersion: rbac.authorization.k8s.io/v1\n"
	              "kind: ClusterRole\n"
	              "metadata:\n"
	              "  name: %s\n"
	              "  labels:\n"
	              "    app.kubernetes.io/managed-by: kubejit\n"
	              "rules:\n",
	              qn);
	if (o->approver)
		kj_buf_printf(
		    &b, "# list pending requests, read one, store the sealed credential and who\n"
		        "# decided (a plain update may change metadata only), remove expired ones\n"
		        "- apiGroups: [\"certificates.k8s.io\"]\n"
		        "  resources: [\"certificatesigningrequests\"]\n"
		        "  verbs: [\"get\", \"list\", \"update\", \"delete\"]\n"
		        "# write the Approved or Denied condition\n"
		        "- apiGroups: [\"certificates.k8s.io\"]\n"
		        "  resources: [\"certificatesigningrequests/approval\"]\n"
		        "  verbs: [\"update\"]\n"
		        "# the API server's approval check (plugin/pkg/admission/certificates/approval):\n"
		        "# approve on this signer name only, so kubelet and client certificates stay\n"
		        "# out of reach\n"
		        "- apiGroups: [\"certificates.k8s.io\"]\n"
		        "  resources: [\"signers\"]\n"
		        "  resourceNames: [\"" REQUEST_SIGNER "\"]\n"
		        "  verbs: [\"approve\"]\n");
	else
		kj_buf_printf(&b, "# create: submit a request (the API server records who asked);\n"
		                  "# get: wait for and collect it; delete: cancel it, and remove it with\n"
		                  "# its sealed credential once collected; list: 'kubejit requests'\n"
		                  "- apiGroups: [\"certificates.k8s.io\"]\n"
		                  "  resources: [\"certificatesigningrequests\"]\n"
		                  "  verbs: [\"create\", \"get\", \"list\", \"delete\"]\n");
	kj_buf_printf(&b,
	              "---\n"
	              "apiVersion: rbac.authorization.k8s.io/v1\n"
	              "kind: ClusterRoleBinding\n"
	              "metadata:\n"
	              "  name: %s\n"
	              "  labels:\n"
	              "    app.kubernetes.io/managed-by: kubejit\n"
	              "roleRef:\n"
	              "  apiGroup: rbac.authorization.k8s.io\n"
	              "  kind: ClusterRole\n"
	              "  name: %s\n"
	              "subjects:\n",
	              qn, qn);
	if (sa_ns) {
		char *a = yq(sa_name), *n2 = yq(sa_ns);

		kj_buf_printf(&b, "- kind: ServiceAccount\n  name: %s\n  namespace: %s\n", a, n2);
		free(a);
		free(n2);
	} else {
		qs = yq(o->user       ? o->user
		        : o->group    ? o->group
		        : o->approver ? "kubejit:approvers"
		                      : "kubejit:requesters");
		kj_buf_printf(&b, "- kind: %s\n  apiGroup: rbac.authorization.k8s.io\n  name: %s\n",
		              o->user ? "User" : "Group", qs);
	}
	free(qs);
	free(qn);
	free(sa_ns);
	free(sa_name);
	return kj_buf_steal(&b);
}
