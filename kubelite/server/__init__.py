"""`kubelite serve`: the Kubernetes API over HTTPS, one more face over kubelite.apiserver.APIServer.

The HTTP layer decodes requests, calls the same APIServer the CLI calls, and encodes
objects or v1.Status. Nothing here knows a kind's rules: defaults, validation, admission
and storage stay in the library, so the CLI and the server cannot drift apart.

aiohttp and cryptography are imported only here, never by the CLI's other commands.
"""
