#include "ui/editor.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ui/keys.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/strbuf.h"

#define CTRL(c) ((c)&0x1f)

struct line {
	char *s;
	size_t len, cap;
};

struct ui_editor {
	struct line *lines;
	size_t n, cap;
	size_t row, col; /* cursor: line and byte */
	size_t top;      /* first line shown */
	size_t left;     /* first byte shown (horizontal scroll) */
	int page;
	ui_editor_validate_fn validate;
	int err;
	int err_line, err_col;
	char err_msg[600];
};

static void line_set(struct line *l, const char *s, size_t n)
{
	l->cap = n + 16;
	l->s = kj_xmalloc(l->cap);
	memcpy(l->s, s, n);
	l->s[n] = '\0';
	l->len = n;
}

static void line_reserve(struct line *l, size_t need)
{
	if (need + 1 <= l->cap)
		return;
	while (l->cap < need + 1)
		l->cap = l->cap * 2 + 16;
	l->s = kj_xrealloc(l->s, l->cap);
}

static void insert_line(struct ui_editor *ed, size_t at, const char *s, size_t n)
{
	if (ed->n == ed->cap) {
		ed->cap = ed->cap ? ed->cap * 2 : 32;
		ed->lines = kj_xrealloc(ed->lines, ed->cap * sizeof(struct line));
	}
	memmove(ed->lines + at + 1, ed->lines + at, (ed->n - at) * sizeof(struct line));
	line_set(&ed->lines[at], s, n);
	ed->n++;
}

static void remove_line(struct ui_editor *ed, size_t at)
{
	free(ed->lines[at].s);
	memmove(ed->lines + at, ed->lines + at + 1, (ed->n - at - 1) * sizeof(struct line));
	ed->n--;
}

static void revalidate(struct ui_editor *ed)
{
	char *t;

	ed->err = 0;
	ed->err_msg[0] = '\0';
	if (!ed->validate)
		return;
	t = ui_editor_text(ed);
	ed->err_line = ed->err_col = 0;
	if (ed->validate(t, &ed->err_line, &ed->err_col, ed->err_msg, sizeof(ed->err_msg)) != 0)
		ed->err = -1;
	free(t);
}

void ui_editor_set_text(struct ui_editor *ed, const char *text)
{
	const char *p = text ? text : "";

	while (ed->n)
		remove_line(ed, ed->n - 1);
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		/* tabs are not YAML indentation: show them as two spaces */
		insert_line(ed, ed->n, p, len);
		{
			struct line *l = &ed->lines[ed->n - 1];
			for (size_t i = 0; i < l->len; i++)
				if (l->s[i] == '\t' || l->s[i] == '\r')
					l->s[i] = ' ';
		}
		if (!nl)
			break;
		p = nl + 1;
		if (!*p)
			break;
	}
	ed->row = ed->col = ed->top = ed->left = 0;
	revalidate(ed);
}

struct ui_editor *ui_editor_new(const char *text, ui_editor_validate_fn validate)
{
	struct ui_editor *ed = kj_xcalloc(1, sizeof(*ed));

	ed->validate = validate;
	ed->page = 10;
	ui_editor_set_text(ed, text);
	return ed;
}

void ui_editor_free(struct ui_editor *ed)
{
	if (!ed)
		return;
	while (ed->n)
		remove_line(ed, ed->n - 1);
	free(ed->lines);
	free(ed);
}

char *ui_editor_text(const struct ui_editor *ed)
{
	kj_buf b;
	size_t i;

	kj_buf_init(&b);
	for (i = 0; i < ed->n; i++) {
		kj_buf_add(&b, ed->lines[i].s, ed->lines[i].len);
		kj_buf_addc(&b, '\n');
	}
	return kj_buf_steal(&b);
}

int ui_editor_is_empty(const struct ui_editor *ed)
{
	size_t i, j;

	for (i = 0; i < ed->n; i++)
		for (j = 0; j < ed->lines[i].len; j++)
			if (ed->lines[i].s[j] != ' ')
				return 0;
	return 1;
}

int ui_editor_error(const struct ui_editor *ed, int *line, int *col, const char **msg)
{
	if (line)
		*line = ed->err_line;
	if (col)
		*col = ed->err_col;
	if (msg)
		*msg = ed->err_msg;
	return ed->err;
}

static void insert_bytes(struct ui_editor *ed, const char *p, size_t n)
{
	struct line *l = &ed->lines[ed->row];

	line_reserve(l, l->len + n);
	memmove(l->s + ed->col + n, l->s + ed->col, l->len - ed->col + 1);
	memcpy(l->s + ed->col, p, n);
	l->len += n;
	ed->col += n;
}

static void split_line(struct ui_editor *ed)
{
	struct line *l = &ed->lines[ed->row];
	size_t indent = 0;
	char *rest;
	size_t restn;

	while (indent < l->len && indent < ed->col && l->s[indent] == ' ')
		indent++;
	/* after "- " keep the list item's indent so the next key lines up */
	if (indent + 1 < l->len && l->s[indent] == '-' && l->s[indent + 1] == ' ' && ed->col > indent + 1)
		indent += 2;
	restn = l->len - ed->col;
	rest = kj_xmalloc(indent + restn + 1);
	memset(rest, ' ', indent);
	memcpy(rest + indent, l->s + ed->col, restn);
	l->len = ed->col;
	l->s[l->len] = '\0';
	insert_line(ed, ed->row + 1, rest, indent + restn);
	free(rest);
	ed->row++;
	ed->col = indent;
}

static void join_next(struct ui_editor *ed, size_t row)
{
	struct line *a = &ed->lines[row], *b = &ed->lines[row + 1];

	line_reserve(a, a->len + b->len);
	memcpy(a->s + a->len, b->s, b->len + 1);
	a->len += b->len;
	remove_line(ed, row + 1);
}

static void clamp_col(struct ui_editor *ed)
{
	if (ed->col > ed->lines[ed->row].len)
		ed->col = ed->lines[ed->row].len;
	/* never rest inside a UTF-8 sequence */
	while (ed->col > 0 && ((unsigned char)ed->lines[ed->row].s[ed->col] & 0xc0) == 0x80)
		ed->col--;
}

int ui_editor_key(struct ui_editor *ed, int ch, enum ui_action act)
{
	struct line *l = &ed->lines[ed->row];
	int c = ui_key_char(ch);
	int changed = 0;

	if (c) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		size_t n;

		memset(&st, 0, sizeof(st));
		n = wcrtomb(mb, (wchar_t)c, &st);
		if (n == (size_t)-1) {
			mb[0] = '?';
			n = 1;
		}
		insert_bytes(ed, mb, n);
		changed = 1;
	} else {
		switch (ch) {
		case '\n':
		case '\r':
		case KEY_ENTER:
			split_line(ed);
			changed = 1;
			break;
		case '\t':
			insert_bytes(ed, "  ", 2);
			changed = 1;
			break;
		case KEY_BACKSPACE:
		case 127:
		case 8:
			if (ed->col > 0) {
				size_t p = ui_text_prev(l->s, ed->col);
				memmove(l->s + p, l->s + ed->col, l->len - ed->col + 1);
				l->len -= ed->col - p;
				ed->col = p;
			} else if (ed->row > 0) {
				ed->row--;
				ed->col = ed->lines[ed->row].len;
				join_next(ed, ed->row);
			}
			changed = 1;
			break;
		case KEY_DC:
			if (ed->col < l->len) {
				size_t nx = ui_text_next(l->s, l->len, ed->col);
				memmove(l->s + ed->col, l->s + nx, l->len - nx + 1);
				l->len -= nx - ed->col;
			} else if (ed->row + 1 < ed->n) {
				join_next(ed, ed->row);
			}
			changed = 1;
			break;
		case CTRL('k'):
			if (ed->n > 1) {
				remove_line(ed, ed->row);
				if (ed->row >= ed->n)
					ed->row = ed->n - 1;
			} else {
				l->len = 0;
				l->s[0] = '\0';
			}
			ed->col = 0;
			changed = 1;
			break;
		default:
			switch (act) {
			case ACT_UP:
				if (ed->row > 0)
					ed->row--;
				break;
			case ACT_DOWN:
				if (ed->row + 1 < ed->n)
					ed->row++;
				break;
			case ACT_LEFT:
				if (ed->col > 0)
					ed->col = ui_text_prev(l->s, ed->col);
				else if (ed->row > 0) {
					ed->row--;
					ed->col = ed->lines[ed->row].len;
				}
				break;
			case ACT_RIGHT:
				if (ed->col < l->len)
					ed->col = ui_text_next(l->s, l->len, ed->col);
				else if (ed->row + 1 < ed->n) {
					ed->row++;
					ed->col = 0;
				}
				break;
			case ACT_HOME:
				ed->col = 0;
				break;
			case ACT_END:
				ed->col = l->len;
				break;
			case ACT_PGUP:
				ed->row = ed->row > (size_t)ed->page ? ed->row - (size_t)ed->page : 0;
				break;
			case ACT_PGDN:
				ed->row += (size_t)ed->page;
				if (ed->row >= ed->n)
					ed->row = ed->n - 1;
				break;
			default:
				return 0;
			}
			clamp_col(ed);
			return UI_HANDLED;
		}
	}
	if (changed)
		revalidate(ed);
	return UI_HANDLED;
}

/* Syntax roles for each byte of a YAML line: good enough for role files
 * (keys, list dashes, quoted strings, comments, flow punctuation). */
static void colour_line(const char *s, size_t n, unsigned char *role)
{
	size_t i = 0, key_end = 0;
	int in_q = 0;
	char q = 0;

	memset(role, R_NORMAL, n);
	while (i < n && s[i] == ' ')
		i++;
	while (i + 1 < n && s[i] == '-' && s[i + 1] == ' ') {
		role[i] = R_YAML_PUNCT;
		i += 2;
		while (i < n && s[i] == ' ')
			i++;
	}
	if (i < n && s[i] == '-' && i + 1 == n)
		role[i] = R_YAML_PUNCT;
	/* a key: up to the first ": " or trailing ':' outside quotes */
	for (size_t k = i; k < n; k++) {
		if (s[k] == '"' || s[k] == '\'' || s[k] == '#' || s[k] == '[' || s[k] == '{')
			break;
		if (s[k] == ':' && (k + 1 == n || s[k + 1] == ' ')) {
			key_end = k;
			break;
		}
	}
	if (key_end > i) {
		memset(role + i, R_YAML_KEY, key_end - i);
		role[key_end] = R_YAML_PUNCT;
		i = key_end + 1;
	}
	for (; i < n; i++) {
		if (in_q) {
			role[i] = R_YAML_STR;
			if (s[i] == q)
				in_q = 0;
			continue;
		}
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ')) {
			memset(role + i, R_YAML_COMMENT, n - i);
			return;
		}
		if (s[i] == '"' || s[i] == '\'') {
			in_q = 1;
			q = s[i];
			role[i] = R_YAML_STR;
		} else if (strchr("[]{},:", s[i])) {
			role[i] = R_YAML_PUNCT;
		} else if (s[i] != ' ') {
			role[i] = R_YAML_STR;
		}
	}
}

void ui_editor_draw(struct ui_editor *ed, struct ui_app *app, WINDOW *w, int y, int h, int cols)
{
	int gutter = 5, textw, rows, r;
	unsigned char role[4096];
	/* an empty buffer is a start, not a mistake: say what to do */
	int empty = ui_editor_is_empty(ed);
	int mlines;
	char m[700];

	/* the validation result under the text, wrapped over up to two rows */
	if (empty && ed->validate) {
		char key[32];
		snprintf(key, sizeof(key), "%s", ui_keys_name(ACT_TEMPLATE, SC_EDITOR));
		key[strcspn(key, ",")] = '\0';
		snprintf(m, sizeof(m), _("empty: %s loads a template, or type a Role"), key);
	} else if (ed->err) {
		snprintf(m, sizeof(m), "%s %s", ui_glyph(G_CROSS), ed->err_msg);
	} else if (ed->validate) {
		snprintf(m, sizeof(m), "%s %s", ui_glyph(G_CHECK), _("valid"));
	} else {
		m[0] = '\0';
	}
	mlines = ui_wrap_lines(m, cols - 2, 2);
	if (mlines < 1)
		mlines = 1;
	if (mlines > 2)
		mlines = 2;
	rows = h - mlines;
	if (rows < 1)
		rows = 1;
	ed->page = rows > 1 ? rows - 1 : 1;
	textw = cols - gutter - 1;
	if (textw < 8)
		textw = 8;
	if (ed->row < ed->top)
		ed->top = ed->row;
	if (ed->row >= ed->top + (size_t)rows)
		ed->top = ed->row - (size_t)rows + 1;
	if (ed->col < ed->left)
		ed->left = ed->col;
	if (ed->col >= ed->left + (size_t)textw)
		ed->left = ed->col - (size_t)textw + 1;
	for (r = 0; r < rows && ed->top + (size_t)r < ed->n; r++) {
		size_t ln = ed->top + (size_t)r;
		struct line *l = &ed->lines[ln];
		char num[24];
		int is_err = ed->err && ed->err_line == (int)ln + 1 && !empty;
		size_t i, n = l->len < sizeof(role) ? l->len : sizeof(role);

		snprintf(num, sizeof(num), "%4zu", ln + 1);
		ui_put(w, y + r, 0, 4, num, is_err ? ui_attr(R_ERROR) : ui_attr(R_DIM), 0);
		ui_put(w, y + r, 4, 1, is_err ? "!" : " ", ui_attr(R_ERROR), 0);
		colour_line(l->s, n, role);
		wmove(w, y + r, gutter);
		for (i = ed->left; i < n && (int)(i - ed->left) < textw; i++) {
			wattrset(w, ui_attr((enum ui_role)role[i]));
			waddch(w, (unsigned char)l->s[i] < 0x20 ? '?' : (chtype)(unsigned char)l->s[i]);
		}
		wattrset(w, A_NORMAL);
		if (ed->left > 0)
			ui_put(w, y + r, gutter - 1, 1, "<", ui_attr(R_DIM), 0);
		if (l->len > ed->left + (size_t)textw)
			ui_put(w, y + r, cols - 1, 1, ">", ui_attr(R_DIM), 0);
		/* the error beside its line, when there is room */
		if (is_err) {
			int used = (int)(l->len > ed->left ? l->len - ed->left : 0);
			int room = textw - used - 3;
			if (room > 20) /* whole under the text */
				ui_put_ellipsis(w, y + r, gutter + used + 2, room, m, ui_attr(R_ERROR), 0);
		}
	}
	{
		enum ui_role at = empty && ed->validate ? R_DIM : ed->err ? R_ERROR : R_GOOD;
		int k;
		for (k = 0; k < mlines; k++)
			ui_put(w, y + h - mlines + k, 0, cols, "", A_NORMAL, 1);
		ui_put_wrap(w, y + h - mlines, 1, cols - 2, 2, mlines, y + h, m, ui_attr(at));
	}
	{
		/* cursor column counted in display columns from `left` */
		struct line *l = &ed->lines[ed->row];
		int cx = 0;
		size_t i;
		for (i = ed->left; i < ed->col && i < l->len; i = ui_text_next(l->s, l->len, i))
			cx++;
		ui_app_cursor(app, y + (int)(ed->row - ed->top), gutter + cx);
	}
}

int ui_editor_external(struct ui_editor *ed, struct ui_app *app, kj_err *e)
{
	const char *tmpdir = getenv("TMPDIR");
	const char *editor = getenv("VISUAL");
	char *path, *text, *cmd;
	int fd, st;
	pid_t pid;
	size_t n;

	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	path = kj_xasprintf("%s/kubejit-role-XXXXXX.yaml", tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemps(path, 5);
	if (fd < 0) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot create a temporary file for the editor: %s"),
		           strerror(errno));
		free(path);
		return -1;
	}
	text = ui_editor_text(ed);
	n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n) {
		close(fd);
		unlink(path);
		free(path);
		free(text);
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot write the temporary file for the editor"));
	}
	close(fd);
	free(text);
	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		/* let the shell split $EDITOR ("code -w", "vim -u NONE") */
		execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", editor, path, (char *)NULL);
		_exit(127);
	}
	st = -1;
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	reset_prog_mode();
	ui_app_repaint(app);
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		unlink(path);
		kj_err_set(e, KJ_ERR_FAIL, _("the editor \"%s\" failed; the text is unchanged"), editor);
		kj_err_hint(
		    e, _("set $EDITOR to an editor that runs in this terminal (for example nano or vi)"));
		free(path);
		return -1;
	}
	cmd = NULL;
	(void)cmd;
	if (kj_file_read(path, 0, &text, NULL, NULL) < 0) {
		unlink(path);
		free(path);
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot read the edited file back"));
	}
	unlink(path);
	free(path);
	ui_editor_set_text(ed, text);
	free(text);
	return 0;
}

/* ---- templates ---- */

/* $KUBEJIT_DATADIR, else the installed data, else data/ beside the binary
 * (running from the build tree, as './bootstrap demo' does). */
static char *templates_dir(void)
{
	const char *d = getenv("KUBEJIT_DATADIR");
	char exe[4096];
	ssize_t n;
	struct stat st;
	char *p;

	if (d && *d)
		return kj_xasprintf("%s/templates", d);
	p = kj_xasprintf("%s/templates", PKGDATADIR);
	if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return p;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash, *q;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			q = kj_xasprintf("%s/data/templates", exe);
			if (stat(q, &st) == 0 && S_ISDIR(st.st_mode)) {
				free(p);
				return q;
			}
			free(q);
		}
	}
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ui_templates_list(size_t *n)
{
	char *dir = templates_dir();
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	free(dir);
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") || de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = kj_xrealloc(v, cap * sizeof(char *));
		}
		v[(*n)++] = kj_xstrndup(de->d_name, len - 5);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(char *), cmp_str);
	return v;
}

void ui_templates_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *ui_template_read(const char *name, kj_err *e)
{
	char *dir = templates_dir();
	char *path = kj_xasprintf("%s/%s.yaml", dir, name);
	char *text;

	free(dir);
	if (kj_file_read(path, 0, &text, NULL, NULL) < 0) {
		kj_err_set(e, KJ_ERR_NOTFOUND, _("cannot read template %s: %s"), path, strerror(errno));
		kj_err_hint(e, _("set KUBEJIT_DATADIR to the directory that holds templates/"));
		free(path);
		return NULL;
	}
	free(path);
	return text;
}
