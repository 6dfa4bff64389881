# The demo cluster.  Owned by src/demo; links src/util only.
# When sources exist: noinst_LIBRARIES += src/demo/libkjdemo.a and
# KJ_DEMO_LIB = src/demo/libkjdemo.a
KJ_DEMO_LIB =
