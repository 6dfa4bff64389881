/* Print the terminal interface's key list as roff, for the KEYS section of
 * kubejit(1).  Built and run by doc/local.mk at build time, so the man page
 * comes from the same table as the interface's help screen. */
#include "config.h"

#include <stdio.h>

#include "ui/keys.h"

int main(void)
{
	ui_keys_print(stdout, 1);
	return ferror(stdout) || fflush(stdout) == EOF;
}
