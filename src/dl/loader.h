/* dl: the parts of kubejit that the `kubejit` command loads only when a
 * command needs them, so that the commonest call — `kubejit get` answered
 * from the exec-plugin cache, run by kubectl on every request — maps libc
 * alone: no network stack, no HTTP server, no curses, no SQLite, no
 * libcrypto.
 *
 * Four private shared objects live in $(pkglibdir) (e.g.
 * /usr/lib/x86_64-linux-gnu/kubejit/):
 *   core.so  src/cli, src/engine, src/store, src/util: every command (SQLite,
 *            libcrypto, cJSON, libyaml); the executable itself only answers
 *            a cached `kubejit get` (src/cli/fastget.h) and then loads it
 *   net.so   src/kube/http.c: the HTTPS client (libcurl)
 *   demo.so  src/demo: the demo cluster (libmicrohttpd, GnuTLS)
 *   tui.so   ui/: the terminal interface (ncurses)
 * core.so is loaded with RTLD_GLOBAL; the other three hold only their own
 * code and take util, store and engine from it.  Loading
 * resolves every symbol at once (RTLD_NOW), so a mismatched module fails
 * with a message rather than later in the middle of a mint.
 *
 * Where a module is looked for: the `kubejit` built in the build tree (the
 * very file, compared by device and inode) loads its modules from the build
 * tree, so tests and `./kubejit` work uninstalled; any other copy loads them
 * from $(pkglibdir) only.  No environment variable chooses the path.
 *
 * The executable and core.so each link this file: the executable loads
 * core, core loads the rest.
 *
 * Thread-safe: a module is loaded once; later calls return the same handle.
 * Test programs link the real code instead (src/kube/libkjhttp.a,
 * src/demo/libkjdemo.a, ui/libkjui.a) and never use this loader. */
#ifndef KJ_DL_LOADER_H
#define KJ_DL_LOADER_H

#include "util/err.h"

enum kj_module {
	KJ_MODULE_NET,
	KJ_MODULE_DEMO,
	KJ_MODULE_TUI,
	KJ_MODULE_CORE,
	KJ_MODULE_COUNT,
};

/* Load the module (once) and look up `symbol` in it.  Returns the address,
 * or NULL with `e` saying which file could not be loaded and why. */
void *kj_module_sym(enum kj_module m, const char *symbol, kj_err *e);

/* Whether the module has been loaded by this process. */
int kj_module_loaded(enum kj_module m);

/* The file the module is (or would be) loaded from; static storage. */
const char *kj_module_path(enum kj_module m);

/* The module's short name ("net", "demo", "tui"). */
const char *kj_module_name(enum kj_module m);

/* Where the message catalogues are, found as the modules are: the build
 * tree's po/locale for the kubejit built there (made by `make`, see
 * Makefile.am), the install tree's for a package unpacked elsewhere, else
 * $(localedir).  Static storage. */
const char *kj_locale_dir(void);

#endif
