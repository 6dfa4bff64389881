#include "config.h"

#include "dl/loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/i18n.h"

struct module {
	const char *name;     /* also the installed file's stem */
	const char *buildrel; /* path of the built file under the build tree */
	void *handle;
	char path[PATH_MAX];
	char error[512]; /* dlerror() of a failed load, kept for later callers */
};

static struct module modules[KJ_MODULE_COUNT] = {
    [KJ_MODULE_NET] = {"net", "src/kube/net.so", NULL, "", ""},
    [KJ_MODULE_DEMO] = {"demo", "src/demo/demo.so", NULL, "", ""},
    [KJ_MODULE_TUI] = {"tui", "ui/tui.so", NULL, "", ""},
    [KJ_MODULE_CORE] = {"core", "src/cli/core.so", NULL, "", ""},
};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Is this process the kubejit built in the build tree?  The same file, not
 * the same name: a copy or an installed binary is not. */
static int running_from_build_tree(void)
{
	static int known, answer;
	struct stat self, built;

	if (!known) {
		answer = stat("/proc/self/exe", &self) == 0 && stat(KJ_BUILDDIR "/kubejit", &built) == 0 &&
		         self.st_dev == built.st_dev && self.st_ino == built.st_ino;
		known = 1;
	}
	return answer;
}

/* The tree the executable was installed into, when it is not the one it was
 * configured for: a package unpacked with `dpkg -x ROOT` or a `make install
 * DESTDIR=ROOT` runs ROOT/usr/bin/kubejit, whose modules are under
 * ROOT/usr/lib/...  Empty when the executable sits in BINDIR itself or
 * somewhere unrelated. */
static const char *install_root(void)
{
	static int known;
	static char root[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	size_t lb = strlen(BINDIR), le;

	if (known)
		return root;
	known = 1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return root;
	exe[n] = 0;
	if (!strrchr(exe, '/'))
		return root;
	*strrchr(exe, '/') = 0;
	le = strlen(exe);
	if (le > lb && !strcmp(exe + le - lb, BINDIR) && le - lb < sizeof(root)) {
		memcpy(root, exe, le - lb);
		root[le - lb] = 0;
	}
	return root;
}

static void resolve_path(struct module *m)
{
	struct stat st;

	if (m->path[0])
		return;
	if (running_from_build_tree()) {
		snprintf(m->path, sizeof(m->path), "%s/%s", KJ_BUILDDIR, m->buildrel);
		return;
	}
	if (install_root()[0]) {
		int w = snprintf(m->path, sizeof(m->path), "%s%s/%s.so", install_root(), PKGLIBDIR, m->name);
		if (w > 0 && (size_t)w < sizeof(m->path) && stat(m->path, &st) == 0)
			return;
	}
	snprintf(m->path, sizeof(m->path), "%s/%s.so", PKGLIBDIR, m->name);
}

const char *kj_locale_dir(void)
{
	static char dir[PATH_MAX];
	struct stat st;

	pthread_mutex_lock(&lock);
	if (!dir[0]) {
		int w = -1;
		if (running_from_build_tree())
			snprintf(dir, sizeof(dir), "%s/po/locale", KJ_BUILDDIR);
		else if (install_root()[0])
			w = snprintf(dir, sizeof(dir), "%s%s", install_root(), LOCALEDIR);
		if (!dir[0] || (w >= 0 && ((size_t)w >= sizeof(dir) || stat(dir, &st) != 0)))
			snprintf(dir, sizeof(dir), "%s", LOCALEDIR);
	}
	pthread_mutex_unlock(&lock);
	return dir;
}

const char *kj_module_path(enum kj_module id)
{
	struct module *m = &modules[id];

	pthread_mutex_lock(&lock);
	resolve_path(m);
	pthread_mutex_unlock(&lock);
	return m->path;
}

const char *kj_module_name(enum kj_module id)
{
	return modules[id].name;
}

int kj_module_loaded(enum kj_module id)
{
	int loaded;

	pthread_mutex_lock(&lock);
	loaded = modules[id].handle != NULL;
	pthread_mutex_unlock(&lock);
	return loaded;
}

void *kj_module_sym(enum kj_module id, const char *symbol, kj_err *e)
{
	struct module *m = &modules[id];
	void *handle, *p = NULL;
	const char *why;

	pthread_mutex_lock(&lock);
	resolve_path(m);
	if (!m->handle && !m->error[0]) {
		/* core's symbols serve the modules loaded after it */
		m->handle = dlopen(m->path, RTLD_NOW | (id == KJ_MODULE_CORE ? RTLD_GLOBAL : RTLD_LOCAL));
		if (!m->handle) {
			why = dlerror();
			snprintf(m->error, sizeof(m->error), "%s", why ? why : "dlopen failed");
		}
	}
	handle = m->handle;
	pthread_mutex_unlock(&lock);

	if (!handle) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot load kubejit's %s module: %s"), m->name, m->error);
		kj_err_hint(e, _("reinstall kubejit: the command needs %s from the same build"), m->path);
		return NULL;
	}
	dlerror();
	p = dlsym(handle, symbol);
	if (!p) {
		why = dlerror();
		kj_err_set(e, KJ_ERR_FAIL, _("kubejit's %s module (%s) lacks %s: %s"), m->name, m->path,
		           symbol, why ? why : "");
	}
	if (!p)
		kj_err_hint(e, _("reinstall kubejit: the command needs %s from the same build"), m->path);
	return p;
}
