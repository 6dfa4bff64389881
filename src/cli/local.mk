# The command line (src/cli/cli.h): dispatch and the shared helpers, then one
# file per command.  Linked into core.so by src/local.mk; the kubejit
# executable is src/cli/main.c and src/cli/fastget.c.
CLI_SOURCES = \
	src/cli/cli.c src/cli/cli.h \
	src/cli/common.c \
	src/cli/prog.c \
	src/cli/safeout.c \
	src/cli/audit.c \
	src/cli/complete.c \
	src/cli/demo_cluster.c \
	src/cli/get.c \
	src/cli/kubeconfig.c \
	src/cli/leases.c \
	src/cli/mint.c \
	src/cli/rbac.c \
	src/cli/request.c \
	src/cli/revoke.c \
	src/cli/seal.c \
	src/cli/secret.c \
	src/cli/sweep.c \
	src/cli/target.c src/cli/target.h \
	src/cli/target_view.c
