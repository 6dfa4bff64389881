# The records every layer shares (secret, lease, audit entry, target):
# plain structs, their enums and destructors; depends only on src/util.
# Part of the engine library (src/libkjengine.a).
ENGINE_SOURCES_MODEL = \
	src/model/secret.c src/model/secret.h \
	src/model/lease.c src/model/lease.h \
	src/model/audit.c src/model/audit.h \
	src/model/target.c src/model/target.h
