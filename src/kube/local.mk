# Cluster client; part of the engine library (src/libkjengine.a).
ENGINE_SOURCES_KUBE = \
	src/kube/kinds.c src/kube/kinds.h \
	src/kube/status.c src/kube/status.h \
	src/kube/api.c src/kube/api.h \
	src/kube/kubeconfig.c src/kube/kubeconfig.h \
	src/kube/execcred.c src/kube/execcred.h \
	src/kube/proxy.c src/kube/proxy.h \
	src/kube/incluster.c src/kube/incluster.h

# The HTTPS client (libcurl) apart from the engine: test programs link it,
# the kubejit command loads it as net.so (src/dl/loader.h).  Position
# independent for the shared object.
noinst_LIBRARIES += src/kube/libkjhttp.a
src_kube_libkjhttp_a_SOURCES = \
	src/kube/http.c src/kube/http.h src/kube/http_priv.h \
	src/kube/http_tls.c \
	src/kube/http_auth.c \
	src/kube/http_xfer.c \
	src/kube/http_warn.c
src_kube_libkjhttp_a_CFLAGS = $(AM_CFLAGS) -fPIC
kjmod_PROGRAMS += src/kube/net.so
src_kube_net_so_SOURCES =
src_kube_net_so_LDFLAGS = $(KJ_MODULE_LINK) -Wl,--whole-archive,src/kube/libkjhttp.a,--no-whole-archive
src_kube_net_so_DEPENDENCIES = src/kube/libkjhttp.a
src_kube_net_so_LDADD = $(CURL_LIBS) $(OPENSSL_LIBS) $(LIBINTL)
