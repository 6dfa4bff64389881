#!/bin/sh
# Run one Criterion suite with its TAP report on stdout (for automake's TAP
# driver) and its human summary on stderr (kept in the .log file).
prog=$1
shift
exec "$prog" -Otap:/dev/stdout "$@"
