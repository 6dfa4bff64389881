# Unit tests (Criterion) and end-to-end tests (shell, TAP).
TEST_COMMON_LIBS = $(CRITERION_LIBS)
EXTRA_DIST += tests/lib.sh tests/format-check.sh tests/run-unit.sh
TESTS += tests/format-check.sh

if HAVE_CRITERION
check_PROGRAMS += tests/test_util tests/test_cli
TESTS += tests/test_util tests/test_cli
tests_test_util_SOURCES = tests/test_util.c
tests_test_util_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_util_LDADD = $(UTIL_LIBS) $(TEST_COMMON_LIBS)
tests_test_cli_SOURCES = tests/test_cli.c
tests_test_cli_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_cli_LDADD = $(UTIL_LIBS) $(TEST_COMMON_LIBS)
endif

include tests/demo.mk
include tests/kube.mk
include tests/target.mk
include tests/engine.mk
include tests/ui.mk
include tests/cli.mk
