/* JWT decoding (src/util/jwt.c) and the RFC 3339 times read from tokens and
 * objects (src/util/timeutil.c). */
#include "tests/fuzz/fuzz.h"

#include <cjson/cJSON.h>

#include "util/jwt.h"
#include "util/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	cJSON *h = NULL, *c = NULL;
	char fp[65], buf[64];
	int64_t t;
	kj_err e;

	kj_err_clear(&e);
	if (kj_jwt_decode(s, &h, &c, &e) == 0) {
		cJSON_Delete(h);
		cJSON_Delete(c);
	}
	kj_token_fingerprint(s, fp);
	if (kj_time_parse_rfc3339(s, &t) == 0)
		kj_time_rfc3339(t, buf, sizeof buf);
	free(s);
	return 0;
}
