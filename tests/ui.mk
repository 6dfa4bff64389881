# Tests of the ui area.
EXTRA_DIST += tests/golden
if HAVE_CRITERION
check_PROGRAMS += tests/test_ui_widgets
TESTS += tests/test_ui_widgets
tests_test_ui_widgets_SOURCES = tests/test_ui_widgets.c tests/ui_harness.c tests/ui_harness.h
tests_test_ui_widgets_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) $(NCURSES_CFLAGS)
tests_test_ui_widgets_LDADD = $(KJ_UI_LIB) $(KJ_ENGINE_LIB) $(UTIL_LIBS) $(NCURSES_LIBS) $(ENGINE_LIBS) \
	$(CRITERION_LIBS) -lpthread
endif
if HAVE_CRITERION
UI_DEMO_TEST_LIBS = $(KJ_UI_LIB) $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) $(NCURSES_LIBS) $(ENGINE_LIBS) \
	$(DEMO_LIBS) $(CRITERION_LIBS) -lpthread
check_PROGRAMS += tests/test_ui_targets
TESTS += tests/test_ui_targets
tests_test_ui_targets_SOURCES = tests/test_ui_targets.c tests/ui_demo.c tests/ui_demo.h tests/ui_harness.c \
	tests/ui_harness.h
tests_test_ui_targets_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) $(NCURSES_CFLAGS)
tests_test_ui_targets_LDADD = $(UI_DEMO_TEST_LIBS)
check_PROGRAMS += tests/test_ui_leases
TESTS += tests/test_ui_leases
tests_test_ui_leases_SOURCES = tests/test_ui_leases.c tests/ui_demo.c tests/ui_demo.h tests/ui_harness.c \
	tests/ui_harness.h
tests_test_ui_leases_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) $(NCURSES_CFLAGS)
tests_test_ui_leases_LDADD = $(UI_DEMO_TEST_LIBS)
check_PROGRAMS += tests/test_ui_wizards
TESTS += tests/test_ui_wizards
tests_test_ui_wizards_SOURCES = tests/test_ui_wizards.c tests/ui_demo.c tests/ui_demo.h tests/ui_harness.c \
	tests/ui_harness.h
tests_test_ui_wizards_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) $(NCURSES_CFLAGS)
tests_test_ui_wizards_LDADD = $(UI_DEMO_TEST_LIBS)
check_PROGRAMS += tests/test_ui_german
TESTS += tests/test_ui_german
tests_test_ui_german_SOURCES = tests/test_ui_german.c tests/ui_demo.c tests/ui_demo.h tests/ui_harness.c \
	tests/ui_harness.h
tests_test_ui_german_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) $(NCURSES_CFLAGS)
tests_test_ui_german_LDADD = $(UI_DEMO_TEST_LIBS)
endif
TESTS += tests/e2e-tui.sh tests/e2e-tui-exec.sh
EXTRA_DIST += tests/e2e-tui.sh tests/e2e-tui-exec.sh
