# Tests of packaging and integration: the Debian package (built from the
# `make dist` tarball), `kubectl jit` with the real kubectl, the in-cluster
# sweeper on a read-only file system, the k9s plugins.
EXTRA_DIST += tests/packaging/deb.sh tests/packaging/kubectl-plugin.sh \
	tests/packaging/sweep-in-cluster.sh tests/packaging/k9s-plugins.sh
TESTS += tests/packaging/kubectl-plugin.sh tests/packaging/sweep-in-cluster.sh \
	tests/packaging/k9s-plugins.sh tests/packaging/deb.sh
