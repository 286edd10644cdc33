"""Flask extensions, created unbound so blueprints can import them; the factory binds them."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
# IP-level flood control only; per-account and per-code limits live in the database so they
# hold across workers and hosts whatever the limiter's storage is.
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")
