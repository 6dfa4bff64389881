/* Everyone's leases from the cluster: joining the kinds' Lists by lease id,
 * the state read from the objects, ids found by prefix, and text from the
 * cluster made printable (pure, no cluster). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/cluster_lease.h"
#include "util/strbuf.h"

#define L1 "0a1b2c3d-0000-4000-8000-000000000001"
#define L2 "0a1b2c3d-0000-4000-8000-000000000002"
#define L3 "7f000000-0000-4000-8000-000000000003"

/* One object of a List, as an API server returns it. */
static cJSON *item(const char *lease, const char *ns, const char *name, const char *mode, const char *expires,
                   const char *owner, const char *by, const char *secret, int terminating)
{
	cJSON *o = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON *labels = cJSON_AddObjectToObject(meta, "labels"),
	      *ann = cJSON_AddObjectToObject(meta, "annotations");

	cJSON_AddStringToObject(meta, "name", name);
	if (ns)
		cJSON_AddStringToObject(meta, "namespace", ns);
	cJSON_AddStringToObject(meta, "uid", "u-1");
	cJSON_AddStringToObject(meta, "creationTimestamp", "2026-01-01T00:00:00Z");
	if (terminating)
		cJSON_AddStringToObject(meta, "deletionTimestamp", "2026-01-01T00:10:00Z");
	cJSON_AddStringToObject(labels, "app.kubernetes.io/managed-by", "kubejit");
	if (lease)
		cJSON_AddStringToObject(labels, "kubejit.io/lease", lease);
	if (mode)
		cJSON_AddStringToObject(labels, "kubejit.io/mode", mode);
	if (ns)
		cJSON_AddStringToObject(labels, "kubejit.io/namespace", ns);
	if (expires)
		cJSON_AddStringToObject(ann, "kubejit.io/expires-at", expires);
	if (owner)
		cJSON_AddStringToObject(ann, "kubejit.io/owner", owner);
	if (by)
		cJSON_AddStringToObject(ann, "kubejit.io/created-by", by);
	if (secret)
		cJSON_AddStringToObject(ann, "kubejit.io/secret", secret);
	return o;
}

static cJSON *list_of(cJSON *a, cJSON *b)
{
	cJSON *l = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(l, "items");

	if (a)
		cJSON_AddItemToArray(items, a);
	if (b)
		cJSON_AddItemToArray(items, b);
	return l;
}

static void add(struct cluster_lease_list *l, const char *kind, cJSON *list)
{
	cluster_lease_add_items(l, kind, list);
	cJSON_Delete(list);
}

/* 2026-01-01T00:30:00Z */
#define NOW 1767227400

Test(cluster_lease, joins_the_kinds_by_lease_id_in_revoke_order)
{
	struct cluster_lease_list l;

	memset(&l, 0, sizeof(l));
	/* the roles come first here, the ServiceAccount last: the join puts
	 * the ServiceAccount first, as a revoke deletes it first */
	add(&l, "Role",
	    list_of(item(L1, "dev", "kj-a", "dynamic", "2026-01-01T01:00:00Z", "alice-id", "alice@a",
	                 "/dev/x", 0),
	            NULL));
	add(&l, "RoleBinding",
	    list_of(item(L1, "dev", "kj-a", "dynamic", "2026-01-01T01:00:00Z", "alice-id", "alice@a",
	                 "/dev/x", 0),
	            NULL));
	add(&l, "Secret",
	    list_of(item(L2, "ops", "kj-b", "fixed", "2026-01-01T00:45:00Z", "bob-id", "bob@b", "/ops/y", 0),
	            NULL));
	add(&l, "ServiceAccount",
	    list_of(item(L1, "dev", "kj-a", "dynamic", "2026-01-01T01:00:00Z", "alice-id", "alice@a",
	                 "/dev/x", 0),
	            NULL));
	cluster_lease_finish(&l, NOW);
	cr_assert_eq(l.n, 2);
	/* soonest end first */
	cr_assert_str_eq(l.v[0].id, L2);
	cr_assert_str_eq(l.v[1].id, L1);
	cr_assert_eq(l.v[1].n_objects, 3);
	cr_assert_str_eq(l.v[1].objects[0].kind, "ServiceAccount");
	cr_assert_str_eq(l.v[1].objects[1].kind, "RoleBinding");
	cr_assert_str_eq(l.v[1].objects[2].kind, "Role");
	cr_assert_str_eq(l.v[1].owner, "alice-id");
	cr_assert_str_eq(l.v[1].created_by, "alice@a");
	cr_assert_str_eq(l.v[1].secret, "/dev/x");
	cr_assert_str_eq(l.v[1].ns, "dev");
	cr_assert_eq(l.v[1].mode, SECRET_DYNAMIC);
	cr_assert_eq(l.v[1].expires_at, NOW + 1800);
	cr_assert_eq(l.v[1].state, LEASE_ACTIVE);
	cr_assert_eq(l.v[0].mode, SECRET_FIXED);
	cr_assert_eq(l.v[0].state, LEASE_ACTIVE);
	char *o = cluster_lease_owner_text(&l.v[1]);
	cr_assert_str_eq(o, "alice-id (alice@a)");
	free(o);
	cluster_lease_list_done(&l);
}

Test(cluster_lease, state_comes_from_the_objects)
{
	struct cluster_lease_list l;

	memset(&l, 0, sizeof(l));
	/* L1: past its end, objects still there */
	add(&l, "ServiceAccount",
	    list_of(item(L1, "dev", "kj-a", "dynamic", "2026-01-01T00:20:00Z", "a", NULL, "/x", 0),
	            /* L2: its ServiceAccount is being deleted */
	            item(L2, "dev", "kj-b", "dynamic", "2026-01-01T01:00:00Z", "b", NULL, "/x", 1)));
	/* L3: a binding left over, its ServiceAccount gone */
	add(&l, "RoleBinding",
	    list_of(item(L3, "dev", "kj-c", "dynamic", "2026-01-01T01:00:00Z", NULL, "c@c", "/x", 0), NULL));
	cluster_lease_finish(&l, NOW);
	cr_assert_eq(l.n, 3);
	for (size_t i = 0; i < l.n; i++) {
		if (!strcmp(l.v[i].id, L1))
			cr_assert_eq(l.v[i].state, LEASE_EXPIRED);
		else
			cr_assert_eq(l.v[i].state, LEASE_REVOKING, "%s", l.v[i].id);
		if (!strcmp(l.v[i].id, L3)) {
			char *o = cluster_lease_owner_text(&l.v[i]);
			cr_assert_str_eq(o, "c@c");
			free(o);
		}
	}
	cluster_lease_list_done(&l);
}

Test(cluster_lease, a_fixed_lease_lives_by_its_anchor_secret)
{
	struct cluster_lease_list l;

	memset(&l, 0, sizeof(l));
	/* no mode label (an object made before kubejit wrote one): a lease
	 * without a ServiceAccount is judged by its Secret */
	add(&l, "Secret",
	    list_of(item(L1, "ops", "kj-a", NULL, "2026-01-01T01:00:00Z", NULL, NULL, NULL, 0), NULL));
	cluster_lease_finish(&l, NOW);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.v[0].mode, -1);
	cr_assert_eq(l.v[0].state, LEASE_ACTIVE);
	char *o = cluster_lease_owner_text(&l.v[0]);
	cr_assert_str_eq(o, "?");
	free(o);
	cluster_lease_list_done(&l);
}

Test(cluster_lease, objects_that_are_not_kubejit_leases_are_left_out)
{
	struct cluster_lease_list l;
	cJSON *foreign = item(L1, "dev", "other", "dynamic", NULL, NULL, NULL, NULL, 0);
	cJSON *bad_id = item("../../x", "dev", "kj-b", "dynamic", NULL, NULL, NULL, NULL, 0);
	cJSON *labels = cJSON_GetObjectItem(cJSON_GetObjectItem(foreign, "metadata"), "labels");

	cJSON_ReplaceItemInObject(labels, "app.kubernetes.io/managed-by", cJSON_CreateString("helm"));
	memset(&l, 0, sizeof(l));
	add(&l, "ServiceAccount", list_of(foreign, bad_id));
	add(&l, "Role", list_of(item(NULL, "dev", "kj-c", "dynamic", NULL, NULL, NULL, NULL, 0), NULL));
	cluster_lease_finish(&l, NOW);
	cr_assert_eq(l.n, 0);
	cluster_lease_list_done(&l);
}

Test(cluster_lease, text_from_the_cluster_is_made_printable)
{
	struct cluster_lease_list l;

	memset(&l, 0, sizeof(l));
	add(&l, "ServiceAccount",
	    list_of(item(L1, "dev", "kj-a", "dynamic", "2026-01-01T01:00:00Z", "eve\x1b[2J\x1b]0;owned\x07",
	                 "eve@h\nforged line", "/x\x9b", 0),
	            NULL));
	cluster_lease_finish(&l, NOW);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].owner, "eve?[2J?]0;owned?");
	cr_assert_str_eq(l.v[0].created_by, "eve@h?forged line");
	cr_assert_str_eq(l.v[0].secret, "/x?");
	cluster_lease_list_done(&l);
}

Test(cluster_lease, ids_are_found_by_unique_prefix)
{
	struct cluster_lease_list l;
	kj_err e;

	memset(&l, 0, sizeof(l));
	l.target = strdup("prod");
	add(&l, "ServiceAccount",
	    list_of(item(L1, "dev", "a", "dynamic", NULL, NULL, NULL, NULL, 0),
	            item(L2, "dev", "b", "dynamic", NULL, NULL, NULL, NULL, 0)));
	add(&l, "ServiceAccount", list_of(item(L3, "dev", "c", "dynamic", NULL, NULL, NULL, NULL, 0), NULL));
	cluster_lease_finish(&l, NOW);
	kj_err_clear(&e);
	cr_assert_not_null(cluster_lease_find(&l, "7f00", &e));
	cr_assert_str_eq(cluster_lease_find(&l, L2, &e)->id, L2);
	cr_assert_null(cluster_lease_find(&l, "0a1b", &e));
	cr_assert_eq(e.cls, KJ_ERR_USAGE);
	cr_assert(strstr(e.msg, "matches 2 leases on target prod"), "%s", e.msg);
	cr_assert_null(cluster_lease_find(&l, "0a1", &e));
	cr_assert_eq(e.cls, KJ_ERR_USAGE);
	cr_assert_null(cluster_lease_find(&l, "ffff", &e));
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert(strstr(e.msg, "no kubejit lease ffff on target prod"), "%s", e.msg);
	cluster_lease_list_done(&l);
}

Test(printable, cuts_on_character_boundaries_and_replaces_controls)
{
	char *s;

	s = kj_printable("gr\xc3\xbc\xc3\x9f", 4); /* "grüß": ü fits, ß does not */
	cr_assert_str_eq(s, "gr\xc3\xbc");
	free(s);
	s = kj_printable("a\tb\x7f"
	                 "c\xff\xc0\xaf",
	                 64); /* tab, DEL, a stray byte, an overlong '/' */
	cr_assert_str_eq(s, "a?b?c???");
	free(s);
	s = kj_printable("\xc2\x85x", 64); /* C1 control NEL */
	cr_assert_str_eq(s, "?x");
	free(s);
	s = kj_printable("\xf0\x9f\x94\x91 key", 64);
	cr_assert_str_eq(s, "\xf0\x9f\x94\x91 key");
	free(s);
	cr_assert_null(kj_printable(NULL, 8));
}
