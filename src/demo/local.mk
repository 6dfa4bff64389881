# The demo cluster.  Owned by src/demo; links src/util only.
noinst_LIBRARIES += src/demo/libkjdemo.a
KJ_DEMO_LIB = src/demo/libkjdemo.a
src_demo_libkjdemo_a_SOURCES = \
	src/demo/demo.c src/demo/demo.h \
	src/demo/internal.h \
	src/demo/objects.c src/demo/objects.h src/demo/objects_priv.h src/demo/objects_history.c \
	src/demo/selector.c \
	src/demo/proto.c \
	src/demo/reply.c \
	src/demo/server.c \
	src/demo/discovery.c \
	src/demo/openapi.c \
	src/demo/table.c \
	src/demo/validate.c \
	src/demo/crud.c src/demo/crud_priv.h \
	src/demo/crud_list.c \
	src/demo/crud_watch.c \
	src/demo/crud_write.c \
	src/demo/fields.c \
	src/demo/crud_delete.c \
	src/demo/pki.c \
	src/demo/faults.c \
	src/demo/controllers.c \
	src/demo/seed.c
src_demo_libkjdemo_a_SOURCES += \
	src/demo/jwtsign.c src/demo/jwtsign.h \
	src/demo/statefile.c src/demo/statefile.h \
	src/demo/authz.c src/demo/authz.h \
	src/demo/authz_policy.c \
	src/demo/escalation.c src/demo/escalation.h \
	src/demo/authn.c src/demo/authn.h \
	src/demo/impersonate.c src/demo/impersonate.h \
	src/demo/handlers_auth.c src/demo/handlers_auth.h \
	src/demo/handlers_review.c \
	src/demo/handlers_csr.c
# ar never drops a member: rebuild the archive when its list of sources
# changes, or a removed file (src/demo/handlers_core.c) stays in it.
EXTRA_src_demo_libkjdemo_a_DEPENDENCIES = $(top_srcdir)/src/demo/local.mk
# Position independent: the same objects make demo.so (src/dl/loader.h).
src_demo_libkjdemo_a_CFLAGS = $(AM_CFLAGS) -fPIC
kjmod_PROGRAMS += src/demo/demo.so
src_demo_demo_so_SOURCES =
src_demo_demo_so_LDFLAGS = $(KJ_MODULE_LINK) -Wl,--whole-archive,$(KJ_DEMO_LIB),--no-whole-archive
src_demo_demo_so_DEPENDENCIES = $(KJ_DEMO_LIB)
src_demo_demo_so_LDADD = $(DEMO_LIBS)
# The built-in seed: data/seed.yaml as a C string, so the binary works uninstalled.
nodist_src_demo_libkjdemo_a_SOURCES = src/demo/seed_data.c
CLEANFILES += src/demo/seed_data.c
src/demo/seed_data.c: $(top_srcdir)/data/seed.yaml $(top_srcdir)/src/demo/local.mk
	$(AM_V_GEN)$(MKDIR_P) src/demo && { \
	  echo '/* Generated from data/seed.yaml by src/demo/local.mk; do not edit. */'; \
	  echo '/* clang-format off */'; \
	  echo 'extern const char demo_seed_yaml[];'; \
	  echo 'const char demo_seed_yaml[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $(top_srcdir)/data/seed.yaml; \
	  echo ';'; } > $@-t && mv $@-t $@
