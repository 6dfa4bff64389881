# ncurses front end; reaches the engine only through src/engine/*.h.
# When sources exist: noinst_LIBRARIES += ui/libkjui.a, KJ_UI_LIB = ui/libkjui.a
KJ_UI_LIB =
