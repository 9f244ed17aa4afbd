"""Local fakes of each platform's wire API, validating requests as the platform does."""
