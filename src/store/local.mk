# Local store (SQLite); part of the engine library.
ENGINE_SOURCES_STORE = \
	src/store/db.c src/store/db.h \
	src/store/targets.c src/store/targets.h
