# Tests, laid out like the source: tests/<area>/ for util, kube, store,
# engine, demo, ui and cli; shared fixtures in tests/support/; end-to-end
# scripts in tests/e2e/; benchmarks in tests/bench/; fuzz targets in
# tests/fuzz/.  CONTRIBUTING.md says how to run them.
#
# One pattern for every Criterion suite: tests/<area>/test_<name>.c is the
# only source of the program tests/<area>/test_<name> (automake's default
# source), linked with the fixtures (tests/support/libkjtest.a) and every
# kubejit library through LDADD.  A new suite is one line in CRITERION_SUITES.
TEST_COMMON_LIBS = $(CRITERION_LIBS)
KJ_TEST_LIBS = tests/support/libkjtest.a $(KJ_UI_LIB) $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) \
	$(NCURSES_LIBS) $(ENGINE_LIBS) $(DEMO_LIBS) $(CURL_LIBS) $(CRITERION_LIBS) -lpthread
AM_DEFAULT_SOURCE_EXT = .c
LDADD = $(KJ_TEST_LIBS)
# Last of all: no secret the suite handled in any test's output.
EXTRA_DIST += tests/no-secrets.sh
TESTS += tests/no-secrets.sh
tests/no-secrets.log: $(filter-out tests/no-secrets.log,$(TEST_LOGS))

if HAVE_CRITERION
check_LIBRARIES = tests/support/libkjtest.a
tests_support_libkjtest_a_SOURCES = \
	tests/support/cluster.c \
	tests/support/demo_http.c tests/support/demo_http.h \
	tests/support/engine_fixture.c tests/support/engine_fixture.h \
	tests/support/kube_fixture.c tests/support/kube_fixture.h \
	tests/support/target_fixture.c tests/support/target_fixture.h \
	tests/support/ui_demo.c tests/support/ui_demo.h \
	tests/support/ui_harness.c tests/support/ui_harness.h
tests_support_libkjtest_a_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) $(NCURSES_CFLAGS)

CRITERION_SUITES = \
	tests/util/test_util \
	tests/util/test_safetext \
	tests/kube/test_kube \
	tests/kube/test_kube_auth \
	tests/kube/test_kube_live \
	tests/store/test_store \
	tests/store/test_lease_view \
	tests/engine/test_cluster_lease \
	tests/engine/test_execcache \
	tests/engine/test_faults \
	tests/engine/test_mint \
	tests/engine/test_reqcrypt \
	tests/engine/test_rolespec \
	tests/engine/test_secret \
	tests/engine/test_security \
	tests/engine/test_target \
	tests/engine/test_target_unit \
	tests/demo/test_demo_auth \
	tests/demo/test_demo_authz \
	tests/demo/test_demo_core \
	tests/demo/test_demo_rbac \
	tests/demo/test_demo_real \
	tests/demo/test_demo_store \
	tests/ui/test_ui_german \
	tests/ui/test_ui_hostile \
	tests/ui/test_ui_leases \
	tests/ui/test_ui_requests \
	tests/ui/test_ui_targets \
	tests/ui/test_ui_widgets \
	tests/ui/test_ui_wizards \
	tests/cli/test_cli \
	tests/cli/test_cli_json \
	tests/cli/test_target_cli
check_PROGRAMS += $(CRITERION_SUITES)
TESTS += $(CRITERION_SUITES)
endif

# Shell tests: the scripts in tests/e2e/ run the built kubejit against the
# demo cluster (and kubectl, tmux, nghttpx where installed); the checks of
# the documentation, the format and the layers read the source tree.
TEST_SCRIPTS_ALL = \
	tests/e2e/bootstrap-remove.sh \
	tests/e2e/cluster-leases.sh \
	tests/e2e/concurrency.sh \
	tests/e2e/crash.sh \
	tests/e2e/csr-renew.sh \
	tests/e2e/exec-libs.sh \
	tests/e2e/exec-plugin.sh \
	tests/e2e/exec-recheck.sh \
	tests/e2e/hostile-text.sh \
	tests/e2e/hostile.sh \
	tests/e2e/http2.sh \
	tests/e2e/kubeconfigs.sh \
	tests/e2e/kubectl-auth.sh \
	tests/e2e/kubectl.sh \
	tests/e2e/mint.sh \
	tests/e2e/proxies.sh \
	tests/e2e/real.sh \
	tests/e2e/realism.sh \
	tests/e2e/requests.sh \
	tests/e2e/python.sh \
	tests/e2e/target.sh \
	tests/e2e/tui.sh \
	tests/e2e/tui-requests.sh \
	tests/e2e/tui-exec.sh \
	tests/cli/doc-completion.sh \
	tests/cli/doc-man.sh \
	tests/cli/locale.sh \
	tests/format-check.sh \
	tests/layering.sh
TESTS += $(TEST_SCRIPTS_ALL)
EXTRA_DIST += $(TEST_SCRIPTS_ALL) tests/support/lib.sh tests/support/run-unit.sh tests/support/lsan.supp \
	tests/support/data tests/support/golden tests/include-graph.sh

include tests/fuzz/local.mk
include tests/valgrind.mk
include tests/packaging/local.mk

# The include graph between source folders (doc/ARCHITECTURE.md, "Layers").
include-graph:
	@$(SHELL) $(top_srcdir)/tests/include-graph.sh $(top_srcdir)
.PHONY: include-graph

# Benchmarks: `make bench` prints figures; not part of `make check`.
EXTRA_PROGRAMS += tests/bench/floor
tests_bench_floor_SOURCES = tests/bench/floor.c
tests_bench_floor_LDADD = $(CURL_LIBS)
EXTRA_PROGRAMS += tests/bench/curl_noop
tests_bench_curl_noop_SOURCES = tests/bench/curl_noop.c
tests_bench_curl_noop_LDADD = $(CURL_LIBS)
EXTRA_PROGRAMS += tests/bench/lease_table tests/bench/timeit
tests_bench_timeit_SOURCES = tests/bench/timeit.c
tests_bench_timeit_LDADD =
tests_bench_lease_table_SOURCES = tests/bench/lease_table.c
tests_bench_lease_table_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tests_bench_lease_table_LDADD = $(KJ_UI_LIB) $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(NCURSES_LIBS) \
	$(ENGINE_LIBS) $(DEMO_LIBS) -lpthread
EXTRA_PROGRAMS += tests/bench/rttrelay
tests_bench_rttrelay_SOURCES = tests/bench/rttrelay.c
EXTRA_DIST += tests/bench/bench-mint.sh tests/bench/bench-rtt.sh tests/bench/summary.sh
CLEANFILES += tests/bench/floor tests/bench/curl_noop tests/bench/lease_table tests/bench/timeit \
	tests/bench/rttrelay tests/bench/bench.log
# Each step's output is printed once and kept in tests/bench/bench.log; the
# last step prints every figure in one table beside its target and says
# which are met.  Benchmarks print figures: they never fail on a slow machine.
#   BENCH_RUNS (runs per timed command, default 40 for the mint, 20 per RTT),
#   BENCH_LEASES (dynamic leases minted then revoked, default 1000; the
#   linearity targets need 10000), BENCH_TABLE (lease table sizes),
#   BENCH_RTTS (default "0 10 50").
BENCH_TABLE = 1000 1000000
bench_step = >tests/bench/bench.log.part 2>&1 || { cat tests/bench/bench.log.part; exit 1; }; \
	cat tests/bench/bench.log.part >>tests/bench/bench.log; cat tests/bench/bench.log.part
bench: kubejit tests/bench/floor tests/bench/curl_noop tests/bench/bulk_revoke tests/bench/lease_table \
	tests/bench/timeit tests/bench/rttrelay
	@rm -f tests/bench/bench.log
	KUBEJIT_BIN=$(abs_top_builddir)/kubejit FLOOR_BIN=$(abs_top_builddir)/tests/bench/floor \
	TIMEIT_BIN=$(abs_top_builddir)/tests/bench/timeit CURL_NOOP_BIN=$(abs_top_builddir)/tests/bench/curl_noop \
	KUBECTL='$(KUBECTL)' $(SHELL) $(top_srcdir)/tests/bench/bench-mint.sh $(BENCH_RUNS) $(bench_step)
	tests/bench/bulk_revoke $(BENCH_LEASES) $(bench_step)
	for n in $(BENCH_TABLE); do tests/bench/lease_table $$n || exit 1; done $(bench_step)
	KUBEJIT_BIN=$(abs_top_builddir)/kubejit RELAY_BIN=$(abs_top_builddir)/tests/bench/rttrelay \
	TIMEIT_BIN=$(abs_top_builddir)/tests/bench/timeit KUBECTL='$(KUBECTL)' BENCH_RTTS='$(BENCH_RTTS)' \
	$(SHELL) $(top_srcdir)/tests/bench/bench-rtt.sh $(BENCH_RTT_RUNS) $(bench_step)
	@rm -f tests/bench/bench.log.part
	@$(SHELL) $(top_srcdir)/tests/bench/summary.sh tests/bench/bench.log
.PHONY: bench
# Benchmark of bulk revoke and lease listing, built and run by `make bench`
EXTRA_PROGRAMS += tests/bench/bulk_revoke
tests_bench_bulk_revoke_SOURCES = tests/bench/bulk_revoke.c
tests_bench_bulk_revoke_LDADD = $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(ENGINE_LIBS) $(DEMO_LIBS)
CLEANFILES += tests/bench/bulk_revoke
# `make bench` also times the exec plugin, cached and uncached.
EXTRA_DIST += tests/bench/exec-plugin.sh
bench: bench-exec-plugin
bench-exec-plugin: kubejit$(EXEEXT)
	KUBEJIT_BIN=$(abs_top_builddir)/kubejit $(SHELL) $(top_srcdir)/tests/bench/exec-plugin.sh $(BENCH_RUNS)
.PHONY: bench-exec-plugin
