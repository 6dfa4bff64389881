# The demo cluster.  Owned by src/demo; links src/util only.
noinst_LIBRARIES += src/demo/libkjdemo.a
KJ_DEMO_LIB = src/demo/libkjdemo.a
src_demo_libkjdemo_a_SOURCES = \
	src/demo/demo.h \
	src/demo/internal.h \
	src/demo/objects.c src/demo/objects.h \
	src/demo/selector.c
src_demo_libkjdemo_a_SOURCES += \
	src/demo/jwtsign.c src/demo/jwtsign.h \
	src/demo/authz.c src/demo/authz.h \
	src/demo/escalation.c src/demo/escalation.h
