nobase_dist_pkgdata_DATA +=
# Objects of the demo cluster (also built into the binary, see src/demo/local.mk).
dist_pkgdata_DATA += data/seed.yaml
# Role templates for dynamic secrets (the TUI's YAML editor offers them) and
# the in-cluster sweeper CronJob.
templatesdir = $(pkgdatadir)/templates
dist_templates_DATA = \
	data/templates/pods-read-only.yaml \
	data/templates/pod-logs-reader.yaml \
	data/templates/configmap-reader.yaml \
	data/templates/deployment-restarter.yaml \
	data/templates/namespace-editor.yaml \
	data/templates/exec-into-pods.yaml \
	data/templates/cluster-nodes-reader.yaml
dist_pkgdata_DATA += data/cronjob-sweep.yaml
# k9s plugins: mint from the ServiceAccounts view, revoke from an object's lease
k9sdir = $(pkgdatadir)/k9s
dist_k9s_DATA = data/k9s/plugins.yaml
# The in-cluster sweeper's image (see README.md); not installed.
EXTRA_DIST += Containerfile

# systemd user units: `kubejit sweep` every minute on the user's own store.
systemduserunit_DATA = data/systemd/kubejit-sweep.service data/systemd/kubejit-sweep.timer
EXTRA_DIST += data/systemd/kubejit-sweep.service.in data/systemd/kubejit-sweep.timer
CLEANFILES += data/systemd/kubejit-sweep.service
data/systemd/kubejit-sweep.service: $(srcdir)/data/systemd/kubejit-sweep.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) data/systemd && \
	sed -e 's|@''bindir@|$(bindir)|g' $(srcdir)/data/systemd/kubejit-sweep.service.in > $@.tmp && \
	mv $@.tmp $@
