# Local store (SQLite); part of the engine library.
ENGINE_SOURCES_STORE = \
	src/store/db.c src/store/db.h \
	src/store/targets.c src/store/targets.h \
	src/store/seal.c src/store/seal.h
# secrets, leases, lease objects, audit (migration 2)
ENGINE_SOURCES_STORE += \
	src/store/secrets.c src/store/secrets.h \
	src/store/leases.c src/store/leases.h src/store/leases_priv.h src/store/leases_view.c \
	src/store/audit.c src/store/audit.h
# spare anchor Secrets of revocable fixed mints (migration 9)
ENGINE_SOURCES_STORE += src/store/spares.c src/store/spares.h
