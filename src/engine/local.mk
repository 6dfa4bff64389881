# Engine: targets, secrets, mint, leases, sweep, outputs.  With src/model,
# src/kube and src/store it forms src/libkjengine.a.
ENGINE_SOURCES_ENGINE =
noinst_LIBRARIES += src/libkjengine.a
src_libkjengine_a_SOURCES = $(ENGINE_SOURCES_MODEL) $(ENGINE_SOURCES_KUBE) $(ENGINE_SOURCES_STORE) $(ENGINE_SOURCES_ENGINE)
# http.o needs kube/status.o: the engine is listed again after it.
KJ_ENGINE_LIB = src/libkjengine.a src/kube/libkjhttp.a src/libkjengine.a
ENGINE_SOURCES_ENGINE += src/engine/execcache.c src/engine/execcache.h
# secrets, role YAML, mint, leases, sweep, outputs, audit
ENGINE_SOURCES_ENGINE += \
	src/engine/rolespec.c src/engine/rolespec.h \
	src/engine/secret.c src/engine/secret.h \
	src/engine/objects.c src/engine/objects.h \
	src/engine/mint.c src/engine/mint.h src/engine/mint_priv.h src/engine/mint_fixed.c \
	src/engine/ready.c src/engine/ready.h \
	src/engine/lease.c src/engine/lease.h \
	src/engine/sweep.c src/engine/sweep.h \
	src/engine/output.c src/engine/output.h \
	src/engine/plugin_kubeconfig.c \
	src/engine/audit.c src/engine/audit.h
ENGINE_SOURCES_ENGINE += \
	src/engine/engine.c src/engine/engine.h src/engine/engine_priv.h \
	src/engine/engine_seal.c \
	src/engine/engine_crash.c \
	src/engine/target.c src/engine/target.h \
	src/engine/target_bootstrap.c src/engine/target_renew.c \
	src/engine/preflight.c src/engine/preflight.h \
	src/engine/rbac_manifest.c src/engine/rbac_manifest.h \
	src/engine/csr.c src/engine/csr.h \
	src/engine/reqcrypt.c src/engine/reqcrypt.h \
	src/engine/request.c src/engine/request.h src/engine/request_priv.h \
	src/engine/request_ask.c \
	src/engine/request_approve.c \
	src/engine/request_rbac.c
ENGINE_SOURCES_ENGINE += src/engine/browse.c src/engine/browse.h
ENGINE_SOURCES_ENGINE += src/engine/cluster_lease.c src/engine/cluster_lease.h
# ar never drops a member: rebuild the archive when its list of sources
# changes, or a file moved elsewhere (src/kube/http.c) stays in it.
EXTRA_src_libkjengine_a_DEPENDENCIES = $(top_srcdir)/src/engine/local.mk $(top_srcdir)/src/kube/local.mk \
	$(top_srcdir)/src/store/local.mk
