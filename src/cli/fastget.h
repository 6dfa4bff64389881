/* fastget: `kubejit get` answered from the exec-plugin cache by the kubejit
 * executable itself, before it loads core.so (the command line, engine and
 * store, and with them SQLite, libcrypto, cJSON and libyaml).
 *
 * kubectl runs its exec plugin on every call, so the commonest kubejit
 * process is a cached `get`: this path makes it cost little more than the
 * process start (doc/BENCHMARKS.md, "Cached kubejit get").  It uses only
 * libc, src/util/err.c and src/util/ttl.c.
 *
 * It answers only when the full path in src/cli/get.c would print the very
 * same bytes without writing anything but the last-served record
 * (src/util/served.h): an unsealed cache entry
 * (src/engine/execcache.c, version 3) whose lease was seen active in the
 * store at the store stamp the store still has, and that is still usable.
 * In every other case — any option or global it does not know, a sealed or
 * unfamiliar entry (a field it does not know), a changed store, an entry
 * that is due for a refresh, a second call from the same parent process
 * within seconds (kubectl's rerun after a 401, src/engine/execcache.h) — it
 * declines, prints nothing, and the caller
 * runs the full command, which also produces any error message.  A change
 * to the entry format or to what a cached `get` must do therefore only has
 * to make this path decline (a new field or a new version does that).
 *
 * Not thread-safe (reads the environment); call it once, from main(). */
#ifndef KJ_CLI_FASTGET_H
#define KJ_CLI_FASTGET_H

/* Returns 1 when the credential was printed (exit 0), 0 when the fast path
 * does not apply (nothing was printed: run the full command), -1 when
 * writing to standard output failed (the caller says so; exit 1). */
int fastget_try(int argc, char **argv);

#endif
