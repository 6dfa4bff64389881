#include "model/audit.h"

#include <stdlib.h>

void audit_list_free(struct audit_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].actor);
		free(v[i].action);
		free(v[i].secret);
		free(v[i].lease);
		free(v[i].target);
		free(v[i].detail);
	}
	free(v);
}
