# Tests of the demo area.
