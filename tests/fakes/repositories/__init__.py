"""In-memory repositories: the fakes of `hub.core.ports`' repositories, for use-case tests."""
