/* The demo cluster the fixtures start (demo_http.h, kube_fixture.h,
 * target_fixture.h): one definition for all of them, since every suite links
 * the fixtures from one library. */
#include "demo/demo.h"

struct demo_cluster *dc;
