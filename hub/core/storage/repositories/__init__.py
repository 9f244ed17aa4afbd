"""Repositories: the SQL behind each port of `hub.core.ports`, bound to a session and a community."""
