/* `kubejit rbac fixed|dynamic`: the RBAC a target needs, as YAML. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/target.h"
#include "engine/rbac_manifest.h"
#include "engine/request.h"
#include "util/i18n.h"

void cli_rbac_usage(FILE *f)
{
	fputs(_("Usage: kubejit rbac fixed|dynamic [--namespace NS] [--name NAME] [--user USER]\n"
	        "       kubejit rbac requester|approver [--name NAME] [--user U | --group G |\n"
	        "                                         --serviceaccount NS:NAME]\n"
	        "Print the ServiceAccount, ClusterRole and ClusterRoleBinding a target needs:\n"
	        "  fixed    tokens for existing ServiceAccounts (the reference tokenrequest role)\n"
	        "           plus Secret permissions, so fixed tokens can be revoked\n"
	        "  dynamic  a new ServiceAccount, Role and binding per lease (the reference\n"
	        "           sa-request role) plus list permissions for cluster sweeps\n\n"
	        "  --namespace NS  namespace of the ServiceAccount (default kube-system)\n"
	        "  --name NAME     name of the ServiceAccount, ClusterRole and binding\n"
	        "  --user USER     bind a user instead (a client certificate's CN, e.g. from\n"
	        "                  'kubejit target add --csr'); no ServiceAccount is made\n\n"
	        "Access requests ('kubejit request', 'approve'): the minimum ClusterRole and its\n"
	        "binding for\n"
	        "  requester  create, get, list and delete certificatesigningrequests\n"
	        "  approver   read, update and delete them, update their approval, and approve\n"
	        "             on signers kubejit.io/access-request only\n"
	        "  --name NAME              ClusterRole and binding (default kubejit-requester /\n"
	        "                           kubejit-approver)\n"
	        "  --user U, --group G      the subject to bind (default: group kubejit:requesters /\n"
	        "                           kubejit:approvers)\n"
	        "  --serviceaccount NS:NAME bind a ServiceAccount\n\n"
	        "Examples:\n  kubejit rbac dynamic | kubectl apply -f -\n"
	        "  kubejit rbac fixed --user jit-operator --name jit-operator | kubectl apply -f -\n"
	        "  kubejit rbac fixed --namespace kubejit --name jit-fixed > fixed.yaml\n"
	        "  kubejit rbac approver --user alice@example.com | kubectl apply -f -\n\n"
	        "Exit codes: 0 ok, 2 usage (bad mode or name).\n"),
	      f);
}

/* argv[0] is the mode, "fixed" or "dynamic". */
static int rbac_run(int argc, char **argv, enum target_mode mode)
{
	static const struct option opts[] = {
	    {"namespace", required_argument, NULL, O_NAMESPACE},
	    {"name", required_argument, NULL, O_NAME},
	    {"user", required_argument, NULL, O_USER},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	struct rbac_manifest_opts o = {0};
	int ch;
	char *yaml;
	kj_err e = {0};

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case O_NAMESPACE:
			o.namespace_ = optarg;
			break;
		case O_NAME:
			o.name = optarg;
			break;
		case O_USER:
			o.user = optarg;
			break;
		case 'h':
		case O_HELP:
			cli_rbac_usage(stdout);
			return 0;
		default:
			return cli_usage_error("rbac", _("unknown option"));
		}
	}
	if (optind != argc)
		return cli_usage_error("rbac", _("unexpected argument \"%s\""), argv[optind]);
	o.mode = mode;
	yaml = rbac_manifest_yaml(&o, &e);
	if (!yaml)
		return cli_fail(&e);
	fputs(yaml, stdout);
	free(yaml);
	return 0;
}

int cli_rbac_fixed(int argc, char **argv, const struct kj_globals *g)
{
	(void)g;
	return rbac_run(argc, argv, TARGET_MODE_FIXED);
}

int cli_rbac_dynamic(int argc, char **argv, const struct kj_globals *g)
{
	(void)g;
	return rbac_run(argc, argv, TARGET_MODE_DYNAMIC);
}

static int rbac_request_run(int argc, char **argv, int approver)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, O_NAME}, {"user", required_argument, NULL, O_USER},
	    {"group", required_argument, NULL, 'g'},   {"serviceaccount", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, O_HELP},       {NULL, 0, NULL, 0},
	};
	struct request_rbac_opts o = {0};
	int ch;
	char *yaml;
	kj_err e = {0};

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case O_NAME:
			o.name = optarg;
			break;
		case O_USER:
			o.user = optarg;
			break;
		case 'g':
			o.group = optarg;
			break;
		case 's':
			o.service_account = optarg;
			break;
		case 'h':
		case O_HELP:
			cli_rbac_usage(stdout);
			return 0;
		default:
			return cli_usage_error("rbac", _("unknown option"));
		}
	}
	if (optind != argc)
		return cli_usage_error("rbac", _("unexpected argument \"%s\""), argv[optind]);
	o.approver = approver;
	yaml = request_rbac_yaml(&o, &e);
	if (!yaml)
		return cli_fail(&e);
	fputs(yaml, stdout);
	free(yaml);
	return 0;
}

int cli_rbac_requester(int argc, char **argv, const struct kj_globals *g)
{
	(void)g;
	return rbac_request_run(argc, argv, 0);
}

int cli_rbac_approver(int argc, char **argv, const struct kj_globals *g)
{
	(void)g;
	return rbac_request_run(argc, argv, 1);
}
