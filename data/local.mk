nobase_dist_pkgdata_DATA +=
# Objects of the demo cluster (also built into the binary, see src/demo/local.mk).
dist_pkgdata_DATA += data/seed.yaml
