/* i18n: gettext shorthands.  Include this, never <libintl.h> directly. */
#ifndef KJ_UTIL_I18N_H
#define KJ_UTIL_I18N_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#endif
#define N_(s) (s)

#endif
