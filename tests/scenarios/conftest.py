from tests.controllers.conftest import kl  # noqa: F401  (the real CLI over a fresh state directory)
