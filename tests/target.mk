# Tests of the target area.
