# Engine: targets, secrets, mint, leases, sweep, outputs.  With src/kube and
# src/store it forms src/libkjengine.a (KJ_ENGINE_LIB once it has sources).
ENGINE_SOURCES_ENGINE =
KJ_ENGINE_LIB =
