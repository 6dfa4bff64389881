# Tests of the demo area.
if HAVE_CRITERION
check_PROGRAMS += tests/test_demo_store
TESTS += tests/test_demo_store
tests_test_demo_store_SOURCES = tests/test_demo_store.c
tests_test_demo_store_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_demo_store_LDADD = $(KJ_DEMO_LIB) $(UTIL_LIBS) $(DEMO_LIBS) $(TEST_COMMON_LIBS)
endif
if HAVE_CRITERION
check_PROGRAMS += tests/test_demo_rbac
TESTS += tests/test_demo_rbac
tests_test_demo_rbac_SOURCES = tests/test_demo_rbac.c
tests_test_demo_rbac_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_demo_rbac_LDADD = $(KJ_DEMO_LIB) $(UTIL_LIBS) $(DEMO_LIBS) $(TEST_COMMON_LIBS)
endif
if HAVE_CRITERION
check_PROGRAMS += tests/test_demo_auth
TESTS += tests/test_demo_auth
tests_test_demo_auth_SOURCES = tests/test_demo_auth.c tests/demo_http.c tests/demo_http.h
tests_test_demo_auth_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_demo_auth_LDADD = $(KJ_DEMO_LIB) $(UTIL_LIBS) $(DEMO_LIBS) $(CURL_LIBS) $(TEST_COMMON_LIBS)
check_PROGRAMS += tests/test_demo_authz
TESTS += tests/test_demo_authz
tests_test_demo_authz_SOURCES = tests/test_demo_authz.c tests/demo_http.c tests/demo_http.h
tests_test_demo_authz_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_demo_authz_LDADD = $(KJ_DEMO_LIB) $(UTIL_LIBS) $(DEMO_LIBS) $(CURL_LIBS) $(TEST_COMMON_LIBS)
endif
if HAVE_CRITERION
check_PROGRAMS += tests/test_demo_core
TESTS += tests/test_demo_core
tests_test_demo_core_SOURCES = tests/test_demo_core.c
tests_test_demo_core_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_demo_core_LDADD = $(KJ_DEMO_LIB) $(UTIL_LIBS) $(DEMO_LIBS) $(CURL_LIBS) $(TEST_COMMON_LIBS)
endif
if HAVE_CRITERION
check_PROGRAMS += tests/test_demo_real
TESTS += tests/test_demo_real
tests_test_demo_real_SOURCES = tests/test_demo_real.c tests/demo_http.c tests/demo_http.h
tests_test_demo_real_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_demo_real_LDADD = $(KJ_DEMO_LIB) $(UTIL_LIBS) $(DEMO_LIBS) $(CURL_LIBS) $(TEST_COMMON_LIBS) -lpthread
endif
TESTS += tests/e2e-kubectl.sh
EXTRA_DIST += tests/e2e-kubectl.sh
# The real kubectl against `kubejit demo-cluster`: can-i for tokens, CSR approval.
TESTS += tests/e2e-kubectl-auth.sh
EXTRA_DIST += tests/e2e-kubectl-auth.sh
