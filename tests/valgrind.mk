# `make valgrind`: the Criterion suites under valgrind's memcheck (no leaks,
# no memory errors); ./bootstrap check runs it when valgrind is installed.
# By default the suites that start no demo cluster and make no RSA keys (a
# TLS server or key generation under valgrind makes a suite run for a quarter
# of an hour); VALGRIND_ALL=1 takes every suite.  Shell tests skip themselves (unit tests only).  Reports are
# read from the suites' .log files: with --quiet, any "==PID==" line other
# than a warning is a finding.
EXTRA_DIST += tests/valgrind.mk tests/valgrind.supp
valgrind:
	@command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
	@suites=$$(for t in $(filter-out %.sh,$(TESTS)); do \
	    if [ "$(VALGRIND_ALL)" = 1 ] || \
	       ! grep -qE 'demo_start|_fixture\.h|ui_demo\.h|demo_http\.h|demo/jwtsign\.h' $(srcdir)/$$t.c 2>/dev/null; then echo $$t; fi; \
	  done); \
	echo "valgrind: running" $$suites; \
	$(MAKE) $(AM_MAKEFLAGS) check KJ_UNIT_ONLY=1 KJ_VALGRIND=1 TESTS="$$suites" || exit 1; \
	bad=$$(for t in $$suites; do \
	    grep -E '^==[0-9]+== ' "$$t.log" 2>/dev/null | grep -vqE 'Warning: |^==[0-9]+== *$$' && echo "$$t.log"; \
	  done); \
	if [ -n "$$bad" ]; then \
	  for f in $$bad; do echo "---- $$f"; grep -E '^==[0-9]+== ' "$$f" | grep -v 'Warning: ' | head -n 40; done; \
	  echo "valgrind: memory errors or leaks in: $$bad" >&2; exit 1; \
	fi; \
	echo "valgrind: no leaks and no memory errors in" $$(echo $$suites | wc -w) "suites"
.PHONY: valgrind
