# Tests of the target area.
if HAVE_CRITERION
check_PROGRAMS += tests/test_store tests/test_target_unit
TESTS += tests/test_store tests/test_target_unit
tests_test_store_SOURCES = tests/test_store.c
tests_test_store_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_store_LDADD = $(KJ_ENGINE_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(TEST_COMMON_LIBS)
tests_test_target_unit_SOURCES = tests/test_target_unit.c
tests_test_target_unit_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_target_unit_LDADD = $(KJ_ENGINE_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(TEST_COMMON_LIBS)
# Live tests against the in-process demo cluster.
TARGET_LIVE_LIBS = $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(DEMO_LIBS) \
	$(TEST_COMMON_LIBS)
check_PROGRAMS += tests/test_target tests/test_target_cli
TESTS += tests/test_target tests/test_target_cli
tests_test_target_SOURCES = tests/test_target.c tests/target_fixture.c tests/target_fixture.h
tests_test_target_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_target_LDADD = $(TARGET_LIVE_LIBS)
tests_test_target_cli_SOURCES = tests/test_target_cli.c tests/target_fixture.c tests/target_fixture.h
tests_test_target_cli_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_target_cli_LDADD = $(TARGET_LIVE_LIBS)
endif
TESTS += tests/e2e-target.sh tests/e2e-kubeconfigs.sh tests/e2e-bootstrap-remove.sh
EXTRA_DIST += tests/e2e-target.sh tests/e2e-kubeconfigs.sh tests/e2e-bootstrap-remove.sh
# Security defects reproduced against the demo cluster and the binary.
if HAVE_CRITERION
check_PROGRAMS += tests/test_security
TESTS += tests/test_security
tests_test_security_SOURCES = tests/test_security.c tests/target_fixture.c tests/target_fixture.h
tests_test_security_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_security_LDADD = $(TARGET_LIVE_LIBS)
endif
