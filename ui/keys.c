#include "ui/keys.h"

#include <curses.h>
#include <string.h>

#include "ui/text.h"
#include "util/i18n.h"

#define CTRL(c) ((c)&0x1f)
#define ESC     27

/* Order matters: the first row matching key and scope wins, and the status
 * bar shows labelled rows in this order. */
static const struct ui_key table[] = {
    /* wizards and the editor first: printable keys are text there */
    {{'\n', '\r', KEY_ENTER},
     "Enter",
     ACT_ENTER,
     N_("next"),
     N_("accept the field and go on; on the review page, save"),
     SC_WIZARD},
    {{'\t', KEY_DOWN}, "Tab, Down", ACT_NEXT, NULL, N_("next field"), SC_WIZARD},
    {{KEY_BTAB, KEY_UP}, "Shift-Tab, Up", ACT_PREV, NULL, N_("previous field"), SC_WIZARD},
    {{' '}, "Space", ACT_SPACE, NULL, N_("toggle a check box or a choice in a list"), SC_WIZARD},
    {{KEY_LEFT}, "Left", ACT_LEFT, NULL, N_("previous choice, or move the cursor"), SC_WIZARD | SC_EDITOR},
    {{KEY_RIGHT}, "Right", ACT_RIGHT, NULL, N_("next choice, or move the cursor"), SC_WIZARD | SC_EDITOR},
    {{ESC}, "Esc", ACT_BACK, N_("back"), N_("previous step (on the first step: cancel)"), SC_WIZARD},
    {{CTRL('p'), KEY_F(2)},
     "Ctrl-P, F2",
     ACT_PICK,
     N_("pick"),
     N_("pick the value from a list read from the cluster"),
     SC_WIZARD},
    {{CTRL('x')}, "Ctrl-X", ACT_CANCEL, N_("cancel"), N_("cancel the wizard; nothing is saved"), SC_WIZARD},
    {{CTRL('t'), KEY_F(3)},
     "Ctrl-T, F3",
     ACT_TEMPLATE,
     N_("template"),
     N_("replace the text with a template"),
     SC_EDITOR},
    {{CTRL('o'), KEY_F(4)},
     "Ctrl-O, F4",
     ACT_EXTERNAL_EDITOR,
     N_("$EDITOR"),
     N_("edit the text in $EDITOR"),
     SC_EDITOR},
    {{ESC, CTRL('x'), KEY_F(10)},
     "Esc, Ctrl-X, F10",
     ACT_BACK,
     N_("done"),
     N_("leave the editor (the text is validated)"),
     SC_EDITOR},
    {{KEY_F(9)},
     "F9",
     ACT_PREV,
     N_("previous step"),
     N_("leave the editor back to the previous step"),
     SC_EDITOR},
    {{KEY_UP}, "Up", ACT_UP, NULL, N_("cursor up"), SC_EDITOR},
    {{KEY_DOWN}, "Down", ACT_DOWN, NULL, N_("cursor down"), SC_EDITOR},
    {{KEY_HOME, CTRL('a')}, "Home, Ctrl-A", ACT_HOME, NULL, N_("start of the line"), SC_EDITOR},
    {{KEY_END, CTRL('e')}, "End, Ctrl-E", ACT_END, NULL, N_("end of the line"), SC_EDITOR},
    {{KEY_PPAGE}, "PgUp", ACT_PGUP, NULL, N_("page up"), SC_EDITOR},
    {{KEY_NPAGE}, "PgDn", ACT_PGDN, NULL, N_("page down"), SC_EDITOR},

    /* lists and views */
    {{'j', KEY_DOWN},
     "j, Down",
     ACT_DOWN,
     NULL,
     N_("move down"),
     SC_LISTS | SC_RESULT | SC_MESSAGE | SC_MENU | SC_CHECKLIST},
    {{'k', KEY_UP},
     "k, Up",
     ACT_UP,
     NULL,
     N_("move up"),
     SC_LISTS | SC_RESULT | SC_MESSAGE | SC_MENU | SC_CHECKLIST},
    {{KEY_NPAGE, CTRL('f')}, "PgDn, Ctrl-F", ACT_PGDN, NULL, N_("page down"), SC_LISTS},
    {{KEY_PPAGE, CTRL('b')}, "PgUp, Ctrl-B", ACT_PGUP, NULL, N_("page up"), SC_LISTS},
    {{KEY_HOME}, "Home", ACT_HOME, NULL, N_("first row"), SC_LISTS | SC_MENU | SC_CHECKLIST},
    {{KEY_END}, "End", ACT_END, NULL, N_("last row"), SC_LISTS | SC_MENU | SC_CHECKLIST},
    {{'\n', '\r', KEY_ENTER},
     "Enter",
     ACT_ENTER,
     N_("details"),
     N_("show details of the selected row"),
     SC_LEASES | SC_SECRETS | SC_TARGETS | SC_AUDIT | SC_REQUESTS},
    {{'m'}, "m", ACT_MINT, N_("mint"), N_("mint a credential (new lease)"), SC_LEASES | SC_SECRETS},
    {{'r'}, "r", ACT_REVOKE, N_("revoke"), N_("revoke the selected lease (asks first)"), SC_LEASES},
    {{'R'},
     "R",
     ACT_REVOKE_ALL,
     N_("revoke all"),
     N_("revoke every lease shown (after the filter; asks first)"),
     SC_LEASES},
    {{'e'},
     "e",
     ACT_EVERYONE,
     N_("everyone"),
     N_("your leases, or everyone's on the target's cluster (with owners)"),
     SC_LEASES},
    {{'t'},
     "t",
     ACT_NEXT_TARGET,
     NULL,
     N_("in everyone's leases: show the next target's cluster"),
     SC_LEASES},
    {{'n'},
     "n",
     ACT_NEW,
     N_("new"),
     N_("create a new secret or target"),
     SC_SECRETS | SC_TARGETS | SC_LEASES},
    {{'e'}, "e", ACT_EDIT, N_("edit"), N_("edit the selected secret"), SC_SECRETS},
    {{'d', KEY_DC},
     "d, Delete",
     ACT_DELETE,
     N_("delete"),
     N_("delete the selected secret or target (asks first)"),
     SC_SECRETS | SC_TARGETS},
    {{'c'},
     "c",
     ACT_CHECK,
     N_("check"),
     N_("run the preflight check of the selected target again"),
     SC_TARGETS},
    {{'/'},
     "/",
     ACT_FILTER,
     N_("filter"),
     N_("filter rows by text (Esc clears)"),
     SC_LEASES | SC_SECRETS | SC_TARGETS | SC_AUDIT | SC_REQUESTS},
    {{'s'}, "s", ACT_SORT, N_("sort"), N_("sort by the next column"), SC_LEASES | SC_TARGETS | SC_AUDIT},
    {{'S'}, "S", ACT_SORT_REVERSE, NULL, N_("reverse the sort order"), SC_LEASES | SC_TARGETS | SC_AUDIT},

    /* access requests */
    {{'a'},
     "a",
     ACT_APPROVE,
     N_("approve"),
     N_("approve the selected request: mint, seal it to the requester (asks first)"),
     SC_REQUESTS},
    {{'d'}, "d", ACT_DENY, N_("deny"), N_("deny the selected request with a reason"), SC_REQUESTS},
    {{'c'},
     "c",
     ACT_COLLECT,
     N_("collect"),
     N_("collect your approved request: show the credential or write a kubeconfig"),
     SC_REQUESTS},
    {{'x'}, "x", ACT_WITHDRAW, N_("withdraw"), N_("withdraw your own request (asks first)"), SC_REQUESTS},
    {{'o'}, "o", ACT_MINE, N_("mine/all"), N_("show only your own requests, or everyone's"), SC_REQUESTS},
    {{'t'},
     "t",
     ACT_NEXT_TARGET,
     N_("target"),
     N_("show the requests of the next target's cluster"),
     SC_REQUESTS},
    {{'A'},
     "A",
     ACT_REQUESTS,
     NULL,
     N_("open the access requests (the status bar counts the pending ones)"),
     SC_LEASES | SC_SECRETS | SC_TARGETS | SC_AUDIT},

    /* mint result */
    {{'v'}, "v", ACT_REVEAL, N_("reveal"), N_("show or hide the token"), SC_RESULT},
    {{'c'},
     "c",
     ACT_COPY,
     N_("copy"),
     N_("copy the token to the clipboard (OSC 52, works over SSH)"),
     SC_RESULT},
    {{'w'}, "w", ACT_WRITE, N_("kubeconfig"), N_("write a kubeconfig file (mode 0600)"), SC_RESULT},
    {{'x'}, "x", ACT_EXEC, N_("ExecCredential"), N_("show the ExecCredential JSON"), SC_RESULT},
    {{'w'}, "w", ACT_SAVE_FILE, N_("save"), N_("save the text to a file"), SC_DETAIL},

    /* dialogs and the filter line: their own hints are drawn in them, so
     * these rows have no status-bar label */
    {{'\n', '\r', KEY_ENTER, ESC, 'q', ' '},
     "Enter, Esc, q, Space",
     ACT_BACK,
     NULL,
     N_("close the message"),
     SC_MESSAGE},
    {{'y', 'Y'}, "y, Y", ACT_YES, NULL, N_("answer yes"), SC_CONFIRM},
    {{'n', 'N', ESC, 'q'}, "n, N, Esc, q", ACT_NO, NULL, N_("answer no"), SC_CONFIRM},
    {{'\n', '\r', KEY_ENTER}, "Enter", ACT_ENTER, NULL, N_("give the highlighted answer"), SC_CONFIRM},
    {{KEY_LEFT, KEY_RIGHT, '\t', 'h', 'l'},
     "Left, Right, Tab, h, l",
     ACT_TOGGLE,
     NULL,
     N_("highlight the other answer"),
     SC_CONFIRM},
    {{KEY_NPAGE}, "PgDn", ACT_PGDN, NULL, N_("ten items down"), SC_MENU | SC_CHECKLIST},
    {{KEY_PPAGE}, "PgUp", ACT_PGUP, NULL, N_("ten items up"), SC_MENU | SC_CHECKLIST},
    {{'\n', '\r', KEY_ENTER},
     "Enter",
     ACT_ENTER,
     NULL,
     N_("choose the highlighted item (typing its first letters highlights it)"),
     SC_MENU},
    {{' '}, "Space", ACT_SPACE, NULL, N_("check or uncheck the highlighted item"), SC_CHECKLIST},
    {{'\n', '\r', KEY_ENTER}, "Enter", ACT_ENTER, NULL, N_("accept the checked items"), SC_CHECKLIST},
    {{ESC, 'q'}, "Esc, q", ACT_BACK, NULL, N_("cancel"), SC_MENU | SC_CHECKLIST},
    {{'\n', '\r', KEY_ENTER}, "Enter", ACT_ENTER, NULL, N_("accept the text"), SC_INPUT},
    {{ESC}, "Esc", ACT_BACK, NULL, N_("cancel"), SC_INPUT},
    {{'\n', '\r', KEY_ENTER},
     "Enter",
     ACT_ENTER,
     NULL,
     N_("keep the filter and go back to the rows"),
     SC_FILTER},
    {{ESC}, "Esc", ACT_BACK, NULL, N_("clear the filter"), SC_FILTER},
    {{KEY_UP}, "Up", ACT_UP, NULL, N_("move up"), SC_FILTER},
    {{KEY_DOWN}, "Down", ACT_DOWN, NULL, N_("move down"), SC_FILTER},

    /* everywhere outside text entry */
    {{':'},
     ":",
     ACT_JUMP,
     N_("jump"),
     N_("jump to a screen: leases, secrets, targets, requests, audit, help"),
     SC_LISTS | SC_RESULT},
    {{'?', KEY_F(1)}, "?, F1", ACT_HELP, N_("help"), N_("show all keys"), SC_LISTS | SC_RESULT},
    {{'g'}, "g", ACT_GUIDE, N_("guide"), N_("show or hide the first-steps guide"), SC_LEASES},
    {{'q', ESC},
     "q, Esc",
     ACT_BACK,
     N_("back"),
     N_("go back (on the lease table: quit)"),
     SC_LISTS | SC_RESULT},
    {{'Q'}, "Q", ACT_QUIT, NULL, N_("quit kubejit"), SC_LISTS | SC_RESULT | SC_TOO_SMALL},
    {{CTRL('l')}, "Ctrl-L", ACT_REDRAW, NULL, N_("redraw the screen"), SC_ALL},

    /* the application loop's own states: only the capital Q the too-small
     * message names (a stray q must not end a demo), and Esc while busy */
    {{ESC},
     "Esc",
     ACT_CANCEL,
     NULL,
     N_("cancel the operation the status bar shows (it may still finish)"),
     SC_BUSY},
    {{0}, NULL, ACT_NONE, NULL, NULL, 0},
};

enum ui_action ui_keys_lookup(int ch, unsigned scope)
{
	const struct ui_key *k;
	int i;

	for (k = table; k->act != ACT_NONE; k++) {
		if (!(k->scopes & scope))
			continue;
		for (i = 0; i < (int)(sizeof(k->keys) / sizeof(k->keys[0])) && k->keys[i]; i++)
			if (k->keys[i] == ch)
				return k->act;
	}
	return ACT_NONE;
}

const struct ui_key *ui_keys_table(void)
{
	return table;
}

/* Key words as the user's keyboard labels them.  TRANSLATORS: these are
 * key caps, as printed on a keyboard in your language. */
static const char *const key_words[] = {
    N_("Space"), N_("Up"),   N_("Down"), N_("Left"),   N_("Right"), N_("Home"),
    N_("End"),   N_("PgUp"), N_("PgDn"), N_("Delete"), N_("Enter"), N_("Tab"),
};

static const char *key_word(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(key_words) / sizeof(key_words[0]); i++)
		if (strlen(key_words[i]) == n && !strncmp(key_words[i], w, n))
			return _(key_words[i]);
	return NULL;
}

static void add(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + n >= size)
		n = *len + 1 < size ? size - *len - 1 : 0;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

const char *ui_keys_local(const char *names, char *buf, size_t size)
{
	const char *p = names;
	size_t len = 0;

	if (!size)
		return "";
	buf[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, ", ");
		const char *w;

		if (n > 5 && !strncmp(p, "Ctrl-", 5)) {
			/* TRANSLATORS: the Control key, as a prefix: Ctrl-X */
			w = _("Ctrl-");
			add(buf, size, &len, w, strlen(w));
			p += 5;
			n -= 5;
		} else if (n > 6 && !strncmp(p, "Shift-", 6)) {
			/* TRANSLATORS: the Shift key, as a prefix: Shift-Tab */
			w = _("Shift-");
			add(buf, size, &len, w, strlen(w));
			p += 6;
			n -= 6;
		}
		w = key_word(p, n);
		if (w)
			add(buf, size, &len, w, strlen(w));
		else
			add(buf, size, &len, p, n);
		p += n;
		n = strspn(p, ", ");
		add(buf, size, &len, p, n);
		p += n;
	}
	return buf;
}

const char *ui_keys_name(enum ui_action act, unsigned scope)
{
	static char bufs[4][64];
	static unsigned next;
	const struct ui_key *k;

	for (k = table; k->act != ACT_NONE; k++)
		if (k->act == act && (k->scopes & scope)) {
			char *b = bufs[next++ % 4];
			return ui_keys_local(k->names, b, sizeof(bufs[0]));
		}
	return "";
}

static const struct {
	unsigned bit;
	const char *name;
} scope_names[] = {
    {SC_LEASES, N_("Lease table")},  {SC_SECRETS, N_("Secrets")},
    {SC_TARGETS, N_("Targets")},     {SC_AUDIT, N_("Audit log")},
    {SC_HELP, N_("Help")},           {SC_WIZARD, N_("Wizards")},
    {SC_EDITOR, N_("YAML editor")},  {SC_RESULT, N_("Mint result")},
    {SC_DETAIL, N_("Detail views")}, {SC_REQUESTS, N_("Access requests")},
    {SC_MESSAGE, N_("Messages")},    {SC_CONFIRM, N_("Questions")},
    {SC_MENU, N_("Menus")},          {SC_CHECKLIST, N_("Check lists")},
    {SC_INPUT, N_("Text input")},    {SC_FILTER, N_("Filter line")},
    {SC_BUSY, N_("While busy")},     {SC_TOO_SMALL, N_("Terminal too small")},
};

const char *ui_keys_scope_name(unsigned scope_bit)
{
	size_t i;

	for (i = 0; i < sizeof(scope_names) / sizeof(scope_names[0]); i++)
		if (scope_names[i].bit == scope_bit)
			return _(scope_names[i].name);
	return "";
}

/* roff needs leading dots/quotes and backslashes escaped */
static void roff_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

void ui_keys_print(FILE *out, int roff)
{
	const struct ui_key *k;
	size_t i;

	for (i = 0; i < sizeof(scope_names) / sizeof(scope_names[0]); i++) {
		unsigned bit = scope_names[i].bit;

		if (bit == SC_HELP)
			continue; /* the help screen is a list like the others */
		if (roff) {
			fputs(".SS ", out);
			roff_escape(out, _(scope_names[i].name));
			fputc('\n', out);
		} else {
			fprintf(out, "%s\n", _(scope_names[i].name));
		}
		for (k = table; k->act != ACT_NONE; k++) {
			if (!(k->scopes & bit))
				continue;
			char names[64];

			ui_keys_local(k->names, names, sizeof(names));
			if (roff) {
				fputs(".TP\n.B ", out);
				roff_escape(out, names);
				fputc('\n', out);
				roff_escape(out, _(k->help));
				fputc('\n', out);
			} else {
				int pad = 18 - ui_text_width(names);

				fprintf(out, "  %s%*s %s\n", names, pad > 0 ? pad : 0, "", _(k->help));
			}
		}
		if (!roff)
			fputc('\n', out);
	}
}
