/* Durations and names as typed by users: TTLs (src/util/ttl.c), DNS-1123
 * names, globs of allowed namespaces and name slugs (src/util/names.c). */
#include "tests/fuzz/fuzz.h"

#include "util/names.h"
#include "util/ttl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	const char *half = s + size / 2;
	char buf[80], slug[64];
	int64_t v;
	kj_err e;

	kj_err_clear(&e);
	if (kj_ttl_parse(s, "--ttl", &v, &e) == 0) {
		if (v <= 0)
			abort(); /* zero and negative TTLs are refused */
		kj_ttl_format(v, buf, sizeof buf);
		kj_ttl_human(v, buf, sizeof buf);
	} else if (!e.msg[0]) {
		abort();
	}
	(void)kj_is_dns1123_label(s);
	(void)kj_is_dns1123_subdomain(s);
	(void)kj_glob_match(s, half);
	kj_slug(s, 40, slug, sizeof slug);
	if (slug[0] && !kj_is_dns1123_label(slug))
		abort(); /* a slug is always usable in a generated name */
	free(s);
	return 0;
}
