# Unit tests (Criterion) and end-to-end tests (shell, TAP).
TEST_COMMON_LIBS = $(CRITERION_LIBS)
EXTRA_DIST += tests/lib.sh tests/format-check.sh tests/run-unit.sh tests/lsan.supp
TESTS += tests/format-check.sh
# Last of all: no secret the suite handled in any test's output.
EXTRA_DIST += tests/no-secrets.sh
TESTS += tests/no-secrets.sh
tests/no-secrets.log: $(filter-out tests/no-secrets.log,$(TEST_LOGS))

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
include tests/fuzz/local.mk
include tests/valgrind.mk
include tests/packaging/local.mk

# Benchmarks: `make bench` prints figures; not part of `make check`.
EXTRA_PROGRAMS += tests/bench/floor
tests_bench_floor_SOURCES = tests/bench/floor.c
tests_bench_floor_LDADD = $(CURL_LIBS)
EXTRA_PROGRAMS += tests/bench/curl_noop
tests_bench_curl_noop_SOURCES = tests/bench/curl_noop.c
tests_bench_curl_noop_LDADD = $(CURL_LIBS)
EXTRA_PROGRAMS += tests/bench/lease_table tests/bench/timeit
tests_bench_timeit_SOURCES = tests/bench/timeit.c
tests_bench_lease_table_SOURCES = tests/bench/lease_table.c
tests_bench_lease_table_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tests_bench_lease_table_LDADD = $(KJ_UI_LIB) $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(NCURSES_LIBS) \
	$(ENGINE_LIBS) $(DEMO_LIBS) -lpthread
EXTRA_DIST += tests/bench/bench-mint.sh tests/bench/summary.sh
CLEANFILES += tests/bench/floor tests/bench/curl_noop tests/bench/lease_table tests/bench/timeit tests/bench/bench.log
# Each step's output is kept in tests/bench/bench.log; the last step prints
# every figure in one table beside its target.
bench: kubejit tests/bench/floor tests/bench/bulk_revoke tests/bench/lease_table tests/bench/timeit
	@rm -f tests/bench/bench.log
	KUBEJIT_BIN=$(abs_top_builddir)/kubejit FLOOR_BIN=$(abs_top_builddir)/tests/bench/floor \
	TIMEIT_BIN=$(abs_top_builddir)/tests/bench/timeit \
	KUBECTL='$(KUBECTL)' $(SHELL) $(top_srcdir)/tests/bench/bench-mint.sh $(BENCH_RUNS) \
	  >tests/bench/bench.log.part || { cat tests/bench/bench.log.part; exit 1; }
	@cat tests/bench/bench.log.part >>tests/bench/bench.log; cat tests/bench/bench.log.part
	tests/bench/bulk_revoke $(BENCH_LEASES) >tests/bench/bench.log.part || { cat tests/bench/bench.log.part; exit 1; }
	@cat tests/bench/bench.log.part >>tests/bench/bench.log; cat tests/bench/bench.log.part
	tests/bench/lease_table >tests/bench/bench.log.part || { cat tests/bench/bench.log.part; exit 1; }
	@cat tests/bench/bench.log.part >>tests/bench/bench.log; cat tests/bench/bench.log.part; rm -f tests/bench/bench.log.part
	@$(SHELL) $(top_srcdir)/tests/bench/summary.sh tests/bench/bench.log
.PHONY: bench

# The include graph between source folders (doc/ARCHITECTURE.md, "Layers").
EXTRA_DIST += tests/include-graph.sh tests/layering.sh
TESTS += tests/layering.sh
include-graph:
	@$(SHELL) $(top_srcdir)/tests/include-graph.sh $(top_srcdir)
.PHONY: include-graph
