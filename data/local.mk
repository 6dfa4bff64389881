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
