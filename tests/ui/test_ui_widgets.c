/* Screen tests of the interface's building blocks, without an engine:
 * help (from the key table), a table with countdown, sort and filter, the
 * YAML editor with live validation, masked input, resize, NO_COLOR, ASCII. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rolespec.h"
#include "ui/dialog.h"
#include "ui/editor.h"
#include "ui/keys.h"
#include "ui/screens.h"
#include "ui/table.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "tests/support/ui_harness.h"
#include "util/file.h"
#include "util/strbuf.h"

/* ---- a small screen around a table: rows with a countdown ---- */

struct row {
	const char *id;
	const char *name;
	int64_t expires;
};

struct tscreen {
	struct ui_screen base;
	struct ui_table *t;
	struct row rows[4];
};

static const struct ui_table_col tcols[] = {{"NAME", 10, 1, 0}, {"EXPIRES", 8, 0, 1}};

static void tcell(void *ud, const void *r, int col, char *buf, size_t n)
{
	struct tscreen *ts = ud;
	const struct row *row = r;

	if (col == 0)
		snprintf(buf, n, "%s", row->name);
	else
		ui_fmt_left(row->expires, ui_app_now(ts->base.app), "expired", buf, n);
}

static int64_t tnum(void *ud, const void *r, int col)
{
	(void)ud;
	(void)col;
	return ((const struct row *)r)->expires;
}

static const char *tid(void *ud, const void *r)
{
	(void)ud;
	return ((const struct row *)r)->id;
}

static const struct ui_table_ops tops = {tcell, tnum, NULL, tid};

static void tdraw(struct ui_screen *s, WINDOW *w, int y, int h, int cols)
{
	ui_table_draw(((struct tscreen *)s)->t, s->app, w, y, h, cols);
}

static int tkey(struct ui_screen *s, int ch, enum ui_action act)
{
	return ui_table_key(((struct tscreen *)s)->t, ch, act);
}

static void tfree(struct ui_screen *s)
{
	ui_table_free(((struct tscreen *)s)->t);
	free(s);
}

static const struct ui_screen_ops tsops = {"Table", SC_LEASES, tdraw, tkey, NULL, NULL, NULL, NULL, tfree};

static struct tscreen *push_table(struct th *t)
{
	struct tscreen *ts = calloc(1, sizeof(*ts));

	ts->base.ops = &tsops;
	ts->base.app = t->app;
	ts->rows[0] = (struct row){"a", "alpha", th_now + 125};
	ts->rows[1] = (struct row){"b", "bravo", th_now + 30};
	ts->rows[2] = (struct row){"c", "charlie", th_now + 3600};
	ts->rows[3] = (struct row){"d", "delta", th_now - 5};
	ts->t = ui_table_new(tcols, 2, &tops, ts);
	ui_table_set_rows(ts->t, ts->rows, 4, sizeof(struct row));
	ui_app_push(t->app, &ts->base);
	return ts;
}

Test(ui_widgets, help_screen_is_generated_from_the_key_table)
{
	struct th t;

	th_start(&t, 24, 80, NULL);
	ui_app_push(t.app, ui_help_new(t.app));
	cr_assert(th_golden(&t, "help-80x24"));
	/* every labelled binding of the lease table is described */
	cr_assert(th_screen_has(&t, "Lease table"));
	th_stop(&t);
}

Test(ui_widgets, table_counts_down_sorts_and_filters)
{
	struct th t;
	struct tscreen *ts;

	th_start(&t, 24, 80, NULL);
	ts = push_table(&t);
	cr_assert(th_golden(&t, "table-initial"));
	th_tick(&t, 1);
	cr_assert(th_screen_has(&t, "2m4s"), "countdown must move with the clock");
	th_tick(&t, 30);
	cr_assert(th_screen_has(&t, "1m34s"));
	th_keys(&t, "ss"); /* second column: by expiry, soonest first */
	cr_assert(th_golden(&t, "table-sorted"));
	th_keys(&t, "S");
	cr_assert_str_eq(((const struct row *)ui_table_row(ts->t, 0))->name, "charlie");
	th_keys(&t, "/ha"); /* alpha, charlie */
	cr_assert_eq(ui_table_count(ts->t), 2);
	th_key(&t, '\n');
	cr_assert(th_golden(&t, "table-filtered"));
	th_key(&t, 27); /* Esc clears the filter */
	cr_assert_eq(ui_table_count(ts->t), 4);
	th_stop(&t);
}

Test(ui_widgets, keys_arrive_through_a_pipe)
{
	struct th t;
	struct tscreen *ts;

	th_start(&t, 24, 80, NULL);
	ts = push_table(&t);
	th_pipe_keys(&t, "jj");
	cr_assert_str_eq(((const struct row *)ui_table_selected(ts->t))->name, "charlie");
	th_pipe_keys(&t, "\033OA"); /* cursor up as xterm sends it in keypad mode */
	cr_assert_str_eq(((const struct row *)ui_table_selected(ts->t))->name, "bravo");
	th_stop(&t);
}

Test(ui_widgets, too_small_terminal_says_so_and_recovers)
{
	struct th t;

	th_start(&t, 24, 80, NULL);
	push_table(&t);
	ui_app_resize(t.app, 10, 50);
	cr_assert(th_golden(&t, "too-small-50x10"));
	ungetch('q');
	cr_assert_eq(ui_app_step(t.app, 0), 0, "a stray q does not quit while too small");
	ui_app_resize(t.app, 24, 80);
	cr_assert(th_golden(&t, "table-initial"));
	ui_app_resize(t.app, 16, 60);
	cr_assert(th_screen_has(&t, "alpha"));
	ui_app_resize(t.app, 10, 50);
	ungetch('Q');
	cr_assert_eq(ui_app_step(t.app, 0), 1, "Q, as the message says, quits");
	th_stop(&t);
}

Test(ui_widgets, no_color_keeps_every_text)
{
	struct th t;

	setenv("NO_COLOR", "1", 1);
	th_start(&t, 24, 80, NULL);
	cr_assert_not(ui_theme_has_color());
	push_table(&t);
	cr_assert(th_golden(&t, "table-initial"));
	th_stop(&t);
	unsetenv("NO_COLOR");
	th_start(&t, 24, 80, NULL);
	cr_assert(ui_theme_has_color(), "xterm-256color has colour when NO_COLOR is unset");
	th_stop(&t);
}

Test(ui_widgets, ascii_fallback_draws_boxes_with_plain_characters)
{
	struct th t;
	struct ui_opts o = {0};

	o.ascii = 1;
	th_start(&t, 24, 80, &o);
	push_table(&t);
	ui_dialog_message(t.app, "Note", "Plain text box");
	cr_assert(th_screen_has(&t, "+-"));
	cr_assert_str_eq(ui_glyph(G_HLINE), "-");
	th_stop(&t);
}

static void input_cb(struct ui_screen *owner, void *ctx, const char *text)
{
	(void)owner;
	snprintf(ctx, 64, "%s", text ? text : "(none)");
}

Test(ui_widgets, masked_input_never_shows_what_is_typed)
{
	struct th t;
	char got[64] = "";

	th_start(&t, 24, 80, NULL);
	push_table(&t);
	ui_dialog_input(t.app, NULL, "Token", "Paste the token:", "", 1, input_cb, got);
	th_keys(&t, "s3cr3t-value");
	{
		char *s = th_screen(&t);
		cr_assert_null(strstr(s, "s3cr3t"), "a masked field leaked its value");
		free(s);
	}
	th_key(&t, '\n');
	cr_assert_str_eq(got, "s3cr3t-value");
	th_stop(&t);
}

/* ---- the YAML editor ---- */

static int validate(const char *text, int *line, int *col, char *msg, size_t n)
{
	struct rolespec rs;
	struct rolespec_pos pos = {0, 0};
	kj_err e;

	kj_err_clear(&e);
	if (rolespec_parse(text, "role.yaml", &rs, &pos, &e) != 0) {
		*line = pos.line;
		*col = pos.column;
		snprintf(msg, n, "%s", e.msg);
		return -1;
	}
	rolespec_done(&rs);
	return 0;
}

struct escreen {
	struct ui_screen base;
	struct ui_editor *ed;
};

static void edraw(struct ui_screen *s, WINDOW *w, int y, int h, int cols)
{
	ui_editor_draw(((struct escreen *)s)->ed, s->app, w, y, h, cols);
}

static int ekey(struct ui_screen *s, int ch, enum ui_action act)
{
	if (act == ACT_BACK)
		return 0;
	return ui_editor_key(((struct escreen *)s)->ed, ch, act);
}

static void efree(struct ui_screen *s)
{
	ui_editor_free(((struct escreen *)s)->ed);
	free(s);
}

static const struct ui_screen_ops esops = {"Editor", SC_EDITOR, edraw, ekey, NULL, NULL, NULL, NULL, efree};

Test(ui_widgets, editor_edits_and_validates_live)
{
	struct th t;
	struct escreen *es = calloc(1, sizeof(*es));
	char *text;
	int line, col;
	const char *msg;

	th_start(&t, 24, 80, NULL);
	es->base.ops = &esops;
	es->ed = ui_editor_new("", validate);
	ui_app_push(t.app, &es->base);
	th_keys(&t, "kind: Role\nrules:\n- apiGroups: [\"\"]\nresources: [pods]\nverbs: get\n");
	/* Enter kept the list item's indent, so the keys line up under apiGroups */
	text = ui_editor_text(es->ed);
	cr_assert(strstr(text, "\n  resources: [pods]\n  verbs: get\n") != NULL, "got:\n%s", text);
	free(text);
	cr_assert_eq(ui_editor_error(es->ed, &line, &col, &msg), -1, "verbs as a string must be refused");
	cr_assert_eq(line, 5);
	cr_assert(th_golden(&t, "editor-error"));
	/* fix it: go to the end of line 5, delete "get", type a list */
	th_key(&t, KEY_UP);
	th_key(&t, KEY_END);
	th_key(&t, KEY_BACKSPACE);
	th_key(&t, KEY_BACKSPACE);
	th_key(&t, KEY_BACKSPACE);
	th_keys(&t, "[get, list]");
	cr_assert_eq(ui_editor_error(es->ed, NULL, NULL, &msg), 0, "still invalid: %s", msg);
	cr_assert(th_screen_has(&t, "valid"));
	/* join and split: Backspace at a line start joins, Enter splits again */
	th_key(&t, KEY_HOME);
	th_key(&t, KEY_BACKSPACE);
	text = ui_editor_text(es->ed);
	cr_assert(strstr(text, "[pods]  verbs") != NULL, "got:\n%s", text);
	free(text);
	th_key(&t, '\n');
	text = ui_editor_text(es->ed);
	cr_assert(strstr(text, "[pods]\n") != NULL, "got:\n%s", text);
	free(text);
	th_stop(&t);
}

Test(ui_widgets, editor_scrolls_long_lines_and_pages)
{
	struct th t;
	struct escreen *es = calloc(1, sizeof(*es));
	kj_buf b;
	int i;

	th_start(&t, 24, 80, NULL);
	kj_buf_init(&b);
	for (i = 1; i <= 60; i++)
		kj_buf_printf(&b, "# line %d\n", i);
	kj_buf_adds(&b,
	            "# a very long comment line that goes on and on well past the right edge of an eighty "
	            "column terminal END\n");
	es->base.ops = &esops;
	es->ed = ui_editor_new(b.data, NULL);
	kj_buf_done(&b);
	ui_app_push(t.app, &es->base);
	ui_app_draw(t.app);
	th_key(&t, KEY_NPAGE);
	th_key(&t, KEY_NPAGE);
	cr_assert(th_screen_has(&t, "# line 40"));
	{
		char *scr = ui_app_screen_text(t.app);
		cr_assert_null(strstr(scr, "# line 1 "));
		free(scr);
	}
	th_key(&t, KEY_NPAGE);
	th_key(&t, KEY_NPAGE);
	th_key(&t, KEY_END);
	cr_assert(th_screen_has(&t, "column terminal END"), "the view scrolls right to the cursor");
	th_key(&t, KEY_HOME);
	th_key(&t, KEY_PPAGE);
	th_key(&t, KEY_PPAGE);
	th_key(&t, KEY_PPAGE);
	cr_assert(th_screen_has(&t, "   1 # line 1 "));
	th_stop(&t);
}

Test(ui_widgets, key_list_prints_for_the_man_page)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ui_keys_print(f, 1);
	fclose(f);
	cr_assert(strstr(buf, ".SS Lease table\n") != NULL);
	cr_assert(strstr(buf, ".TP\n.B R\n") != NULL);
	cr_assert(strstr(buf, "\\-") != NULL || strstr(buf, "Ctrl") != NULL);
	/* dialog and filter keys are in the table too, so Help and the man page list them */
	cr_assert(strstr(buf, ".SS Questions\n") != NULL);
	cr_assert(strstr(buf, ".TP\n.B y, Y\nanswer yes\n") != NULL);
	cr_assert(strstr(buf, ".SS Filter line\n") != NULL);
	/* so are the keys the application loop answers before any screen */
	cr_assert(strstr(buf, ".SS Terminal too small\n.TP\n.B Q\nquit kubejit\n") != NULL);
	cr_assert(strstr(buf, ".SS While busy\n.TP\n.B Esc\n") != NULL);
	free(buf);
	cr_assert_eq(ui_keys_lookup('Q', SC_TOO_SMALL), ACT_QUIT);
	cr_assert_eq(ui_keys_lookup('q', SC_TOO_SMALL), ACT_NONE, "a stray q must not end a demo");
	cr_assert_eq(ui_keys_lookup(27, SC_BUSY), ACT_CANCEL);
	cr_assert_eq(ui_keys_lookup('q', SC_BUSY), ACT_NONE, "only Esc cancels");
	cr_assert_eq(ui_keys_lookup('r', SC_LEASES), ACT_REVOKE);
	cr_assert_eq(ui_keys_lookup('r', SC_WIZARD), ACT_NONE, "letters are text in a wizard");
	cr_assert_eq(ui_keys_lookup(27, SC_WIZARD), ACT_BACK);
	cr_assert_eq(ui_keys_lookup('n', SC_CONFIRM), ACT_NO);
	cr_assert_eq(ui_keys_lookup('q', SC_MENU), ACT_BACK);
	cr_assert_eq(ui_keys_lookup('x', SC_MENU), ACT_NONE, "other letters select a menu item by name");
	cr_assert_eq(ui_keys_lookup('q', SC_INPUT), ACT_NONE, "letters are text on an input line");
	cr_assert_eq(ui_keys_lookup('k', SC_FILTER), ACT_NONE, "letters are text on the filter line");
	cr_assert_eq(ui_keys_lookup(KEY_UP, SC_FILTER), ACT_UP);
	cr_assert_eq(ui_keys_lookup(0x0c /* Ctrl-L */, SC_INPUT), ACT_REDRAW);
}

Test(ui_widgets, editor_hands_the_text_to_the_external_editor_and_back)
{
	struct th t;
	struct escreen *es = calloc(1, sizeof(*es));
	char script[] = "/tmp/kubejit-editor-XXXXXX";
	int fd = mkstemp(script);
	FILE *f = fdopen(fd, "w");
	kj_err e;
	char *text;

	/* a stand-in for $EDITOR: checks it got the text, then rewrites the file */
	fprintf(
	    f, "#!/bin/sh\ngrep -q 'old text' \"$1\" || exit 3\n"
	       "printf 'kind: Role\\nrules:\\n- apiGroups: [\"\"]\\n  resources: [pods]\\n  verbs: [get]\\n' "
	       ">\"$1\"\n");
	fclose(f);
	chmod(script, 0700);
	setenv("VISUAL", script, 1);
	th_start(&t, 24, 80, NULL);
	es->base.ops = &esops;
	es->ed = ui_editor_new("# old text\n", validate);
	ui_app_push(t.app, &es->base);
	kj_err_clear(&e);
	cr_assert_eq(ui_editor_external(es->ed, t.app, &e), 0, "%s", e.msg);
	text = ui_editor_text(es->ed);
	cr_assert(strstr(text, "verbs: [get]") != NULL, "got:\n%s", text);
	free(text);
	cr_assert_eq(ui_editor_error(es->ed, NULL, NULL, NULL), 0, "the edited role validates");
	cr_assert(th_screen_has(&t, "resources: [pods]"));
	/* an editor that fails leaves the text as it was */
	setenv("VISUAL", "false", 1);
	cr_assert_eq(ui_editor_external(es->ed, t.app, &e), -1);
	cr_assert(th_screen_has(&t, "resources: [pods]"));
	unsetenv("VISUAL");
	unlink(script);
	th_stop(&t);
}

/* ---- menus: wrap, Home/End, type-ahead ---- */

static int menu_choice = -2;

static void menu_done(struct ui_screen *owner, void *ctx, int choice)
{
	(void)owner;
	(void)ctx;
	menu_choice = choice;
}

static int pick_with(const char *const *keys_then, int nkeys)
{
	static const char *const items[] = {
	    "cluster-nodes-reader", "configmap-reader", "deployment-restarter", "exec-into-pods",
	    "namespace-editor",     "pod-logs-reader",  "pods-read-only"};
	struct th t;
	int i;

	th_start(&t, 24, 80, NULL);
	ui_dialog_menu(t.app, NULL, "Start from a template", items, 7, 0, menu_done, NULL);
	menu_choice = -2;
	for (i = 0; i < nkeys; i++) {
		intptr_t k = (intptr_t)keys_then[i];
		if (k < 0x1000)
			th_key(&t, (int)k);
		else
			th_keys(&t, keys_then[i]);
	}
	th_key(&t, '\n');
	th_stop(&t);
	return menu_choice;
}

#define K(c) ((const char *)(intptr_t)(c))

Test(ui_widgets, menus_wrap_jump_to_the_ends_and_select_by_typing)
{
	const char *up[] = {K(KEY_UP)};
	const char *down_wraps[] = {K(KEY_END), K(KEY_DOWN)};
	const char *end_home[] = {K(KEY_END), K(KEY_HOME)};
	const char *end[] = {K(KEY_END)};
	const char *pods[] = {"pods"};
	const char *po[] = {"po"};
	const char *pp[] = {"pp"};
	const char *n_then_c[] = {"n", "c"};
	const char *c_twice_then_e[] = {"cc", "e"};

	cr_assert_eq(pick_with(up, 1), 6, "Up on the first item goes to the last");
	cr_assert_eq(pick_with(down_wraps, 2), 0, "Down on the last item goes to the first");
	cr_assert_eq(pick_with(end, 1), 6);
	cr_assert_eq(pick_with(end_home, 2), 0);
	cr_assert_eq(pick_with(pods, 1), 6, "the letters typed form a prefix");
	cr_assert_eq(pick_with(po, 1), 5);
	cr_assert_eq(pick_with(pp, 1), 6, "the same letter again steps to the next item with it");
	cr_assert_eq(pick_with(n_then_c, 2), 0, "a letter no item continues with starts over");
	cr_assert_eq(pick_with(c_twice_then_e, 2), 3, "e after cc: the next item starting with e");
}

Test(ui_widgets, a_text_view_saves_to_a_new_private_file_and_never_overwrites)
{
	struct th t;
	char dir[] = "/tmp/kj-save-XXXXXX";
	char *path, *keys, *back = NULL;
	struct stat st;
	kj_err e;

	cr_assert_not_null(mkdtemp(dir));
	path = kj_xasprintf("%s/rbac.yaml", dir);
	keys = kj_xasprintf("w%s\n", path);
	th_start(&t, 24, 80, NULL);
	ui_app_push(t.app, ui_textview_new(t.app, "RBAC", "kind: Role\n", 0));
	th_keys(&t, keys);
	cr_assert(th_screen_has(&t, "mode 0600"), "%s", th_screen(&t));
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	kj_err_clear(&e);
	cr_assert_eq(kj_file_read(path, 0, &back, NULL, &e), 0, "%s", e.msg);
	cr_assert_str_eq(back, "kind: Role\n");
	free(back);
	th_keys(&t, keys); /* the same name again: refused, the file is kept */
	cr_assert(th_screen_has(&t, "already exists"), "%s", th_screen(&t));
	cr_assert(th_screen_has(&t, "never overwrites"), "%s", th_screen(&t));
	th_stop(&t);
	unlink(path);
	cr_assert_eq(rmdir(dir), 0, "no temporary file was left in %s", dir);
	free(keys);
	free(path);
}
