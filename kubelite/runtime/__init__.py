"""The reconcile runner: a fixed order of controllers, one snapshot per pass, fault isolation,
events, and the clock."""
