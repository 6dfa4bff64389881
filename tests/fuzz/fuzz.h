/* Shared bits of the libFuzzer targets in tests/fuzz/: each target gets its
 * input as bytes and turns it into the NUL-terminated text the parsers
 * expect.  Built by tests/fuzz/build.sh with clang -fsanitize=fuzzer. */
#ifndef KJ_TESTS_FUZZ_H
#define KJ_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
