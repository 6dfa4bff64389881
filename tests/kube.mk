# Tests of the kube area.
