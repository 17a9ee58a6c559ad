"""Policy computations of the control plane, each a pure function of objects and a clock.

No I/O here: the controllers (kubelite/controllers/) and admission plugins
(kubelite/admission/) read the store and write the results. Each module follows one
upstream controller or admission plugin, with its names, messages and conditions:

- disruption: PodDisruptionBudget status and the eviction decision
- quota: ResourceQuota usage and the admission check
- limitrange: LimitRange defaults and min/max/ratio checks
- priority: PriorityClass resolution and DefaultPreemption's victim selection
- autoscaling: the HPA replica calculator and its behavior rules
- netpol: NetworkPolicy verdicts
- ingress: Ingress route matching
"""
