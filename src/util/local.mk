noinst_LIBRARIES += src/util/libkjutil.a
src_util_libkjutil_a_SOURCES = \
	src/util/err.c src/util/err.h \
	src/util/i18n.h \
	src/util/strbuf.c src/util/strbuf.h \
	src/util/ttl.c src/util/ttl.h \
	src/util/served.c src/util/served.h \
	src/util/timeutil.c src/util/timeutil.h \
	src/util/b64.c src/util/b64.h \
	src/util/names.c src/util/names.h \
	src/util/strv.c src/util/strv.h \
	src/util/file.c src/util/file.h \
	src/util/jwt.c src/util/jwt.h \
	src/util/json.c src/util/json.h \
	src/util/strmap.c src/util/strmap.h \
	src/util/yamlguard.c src/util/yamlguard.h \
	src/util/safetext.c src/util/safetext_buf.c src/util/safetext.h
UTIL_LIBS = src/util/libkjutil.a $(CJSON_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS) $(LIBINTL)
