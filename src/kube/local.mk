# Cluster client; part of the engine library (src/libkjengine.a).
ENGINE_SOURCES_KUBE = \
	src/kube/kinds.c src/kube/kinds.h \
	src/kube/status.c src/kube/status.h \
	src/kube/http.c src/kube/http.h \
	src/kube/api.c src/kube/api.h \
	src/kube/kubeconfig.c src/kube/kubeconfig.h \
	src/kube/execcred.c src/kube/execcred.h \
	src/kube/proxy.c src/kube/proxy.h \
	src/kube/incluster.c src/kube/incluster.h
