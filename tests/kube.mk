# Tests of the kube area.
if HAVE_CRITERION
check_PROGRAMS += tests/test_kube
TESTS += tests/test_kube
tests_test_kube_SOURCES = tests/test_kube.c
tests_test_kube_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_kube_LDADD = $(KJ_ENGINE_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(TEST_COMMON_LIBS)
endif
EXTRA_DIST += tests/data/kube-ca.crt tests/data/kube-token.txt tests/data/kubeconfig-a.yaml \
	tests/data/kubeconfig-b.yaml tests/data/kubeconfig-bad.yaml
# Live tests against the in-process demo cluster.
if HAVE_CRITERION
check_PROGRAMS += tests/test_kube_live
TESTS += tests/test_kube_live
tests_test_kube_live_SOURCES = tests/test_kube_live.c tests/kube_fixture.c tests/kube_fixture.h
tests_test_kube_live_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_kube_live_LDADD = $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(DEMO_LIBS) \
	$(TEST_COMMON_LIBS)
endif
if HAVE_CRITERION
check_PROGRAMS += tests/test_kube_auth
TESTS += tests/test_kube_auth
tests_test_kube_auth_SOURCES = tests/test_kube_auth.c tests/kube_fixture.c tests/kube_fixture.h
tests_test_kube_auth_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_test_kube_auth_LDADD = $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(DEMO_LIBS) \
	$(TEST_COMMON_LIBS)
endif
# kubejit over HTTP/2 through nghttpx in front of the demo cluster.
TESTS += tests/e2e-http2.sh
EXTRA_DIST += tests/e2e-http2.sh
