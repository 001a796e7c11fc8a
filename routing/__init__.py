"""Where a call goes, and why: rules as data, a pure engine, the service calendar."""
