"""Synapse STAND-IN for the provision test host. Not Synapse: a small program installed under
Synapse's name (PyPI is out of reach here) that checks its configuration the way Synapse does,
connects to PostgreSQL, daemonizes with Synapse's pidfile and answers a few endpoints."""
__version__ = "0.0.0"
