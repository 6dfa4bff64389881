# libFuzzer targets (clang, ASan + UBSan): a short run of each in `make check`,
# `make fuzz` for the long one (FUZZ_SECONDS per target, default 600).
TESTS += tests/fuzz/run.sh
EXTRA_DIST += tests/fuzz
FUZZ_SECONDS ?= 600
fuzz:
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' FUZZ_SECONDS=$(FUZZ_SECONDS) \
	  $(SHELL) $(top_srcdir)/tests/fuzz/run.sh
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz-out
.PHONY: fuzz clean-fuzz
