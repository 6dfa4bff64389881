/* Kubernetes JSON answers as the client decodes them: Status bodies (and the
 * error built from them), TokenRequest answers, CertificateSigningRequest
 * states and object metadata of list items. */
#include "tests/fuzz/fuzz.h"

#include <cjson/cJSON.h>

#include "kube/api.h"
#include "kube/status.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kube_status st;
	kj_err e;
	cJSON *j;

	if (kube_status_parse((const char *)data, size, &st) == 0)
		kube_status_done(&st);
	kj_err_clear(&e);
	(void)kube_status_to_err(size % 600, (const char *)data, size, "https://fuzz.example:6443", &e);

	j = cJSON_ParseWithLength((const char *)data, size);
	if (j) {
		struct kube_token tok;
		char *cert = NULL, *why = NULL;
		const cJSON *items = kj_json_array(j, "items");
		const cJSON *it;

		memset(&tok, 0, sizeof tok);
		kj_err_clear(&e);
		if (kube_token_parse(j, &tok, &e) == 0)
			kube_token_done(&tok);
		(void)kube_csr_state_of(j, &cert, &why);
		free(cert);
		free(why);
		cJSON_ArrayForEach(it, items)
		{
			(void)kube_meta(it, "name");
			(void)kube_label(it, "kubejit.io/lease");
			(void)kube_annotation(it, "kubejit.io/expires-at");
		}
		cJSON_Delete(j);
	}
	return 0;
}
