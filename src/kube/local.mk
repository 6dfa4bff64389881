# Cluster client; part of the engine library (src/libkjengine.a).
ENGINE_SOURCES_KUBE =
