/* The demo cluster's object store and label selectors, tested directly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/objects.h"

static cJSON *sa(const char *name, const char *gen)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *m;

	cJSON_AddStringToObject(o, "kind", "ServiceAccount");
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	m = cJSON_AddObjectToObject(o, "metadata");
	if (name)
		cJSON_AddStringToObject(m, "name", name);
	if (gen)
		cJSON_AddStringToObject(m, "generateName", gen);
	return o;
}

static void add_label(cJSON *o, const char *k, const char *v)
{
	cJSON *m = cJSON_GetObjectItem(o, "metadata");
	cJSON *l = cJSON_GetObjectItem(m, "labels");

	if (!l)
		l = cJSON_AddObjectToObject(m, "labels");
	cJSON_AddStringToObject(l, k, v);
}

Test(store, create_fills_metadata_and_refuses_duplicates)
{
	struct objstore *s = objstore_new();
	cJSON *in = sa("ci", NULL), *out = NULL;
	char taken[254];

	cr_assert_eq(objstore_create(s, "", "serviceaccounts", "dev", in, &out, NULL, 0), OBJ_OK);
	cr_assert_str_eq(obj_meta_str(out, "namespace"), "dev");
	cr_assert_eq(strlen(obj_meta_str(out, "uid")), 36);
	cr_assert_str_eq(obj_meta_str(out, "resourceVersion"), "1");
	cr_assert_eq(strlen(obj_meta_str(out, "creationTimestamp")), 20);
	cr_assert_eq(objstore_create(s, "", "serviceaccounts", "dev", in, NULL, taken, sizeof(taken)),
	             OBJ_EXISTS);
	cr_assert_str_eq(taken, "ci");
	/* same name in another namespace is fine */
	cr_assert_eq(objstore_create(s, "", "serviceaccounts", "prod", in, NULL, NULL, 0), OBJ_OK);
	cJSON_Delete(in);
	cJSON_Delete(out);
	objstore_free(s);
}

Test(store, generate_name_appends_five_chars)
{
	struct objstore *s = objstore_new();
	cJSON *in = sa(NULL, "kubejit-"), *out = NULL;

	cr_assert_eq(objstore_create(s, "", "serviceaccounts", "dev", in, &out, NULL, 0), OBJ_OK);
	cr_assert_eq(strlen(obj_meta_str(out, "name")), strlen("kubejit-") + 5);
	cr_assert_eq(strncmp(obj_meta_str(out, "name"), "kubejit-", 8), 0);
	cJSON_Delete(in);
	cJSON_Delete(out);
	objstore_free(s);
}

Test(store, update_checks_resource_version)
{
	struct objstore *s = objstore_new();
	cJSON *in = sa("ci", NULL), *out = NULL, *upd;

	objstore_create(s, "", "serviceaccounts", "dev", in, &out, NULL, 0);
	upd = cJSON_Duplicate(out, 1);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(upd, "metadata"), "resourceVersion",
	                          cJSON_CreateString("999"));
	cr_assert_eq(objstore_update(s, "", "serviceaccounts", "dev", "ci", upd, NULL), OBJ_CONFLICT);
	cr_assert_eq(objstore_update(s, "", "serviceaccounts", "dev", "ci", out, NULL), OBJ_OK);
	cr_assert_eq(objstore_update(s, "", "serviceaccounts", "dev", "nope", out, NULL), OBJ_NOTFOUND);
	cJSON_Delete(in);
	cJSON_Delete(out);
	cJSON_Delete(upd);
	objstore_free(s);
}

Test(store, delete_collects_dependents_unless_orphaned)
{
	struct objstore *s = objstore_new();
	cJSON *owner = sa("owner", NULL), *dep = sa("dep", NULL), *got = NULL, *refs, *ref, *tmp;

	objstore_create(s, "", "serviceaccounts", "dev", owner, &got, NULL, 0);
	refs = cJSON_AddArrayToObject(cJSON_GetObjectItem(dep, "metadata"), "ownerReferences");
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "uid", obj_meta_str(got, "uid"));
	cJSON_AddItemToArray(refs, ref);
	cr_assert_eq(objstore_create(s, "", "secrets", "dev", dep, NULL, NULL, 0), OBJ_OK);
	cr_assert_eq(objstore_delete(s, "", "serviceaccounts", "dev", "owner", NULL), OBJ_OK);
	/* the owner's delete leaves its dependents to the garbage collector */
	tmp = objstore_get(s, "", "secrets", "dev", "dep");
	cr_assert_not_null(tmp);
	cJSON_Delete(tmp);
	cr_assert_null(objstore_get(s, "", "serviceaccounts", "dev", "owner"));
	cr_assert_eq(objstore_has_dependents(s, obj_str(ref, "uid")), 1);
	objstore_collect(s, obj_str(ref, "uid"), OBJ_PROPAGATE_BACKGROUND);
	cr_assert_null(objstore_get(s, "", "secrets", "dev", "dep"));
	cJSON_Delete(got);

	objstore_create(s, "", "serviceaccounts", "dev", owner, &got, NULL, 0);
	cJSON_ReplaceItemInObject(ref, "uid", cJSON_CreateString(obj_meta_str(got, "uid")));
	objstore_create(s, "", "secrets", "dev", dep, NULL, NULL, 0);
	objstore_release_dependents(s, obj_meta_str(got, "uid"), 1);
	objstore_delete(s, "", "serviceaccounts", "dev", "owner", NULL);
	cJSON_Delete(got);
	got = objstore_get(s, "", "secrets", "dev", "dep");
	cr_assert_not_null(got);
	cr_assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(got, "metadata"), "ownerReferences"));
	cJSON_Delete(got);
	cJSON_Delete(owner);
	cJSON_Delete(dep);
	objstore_free(s);
}

static char *owned(struct objstore *s, const char *res, const char *name, const char *const *owners, int n)
{
	cJSON *o = sa(name, NULL),
	      *refs = cJSON_AddArrayToObject(cJSON_GetObjectItem(o, "metadata"), "ownerReferences"),
	      *got = NULL;
	char *uid;

	for (int i = 0; i < n; i++) {
		cJSON *ref = cJSON_CreateObject();
		cJSON_AddStringToObject(ref, "uid", owners[i]);
		cJSON_AddItemToArray(refs, ref);
	}
	if (!n)
		cJSON_DeleteItemFromObject(cJSON_GetObjectItem(o, "metadata"), "ownerReferences");
	cr_assert_eq(objstore_create(s, "", res, "dev", o, &got, NULL, 0), OBJ_OK);
	uid = strdup(obj_meta_str(got, "uid"));
	cJSON_Delete(o);
	cJSON_Delete(got);
	return uid;
}

static int present(struct objstore *s, const char *res, const char *name)
{
	cJSON *o = objstore_get(s, "", res, "dev", name);

	cJSON_Delete(o);
	return o != NULL;
}

/* The garbage collector finds dependents by their owners' uids while
 * objects come and go around them (each delete moves another object in
 * the store), and a dependent with another live owner only loses the
 * reference. */
Test(store, collect_follows_owners_among_many_objects)
{
	struct objstore *s = objstore_new();
	char *a = owned(s, "serviceaccounts", "a", NULL, 0), *b = owned(s, "serviceaccounts", "b", NULL, 0);
	const char *of_a[] = {a}, *of_ab[] = {a, b};
	char name[32], *c, *leaf;
	const char *of_c[1];

	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "filler-%d", i);
		free(owned(s, "configmaps", name, NULL, 0));
		snprintf(name, sizeof name, "of-a-%d", i);
		free(owned(s, "secrets", name, of_a, 1));
	}
	c = owned(s, "secrets", "c", of_a, 1);
	of_c[0] = c;
	leaf = owned(s, "configmaps", "leaf", of_c, 1); /* a's grandchild */
	free(owned(s, "secrets", "shared", of_ab, 2));
	for (int i = 0; i < 300; i += 2) {
		snprintf(name, sizeof name, "filler-%d", i);
		objstore_delete(s, "", "configmaps", "dev", name, NULL);
	}
	cr_assert_eq(objstore_has_dependents(s, a), 1);
	cr_assert_eq(objstore_has_dependents(s, c), 1);
	cr_assert_eq(objstore_has_dependents(s, leaf), 0);
	/* nothing happens while the owner is there */
	objstore_collect(s, a, OBJ_PROPAGATE_BACKGROUND);
	cr_assert(present(s, "secrets", "of-a-17"));
	cr_assert_eq(objstore_delete(s, "", "serviceaccounts", "dev", "a", NULL), OBJ_OK);
	objstore_collect(s, a, OBJ_PROPAGATE_BACKGROUND);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "of-a-%d", i);
		cr_assert_not(present(s, "secrets", name), "%s outlived its owner", name);
		snprintf(name, sizeof name, "filler-%d", i);
		cr_assert_eq(present(s, "configmaps", name), i % 2, "%s", name);
	}
	cr_assert_not(present(s, "secrets", "c"));
	cr_assert_not(present(s, "configmaps", "leaf"), "dependents are collected transitively");
	cr_assert(present(s, "secrets", "shared"), "b still owns it");
	cr_assert_eq(objstore_has_dependents(s, a), 0);
	cr_assert_eq(objstore_has_dependents(s, b), 1);
	cr_assert_eq(objstore_delete(s, "", "serviceaccounts", "dev", "b", NULL), OBJ_OK);
	objstore_collect(s, b, OBJ_PROPAGATE_BACKGROUND);
	cr_assert_not(present(s, "secrets", "shared"));
	cr_assert_eq(objstore_has_dependents(s, b), 0);
	free(a);
	free(b);
	free(c);
	free(leaf);
	objstore_free(s);
}

static size_t count_sel(struct objstore *s, const char *res, const char *ns, const char *selector)
{
	char err[128];
	struct objsel *sel = objsel_parse(selector, err, sizeof(err));
	cJSON *items;
	size_t n;

	cr_assert_not_null(sel, "%s: %s", selector, err);
	items = objstore_list(s, "", res, ns, sel, NULL);
	n = (size_t)cJSON_GetArraySize(items);
	cJSON_Delete(items);
	objsel_free(sel);
	return n;
}

/* A list by `key=v` or `key in (...)` reads the objects with those labels:
 * it follows relabels, deletes and the kind and namespace asked for. */
Test(store, list_by_label_follows_changes)
{
	struct objstore *s = objstore_new();
	char name[32], val[32];
	cJSON *o, *got = NULL, *items;

	for (int i = 0; i < 400; i++) {
		snprintf(name, sizeof name, "sa-%d", i);
		snprintf(val, sizeof val, "l%d", i % 100);
		o = sa(name, NULL);
		add_label(o, "lease", val);
		add_label(o, "all", "yes");
		cr_assert_eq(objstore_create(s, "", i % 2 ? "serviceaccounts" : "secrets",
		                             i < 200 ? "dev" : "prod", o, NULL, NULL, 0),
		             OBJ_OK);
		cJSON_Delete(o);
	}
	/* l1: sa-1, 101, 201, 301, all serviceaccounts, in dev and prod alternately */
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "lease=l1"), 4);
	cr_assert_eq(count_sel(s, "serviceaccounts", "dev", "lease=l1"), 2);
	cr_assert_eq(count_sel(s, "secrets", NULL, "lease=l1"), 0);
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "lease in (l1, l3, l1, nope)"), 8);
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "lease in (l1),lease!=l3"), 4);
	/* a label every object has, first: the narrower requirement is read */
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "all=yes,lease in (l1, l3)"), 8);
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "all in (no),lease in (l1, l3)"), 0);
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "all=yes"), 200);

	/* relabelled: found under its new value only */
	got = objstore_get(s, "", "serviceaccounts", "dev", "sa-1");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(got, "metadata"), "labels"),
	                          "lease", cJSON_CreateString("moved"));
	cr_assert_eq(objstore_update(s, "", "serviceaccounts", "dev", "sa-1", got, NULL), OBJ_OK);
	cJSON_Delete(got);
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "lease=l1"), 3);
	items = objstore_list(s, "", "serviceaccounts", NULL, NULL, NULL);
	cr_assert_eq(cJSON_GetArraySize(items), 200);
	cJSON_Delete(items);
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "lease=moved"), 1);

	/* deleted (each delete moves another object in the store) */
	for (int i = 101; i < 400; i += 100) {
		snprintf(name, sizeof name, "sa-%d", i);
		cr_assert_eq(objstore_delete(s, "", "serviceaccounts", i < 200 ? "dev" : "prod", name, NULL),
		             OBJ_OK);
	}
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "lease=l1"), 0);
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "lease in (l3, moved)"), 5);
	cr_assert_eq(count_sel(s, "serviceaccounts", NULL, "lease"), 197);
	objstore_free(s);
}

Test(store, list_sorts_and_filters_by_selector)
{
	struct objstore *s = objstore_new();
	const char *names[] = {"c", "a", "b"};
	const char *tiers[] = {"web", "db", "web"};
	struct objsel *sel;
	cJSON *items;
	char err[128];
	int i;

	for (i = 0; i < 3; i++) {
		cJSON *o = sa(names[i], NULL);

		add_label(o, "tier", tiers[i]);
		if (i == 0)
			add_label(o, "app.kubernetes.io/managed-by", "kubejit");
		objstore_create(s, "", "serviceaccounts", "dev", o, NULL, NULL, 0);
		cJSON_Delete(o);
	}
	items = objstore_list(s, "", "serviceaccounts", "dev", NULL, NULL);
	cr_assert_eq(cJSON_GetArraySize(items), 3);
	cr_assert_str_eq(obj_meta_str(cJSON_GetArrayItem(items, 0), "name"), "a");
	cJSON_Delete(items);

	const char *cases[][2] = {
	    {"tier=web", "2"},
	    {"tier==db", "1"},
	    {"tier!=web", "1"},
	    {"tier in (db, x)", "1"},
	    {"tier notin (db)", "2"},
	    {"app.kubernetes.io/managed-by", "1"},
	    {"!app.kubernetes.io/managed-by", "2"},
	    {"tier=web,app.kubernetes.io/managed-by=kubejit", "1"},
	    {"", "3"},
	};
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		sel = objsel_parse(cases[i][0], err, sizeof(err));
		cr_assert_not_null(sel, "%s: %s", cases[i][0], err);
		items = objstore_list(s, "", "serviceaccounts", NULL, sel, NULL);
		cr_assert_eq(cJSON_GetArraySize(items), atoi(cases[i][1]), "%s", cases[i][0]);
		cJSON_Delete(items);
		objsel_free(sel);
	}
	cr_assert_null(objsel_parse("tier in db", err, sizeof(err)));
	cr_assert_null(objsel_parse("tier=web,", err, sizeof(err)));
	cr_assert_null(objsel_parse("=x", err, sizeof(err)));
	objstore_free(s);
}
