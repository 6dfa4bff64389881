/* keys: THE key/action table of the terminal interface.
 *
 * Every key binding lives in one static table (key codes, action id, short
 * label for the status bar, help text, and the screens it applies to).  The
 * screens look keys up here, the status bar and the Help screen are drawn
 * from it, and ui_keys_print() writes the same list for the man page, so the
 * three can never drift.  The table is constant: thread-safe, no memory. */
#ifndef KJ_UI_KEYS_H
#define KJ_UI_KEYS_H

#include <stdio.h>

enum ui_action {
	ACT_NONE = 0,
	ACT_UP,
	ACT_DOWN,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_PGUP,
	ACT_PGDN,
	ACT_HOME,
	ACT_END,
	ACT_ENTER,
	ACT_NEXT,
	ACT_PREV,
	ACT_SPACE,
	ACT_BACK,
	ACT_QUIT,
	ACT_FILTER,
	ACT_HELP,
	ACT_JUMP,
	ACT_NEW,
	ACT_EDIT,
	ACT_DELETE,
	ACT_MINT,
	ACT_REVOKE,
	ACT_REVOKE_ALL,
	ACT_SORT,
	ACT_SORT_REVERSE,
	ACT_CHECK,
	ACT_GUIDE,
	ACT_REDRAW,
	ACT_REVEAL,
	ACT_COPY,
	ACT_WRITE,
	ACT_EXEC,
	ACT_TEMPLATE,
	ACT_EXTERNAL_EDITOR,
	ACT_SAVE_FILE,
	ACT_CANCEL,
	ACT_PICK,
	ACT_YES, /* a question's answers */
	ACT_NO,
	ACT_TOGGLE, /* highlight the other answer */
	ACT_APPROVE,
	ACT_DENY,
	ACT_COLLECT,
	ACT_WITHDRAW,
	ACT_NEXT_TARGET,
	ACT_MINE,
	ACT_REQUESTS,
	ACT_EVERYONE, /* leases: yours or everyone's on the target's cluster */
	ACT_COUNT
};

/* Screens (contexts) a binding applies to; a bit mask.  Dialogs and the
 * filter line have their own scopes so that their keys are in the table (and
 * so in Help and the man page) like every other key. */
enum ui_scope {
	SC_LEASES = 1 << 0,
	SC_SECRETS = 1 << 1,
	SC_TARGETS = 1 << 2,
	SC_AUDIT = 1 << 3,
	SC_HELP = 1 << 4,
	SC_WIZARD = 1 << 5,     /* forms: printable keys are text, so only special keys bind */
	SC_EDITOR = 1 << 6,     /* YAML editor */
	SC_RESULT = 1 << 7,     /* mint result */
	SC_MESSAGE = 1 << 8,    /* dialog: a message (an error, a notice) */
	SC_DETAIL = 1 << 9,     /* read-only detail / text views */
	SC_CONFIRM = 1 << 10,   /* dialog: a yes/no question */
	SC_MENU = 1 << 11,      /* dialog: choose one item; letters select by name */
	SC_CHECKLIST = 1 << 12, /* dialog: check any number of items */
	SC_INPUT = 1 << 13,     /* dialog: one line of text; printable keys are text */
	SC_FILTER = 1 << 14,    /* a table's filter line while typing; printable keys are text */
	SC_REQUESTS = 1 << 15,  /* access requests */
	/* not screens: the states the application loop (ui/app.c) answers
	 * before any screen sees a key */
	SC_TOO_SMALL = 1 << 16, /* the terminal is below the minimum size */
	SC_BUSY = 1 << 17,      /* an operation runs (the status bar shows it) */
	SC_LISTS = SC_LEASES | SC_SECRETS | SC_TARGETS | SC_AUDIT | SC_HELP | SC_DETAIL | SC_REQUESTS,
	SC_DIALOGS = SC_MESSAGE | SC_CONFIRM | SC_MENU | SC_CHECKLIST | SC_INPUT,
	SC_ALL = 0xffff, /* every screen and dialog; not SC_TOO_SMALL or SC_BUSY */
};

struct ui_key {
	int keys[6];       /* curses key codes; 0 ends the list */
	const char *names; /* how the keys are written ("j, Down"); see ui_keys_local */
	enum ui_action act;
	const char *label; /* N_() short label for the status bar, NULL = not shown there */
	const char *help;  /* N_() one-line help text */
	unsigned scopes;   /* enum ui_scope bits */
};

/* `names` ("Ctrl-P, F2") as the user's keyboard labels the keys, in `buf`;
 * returns buf. */
const char *ui_keys_local(const char *names, char *buf, size_t size);

/* The action bound to `ch` in `scope`, or ACT_NONE. */
enum ui_action ui_keys_lookup(int ch, unsigned scope);

/* The table itself, terminated by a row whose act is ACT_NONE. */
const struct ui_key *ui_keys_table(void);

/* Display name of the first key bound to `act` in `scope` ("r"), or "". */
const char *ui_keys_name(enum ui_action act, unsigned scope);

/* Translated name of a scope bit ("Lease table"). */
const char *ui_keys_scope_name(unsigned scope_bit);

/* Write the key list for the man page: roff (.TP entries grouped by screen
 * with .SS headings) when `roff` is non-zero, plain text otherwise. */
void ui_keys_print(FILE *out, int roff);

#endif
