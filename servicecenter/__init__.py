"""The running 115-Servicecenter EMH service: app, HTTP API, command line."""
