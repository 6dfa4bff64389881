# Tests of the engine area.
ENGINE_TEST_LIBS = $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(DEMO_LIBS) $(TEST_COMMON_LIBS)
if HAVE_CRITERION
check_PROGRAMS += tests/test_rolespec
TESTS += tests/test_rolespec
tests_test_rolespec_SOURCES = tests/test_rolespec.c
tests_test_rolespec_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_rolespec_LDADD = $(ENGINE_TEST_LIBS)
endif
if HAVE_CRITERION
check_PROGRAMS += tests/test_secret
TESTS += tests/test_secret
tests_test_secret_SOURCES = tests/test_secret.c
tests_test_secret_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_secret_LDADD = $(ENGINE_TEST_LIBS)
endif
# Live tests against the in-process demo cluster.
if HAVE_CRITERION
check_PROGRAMS += tests/test_mint
TESTS += tests/test_mint
tests_test_mint_SOURCES = tests/test_mint.c
tests_test_mint_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_mint_LDADD = $(ENGINE_TEST_LIBS)
endif
TESTS += tests/e2e-mint.sh
EXTRA_DIST += tests/e2e-mint.sh
TESTS += tests/e2e-real.sh
EXTRA_DIST += tests/e2e-real.sh
# Benchmark of bulk revoke and lease listing, built and run by `make bench`
EXTRA_PROGRAMS += tests/bench/bulk_revoke
tests_bench_bulk_revoke_SOURCES = tests/bench/bulk_revoke.c
tests_bench_bulk_revoke_LDADD = $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(DEMO_LIBS)
CLEANFILES += tests/bench/bulk_revoke
# The fault matrix: every request of every cluster-changing operation, failed
# every way the demo cluster can fail it.
if HAVE_CRITERION
check_PROGRAMS += tests/test_faults
TESTS += tests/test_faults
tests_test_faults_SOURCES = tests/test_faults.c
tests_test_faults_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_faults_LDADD = $(ENGINE_TEST_LIBS)
endif
# kill -9 at every step of a mint and a revoke, clock jumps, a full disk
TESTS += tests/e2e-crash.sh
EXTRA_DIST += tests/e2e-crash.sh
# two processes minting and revoking from one store while a third sweeps
TESTS += tests/e2e-concurrency.sh
EXTRA_DIST += tests/e2e-concurrency.sh
