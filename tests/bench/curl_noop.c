/* curl_noop: a program linked with libcurl that does nothing; the cost of
 * loading libcurl and its libraries, beside which bench-mint.sh times a
 * cached `kubejit get` (doc/ARCHITECTURE.md, "Speed targets": at most half of this).  The call
 * that never runs keeps the linker from dropping libcurl (--as-needed). */
#include <curl/curl.h>

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 99)
		curl_version_info(CURLVERSION_NOW);
	return 0;
}
