"""JSON handlers of the HTTP API, one module per audience and resource."""
