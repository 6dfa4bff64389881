# Local store (SQLite); part of the engine library.
ENGINE_SOURCES_STORE =
