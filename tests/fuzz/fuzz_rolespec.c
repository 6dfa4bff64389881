/* The role YAML parser (src/engine/rolespec.c): any text gives a parsed role
 * or an error with a position, in bounded time and memory. */
#include "tests/fuzz/fuzz.h"

#include "engine/rolespec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct rolespec rs;
	struct rolespec_pos pos;
	kj_err e;

	kj_err_clear(&e);
	memset(&rs, 0, sizeof rs);
	if (rolespec_parse(text, "role.yaml", &rs, &pos, &e) == 0) {
		cJSON *rules = rolespec_rules_json(&rs);
		cJSON_Delete(rules);
		rolespec_done(&rs);
	} else if (!e.msg[0]) {
		abort(); /* a failure always says why */
	}
	free(text);
	return 0;
}
