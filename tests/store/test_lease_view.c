/* The lease table's view of the store (store/leases.h): every order, both
 * directions and several filters give the same counts, pages and
 * positions as a reference computed here from the rows inserted, whether
 * the store walks an order's index or merges the matching groups. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "model/lease.h"
#include "store/db.h"
#include "store/leases.h"
#include "util/strbuf.h"

#define N_LEASES 3000
#define N_MAX    (N_LEASES + 1500)

static char home[64];
static kj_db *db;
static struct lease ref[N_MAX]; /* ref[i] has rowid i + 1 */
static char gone[N_MAX];        /* deleted from the store */
static int n_ref;               /* leases in ref[] */

static unsigned rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static void setup(void)
{
	static const char *const nss[] = {"dev", "prod", "staging"};
	static const enum lease_state states[] = {LEASE_ACTIVE,  LEASE_REVOKED, LEASE_EXPIRED, LEASE_REVOKED,
	                                          LEASE_EXPIRED, LEASE_FAILED,  LEASE_REVOKING};
	kj_err e = {0};

	memset(gone, 0, sizeof(gone));
	n_ref = N_LEASES;
	strcpy(home, "/tmp/kj-view-XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	cr_assert_eq(db_open(home, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_begin(db, &e), 0, "%s", e.msg);
	for (int i = 0; i < N_LEASES; i++) {
		struct lease *l = &ref[i];
		unsigned s = rnd(12);

		memset(l, 0, sizeof(*l));
		snprintf(l->id, sizeof(l->id), "%08x-0000-4000-8000-%012x", (unsigned)i, (unsigned)i);
		l->secret = kj_xasprintf("/Team-%u/app", s);
		l->target = kj_xstrdup("prod-cluster");
		l->mode = s % 2 ? SECRET_DYNAMIC : SECRET_FIXED;
		l->ns = kj_xstrdup(nss[rnd(3)]);
		/* service accounts repeat and some are missing: ties in that order */
		l->service_account = rnd(10) ? kj_xasprintf("sa-%03u", rnd(400)) : NULL;
		l->state = states[rnd(7)];
		l->revocable = 1;
		/* many leases share a second: ties broken by the row */
		l->created_at = 1700000000 + i / 4;
		l->lease_expiry = 1700000000 + rnd(500);
		l->token_expiry = 1700000000 + rnd(50);
		l->created_by = kj_xstrdup("tester@host");
		cr_assert_eq(store_lease_insert(db, l, &e), 0, "%s", e.msg);
	}
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
}

static void teardown(void)
{
	char *cmd = kj_xasprintf("rm -rf '%s'", home);

	db_close(db);
	for (int i = 0; i < n_ref; i++)
		lease_done(&ref[i]);
	if (system(cmd) != 0)
		cr_log_warn("cleanup failed");
	free(cmd);
}

static int contains_lower(const char *hay, const char *needle)
{
	char *h = kj_xstrdup(hay ? hay : ""), *n = kj_xstrdup(needle);
	int r;

	for (char *p = h; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (char *p = n; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	r = strstr(h, n) != NULL;
	free(h);
	free(n);
	return r;
}

static int ref_match(const struct lease_view *v, const struct lease *l)
{
	if (gone[l - ref])
		return 0;
	if (!v->text || !v->text[0])
		return 1;
	return contains_lower(l->secret, v->text) || contains_lower(l->ns, v->text) ||
	       (v->state_bits & (1u << l->state)) || (v->mode_bits & (1u << l->mode));
}

static const struct lease_view *sorting;

/* The view's order, written out: the key ascending (NULL first, text by
 * bytes), ties newest first, then by row (newest first for the plain
 * order); reverse turns all of it round. */
static int ref_cmp(const void *pa, const void *pb)
{
	int a = *(const int *)pa, b = *(const int *)pb, c = 0;
	const struct lease *x = &ref[a], *y = &ref[b];
	const char *sx = NULL, *sy = NULL;
	int64_t ix = 0, iy = 0, text = 1;

	switch (sorting->order) {
	case LEASE_ORDER_SECRET:
		sx = x->secret, sy = y->secret;
		break;
	case LEASE_ORDER_MODE:
		sx = secret_mode_name(x->mode), sy = secret_mode_name(y->mode);
		break;
	case LEASE_ORDER_NAMESPACE:
		sx = x->ns, sy = y->ns;
		break;
	case LEASE_ORDER_SERVICE_ACCOUNT:
		sx = x->service_account, sy = y->service_account;
		break;
	case LEASE_ORDER_STATE:
		sx = lease_state_name(x->state), sy = lease_state_name(y->state);
		break;
	case LEASE_ORDER_EXPIRY:
		text = 0, ix = x->lease_expiry, iy = y->lease_expiry;
		break;
	case LEASE_ORDER_TOKEN_EXPIRY:
		text = 0, ix = x->token_expiry, iy = y->token_expiry;
		break;
	default:
		text = 0;
		break;
	}
	if (text)
		c = !sx || !sy ? (sx != NULL) - (sy != NULL) : strcmp(sx, sy);
	else
		c = ix < iy ? -1 : ix > iy;
	c = c < 0 ? -1 : c > 0;
	if (!c)
		c = x->created_at > y->created_at ? -1 : x->created_at < y->created_at;
	if (!c)
		c = sorting->order == LEASE_ORDER_NEWEST ? (a > b ? -1 : 1) : (a < b ? -1 : 1);
	return sorting->reverse ? -c : c;
}

/* The reference: indexes into ref[] of the leases shown, in order. */
static size_t reference(const struct lease_view *v, int *out)
{
	size_t n = 0;

	for (int i = 0; i < n_ref; i++)
		if (ref_match(v, &ref[i]))
			out[n++] = i;
	sorting = v;
	qsort(out, n, sizeof(*out), ref_cmp);
	sorting = NULL;
	return n;
}

static void check_view(const struct lease_view *v)
{
	static int want[N_MAX];
	size_t n = reference(v, want), got = 0,
	       offs[] = {0, 7, n / 2 - (n > 20 ? 10 : 0), n > 25 ? n - 25 : 0};
	kj_err e = {0};
	char what[160];

	snprintf(what, sizeof(what), "filter \"%s\" (states %#x, modes %#x), order %d%s",
	         v->text ? v->text : "", v->state_bits, v->mode_bits, (int)v->order,
	         v->reverse ? " reversed" : "");
	cr_assert_eq(store_lease_view_count(db, v, &got, &e), 0, "%s", e.msg);
	cr_assert_eq(got, n, "%s: %zu shown, the reference has %zu", what, got, n);
	for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
		struct lease *page = NULL;
		size_t pn = 0, want_n = offs[k] < n ? (n - offs[k] < 40 ? n - offs[k] : 40) : 0;

		cr_assert_eq(store_lease_view_page(db, v, offs[k], 40, &page, &pn, &e), 0, "%s", e.msg);
		cr_assert_eq(pn, want_n, "%s: page at %zu has %zu rows, want %zu", what, offs[k], pn, want_n);
		for (size_t i = 0; i < pn; i++)
			cr_assert_str_eq(page[i].id, ref[want[offs[k] + i]].id,
			                 "%s: row %zu is %s, want %s (%s)", what, offs[k] + i, page[i].id,
			                 ref[want[offs[k] + i]].id, ref[want[offs[k] + i]].secret);
		lease_list_free(page, pn);
	}
	/* positions: shown leases where the reference has them, others nowhere */
	for (int i = 0; i < n_ref; i += 97) {
		long pos = -2, at = -1;

		for (size_t j = 0; j < n; j++)
			if (want[j] == i)
				at = (long)j;
		cr_assert_eq(store_lease_view_position(db, v, ref[i].id, &pos, &e), 0, "%s", e.msg);
		cr_assert_eq(pos, at, "%s: lease %d at %ld, want %ld", what, i, pos, at);
	}
}

static void check_all_orders(const char *text, unsigned state_bits, unsigned mode_bits)
{
	for (int o = 0; o < LEASE_ORDER_COUNT; o++)
		for (int r = 0; r < 2; r++) {
			struct lease_view v = {text, state_bits, mode_bits, (enum lease_order)o, r};
			check_view(&v);
		}
}

TestSuite(lease_view, .init = setup, .fini = teardown);

Test(lease_view, every_order_unfiltered)
{
	check_all_orders(NULL, 0, 0);
}

/* one secret in twelve, in three namespaces and several states: a sparse
 * filter, read by merging its groups */
Test(lease_view, a_sparse_filter_over_several_groups)
{
	check_all_orders("team-7", 0, 0);
}

/* "team-1" is team-1, team-10 and team-11: a quarter of the leases, read
 * by walking the order's index */
Test(lease_view, a_dense_filter_over_several_secrets)
{
	check_all_orders("TEAM-1", 0, 0);
}

Test(lease_view, a_filter_on_the_namespace_and_the_shown_state_and_mode_words)
{
	check_all_orders("prod", 0, 0);
	/* "fai" as the table computes it: the state word "failed" */
	check_all_orders("fai", 1u << LEASE_FAILED, 0);
	/* "dyn": the dynamic mode's word, and no secret or namespace */
	check_all_orders("dyn", 0, 1u << SECRET_DYNAMIC);
	check_all_orders("revok", (1u << LEASE_REVOKED) | (1u << LEASE_REVOKING), 0);
}

Test(lease_view, a_filter_nothing_matches)
{
	check_all_orders("no-such-thing", 0, 0);
}

/* after state changes and deletes the groups' counts and the views follow */
Test(lease_view, follows_updates_and_deletes)
{
	kj_err e = {0};

	for (int i = 0; i < N_LEASES; i += 5) {
		enum lease_state from = ref[i].state;

		ref[i].state = LEASE_REVOKED;
		ref[i].lease_expiry += 7;
		cr_assert_eq(store_lease_update_from(db, &ref[i], from, &e), 0, "%s", e.msg);
	}
	cr_assert_eq(sqlite3_exec(db_sqlite(db), "DELETE FROM leases WHERE rowid % 11 = 0", NULL, NULL, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(db_sqlite(db)));
	for (int i = 10; i < N_LEASES; i += 11)
		gone[i] = 1;
	check_all_orders("team-3", 0, 0);
	check_all_orders("revoked", 1u << LEASE_REVOKED, 0);
}

/* More groups than a merge takes at once: 1,500 older leases of 100 more
 * secrets in 3 namespaces and 5 states.  The walk of the order's index
 * finds them at once in some orders and only past every other lease in
 * others (newest first, secret reversed), where it gives up and merges. */
Test(lease_view, a_filter_over_more_groups_than_a_merge_takes_at_once)
{
	static const enum lease_state states[] = {LEASE_ACTIVE, LEASE_REVOKED, LEASE_EXPIRED, LEASE_FAILED,
	                                          LEASE_REVOKING};
	kj_err e = {0};
	sqlite3_stmt *st;
	int groups;

	cr_assert_eq(db_begin(db, &e), 0, "%s", e.msg);
	for (int i = 0; i < 1500; i++) {
		struct lease *l = &ref[n_ref];

		memset(l, 0, sizeof(*l));
		snprintf(l->id, sizeof(l->id), "%08x-1111-4000-8000-%012x", (unsigned)i, (unsigned)i);
		l->secret = kj_xasprintf("/grp-%02d/app", i % 100);
		l->target = kj_xstrdup("prod-cluster");
		l->mode = SECRET_FIXED;
		l->ns = kj_xstrdup(i / 100 % 3 == 0 ? "dev" : i / 100 % 3 == 1 ? "prod" : "staging");
		l->service_account = kj_xasprintf("sa-%03u", rnd(400));
		l->state = states[i / 300];
		l->revocable = 1;
		l->created_at = 1600000000 + i / 3;
		l->lease_expiry = 1600000000 + rnd(500);
		l->token_expiry = 1600000000 + rnd(50);
		l->created_by = kj_xstrdup("tester@host");
		cr_assert_eq(store_lease_insert(db, l, &e), 0, "%s", e.msg);
		n_ref++;
	}
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	cr_assert_eq(sqlite3_prepare_v2(db_sqlite(db),
	                                "SELECT count(*) FROM lease_groups WHERE secret LIKE '/grp-%'", -1,
	                                &st, NULL),
	             SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	groups = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	cr_assert_gt(groups, 256, "%d groups", groups);
	check_all_orders("grp", 0, 0);
	check_all_orders("team-7", 0, 0);
}

static int group_indexes(void)
{
	sqlite3_stmt *st;
	int n;

	cr_assert_eq(sqlite3_prepare_v2(db_sqlite(db),
	                                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
	                                " ('leases_group', 'leases_group_sa', 'leases_group_expiry',"
	                                " 'leases_group_token_expiry')",
	                                -1, &st, NULL),
	             SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* a store made before the group indexes (schema 9) gets them on open */
Test(lease_view, an_older_store_gets_the_group_indexes)
{
	kj_err e = {0};

	cr_assert_eq(group_indexes(), 4);
	cr_assert_eq(sqlite3_exec(db_sqlite(db),
	                          "DROP INDEX leases_group; DROP INDEX leases_group_sa;"
	                          " DROP INDEX leases_group_expiry; DROP INDEX leases_group_token_expiry;"
	                          " PRAGMA user_version = 9;",
	                          NULL, NULL, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(db_sqlite(db)));
	cr_assert_eq(group_indexes(), 0);
	db_close(db);
	cr_assert_eq(db_open(home, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_schema_version(db), db_latest_version());
	cr_assert_eq(group_indexes(), 4);
	check_all_orders("team-7", 0, 0);
}
