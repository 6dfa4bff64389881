/* `kubejit secret add|edit|list|show|rm`: dynamic secrets from the shell. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/secret.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

void cli_secret_usage(FILE *out)
{
	fputs(_("Usage: kubejit secret add PATH --target T --mode fixed --namespace NS --service-account SA\n"
	        "                          [--no-revocable] [COMMON]\n"
	        "       kubejit secret add PATH --target T --mode dynamic --allowed-namespaces LIST\n"
	        "                          (--role NAME | --cluster-role NAME [--cluster-scope] |\n"
	        "                           --role-yaml FILE) [COMMON]\n"
	        "       kubejit secret edit PATH [any add option] [--rename NEWPATH]\n"
	        "       kubejit secret list [FOLDER] [--json]\n"
	        "       kubejit secret show PATH [--json]\n"
	        "       kubejit secret rm PATH\n\n"
	        "A secret says what kubejit may mint on a target: tokens for an existing\n"
	        "ServiceAccount (fixed), or a fresh ServiceAccount with a role per lease\n"
	        "(dynamic).  Paths have folders: /prod/web/read-pods.\n\n"
	        "COMMON options:\n"
	        "  --ttl DUR                default lease length (90s, 15m, 2h, 1d; default 1h)\n"
	        "  --max-ttl DUR            longest lease a mint may ask for (default 1d)\n"
	        "  --audience A             token audience (repeat; default: the cluster's)\n"
	        "  --description TEXT       free text\n"
	        "  --tag T                  tag (repeat)\n"
	        "  --delete-protection      refuse 'secret rm' until turned off\n"
	        "  --no-delete-protection   turn it off\n"
	        "  --self-approval          let an approver approve its own access request for\n"
	        "                           this secret ('kubejit approve'; default: refused)\n"
	        "  --no-self-approval       refuse that again\n"
	        "  --label K=V              extra label on created objects (repeat)\n"
	        "  --annotation K=V         extra annotation on created objects (repeat)\n"
	        "  --name-prefix P          object names start with P (default kubejit)\n"
	        "  --allowed-namespaces L   comma list of names, '*' or globs (team-*)\n"
	        "  --role-yaml FILE         Role(+RoleBinding) or ClusterRole(+ClusterRoleBinding)\n"
	        "                           YAML; '-' reads stdin; templates in the data dir\n"
	        "  --json                   machine-readable output (list, show)\n\n"
	        "Examples:\n"
	        "  kubejit secret add /dash/view --target prod --mode fixed \\\n"
	        "      --namespace kubernetes-dashboard --service-account kubernetes-dashboard --ttl 15m\n"
	        "  kubejit secret add /dev/read-pods --target prod --mode dynamic \\\n"
	        "      --allowed-namespaces 'dev,team-*' --role-yaml pods-reader.yaml --max-ttl 2h\n"
	        "  kubejit secret add /dev/view --target prod --mode dynamic --allowed-namespaces dev \\\n"
	        "      --cluster-role view\n"
	        "  kubejit secret edit /dev/read-pods --allowed-namespaces 'dev,staging'\n"
	        "  kubejit secret list /dev --json\n"),
	      out);
}

enum {
	OPT_TARGET = 256,
	OPT_MODE,
	OPT_NS,
	OPT_SA,
	OPT_REVOCABLE,
	OPT_NO_REVOCABLE,
	OPT_ALLOWED,
	OPT_ROLE,
	OPT_CLUSTER_ROLE,
	OPT_CLUSTER_SCOPE,
	OPT_NO_CLUSTER_SCOPE,
	OPT_ROLE_YAML,
	OPT_TTL,
	OPT_MAX_TTL,
	OPT_AUDIENCE,
	OPT_DESCRIPTION,
	OPT_TAG,
	OPT_PROTECT,
	OPT_NO_PROTECT,
	OPT_SELF_APPROVAL,
	OPT_NO_SELF_APPROVAL,
	OPT_LABEL,
	OPT_ANNOTATION,
	OPT_PREFIX,
	OPT_RENAME,
	OPT_JSON,
};

static const struct option secret_opts[] = {
    {"target", required_argument, NULL, OPT_TARGET},
    {"mode", required_argument, NULL, OPT_MODE},
    {"namespace", required_argument, NULL, OPT_NS},
    {"service-account", required_argument, NULL, OPT_SA},
    {"revocable", no_argument, NULL, OPT_REVOCABLE},
    {"no-revocable", no_argument, NULL, OPT_NO_REVOCABLE},
    {"allowed-namespaces", required_argument, NULL, OPT_ALLOWED},
    {"role", required_argument, NULL, OPT_ROLE},
    {"cluster-role", required_argument, NULL, OPT_CLUSTER_ROLE},
    {"cluster-scope", no_argument, NULL, OPT_CLUSTER_SCOPE},
    {"no-cluster-scope", no_argument, NULL, OPT_NO_CLUSTER_SCOPE},
    {"role-yaml", required_argument, NULL, OPT_ROLE_YAML},
    {"ttl", required_argument, NULL, OPT_TTL},
    {"max-ttl", required_argument, NULL, OPT_MAX_TTL},
    {"audience", required_argument, NULL, OPT_AUDIENCE},
    {"description", required_argument, NULL, OPT_DESCRIPTION},
    {"tag", required_argument, NULL, OPT_TAG},
    {"delete-protection", no_argument, NULL, OPT_PROTECT},
    {"no-delete-protection", no_argument, NULL, OPT_NO_PROTECT},
    {"self-approval", no_argument, NULL, OPT_SELF_APPROVAL},
    {"no-self-approval", no_argument, NULL, OPT_NO_SELF_APPROVAL},
    {"label", required_argument, NULL, OPT_LABEL},
    {"annotation", required_argument, NULL, OPT_ANNOTATION},
    {"name-prefix", required_argument, NULL, OPT_PREFIX},
    {"rename", required_argument, NULL, OPT_RENAME},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int set_kv(struct kj_kvv *kv, const char *arg, const char *flag, kj_err *e)
{
	const char *eq = strchr(arg, '=');
	char *k;

	if (!eq || eq == arg) {
		kj_err_set(e, KJ_ERR_USAGE, _("%s \"%s\" is not KEY=VALUE"), flag, arg);
		return kj_err_hint(e, _("write %s team=web"), flag);
	}
	k = kj_xstrndup(arg, (size_t)(eq - arg));
	kj_kvv_set(kv, k, eq + 1);
	free(k);
	return 0;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = kj_xstrdup(v);
}

/* Apply the options to `s` (fresh for add, loaded for edit).  Lists given
 * on the command line replace the stored ones. */
/* The options into a patch: what an edit changes, and what an add sets on
 * a new record (secret_patch_to()). */
static int parse_secret_opts(int argc, char **argv, struct secret_patch *p, int edit, int *json, kj_err *e)
{
	struct secret *s = &p->v;
	int ch, tags = 0, aud = 0, labels = 0, anns = 0, roles = 0;
	int64_t secs;
	char *yaml;

	while ((ch = getopt_long(argc, argv, "h", secret_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_TARGET:
			p->set |= SECRET_SET_TARGET;
			set_str(&s->target, optarg);
			break;
		case OPT_MODE:
			p->set |= SECRET_SET_MODE;
			if (secret_mode_parse(optarg, &s->mode) < 0) {
				kj_err_set(e, KJ_ERR_USAGE, _("--mode \"%s\" is not a mode"), optarg);
				return kj_err_hint(e, _("use --mode fixed or --mode dynamic"));
			}
			break;
		case OPT_NS:
			p->set |= SECRET_SET_NS;
			set_str(&s->ns, optarg);
			break;
		case OPT_SA:
			p->set |= SECRET_SET_SA;
			set_str(&s->service_account, optarg);
			break;
		case OPT_REVOCABLE:
			p->set |= SECRET_SET_REVOCABLE;
			s->revocable = 1;
			break;
		case OPT_NO_REVOCABLE:
			p->set |= SECRET_SET_REVOCABLE;
			s->revocable = 0;
			break;
		case OPT_ALLOWED: {
			p->set |= SECRET_SET_ALLOWED;
			/* kj_strv_split() drops empty entries: "dev,,prod" is a
			 * typo to point out, not a list of two */
			size_t n = strlen(optarg);
			if (n && (optarg[0] == ',' || optarg[n - 1] == ',' || strstr(optarg, ",,"))) {
				kj_err_set(e, KJ_ERR_USAGE,
				           _("--allowed-namespaces \"%s\" has an empty entry"), optarg);
				return kj_err_hint(e, _("separate names with single commas: "
				                        "--allowed-namespaces 'dev,team-*'"));
			}
			kj_strv_done(&s->allowed_namespaces);
			kj_strv_split(&s->allowed_namespaces, optarg);
			break;
		}
		case OPT_ROLE:
		case OPT_CLUSTER_ROLE:
			if (roles++)
				goto two_roles;
			p->set |= SECRET_SET_ROLE;
			s->role_source = ch == OPT_ROLE ? ROLE_SOURCE_ROLE : ROLE_SOURCE_CLUSTER_ROLE;
			set_str(&s->role_name, optarg);
			free(s->role_yaml);
			s->role_yaml = NULL;
			break;
		case OPT_CLUSTER_SCOPE:
			p->set |= SECRET_SET_CLUSTER_SCOPE;
			s->cluster_scope = 1;
			break;
		case OPT_NO_CLUSTER_SCOPE:
			p->set |= SECRET_SET_CLUSTER_SCOPE;
			s->cluster_scope = 0;
			break;
		case OPT_ROLE_YAML:
			if (roles++)
				goto two_roles;
			if (cli_read_input(optarg, _("role YAML"), &yaml, e) < 0)
				return -1;
			free(s->role_yaml);
			s->role_yaml = yaml;
			p->set |= SECRET_SET_ROLE;
			s->role_source = ROLE_SOURCE_YAML;
			free(s->role_name);
			s->role_name = NULL;
			break;
		case OPT_TTL:
		case OPT_MAX_TTL:
			if (kj_ttl_parse(optarg, ch == OPT_TTL ? "--ttl" : "--max-ttl", &secs, e) < 0)
				return -1;
			if (ch == OPT_TTL)
				s->default_ttl = secs;
			else
				s->max_ttl = secs;
			p->set |= ch == OPT_TTL ? SECRET_SET_TTL : SECRET_SET_MAX_TTL;
			break;
		case OPT_AUDIENCE:
			p->set |= SECRET_SET_AUDIENCES;
			if (!aud++)
				kj_strv_done(&s->audiences);
			kj_strv_push(&s->audiences, optarg);
			break;
		case OPT_DESCRIPTION:
			p->set |= SECRET_SET_DESCRIPTION;
			set_str(&s->description, optarg);
			break;
		case OPT_TAG:
			p->set |= SECRET_SET_TAGS;
			if (!tags++)
				kj_strv_done(&s->tags);
			kj_strv_push(&s->tags, optarg);
			break;
		case OPT_PROTECT:
			p->set |= SECRET_SET_PROTECT;
			s->delete_protection = 1;
			break;
		case OPT_NO_PROTECT:
			p->set |= SECRET_SET_PROTECT;
			s->delete_protection = 0;
			break;
		case OPT_SELF_APPROVAL:
			p->set |= SECRET_SET_SELF_APPROVAL;
			s->self_approval = 1;
			break;
		case OPT_NO_SELF_APPROVAL:
			p->set |= SECRET_SET_SELF_APPROVAL;
			s->self_approval = 0;
			break;
		case OPT_LABEL:
			p->set |= SECRET_SET_LABELS;
			if (!labels++)
				kj_kvv_done(&s->labels);
			if (set_kv(&s->labels, optarg, "--label", e) < 0)
				return -1;
			break;
		case OPT_ANNOTATION:
			p->set |= SECRET_SET_ANNOTATIONS;
			if (!anns++)
				kj_kvv_done(&s->annotations);
			if (set_kv(&s->annotations, optarg, "--annotation", e) < 0)
				return -1;
			break;
		case OPT_PREFIX:
			p->set |= SECRET_SET_PREFIX;
			set_str(&s->name_prefix, optarg);
			break;
		case OPT_RENAME:
			if (!edit) {
				kj_err_set(e, KJ_ERR_USAGE, _("--rename works with 'secret edit' only"));
				return kj_err_hint(e, _("add the secret under the new path instead"));
			}
			set_str(&s->path, optarg);
			p->set |= SECRET_SET_PATH;
			break;
		case OPT_JSON:
			*json = 1;
			break;
		case 'h':
			cli_secret_usage(stdout);
			return 1;
		default:
			kj_err_set(e, KJ_ERR_USAGE, _("unknown option"));
			return kj_err_hint(e, _("see 'kubejit secret --help'"));
		}
	}
	return 0;
two_roles:
	kj_err_set(e, KJ_ERR_USAGE,
	           _("--role, --cluster-role and --role-yaml each name the secret's role: "
	             "give only one"));
	return kj_err_hint(e, _("keep the one you mean, e.g. --cluster-role view"));
}

static void add_strv(cJSON *o, const char *name, const struct kj_strv *sv)
{
	cJSON *a = cJSON_AddArrayToObject(o, name);

	for (size_t i = 0; i < sv->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(sv->v[i]));
}

static void add_kvv(cJSON *o, const char *name, const struct kj_kvv *kv)
{
	cJSON *m = cJSON_AddObjectToObject(o, name);

	for (size_t i = 0; i < kv->n; i++)
		cJSON_AddStringToObject(m, kv->v[i].key, kv->v[i].value);
}

static cJSON *secret_json(const struct secret *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "path", s->path);
	if (s->description)
		cJSON_AddStringToObject(o, "description", s->description);
	add_strv(o, "tags", &s->tags);
	cJSON_AddBoolToObject(o, "deleteProtection", s->delete_protection);
	cJSON_AddBoolToObject(o, "selfApproval", s->self_approval);
	cJSON_AddStringToObject(o, "target", s->target);
	cJSON_AddStringToObject(o, "mode", secret_mode_name(s->mode));
	if (s->mode == SECRET_FIXED) {
		cJSON_AddStringToObject(o, "namespace", s->ns ? s->ns : "");
		cJSON_AddStringToObject(o, "serviceAccount", s->service_account ? s->service_account : "");
		cJSON_AddBoolToObject(o, "revocable", s->revocable);
	} else {
		cJSON_AddStringToObject(o, "roleSource", secret_role_source_name(s->role_source));
		if (s->role_name)
			cJSON_AddStringToObject(o, "roleName", s->role_name);
		cJSON_AddBoolToObject(o, "clusterScope", s->cluster_scope);
		if (s->role_yaml)
			cJSON_AddStringToObject(o, "roleYaml", s->role_yaml);
		add_strv(o, "allowedNamespaces", &s->allowed_namespaces);
	}
	cJSON_AddNumberToObject(o, "defaultTtlSeconds", (double)s->default_ttl);
	cJSON_AddNumberToObject(o, "maxTtlSeconds", (double)s->max_ttl);
	add_strv(o, "audiences", &s->audiences);
	if (s->name_prefix)
		cJSON_AddStringToObject(o, "namePrefix", s->name_prefix);
	add_kvv(o, "labels", &s->labels);
	add_kvv(o, "annotations", &s->annotations);
	kj_json_add_time(o, "createdAt", s->created_at);
	kj_json_add_time(o, "updatedAt", s->updated_at);
	return o;
}

static const char *role_text(const struct secret *s, char *buf, size_t n)
{
	if (s->mode == SECRET_FIXED)
		snprintf(buf, n, "sa %s/%s%s", s->ns ? s->ns : "",
		         s->service_account ? s->service_account : "",
		         s->revocable ? "" : _(" (expiry-only)"));
	else if (s->role_source == ROLE_SOURCE_YAML)
		snprintf(buf, n, "%s", _("role from YAML"));
	else
		snprintf(buf, n, "%s %s%s", s->role_source == ROLE_SOURCE_ROLE ? "Role" : "ClusterRole",
		         s->role_name ? s->role_name : "", s->cluster_scope ? _(" (cluster-wide)") : "");
	return buf;
}

static void print_show(const struct secret *s)
{
	char a[32], b[32], buf[300];
	char *list;

	printf("%-20s %s\n", _("Path:"), s->path);
	if (s->description)
		printf("%-20s %s\n", _("Description:"), s->description);
	list = kj_strv_join(&s->tags, ", ");
	if (*list)
		printf("%-20s %s\n", _("Tags:"), list);
	free(list);
	printf("%-20s %s\n", _("Delete protection:"), s->delete_protection ? _("on") : _("off"));
	printf("%-20s %s\n", _("Self-approval:"), s->self_approval ? _("allowed") : _("refused"));
	printf("%-20s %s\n", _("Target:"), s->target);
	printf("%-20s %s\n", _("Mode:"), secret_mode_name(s->mode));
	printf("%-20s %s\n", _("Grants:"), role_text(s, buf, sizeof(buf)));
	if (s->mode == SECRET_DYNAMIC) {
		list = kj_strv_join(&s->allowed_namespaces, ", ");
		printf("%-20s %s\n", _("Allowed namespaces:"), list);
		free(list);
	}
	kj_ttl_format(s->default_ttl, a, sizeof(a));
	kj_ttl_format(s->max_ttl, b, sizeof(b));
	printf("%-20s %s (max %s)\n", _("TTL:"), a, b);
	list = kj_strv_join(&s->audiences, ", ");
	printf("%-20s %s\n", _("Audiences:"), *list ? list : _("(cluster default)"));
	free(list);
	if (s->name_prefix)
		printf("%-20s %s\n", _("Name prefix:"), s->name_prefix);
	for (size_t i = 0; i < s->labels.n; i++)
		printf("%-20s %s=%s\n", i ? "" : _("Labels:"), s->labels.v[i].key, s->labels.v[i].value);
	for (size_t i = 0; i < s->annotations.n; i++)
		printf("%-20s %s=%s\n", i ? "" : _("Annotations:"), s->annotations.v[i].key,
		       s->annotations.v[i].value);
	if (s->role_yaml)
		printf("%s\n%s%s", _("Role YAML:"), s->role_yaml,
		       s->role_yaml[0] && s->role_yaml[strlen(s->role_yaml) - 1] == '\n' ? "" : "\n");
}

/* Notices about ignored YAML parts, as the reference product warns. */
static void yaml_notices(const struct secret_saved *r, const struct kj_globals *g)
{
	if (g->quiet)
		return;
	for (size_t i = 0; i < r->n_notices; i++)
		fprintf(stderr, _("kubejit: notice: role YAML:%d:%d: %s\n"), r->notices[i].line,
		        r->notices[i].column, r->notices[i].text);
}

static int cmd_add_edit(int argc, char **argv, const struct kj_globals *g, int edit)
{
	struct engine *en = NULL;
	struct secret_patch p;
	struct secret_saved saved = {0};
	int json = 0, rc;
	kj_err e;

	kj_err_clear(&e);
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			cli_secret_usage(stdout);
			return 0;
		}
		return cli_usage_error("secret",
		                       _("secret %s needs a PATH before its options: "
		                         "kubejit secret %s PATH [OPTIONS]"),
		                       edit ? "edit" : "add", edit ? "edit" : "add");
	}
	if (engine_open(g->home, &en, &e) < 0)
		return cli_fail(&e);
	secret_patch_init(&p);
	optind = 0; /* full reset; scanning starts after the PATH */
	rc = parse_secret_opts(argc - 1, argv + 1, &p, edit, &json, &e);
	if (rc == 0 && optind < argc - 1) {
		rc = kj_err_set(&e, KJ_ERR_USAGE, _("unexpected argument \"%s\""), argv[1 + optind]);
		kj_err_hint(&e, _("options come after the PATH; quote lists: --allowed-namespaces 'a,b'"));
	}
	if (rc == 0) {
		if (edit) {
			rc = secret_patch(en, argv[1], &p, &saved, &e);
		} else {
			struct secret s;

			secret_init(&s);
			s.path = kj_xstrdup(argv[1]);
			secret_patch_to(&s, &p);
			rc = secret_add_report(en, &s, &saved, &e);
			secret_done(&s);
		}
	}
	if (rc == 0) {
		yaml_notices(&saved, g);
		if (!g->quiet)
			printf(edit ? _("secret %s updated\n") : _("secret %s added\n"),
			       !edit                     ? argv[1]
			       : p.set & SECRET_SET_PATH ? p.v.path
			                                 : saved.path);
	}
	secret_saved_done(&saved);
	secret_patch_done(&p);
	engine_close(en);
	if (rc > 0)
		return 0; /* --help */
	return rc < 0 ? cli_fail(&e) : 0;
}

static int cmd_list(int argc, char **argv, const struct kj_globals *g)
{
	struct engine *en = NULL;
	struct secret *v = NULL;
	size_t n = 0;
	int json = 0, ch;
	kj_err e;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", secret_opts, NULL)) != -1) {
		if (ch == OPT_JSON)
			json = 1;
		else if (ch == 'h') {
			cli_secret_usage(stdout);
			return 0;
		} else
			return cli_usage_error("secret", _("secret list takes [FOLDER] [--json]"));
	}
	if (engine_open(g->home, &en, &e) < 0)
		return cli_fail(&e);
	if (secret_list(en, optind < argc ? argv[optind] : NULL, &v, &n, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(a, secret_json(&v[i]));
		cli_print_json("Secret", a);
	} else if (n) {
		printf("%-32s %-8s %-12s %-12s %s\n", _("PATH"), _("MODE"), _("TARGET"), _("TTL/MAX"),
		       _("GRANTS"));
		for (size_t i = 0; i < n; i++) {
			char a[16], b[16], ttl[40], buf[300];
			kj_ttl_format(v[i].default_ttl, a, sizeof(a));
			kj_ttl_format(v[i].max_ttl, b, sizeof(b));
			snprintf(ttl, sizeof(ttl), "%s/%s", a, b);
			printf("%-32s %-8s %-12s %-12s %s\n", v[i].path, secret_mode_name(v[i].mode),
			       v[i].target, ttl, role_text(&v[i], buf, sizeof(buf)));
		}
	} else if (!g->quiet) {
		fputs(_("no secrets yet; add one with 'kubejit secret add'\n"), stderr);
	}
	secret_list_free(v, n);
	engine_close(en);
	return 0;
}

static int cmd_show_rm(int argc, char **argv, const struct kj_globals *g, int rm)
{
	struct engine *en = NULL;
	struct secret s;
	int json = 0, ch;
	kj_err e;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", secret_opts, NULL)) != -1) {
		if (ch == OPT_JSON && !rm)
			json = 1;
		else if (ch == 'h') {
			cli_secret_usage(stdout);
			return 0;
		} else
			return cli_usage_error("secret", rm ? _("secret rm takes PATH")
			                                    : _("secret show takes PATH [--json]"));
	}
	if (optind + 1 != argc)
		return cli_usage_error("secret",
		                       rm ? _("secret rm takes one PATH") : _("secret show takes one PATH"));
	if (engine_open(g->home, &en, &e) < 0)
		return cli_fail(&e);
	if (rm) {
		int rc = secret_delete(en, argv[optind], &e);
		engine_close(en);
		if (rc < 0)
			return cli_fail(&e);
		if (!g->quiet)
			printf(_("secret %s removed\n"), argv[optind]);
		return 0;
	}
	if (secret_get(en, argv[optind], &s, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json)
		cli_print_json("Secret", secret_json(&s));
	else
		print_show(&s);
	secret_done(&s);
	engine_close(en);
	return 0;
}

int cli_secret_add(int argc, char **argv, const struct kj_globals *g)
{
	return cmd_add_edit(argc, argv, g, 0);
}

int cli_secret_edit(int argc, char **argv, const struct kj_globals *g)
{
	return cmd_add_edit(argc, argv, g, 1);
}

int cli_secret_list(int argc, char **argv, const struct kj_globals *g)
{
	return cmd_list(argc, argv, g);
}

int cli_secret_show(int argc, char **argv, const struct kj_globals *g)
{
	return cmd_show_rm(argc, argv, g, 0);
}

int cli_secret_rm(int argc, char **argv, const struct kj_globals *g)
{
	return cmd_show_rm(argc, argv, g, 1);
}
