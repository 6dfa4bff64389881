# Engine: targets, secrets, mint, leases, sweep, outputs.  With src/kube and
# src/store it forms src/libkjengine.a.
ENGINE_SOURCES_ENGINE =
noinst_LIBRARIES += src/libkjengine.a
src_libkjengine_a_SOURCES = $(ENGINE_SOURCES_KUBE) $(ENGINE_SOURCES_STORE) $(ENGINE_SOURCES_ENGINE)
KJ_ENGINE_LIB = src/libkjengine.a
ENGINE_SOURCES_ENGINE += src/engine/execcache.c src/engine/execcache.h
