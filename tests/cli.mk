# Tests of the cli area.

if HAVE_CRITERION
check_PROGRAMS += tests/test_execcache
TESTS += tests/test_execcache
# execcache is a pure file-system module: built into its test directly, so the
# test needs neither cluster nor store.
tests_test_execcache_SOURCES = tests/test_execcache.c src/engine/execcache.c
tests_test_execcache_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_execcache_LDADD = $(UTIL_LIBS) $(TEST_COMMON_LIBS)

# The command line as scripts see it, against the in-process demo cluster.
check_PROGRAMS += tests/test_cli_json
TESTS += tests/test_cli_json
tests_test_cli_json_SOURCES = tests/test_cli_json.c
tests_test_cli_json_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
# the engine too: a test ages a lease in the store, as time would
tests_test_cli_json_LDADD = $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(DEMO_LIBS) \
	$(TEST_COMMON_LIBS)
endif

# Shell tests of the documentation: man page lint and coverage, completion.
EXTRA_DIST += tests/e2e-exec-libs.sh tests/doc-completion.sh tests/doc-man.sh tests/e2e-exec-plugin.sh tests/bench-exec-plugin.sh
TESTS += tests/doc-completion.sh tests/doc-man.sh tests/e2e-exec-plugin.sh tests/e2e-exec-libs.sh

# `make bench` also times the exec plugin, cached and uncached.
bench: bench-exec-plugin
bench-exec-plugin: kubejit$(EXEEXT)
	KUBEJIT_BIN=$(abs_top_builddir)/kubejit $(SHELL) $(top_srcdir)/tests/bench-exec-plugin.sh $(BENCH_RUNS)
.PHONY: bench-exec-plugin
