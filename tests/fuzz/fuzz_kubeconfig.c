/* Kubeconfig loading (src/kube/kubeconfig.c): parse, then resolve every
 * context as a target import would. */
#include "tests/fuzz/fuzz.h"

#include "kube/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kubeconfig *kc = NULL;
	kj_err e;

	kj_err_clear(&e);
	if (kubeconfig_load_buffer((const char *)data, size, "/nonexistent/fuzz.kubeconfig", &kc, &e) == 0) {
		size_t n = kubeconfig_n_contexts(kc);

		(void)kubeconfig_current_context(kc);
		for (size_t i = 0; i < n && i < 8; i++) {
			struct kube_context_info ci;
			kj_err e2;

			memset(&ci, 0, sizeof ci);
			kj_err_clear(&e2);
			if (kubeconfig_resolve(kc, kubeconfig_context_name(kc, i), &ci, &e2) == 0)
				kube_context_info_done(&ci);
		}
		kubeconfig_free(kc);
	} else if (!e.msg[0]) {
		abort();
	}
	return 0;
}
